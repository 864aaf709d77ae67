"""Tells a follow-up question (« Et la nuit ? », « Qui la valide ? », "What about night
shifts?") from one that stands on its own, so that only a follow-up is searched with the
question before it.

Searching every question with the one before let the previous topic crowd out the new one: on
the staff page, « Combien d'infirmiers faut-il la nuit en médecine polyvalente ? » asked after a
question on reporting a malfunction found the reporting procedure again, and not the staffing
grid. A follow-up is a question that opens with a continuation (« et », « sinon », "and", "what
about"), points back at what was said (« ce délai », "can it be extended?"), or names too few
things of its own to be searched alone (« Qui la valide ? » names one: « valide »).
"""

from __future__ import annotations

import functools
import re

from assistant.answering.language import fold
from assistant.retrieval.analysis import analyse

# Words of a question that name nothing it is about: asking, pointing back, vague verbs.
_ASKING = (
    "qui que quoi quel quelle quels quelles quand comment combien pourquoi ou est-ce faut faire fait peut peuvent "
    "doit doivent dois puis peux cas alors aussi meme pareil sinon idem ca cela ce cette ces celui celle ceux "
    "il elle ils elles le la les lui leur y en jour-la jour la-dessus dessus "
    "who what which when how why where does do did can could should must is are was it its this that these those "
    "they them there then also same case else"
)
_CONTINUATION = re.compile(
    r"^\s*(?:et|mais|sinon|alors|aussi|pareil|idem|meme question|dans ce cas|and|but|also|what about|how about|"
    r"same question|in that case|what if)\b",
    re.IGNORECASE,
)
# Pointing back at what was said: « ce délai », « cette procédure », "can it be extended?".
_POINTING_BACK = re.compile(
    r"\b(?:cet|cette|ces)\s+\w|\bce\s+(?!que\b|qui\b|dont\b|qu')\w|\b(?:la-dessus|dessus|celui-ci|celle-ci|ceux-ci)\b|"
    r"^\s*(?:can|could|does|do|did|is|are|was|were|will|would|should|must|may) (?:it|they|this|that|these|those)\b|"
    r"\b(?:this|that|these|those) (?:one|ones|deadline|period|rule|procedure|form|document|case)\b",
    re.IGNORECASE,
)
# A question naming at least this many things of its own, with no continuation and nothing pointing
# back, is searched alone. Taking a question for a follow-up costs little (the previous question is
# added to its search, as for every question before); the reverse loses what it continues.
OWN_TERMS = 2


@functools.cache
def _asking_terms(lang: str) -> frozenset[str]:
    return frozenset(analyse(_ASKING, lang))


def _own_terms(question: str, lang: str) -> set[str]:
    return set(analyse(question, lang)) - _asking_terms(lang)


def is_follow_up(question: str, lang: str) -> bool:
    """True when `question` reads as the continuation of the one before it."""
    folded = fold(question).lower().replace("’", "'")
    return bool(_CONTINUATION.match(folded) or _POINTING_BACK.search(folded)) or len(_own_terms(question, lang)) < OWN_TERMS


def retrieval_query(question: str, history: list[str] | None, turns: int, lang: str) -> str:
    """What the passages are searched with: the question, preceded by the last `turns` questions
    of the conversation when it is a follow-up."""
    if not turns or not history or not is_follow_up(question, lang):
        return question
    return " ".join([*history[-turns:], question])
