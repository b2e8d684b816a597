"""How well the rules read comments: precision and recall per category, tone accuracy and
the extreme flag's, measured on a set labelled by hand (``tests/comments/``)."""
from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from comments.analysis import Analysis, analyse
from comments.rules import categories


@dataclass
class Labelled:
    id: str
    text: str
    tone: str
    extreme: bool
    categories: frozenset[str]


def read_set(path: Path) -> list[Labelled]:
    with open(path, encoding="utf-8", newline="") as fh:
        return [Labelled(r["id"], r["text"], r["tone"], r["extreme"] == "1", frozenset(r["categories"].split()))
                for r in csv.DictReader(fh)]


@dataclass
class Score:
    found: int = 0        # true positives
    extra: int = 0        # false positives
    missed: int = 0       # false negatives

    @property
    def precision(self) -> float | None:
        return self.found / (self.found + self.extra) if self.found + self.extra else None

    @property
    def recall(self) -> float | None:
        return self.found / (self.found + self.missed) if self.found + self.missed else None

    def add(self, expected: bool, got: bool) -> None:
        self.found += expected and got
        self.extra += got and not expected
        self.missed += expected and not got


@dataclass
class Report:
    size: int
    per_category: dict[str, Score]
    extreme: Score
    tone_right: int
    mistakes: list[tuple[Labelled, Analysis]] = field(default_factory=list)

    @property
    def tone_accuracy(self) -> float:
        return self.tone_right / self.size if self.size else 0.0

    def as_json(self) -> dict:
        def one(s: Score) -> dict:
            return {"precision": s.precision, "recall": s.recall, "support": s.found + s.missed,
                    "true_positives": s.found, "false_positives": s.extra, "false_negatives": s.missed}
        return {"comments": self.size, "tone_accuracy": self.tone_accuracy, "extreme": one(self.extreme),
                "categories": {c: one(s) for c, s in self.per_category.items()}}


def measure(labelled: list[Labelled]) -> Report:
    ids = [c.id for c in categories()]
    report = Report(len(labelled), {c: Score() for c in ids}, Score(), 0)
    for item in labelled:
        got = analyse(item.text)
        for c in ids:
            report.per_category[c].add(c in item.categories, c in got.categories)
        report.extreme.add(item.extreme, got.extreme)
        report.tone_right += got.tone == item.tone
        if got.tone != item.tone or set(got.categories) != item.categories or got.extreme != item.extreme:
            report.mistakes.append((item, got))
    return report
