"""Figures that belong to another item of a list or another row of a table than the one asked.

A list or a table states the same kind of value for several subjects (« médecine polyvalente (28
lits) ; chirurgie digestive et orthopédique (32 lits) »). The statements of such a group that share
clearly fewer of the question's words than the closest (`SIBLING_MARGIN`) are about something
else: `closest_siblings` tells them apart (the value checks of `answer_types` read only the closest),
and `sibling_figures` gives the figures stated only in those set aside, so that a written answer
giving one (« 32 lits » for the beds of médecine polyvalente) is dropped by the answering service.
"""

from __future__ import annotations

import re

from assistant.answering.extracts import quote_terms
from assistant.answering.language import fold
from assistant.retrieval.analysis import analyse
from assistant.retrieval.statements import statement_groups

# How many more of the question's words an item or a row must share than a sibling to set it aside.
SIBLING_MARGIN = 2
_FIGURE = re.compile(r"\d+(?:[.,]\d+)?")


def closest_siblings(folded_group: list[str], about: set[str], about_other: set[str], lang: str,
                     other: str = "fr") -> list[bool]:
    """For each statement of a group of siblings (`statements.statement_groups`, folded), whether
    it is kept: all but those that share clearly fewer words of what the question asks about than
    the closest (`SIBLING_MARGIN` or more). `about_other`: the words asked about in the other
    language, `other`, which a statement may share instead. The question names another item of the list or row of
    the table, which states the same kind of value for another subject (« médecine polyvalente (28
    lits) » does not give the beds of « urgences adultes », the item after it)."""
    if len(folded_group) < 2:
        return [True] * len(folded_group)

    def shared(folded: str) -> int:
        return len(about & set(analyse(folded, lang))) + (len(about_other & set(analyse(folded, other))) if about_other else 0)

    scores = [shared(folded) for folded in folded_group]
    return [score > max(scores) - SIBLING_MARGIN for score in scores]



def sibling_figures(question: str, texts: list[str], lang: str = "fr") -> set[str]:
    """The figures that the texts state only in list items or table rows set aside for the
    question (`closest_siblings`, on the question's own words): « 32 » in « chirurgie digestive
    et orthopédique (32 lits) » when the question asks the beds of « médecine polyvalente », the
    item before it. An answer giving one of them gives another subject's value. The glossary's
    French words for an English question are not used: too loose to tell one row from another."""
    about = set(quote_terms(question, lang))
    kept: set[str] = set()
    aside: set[str] = set()
    for text in texts:
        for group in statement_groups(text):
            closest = closest_siblings([fold(statement) for statement in group], about, set(), lang) if len(group) > 1 else [True]
            for statement, close in zip(group, closest, strict=True):
                (kept if close else aside).update(_FIGURE.findall(statement))
    return aside - kept


def states_a_sibling_figure(sentence: str, figures: set[str]) -> bool:
    """True when the sentence gives one of `figures` (see `sibling_figures`)."""
    return bool(figures & set(_FIGURE.findall(sentence)))
