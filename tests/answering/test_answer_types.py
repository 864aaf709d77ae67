"""Questions asking for an amount of money need a passage that states one."""

from __future__ import annotations

import pytest

from assistant.answering.answer_types import asks_for_money, lacks_the_value_asked, states_money


@pytest.mark.parametrize("question", [
    "Combien coûte la licence annuelle de l'outil de planning ?",
    "Quel budget l'hôpital consacre-t-il à l'IA en 2025 ?",
    "Quel est le coût du module de formation ?",
    "How much does the hospital spend each year on AI training?",
    "What is the cost of the licence?",
])
def test_questions_asking_for_an_amount_of_money(question: str) -> None:
    assert asks_for_money(question)


@pytest.mark.parametrize("question", [
    "Quelle amende maximale encourt-on pour une pratique interdite ?",  # the regulations state fines
    "Quel est le montant de l'amende prévue par l'article 99 ?",
    "What is the maximum fine for a deployer?",
    "Is there a fee for patients' access to their data?",  # « free of charge »: no amount to find
    "Comment l'Anap conseille-t-elle de maîtriser les coûts ?",
    "Combien de temps dure la formation ?",
])
def test_questions_about_money_that_do_not_ask_for_an_amount(question: str) -> None:
    assert not asks_for_money(question)


def test_an_amount_in_euros_is_what_a_money_question_needs() -> None:
    assert states_money("jusqu'à 15 000 000 EUR ou 3 % du chiffre d'affaires") and states_money("une licence de 2 500 € par an")
    assert not states_money("La formation dure 3 heures ; elle est obligatoire depuis le 2 février 2025.")
    question = "Combien coûte la licence de l'outil ?"
    assert lacks_the_value_asked(question, ["La licence est renouvelée chaque année par la DSI."])
    assert not lacks_the_value_asked(question, ["La licence coûte 2 500 € par an."])
    assert not lacks_the_value_asked("Qui renouvelle la licence ?", ["La licence est renouvelée chaque année par la DSI."])
