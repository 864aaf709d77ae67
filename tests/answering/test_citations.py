"""Citations are checked against the passages, whatever numbers the model wrote."""

from __future__ import annotations

from assistant.answering.citations import check_sentences, is_refusal, model_numbers, numbers_supported, split_sentences, without_echo
from assistant.retrieval.analysis import analyse

PASSAGES = [
    "Le comité de pilotage IA et numérique se réunit une fois par trimestre, sous la présidence du directeur général.",
    "Tout dysfonctionnement d'un système d'IA est signalé dans les 24 heures au moyen de la fiche FEI-IA.",
]


def test_a_correct_citation_is_kept() -> None:
    kept, dropped = check_sentences("Le dysfonctionnement est signalé dans les 24 heures par la fiche FEI-IA [2].", PASSAGES, "fr", 0.5)
    assert [s.sources for s in kept] == [[2]] and kept[0].status == "supported" and not dropped


def test_a_misnumbered_citation_is_reattached_to_the_supporting_passage() -> None:
    kept, _ = check_sentences("Le comité de pilotage IA se réunit une fois par trimestre [2].", PASSAGES, "fr", 0.5)
    assert kept[0].sources == [1] and kept[0].status == "reattached" and kept[0].model_sources == [2]


def test_a_citation_outside_the_retrieved_set_never_survives() -> None:
    kept, _ = check_sentences("Le comité de pilotage IA se réunit une fois par trimestre [7].", PASSAGES, "fr", 0.5)
    assert kept[0].sources == [1]


def test_a_sentence_with_an_invented_number_is_dropped() -> None:
    kept, dropped = check_sentences("Le dysfonctionnement est signalé dans les 48 heures par la fiche FEI-IA [2].", PASSAGES, "fr", 0.5)
    assert kept == [] and len(dropped) == 1


def test_an_unsupported_sentence_is_dropped_and_the_supported_one_kept() -> None:
    text = "Le comité de pilotage IA se réunit une fois par trimestre [1]. La posologie maximale du paracétamol est de quatre grammes [1]."
    kept, dropped = check_sentences(text, PASSAGES, "fr", 0.5)
    assert len(kept) == 1 and kept[0].sources == [1]
    assert dropped and "paracétamol" in dropped[0]


def test_sentences_and_marks_are_parsed() -> None:
    assert split_sentences("Première phrase [1]. Deuxième phrase [2, 3].") == ["Première phrase [1].", "Deuxième phrase [2, 3]."]
    assert model_numbers("Deuxième phrase [2, 3].") == [2, 3]


def test_refusal_phrasings_are_recognised() -> None:
    refusal = "Les documents disponibles ne permettent pas de répondre à cette question."
    assert is_refusal(refusal, refusal)
    assert is_refusal("Les extraits ne contiennent pas cette information.", refusal)
    assert not is_refusal("Le comité se réunit chaque trimestre [1].", refusal)


def test_a_number_must_come_with_its_unit() -> None:
    from assistant.answering.citations import numbers_supported

    passage = "Le module dure 1 h 30 et se renouvelle tous les 2 ans ; 3 sessions par an."
    assert numbers_supported("Le module se renouvelle tous les 2 ans.", passage)
    assert not numbers_supported("Le module dure 3 mois.", passage)
    assert not numbers_supported("Il se renouvelle tous les 20 ans.", passage)
    assert numbers_supported("Il y a 3 sessions.", passage)


def test_a_citation_to_a_weaker_passage_is_moved_to_the_one_that_says_it() -> None:
    history = "| 2.0 | 1er mars 2025 | Formulaire dédié FEI-IA ; délai de déclaration ramené à 24 heures |"
    step = "Le professionnel qui a constaté le dysfonctionnement remplit le formulaire FEI-IA dans les 24 heures suivant la constatation."
    sentence = "Le professionnel remplit le formulaire FEI-IA dans les 24 heures suivant la constatation [1]."
    [kept], dropped = check_sentences(sentence, [history, step], "fr", 0.5)
    assert dropped == [] and kept.sources == [2] and kept.status == "reattached"


def test_two_passages_supporting_a_sentence_about_as_well_keep_the_model_s_choice() -> None:
    a = "Le comité de pilotage IA se réunit une fois par trimestre."
    b = "Le comité de pilotage IA et numérique se réunit une fois par trimestre, en mars, juin, septembre et décembre."
    [kept], _ = check_sentences("Le comité de pilotage IA se réunit une fois par trimestre [2].", [a, b], "fr", 0.5)
    assert kept.sources == [2] and kept.status == "supported"


