"""A comment cut into words a rule can match: each word lower-cased, with its accents folded
away ("résilié" and "resilie" read alike) and its lemma (simplemma: "rappelé" -> "rappeler"),
and the clause it stands in (a negation reaches no further than its clause)."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import simplemma

# where a clause ends: punctuation, a line break, and the words that turn a sentence around
_BREAK = re.compile(r"[.!?;:,()\n\r\u2026]+")
TURNS = {"mais", "sinon", "pourtant", "cependant", "neanmoins", "heureusement", "malgre", "but", "however",
          "although", "though", "otherwise", "luckily", "fortunately"}
_WORD = re.compile(r"[^\W_]+", re.UNICODE)


def fold(text: str) -> str:
    """Lower case without accents: ``Résilié`` -> ``resilie``, ``cœur`` -> ``coeur``."""
    text = text.lower().replace("œ", "oe").replace("æ", "ae")
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


@lru_cache(maxsize=200_000)
def lemma(word: str, lang: str) -> str:
    """The folded lemma of a lower-case word (the word itself when simplemma knows none)."""
    return fold(simplemma.lemmatize(word, lang=lang))


@dataclass(frozen=True)
class Word:
    text: str        # as written (for the evidence)
    folded: str      # lower case, no accents
    lemma: str       # folded lemma
    clause: int      # the clause it stands in
    start: int       # its place in the comment's text
    end: int


def words(text: str, lang: str) -> list[Word]:
    """The comment's words in order, each with its clause."""
    out: list[Word] = []
    clause = 0
    last = 0
    for found in _WORD.finditer(text):
        if _BREAK.search(text, last, found.start()):
            clause += 1
        last = found.end()
        raw = found.group()
        folded = fold(raw)
        if folded in TURNS:
            clause += 1
        for part in SHORTHAND[lang].get(folded, (folded,)):
            known = part if len(part) < 3 or part.isdigit() else lemma(part, lang)
            out.append(Word(raw, part, known, clause, found.start(), found.end()))
    return out


# what people type in a hurry, as the words a rule is written with
SHORTHAND = {
    "fr": {"jai": ("j", "ai"), "jsuis": ("je", "suis"), "chui": ("je", "suis"), "pr": ("pour",),
           "tjrs": ("toujours",), "tjs": ("toujours",), "bcp": ("beaucoup",), "ds": ("dans",),
           "pb": ("probleme",), "pbm": ("probleme",), "pbs": ("probleme",), "qd": ("quand",), "mn": ("minutes",),
           "min": ("minutes",), "mins": ("minutes",), "ct": ("c", "etait"), "pa": ("pas",), "pk": ("pourquoi",),
           "pq": ("pourquoi",), "jms": ("jamais",), "auj": ("aujourd", "hui"), "rdv": ("rendez", "vous"),
           "tel": ("telephone",), "mtn": ("maintenant",), "vs": ("vous",), "ns": ("nous",)},
    "en": {"dont": ("do", "not"), "didnt": ("did", "not"), "cant": ("can", "not"), "wont": ("will", "not"),
           "isnt": ("is", "not"), "wasnt": ("was", "not"), "im": ("i", "am"), "ive": ("i", "have"),
           "u": ("you",), "ur": ("your",), "pls": ("please",), "plz": ("please",), "thx": ("thanks",),
           "mins": ("minutes",), "hrs": ("hours",), "hr": ("hour",)},
}


# the few words that tell a comment's language, in both languages' spelling without accents
_FRENCH = {"le", "la", "les", "de", "des", "du", "un", "une", "et", "est", "je", "j", "pas", "tres", "ne", "n", "que",
           "qui", "pour", "avec", "mon", "ma", "mes", "vous", "on", "il", "au", "aux", "a", "ai", "c", "ce", "sur",
           "rien", "merci", "jamais", "plus", "toujours", "conseiller", "conseillere", "bien", "jai", "pr", "tjrs"}
_ENGLISH = {"the", "and", "is", "was", "i", "to", "of", "my", "it", "not", "you", "for", "with", "have", "had",
            "they", "on", "this", "that", "very", "no", "never", "be", "been", "are", "me", "an", "thanks", "thank",
            "agent", "call", "again", "still", "but", "so", "great", "good", "im", "dont", "didnt", "ve", "ll", "re",
            "your", "we", "our", "just", "what", "when", "from", "will", "would", "been"}


def language(text: str) -> str | None:
    """``fr`` or ``en``: the language with more of its common words in the text; French when
    both have as many, None when the text has none of them ("Rubbish", "Top")."""
    found = [fold(w) for w in _WORD.findall(text)]
    english = sum(w in _ENGLISH for w in found)
    french = sum(w in _FRENCH for w in found)
    if not english and not french:
        return None
    return "en" if english > french else "fr"
