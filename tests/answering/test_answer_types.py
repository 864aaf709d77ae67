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


@pytest.mark.parametrize(("question", "asks"), [
    ("Comment s'appelle le référent IA actuel du CH ?", True),
    ("What is the name of the hospital's data protection officer?", True),
    ("Quel est le nom du directeur général ?", True),
    ("Comment s'appelle le formulaire de recours ?", False),  # a thing's name, not a person's
    ("Quel est le nom de l'éditeur de l'outil ?", False),
    ("Qui est le référent IA ?", False),  # a role may answer it
])
def test_questions_asking_the_name_of_a_person(question: str, asks: bool) -> None:
    from assistant.answering.answer_types import asks_for_person_name

    assert asks_for_person_name(question) is asks


def test_a_name_question_needs_a_passage_that_names_someone() -> None:
    question = "Comment s'appelle le référent IA ?"
    # roles are not names: the nearest passage of a charter that names no one does not answer
    assert lacks_the_value_asked(question, ["Le référent IA (Direction du numérique) tient le registre des outils."])
    assert not lacks_the_value_asked(question, ["Le référent IA est Mme Claire Martin, poste 4100."])