CHARTER = [
    "L'outil d'aide à la détection des fractures est utilisé aux urgences du Centre hospitalier de Val-Garant ; "
    "le garant humain référent est le chef du service d'imagerie.",
]
QUESTION = "Quel éditeur fournit l'outil d'aide à la détection des fractures utilisé au Centre hospitalier de Val-Garant ?"


def test_a_sentence_restating_the_question_with_an_invented_answer_is_dropped() -> None:
    text = "L'outil d'aide à la détection des fractures utilisé au Centre hospitalier de Val-Garant est fourni par Radiologix [1]."
    kept, _ = check_sentences(text, CHARTER, "fr", 0.5)
    assert kept, "word overlap alone accepts it: most of its words are the question's"
    kept, dropped = check_sentences(text, CHARTER, "fr", 0.5, QUESTION, 0.5)
    assert kept == [] and len(dropped) == 1 and "Radiologix" in dropped[0]


def test_what_a_sentence_adds_must_be_in_the_passage_it_is_tied_to() -> None:
    text = "Le garant humain référent de l'outil est le chef du service d'imagerie [1]."
    kept, dropped = check_sentences(text, CHARTER, "fr", 0.5, "Qui est le garant humain référent de l'outil de détection des fractures ?", 0.5)
    assert [s.sources for s in kept] == [[1]] and not dropped


def test_yes_no_and_modal_words_are_not_new_facts() -> None:
    question = "Le garant humain référent de l'outil est-il le chef du service des urgences ?"
    kept, _ = check_sentences("Non, le garant humain référent doit être le chef du service d'imagerie [1].", CHARTER, "fr", 0.5, question, 0.5)
    assert len(kept) == 1  # « non » and « doit » are not facts the passage would have to hold


def test_a_sentence_that_only_restates_the_question_is_not_an_answer() -> None:
    question = "Est-ce qu'on risque une sanction si on signale une erreur de l'IA ?"
    passages = ["Le signalement d'une erreur d'un système d'IA n'entraîne aucune sanction pour son auteur."]
    text = "Oui, on risque une sanction si on signale une erreur de l'IA [1]."
    kept, _ = check_sentences(text, passages, "fr", 0.5)
    assert kept, "word overlap alone accepts it"
    kept, dropped = check_sentences(text, passages, "fr", 0.5, question, 0.5)
    assert kept == [] and dropped == ["Oui, on risque une sanction si on signale une erreur de l'IA."]
    kept, _ = check_sentences("Non, le signalement n'entraîne aucune sanction pour son auteur [1].", passages, "fr", 0.5, question, 0.5)
    assert len(kept) == 1


def test_an_english_answer_is_checked_against_a_french_passage_through_the_glossary() -> None:
    from assistant.retrieval.glossary import SHIPPED_GLOSSARY, Glossary

    glossary = Glossary.load(SHIPPED_GLOSSARY)
    passages = ["Il est joignable au poste 4100 et par la messagerie interne (boîte « Référent IA »).",
                "The deployer shall keep the logs for at least six months."]
    question = "Which phone extension do I dial to reach the AI referent?"
    right = "The AI referent can be reached at extension 4100 [2]."
    # without the glossary, the English words are not in the French passage: dropped
    assert check_sentences(right, passages, "en", 0.5, question, 0.5)[0] == []
    kept, dropped = check_sentences(right, passages, "en", 0.5, question, 0.5, ["fr", "en"], glossary)
    assert [(s.sources, s.status) for s in kept] == [([1], "reattached")] and dropped == []
    # every number must still be in the passage
    wrong = "The AI referent can be reached at extension 4200 [1]."
    assert check_sentences(wrong, passages, "en", 0.5, question, 0.5, ["fr", "en"], glossary)[0] == []
    # an English passage is read as before
    assert check_sentences(right, passages[::-1], "en", 0.5, question, 0.5, ["en", "en"], glossary)[0] == []


def test_a_number_may_carry_its_unit_in_the_other_language() -> None:
    assert numbers_supported("Report it within 72 hours.", "Déclarer dans les 72 heures.")
    assert numbers_supported("Kept for 12 months.", "conservés 12 mois")
    assert not numbers_supported("Kept for 12 years.", "conservés 12 mois")
    assert numbers_supported("Up to 100 €.", "jusqu'à 100 €.")


def _echo(sentence: str, question: str) -> str:
    return without_echo(sentence, set(analyse(question, "fr")), "fr")


