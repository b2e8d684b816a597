"""The rules a comment is read with: one file per category in ``comments/categories/`` and the
tone's words in ``comments/tone.toml``, each in French and English.

A rule is a line of words (the README's "Writing a category" tells how to write one):

- ``avocat``: a word, matched on its lemma or as written, accents ignored ("avocats", "Avocat");
- ``resili*``: any word that starts so ("résilier", "resilié", "résiliation");
- ``appeler|rappeler``: one of several words;
- ``#``: a number, in digits or in words ("3", "trois");
- ``~2``: up to two other words in between ("porter ~2 plainte": "porter plainte",
  "porter une plainte", "porter très vite plainte").

A rule matches inside one clause. It does not count when a negation stands in the four words
before it ("je ne vais pas résilier", "pas besoin de médiateur") or right after its last word
("je résilierai pas"), unless the rule holds a negation itself ("jamais rappeler",
"comprendre ~2 rien").
A category's ``unless`` rules take back a match in the same clause ("la médiatrice de l'agence"),
its ``unless_anywhere`` rules the category wherever they match ("finalement je reste"); a
category ``only_if_unhappy`` is not shown on a comment whose other words are happy (a lawyer
friend's advice in a thank-you note is no legal risk).
"""
from __future__ import annotations

import hashlib
import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from comments.text import Word, fold

HERE = Path(__file__).resolve().parent
CATEGORY_FILES = HERE / "categories"
TONE_FILE = HERE / "tone.toml"
LANGS = ("fr", "en")
PREFIX = 3     # a stem is looked up by its first letters
BEFORE = 4     # how far back a negation reaches


class RuleError(ValueError):
    """A rule file that cannot be used; the message says which file and rule."""


@dataclass(frozen=True)
class Part:
    words: frozenset[str] = frozenset()      # folded words or lemmas
    stems: tuple[str, ...] = ()              # folded beginnings
    number: bool = False
    gap: int = 0                             # words allowed before this part

    def fits(self, w: Word, numbers: frozenset[str]) -> bool:
        return (w.lemma in self.words or w.folded in self.words
                or any(w.folded.startswith(s) for s in self.stems)
                or (self.number and (w.folded.isdigit() or w.folded in numbers)))


@dataclass(frozen=True)
class Rule:
    text: str
    parts: tuple[Part, ...]
    negated_start: bool          # holds a negation itself ("jamais rappeler"): never taken back by one

    def _rest(self, ws: list[Word], last: int, k: int, lang: "Language") -> int | None:
        if k == len(self.parts):
            return last
        part = self.parts[k]
        for j in range(last + 1, min(len(ws), last + 2 + part.gap)):
            if ws[j].clause != ws[last].clause:
                break
            if part.fits(ws[j], lang.numbers):
                end = self._rest(ws, j, k + 1, lang)
                if end is not None:
                    return end
        return None


@dataclass(frozen=True)
class Language:
    negations: frozenset[str]
    after: frozenset[str]        # negations that follow the word they deny ("résilierai pas")
    numbers: frozenset[str]

    def negated(self, ws: list[Word], first: int, last: int) -> bool:
        clause = ws[first].clause
        before = [w for w in ws[max(0, first - BEFORE):first] if w.clause == clause]
        if any(w.folded in self.negations for w in before):
            return True
        return last + 1 < len(ws) and ws[last + 1].clause == clause and ws[last + 1].folded in self.after


class RuleSet:
    """Rules indexed by their first word, so that a comment's word is tried only against the
    rules that can begin there."""

    def __init__(self, rules: tuple[Rule, ...]):
        self.rules = rules
        self._by_word: dict[str, list[Rule]] = {}
        self._by_stem: dict[str, list[tuple[str, Rule]]] = {}     # by the stem's first letters
        self._by_number: list[Rule] = []
        for rule in rules:
            first = rule.parts[0]
            for word in first.words:
                self._by_word.setdefault(word, []).append(rule)
            for stem in first.stems:
                self._by_stem.setdefault(stem[:PREFIX], []).append((stem, rule))
            if first.number:
                self._by_number.append(rule)

    def __bool__(self) -> bool:
        return bool(self.rules)

    def hits(self, ws: list[Word], lang: "Language") -> list[tuple[int, int, bool]]:
        """Every (first, last, negated) match of any rule, as ``Rule.find`` tells them."""
        out = []
        for i, w in enumerate(ws):
            candidates = dict.fromkeys(self._by_word.get(w.lemma, []) + self._by_word.get(w.folded, []))
            for key in {w.folded[:n] for n in range(1, PREFIX + 1)}:
                candidates.update(dict.fromkeys(r for stem, r in self._by_stem.get(key, ()) if w.folded.startswith(stem)))
            if w.folded.isdigit() or w.folded in lang.numbers:
                candidates.update(dict.fromkeys(self._by_number))
            for rule in candidates:
                end = rule._rest(ws, i, 1, lang)
                if end is not None:
                    out.append((i, end, not rule.negated_start and lang.negated(ws, i, end)))
        return out


