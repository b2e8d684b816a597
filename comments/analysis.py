"""What a comment says: its categories with the words that show them, its tone (negative,
neutral or positive: indicative, read from the text alone) and whether it shows extreme
dissatisfaction."""
from __future__ import annotations

from dataclasses import dataclass

from comments.rules import LANGS, RuleSet, categories, tone
from comments.text import TURNS, Word, language, words

TONES = ("negative", "neutral", "positive")
COMPLAINT_POSITIVES = 0.5      # a positive word next to a complaint is most often irony
HAPPY = 1.5                    # a comment this positive without a category is a happy one


@dataclass(frozen=True)
class Analysis:
    tone: str
    score: float                            # the tone's sum: below -1 negative, from +1 positive
    extreme: bool
    categories: tuple[str, ...]
    evidence: dict[str, tuple[str, ...]]    # category (or "extreme") -> the words that show it
    lang: str

    @property
    def words(self) -> list[str]:
        return evidence_words(self.evidence)


def evidence_words(evidence: dict) -> list[str]:
    """Every word shown as evidence of an analysis, once, in the order of its categories."""
    seen: dict[str, None] = {}
    for found in evidence.values():
        seen.update(dict.fromkeys(found))
    return list(seen)


def _phrase(text: str, ws: list[Word], first: int, last: int) -> str:
    return text[ws[first].start:ws[last].end]


def _hits(rules: RuleSet, ws, lang) -> list[tuple[int, int, bool]]:
    return rules.hits(ws, lang)


def analyse(text: str) -> Analysis:
    """Read one comment with the rules of its language; a comment too short to tell ("Top",
    "Rubbish") with those of the language whose rules find more in it (French when even)."""
    lang = language(text)
    if lang is None:
        read = [_analyse(text, lang) for lang in LANGS]
        return max(read, key=lambda a: (len(a.categories) + abs(a.score), a.lang == "fr"))
    return _analyse(text, lang)


def _analyse(text: str, lang: str) -> Analysis:
    ws = words(text, lang)
    rules = tone()
    grammar = rules.languages[lang]
    found: dict[str, tuple[str, ...]] = {}
    for category in categories():
        hits = [(a, b) for a, b, negated in _hits(category.rules[lang], ws, grammar) if not negated]
        if hits and category.unless[lang]:
            taken_back = {ws[a].clause for a, _b, _n in _hits(category.unless[lang], ws, grammar)}
            hits = [(a, b) for a, b in hits if ws[a].clause not in taken_back]
        if hits and _hits(category.unless_anywhere[lang], ws, grammar):
            hits = []
        if hits:
            found[category.id] = tuple(dict.fromkeys(_phrase(text, ws, a, b) for a, b in hits))
    by_id = {c.id: c for c in categories()}
    turned = any(w.folded in TURNS for w in ws)
    # a complaint makes a positive word next to it most often irony ("bravo, 45 minutes d'attente")
    complaints = [c for c in found if c != "praise" and not by_id[c].only_if_unhappy]
    ironic = bool(complaints) and not turned
    if "praise" in found and ironic:
        del found["praise"]
    words_score = 0.0
    for a, b, negated in _hits(rules.positive[lang], ws, grammar):
        words_score += -1 if negated else (COMPLAINT_POSITIVES if ironic else 1)
    for a, b, negated in _hits(rules.negative[lang], ws, grammar):
        words_score += 1 if negated else -1
    strong = [(a, b) for a, b, negated in _hits(rules.strong[lang], ws, grammar) if not negated]
    words_score -= 2 * len(strong)
    for c in [c for c in found if by_id[c].only_if_unhappy]:
        if words_score + sum(by_id[o].tone for o in found if o != c) >= HAPPY:
            del found[c]
    score = words_score + sum(by_id[c].tone for c in found)
    shouting = sum(len(w.text) >= 4 and w.text.isupper() for w in ws) >= 2 or "!!!" in text
    extreme = score < 0 and (bool(strong) or (shouting and score <= -3))
    if extreme:
        found["extreme"] = tuple(dict.fromkeys(_phrase(text, ws, a, b) for a, b in strong))
    tone_id = "positive" if score >= 1 else "negative" if score <= -1 else "neutral"
    return Analysis(tone_id, score, extreme, tuple(c for c in found if c != "extreme"), found, lang)