def test_the_question_restated_before_the_answer_is_cut() -> None:
    question = "Les anciennes versions des procédures, on les garde combien de temps après leur remplacement ?"
    sentence = "Les anciennes versions des procédures, on les garde combien de temps après leur remplacement ? 10 ans après leur archivage."
    assert _echo(sentence, question) == "10 ans après leur archivage."


def test_part_of_the_question_repeated_after_the_answer_is_cut() -> None:
    question = "Combien de temps dure le module « IA : les essentiels » et tous les combien faut-il le repasser ?"
    assert _echo("Le module dure 1 h 30, et tous les combien faut-il le repasser ?", question) == "Le module dure 1 h 30."


def test_a_sentence_that_is_only_the_question_becomes_empty() -> None:
    question = "Si je dois changer le planning d'un agent la veille, est-ce que j'ai besoin de son accord ?"
    assert _echo("Oui, si je dois changer le planning d'un agent la veille, est-ce que j'ai besoin de son accord ?", question) == ""


def test_a_question_the_documents_ask_is_not_an_echo() -> None:
    sentence = "L'Anap conseille de poser à l'éditeur les questions suivantes : où les données sont-elles hébergées ?"
    assert _echo(sentence, "Que conseille l'Anap avant de choisir un éditeur ?") == sentence


def test_an_echoed_question_is_not_shown_and_the_answer_after_it_is_checked() -> None:
    question = "Sous quel délai faut-il signaler un dysfonctionnement d'un système d'IA ?"
    text = "Sous quel délai faut-il signaler un dysfonctionnement d'un système d'IA ? 24 heures, avec la fiche FEI-IA [2]."
    kept, dropped = check_sentences(text, PASSAGES, "fr", 0.5, question, 0.5)
    assert [s.text for s in kept] == ["24 heures, avec la fiche FEI-IA."] and kept[0].sources == [2] and not dropped
    kept, dropped = check_sentences("Oui, faut-il signaler un dysfonctionnement d'un système d'IA sous quel délai ?", PASSAGES, "fr", 0.5,
                                    question, 0.5)
    assert kept == [] and len(dropped) == 1


# A charter passage, the CNIL guide's and the AI Act's: which document a sentence names decides
# which passages can support it.
NAMED = [
    "Tout incident touchant des données de patients est notifié à la CNIL dans les 72 heures par le DPO.",
    "La CNIL recommande de prévoir des solutions de redondance technique et des sauvegardes chiffrées.",
    "Les systèmes d'IA à haut risque sont résilients ; des solutions de redondance technique, comme des plans de sauvegarde, peuvent y contribuer.",
]
NAMED_DOCS = ["charte", "cnil-guide", "ai-act"]


def _names(text: str) -> set[str]:
    """What a text names, the way the retriever reads it: the CNIL (its guide), the AI Act."""
    folded = text.casefold()
    return {doc for word, doc in (("cnil", "cnil-guide"), ("règlement sur l'ia", "ai-act"), ("ai act", "ai-act")) if word in folded}


def test_a_sentence_naming_a_document_is_moved_to_that_documents_passage() -> None:
    # its words are those of the AI Act's passage, the model cited it: but the sentence says the CNIL
    text = "La CNIL indique que des solutions de redondance technique, comme des plans de sauvegarde, contribuent à la résilience [3]."
    [kept], _ = check_sentences(text, NAMED, "fr", 0.5, passage_docs=NAMED_DOCS, names=_names)
    assert kept.sources == [2] and kept.status == "reattached"
    # without the documents' names, the word check alone keeps the AI Act's passage
    [plain], _ = check_sentences(text, NAMED, "fr", 0.5)
    assert plain.sources == [3]


def test_a_sentence_naming_a_document_that_does_not_say_it_is_dropped() -> None:
    text = "Selon le règlement sur l'IA, un incident touchant des données de patients est notifié dans les 72 heures [1]."
    kept, dropped = check_sentences(text, NAMED, "fr", 0.5, passage_docs=NAMED_DOCS, names=_names)
    assert kept == [] and dropped == [text.removesuffix(" [1].") + "."]
    assert check_sentences(text, NAMED, "fr", 0.5)[0], "the words alone are in the charter's passage"


def test_a_passage_of_another_document_that_names_it_supports_the_sentence() -> None:
    # the charter says the CNIL is notified: a sentence naming the CNIL can cite it
    [kept], dropped = check_sentences("Un incident sur des données de patients est notifié à la CNIL dans les 72 heures [1].",
                                      NAMED, "fr", 0.5, passage_docs=NAMED_DOCS, names=_names)
    assert kept.sources == [1] and kept.status == "supported" and dropped == []