@dataclass(frozen=True)
class Category:
    id: str
    version: int
    labels: dict[str, str]
    descriptions: dict[str, str]
    tone: float
    rules: dict[str, RuleSet]
    unless: dict[str, RuleSet]            # take back a match in their clause
    unless_anywhere: dict[str, RuleSet]   # take back the category ("je reste", "j'ai failli")
    only_if_unhappy: bool                          # not shown on a comment that is otherwise happy

    def label(self, lang: str) -> str:
        return self.labels.get(lang) or self.labels["en"]


@dataclass(frozen=True)
class Tone:
    positive: dict[str, RuleSet]
    negative: dict[str, RuleSet]
    strong: dict[str, RuleSet]      # extreme dissatisfaction
    languages: dict[str, Language]


def compile_rule(text: str, where: str, negations: frozenset[str]) -> Rule:
    parts: list[Part] = []
    gap = 0
    for token in text.split():
        if token.startswith("~"):
            if not token[1:].isdigit() or not parts:
                raise RuleError(f"{where}: rule {text!r}: '~' takes a number and comes between two words")
            gap = int(token[1:])
            continue
        words, stems, number = set(), [], False
        for choice in token.split("|"):
            choice = fold(choice)
            if choice == "#":
                number = True
            elif choice.endswith("*") and len(choice) > 1:
                stems.append(choice[:-1])
            elif choice and "*" not in choice:
                words.add(choice)
            else:
                raise RuleError(f"{where}: rule {text!r}: {choice!r} is not a word, a word* or #")
        parts.append(Part(frozenset(words), tuple(stems), number, gap))
        gap = 0
    if not parts or gap:
        raise RuleError(f"{where}: rule {text!r} has no word to match, or ends with '~'")
    return Rule(text, tuple(parts), any(part.words & negations for part in parts))


def _rules(section: dict, key: str, where: str, negations: frozenset[str]) -> RuleSet:
    texts = section.get(key, [])
    if not isinstance(texts, list) or not all(isinstance(t, str) for t in texts):
        raise RuleError(f"{where}: {key} must be a list of texts")
    return RuleSet(tuple(compile_rule(t, f"{where} [{key}]", negations) for t in texts))


def _read(path: Path) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise RuleError(f"{path.name}: {exc}") from None


@lru_cache(maxsize=4)
def tone(path: Path = TONE_FILE) -> Tone:
    """The tone's words and each language's negations and numbers."""
    raw = _read(path)
    languages, kinds = {}, {"positive": {}, "negative": {}, "strong": {}}
    for lang in LANGS:
        section = raw.get(lang, {})
        negations = frozenset(fold(w) for w in section.get("negations", []))
        languages[lang] = Language(negations, frozenset(fold(w) for w in section.get("after", [])),
                                   frozenset(fold(w) for w in section.get("numbers", [])))
        for kind in kinds:
            kinds[kind][lang] = _rules(section, kind, f"{path.name} [{lang}]", negations)
    return Tone(kinds["positive"], kinds["negative"], kinds["strong"], languages)


@lru_cache(maxsize=4)
def categories(folder: Path = CATEGORY_FILES) -> tuple[Category, ...]:
    """Every category, in the order of their files' names."""
    found = []
    languages = tone().languages
    for path in sorted(folder.glob("*.toml")):
        raw = _read(path)
        where = path.name
        if raw.get("id") != path.stem or not re.fullmatch(r"[a-z_]+", path.stem):
            raise RuleError(f"{where}: id must be the file's name ({path.stem!r}), in letters a-z and _")
        rules, unless, anywhere = {}, {}, {}
        for lang in LANGS:
            section, at = raw.get(lang, {}), f"{where} [{lang}]"
            rules[lang] = _rules(section, "match", at, languages[lang].negations)
            unless[lang] = _rules(section, "unless", at, languages[lang].negations)
            anywhere[lang] = _rules(section, "unless_anywhere", at, languages[lang].negations)
        labels, descriptions = raw.get("label", {}), raw.get("description", {})
        if not all(isinstance(labels.get(lang), str) for lang in LANGS):
            raise RuleError(f"{where}: label needs fr and en")
        found.append(Category(path.stem, int(raw.get("version", 1)), labels, descriptions,
                              float(raw.get("tone", 0)), rules, unless, anywhere,
                              bool(raw.get("only_if_unhappy", False))))
    return tuple(found)


@lru_cache(maxsize=4)
def fingerprint(folder: Path = CATEGORY_FILES, tone_file: Path = TONE_FILE) -> str:
    """What the stored analyses were made with: a digest of every rule file, read once per
    process as the rules are. A change to any of them makes the analyses be computed again
    at the next start."""
    digest = hashlib.sha256()
    for path in [tone_file, *sorted(folder.glob("*.toml"))]:
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]
