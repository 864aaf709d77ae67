"""A follow-up question is searched with the question before it; one that stands on its own is
searched alone, so the previous topic does not crowd out the new one."""

from __future__ import annotations

import pytest

from assistant.answering.follow_up import is_follow_up, retrieval_query


@pytest.mark.parametrize(("question", "lang"), [
    ("Et la nuit ?", "fr"),
    ("Et pour les aides-soignants ?", "fr"),  # names things, but continues
    ("Qui la valide ?", "fr"),  # names one thing only
    ("Ce délai peut-il être prolongé ?", "fr"),  # points back
    ("Et si je suis malade ce jour-là ?", "fr"),
    ("What about night shifts?", "en"),
    ("Can it be extended?", "en"),
    ("Is that deadline the same for the GDPR?", "en"),
])
def test_follow_ups(question: str, lang: str) -> None:
    assert is_follow_up(question, lang)


@pytest.mark.parametrize(("question", "lang"), [
    ("Combien d'infirmiers faut-il la nuit en médecine polyvalente ?", "fr"),
    ("Quand se réunit le comité de pilotage IA ?", "fr"),
    ("Qui valide le planning ?", "fr"),
    ("Qu'est-ce que le biais d'automatisation ?", "fr"),
    ("Mon cadre peut-il changer mon planning la veille ?", "fr"),
    ("How long must deployers keep the logs?", "en"),
])
def test_questions_that_stand_on_their_own(question: str, lang: str) -> None:
    assert not is_follow_up(question, lang)


def test_only_a_follow_up_is_searched_with_the_questions_before_it() -> None:
    history = ["Dans quel délai faut-il déclarer un dysfonctionnement ?", "Quand se réunit le comité de pilotage IA ?"]
    assert retrieval_query("Et la nuit ?", history, 1, "fr") == "Quand se réunit le comité de pilotage IA ? Et la nuit ?"
    assert retrieval_query("Et la nuit ?", history, 2, "fr") == " ".join([*history, "Et la nuit ?"])
    assert retrieval_query("Et la nuit ?", history, 0, "fr") == "Et la nuit ?"
    assert retrieval_query("Et la nuit ?", [], 1, "fr") == "Et la nuit ?"
    standalone = "Combien d'infirmiers faut-il la nuit en médecine polyvalente ?"
    assert retrieval_query(standalone, history, 1, "fr") == standalone
