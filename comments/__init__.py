"""The customer's voice: what each survey comment says, read by readable rules.

- ``rules``: the rule files (``categories/*.toml``, one per category, and ``tone.toml``) and
  how a rule is written and matched;
- ``text``: a comment cut into words (accents folded, lemmas from simplemma, clauses);
- ``analysis``: one comment's categories with their evidence, its tone and the extreme flag;
- ``store``: the analyses kept beside the answers, made at load and again when a rule changes;
- ``quality``: precision and recall on the sets labelled by hand (``python -m comments measure``).
"""
