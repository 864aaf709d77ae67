"""What is quoted from a passage: whole statements, a list's introduction joined to its items."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from assistant.retrieval.statements import statement_groups, statements


def passage(text: str) -> Any:
    """A stand-in for a retrieved passage: only its text is read."""
    return SimpleNamespace(chunk=SimpleNamespace(text=text))

PASSAGE = """Le Comité de pilotage IA et numérique (COPIL IA-N) :
- se réunit une fois par trimestre (en mars, juin, septembre et décembre) ;
- est présidé par le directeur général ;
- autorise ou refuse la mise en service de chaque système d'IA.
Ses avis sont publiés dans l'intranet sous huit jours."""


def test_a_list_introduction_is_joined_to_each_item_never_quoted_alone() -> None:
    units = statements(PASSAGE)
    assert "Le Comité de pilotage IA et numérique (COPIL IA-N) : se réunit une fois par trimestre (en mars, juin, septembre et décembre) ;" in units
    assert "Le Comité de pilotage IA et numérique (COPIL IA-N) : […] est présidé par le directeur général ;" in units
    assert "Le Comité de pilotage IA et numérique (COPIL IA-N) :" not in units
    assert "Ses avis sont publiés dans l'intranet sous huit jours." in units


def test_an_introduction_whose_items_are_in_another_passage_stays_as_it_is() -> None:
    units = statements("La charte s'applique à tous les agents.\nLe Comité de pilotage IA et numérique (COPIL IA-N) :")
    assert units == ["La charte s'applique à tous les agents.", "Le Comité de pilotage IA et numérique (COPIL IA-N) :"]


def test_lettered_items_of_a_regulation_are_items_too() -> None:
    units = statements("Les pratiques en matière d'IA suivantes sont interdites:\na) la mise sur le marché d'un système manipulateur;\nb) la notation sociale.")
    assert units[0] == "Les pratiques en matière d'IA suivantes sont interdites: la mise sur le marché d'un système manipulateur;"
    assert units[1].endswith("[…] la notation sociale.")


def test_items_of_a_word_list_without_bullets_are_items_too() -> None:
    # A Word list loses its bullets in the text: the items are the lines that go on in lowercase.
    text = ("La procédure s'applique aux trois unités pilotes suivantes :\n\nmédecine polyvalente (28 lits) ;\n\n"
            "urgences adultes, organisées en postes de 12 heures.\n\nElle concerne les infirmiers.")
    assert statements(text) == [
        "La procédure s'applique aux trois unités pilotes suivantes : médecine polyvalente (28 lits) ;",
        "La procédure s'applique aux trois unités pilotes suivantes : […] urgences adultes, organisées en postes de 12 heures.",
        "Elle concerne les infirmiers.",
    ]


def test_a_short_introduction_after_a_sentence_is_the_one_joined_to_the_items() -> None:
    text = ("Le professionnel remplit le formulaire FEI-IA dans les 24 heures suivant la constatation. Il y indique :\n"
            "- le nom de l'outil et le service ;\n- la date et l'heure de la constatation ;")
    units = statements(text)
    assert units[0] == "Le professionnel remplit le formulaire FEI-IA dans les 24 heures suivant la constatation."
    assert units[1] == "Il y indique : le nom de l'outil et le service ;"
    assert units[2] == "Il y indique : […] la date et l'heure de la constatation ;"


def test_the_quote_under_a_written_answer_comes_from_a_passage_it_cites() -> None:
    from assistant.answering.service import Answerer

    passages = [passage("Les journaux des systèmes d'IA à haut risque sont conservés au moins six mois."),
                passage("Selon la charte, les journaux des systèmes d'IA sont conservés pendant 12 mois.")]
    kept = [SimpleNamespace(sources=[2])]
    first = [(1, "Les journaux des systèmes d'IA à haut risque sont conservés au moins six mois.")]
    chosen = Answerer._extracts_from_cited("Combien de temps les journaux des systèmes d'IA sont-ils conservés ?",
                                           passages, kept, first, "fr")  # type: ignore[arg-type]
    assert chosen == [(2, "Selon la charte, les journaux des systèmes d'IA sont conservés pendant 12 mois.")]
    assert Answerer._extracts_from_cited("journaux", passages, [SimpleNamespace(sources=[1])], first, "fr") == first  # type: ignore[arg-type]


def test_a_clause_after_a_semicolon_or_colon_stays_with_its_sentence() -> None:
    text = ("- Le DPO est consulté avant toute mise en service ; il rend un avis écrit dans un délai de 15 jours ouvrés. "
            "Le traitement est inscrit au registre.\n- Part des FEI-IA qualifiées dans les 72 heures : objectif 90 % ou plus.")
    units = statements(text)
    assert "Le DPO est consulté avant toute mise en service ; il rend un avis écrit dans un délai de 15 jours ouvrés." in units
    assert "Part des FEI-IA qualifiées dans les 72 heures : objectif 90 % ou plus." in units
    assert "Le traitement est inscrit au registre." in units


def test_a_table_header_labels_the_cells_of_each_row_and_is_not_quoted_alone() -> None:
    text = ("Étape | Acteur | Ce qu'il vérifie | Délai\n"
            "1. Rédaction | Rédacteur | Contenu | 2 mois au plus\n"
            "2. Vérification | Vérificateur(s) | Exactitude technique | 15 jours ouvrés\n"
            "Un vérificateur qui ne répond pas est relancé une fois.")
    units = statements(text)
    assert "Étape : 2. Vérification ; Acteur : Vérificateur(s) ; Ce qu'il vérifie : Exactitude technique ; Délai : 15 jours ouvrés" in units
    assert not any(u.startswith("Étape | Acteur") for u in units)
    assert units[-1] == "Un vérificateur qui ne répond pas est relancé une fois."


def test_a_markdown_table_rule_is_skipped_and_rows_without_their_header_stay_as_they_are() -> None:
    units = statements("| Version | Date | Modifications |\n|---|---|---|\n| 2.0 | 1er mars 2025 | Formulaire FEI-IA |")
    assert units == ["Version : 2.0 ; Date : 1er mars 2025 ; Modifications : Formulaire FEI-IA"]
    # a passage starting in the middle of a table: its first row is data (figures), not a header
    units = statements("2. Vérification | Vérificateur(s) | 15 jours ouvrés\n3. Contrôle de forme | Cellule qualité | 5 jours ouvrés")
    assert units == ["2. Vérification | Vérificateur(s) | 15 jours ouvrés", "3. Contrôle de forme | Cellule qualité | 5 jours ouvrés"]


def test_an_introduction_repeated_with_its_items_in_another_passage_is_not_quoted_alone() -> None:
    from assistant.answering.extracts import key_extracts

    intro = "Le Comité de pilotage IA et numérique (COPIL IA-N) :"
    cut = passage(f"Le pilotage de l'IA est intégré à l'instance existante de pilotage des projets numériques.\n{intro}")
    carried = passage(f"{intro}\n- se réunit une fois par trimestre ;\n- est présidé par le directeur général.")
    question = "Comment fonctionne le comité de pilotage IA et numérique (COPIL IA-N) ?"
    quoted = [s for _, s in key_extracts(question, [cut, carried], "fr", limit=3, within=2)]  # type: ignore[list-item]
    assert intro not in quoted and f"{intro} se réunit une fois par trimestre ;" in quoted
    # alone in the passages (its items nowhere), an introduction may be all there is to quote
    alone = [s for _, s in key_extracts(question, [cut], "fr", limit=3, within=1)]  # type: ignore[list-item]
    assert intro in alone


def test_the_excerpt_of_a_long_list_item_never_stops_at_its_introduction() -> None:
    from assistant.answering.extracts import excerpt
    from assistant.retrieval.analysis import analyse

    unit = ("Le Comité de pilotage IA et numérique (COPIL IA-N) : […] réunit le directeur du numérique, le référent IA, "
            + "le DPO, le RSSI, le directeur de la qualité, " * 8 + "et un représentant des usagers.")
    terms = set(analyse("Qui siège au comité de pilotage IA et numérique ?", "fr"))
    quoted = excerpt(unit, terms, 400, "fr")
    assert quoted.startswith("Le Comité de pilotage IA et numérique (COPIL IA-N) :") and "réunit le directeur du numérique" in quoted


def test_the_excerpt_centres_on_the_rarer_words_when_their_weights_are_given() -> None:
    from assistant.answering.extracts import excerpt
    from assistant.retrieval.analysis import analyse

    filler = " ".join(["La semaine commence le lundi."] * 6)
    text = f"Le service informatique organise les plannings. {filler} Les journaux : douze mois."
    terms = set(analyse("Combien de temps le service informatique garde-t-il les journaux ?", "fr"))
    weights = {t: 0.1 for t in terms} | {analyse("journaux", "fr")[0]: 5.0}
    # counted, the two common words of the first sentence win; weighted, the rare one of the last
    assert excerpt(text, terms, 60, "fr").startswith("Le service informatique")
    assert "douze mois" in excerpt(text, terms, 60, "fr", weights)


def test_a_sentence_that_refers_back_stays_with_the_one_before() -> None:
    text = ("The controller shall answer within one month of receipt of the request. That period may be extended by two "
            "further months where necessary. This Regulation applies to all controllers.")
    assert statements(text) == [
        "The controller shall answer within one month of receipt of the request. That period may be extended by two further months where necessary.",
        "This Regulation applies to all controllers.",  # the document itself, not the sentence before
    ]
    assert statements("Le DPO rend son avis sous 15 jours. Ce délai court à compter de la saisine. Ce qui compte est l'avis.") == [
        "Le DPO rend son avis sous 15 jours. Ce délai court à compter de la saisine.",
        "Ce qui compte est l'avis.",
    ]


def test_the_model_can_read_the_key_statements_of_each_passage_in_reading_order() -> None:
    from assistant.answering.extracts import statements_by_passage

    first = passage("Le comité se réunit chaque mois. Le registre des systèmes d'IA est tenu par le DPO. "
                    "La cantine ouvre à midi. Le registre est publié dans l'intranet.")
    second = passage("Les congés sont posés dans le portail agent.")
    shown = statements_by_passage("Qui tient le registre des systèmes d'IA et où est-il publié ?", [first, second], "fr", limit=2)
    # the two key statements of the first passage, in the passage's order, nothing off the question
    assert shown[0] == "Le registre des systèmes d'IA est tenu par le DPO.\nLe registre est publié dans l'intranet."
    # a passage sharing no word with the question is still shown (the model may cite it): an excerpt of it
    assert shown[1] == "Les congés sont posés dans le portail agent."


def test_a_sentence_taken_from_a_longer_quotation_shows_no_lone_quotation_mark() -> None:
    text = "« Cette mise en place permet un gain de temps de plus de 75 % pour nos cadres. Elle nous permet d'anticiper. »"
    assert statements(text) == ["Cette mise en place permet un gain de temps de plus de 75 % pour nos cadres.", "Elle nous permet d'anticiper."]
    assert statements("Le document porte la mention « Copie non maîtrisée ».") == ["Le document porte la mention « Copie non maîtrisée »."]


def test_a_question_naming_an_article_quotes_what_it_asks_not_the_sentences_citing_the_article() -> None:
    from assistant.answering.extracts import key_extracts, quote_terms

    citing = passage("Règlement (UE) 2024/1689 sur l'intelligence artificielle, articles 4, 14 et 26 : l'établissement applique ces "
                     "obligations à l'outil de planning.")
    article = passage("Les personnes chargées du contrôle humain ont conscience d'une éventuelle tendance à se fier excessivement "
                      "aux sorties du système (biais d'automatisation).")
    question = "Qu'appelle-t-on « biais d'automatisation » dans l'article 14 du règlement sur l'IA ?"
    quoted = [s for _, s in key_extracts(question, [citing, article], "fr", limit=1, within=2)]  # type: ignore[list-item]
    assert quoted == [article.chunk.text]
    # a question made only of the reference keeps its words (something must be scored)
    assert quote_terms("Que dit l'article 5 du RGPD ?", "fr") != set()


def test_a_french_passage_under_an_english_question_is_read_with_the_glossarys_french_words() -> None:
    from assistant.answering.extracts import key_extracts, statements_by_passage

    charter = SimpleNamespace(document=SimpleNamespace(lang="fr"), chunk=SimpleNamespace(text=(
        "La charte s'applique à tous les professionnels de l'établissement, y compris les internes et les "
        "intérimaires, ainsi qu'aux prestataires qui utilisent un système d'intelligence artificielle pour le "
        "compte de l'établissement. Le comité de pilotage se réunit une fois par trimestre et rend compte au "
        "directoire de l'état du registre. Le référent IA est joignable au poste 4100 et par la messagerie interne.")))
    question = "Which phone extension do I dial to reach the AI referent?"
    phone = "Le référent IA est joignable au poste 4100 et par la messagerie interne."
    # the English words share nothing with the French sentences: the model would read the charter's opening
    assert phone not in statements_by_passage(question, [charter], "en", limit=1)[0]
    assert key_extracts(question, [charter], "en") == []
    french = "poste référent IA référent"
    assert statements_by_passage(question, [charter], "en", limit=1, translated=french) == [phone]
    assert key_extracts(question, [charter], "en", translated=french) == [(1, phone)]
    # a French question reads its own words, whatever `french` says
    assert key_extracts("Qui tient le registre ?", [charter], "fr", translated=french)[0][1].startswith("Le comité de pilotage")


def test_the_items_of_a_list_and_the_rows_of_a_table_are_grouped_as_siblings() -> None:
    text = ("La procédure s'applique aux unités pilotes suivantes :\nmédecine polyvalente (28 lits) ;\n"
            "urgences adultes, en postes de 12 heures.\nElle concerne les infirmiers.\n\n"
            "| Étape | Délai |\n|---|---|\n| Vérification | 15 jours ouvrés |\n| Diffusion | 5 jours ouvrés |")
    assert statement_groups(text) == [
        ["La procédure s'applique aux unités pilotes suivantes : médecine polyvalente (28 lits) ;",
         "La procédure s'applique aux unités pilotes suivantes : […] urgences adultes, en postes de 12 heures."],
        ["Elle concerne les infirmiers."],
        ["Étape : Vérification ; Délai : 15 jours ouvrés", "Étape : Diffusion ; Délai : 5 jours ouvrés"],
    ]
    assert statements(text) == [unit for group in statement_groups(text) for unit in group]


TABLE_PASSAGE = """Les délais de la procédure sont récapitulés ci-dessous.
| Étape | Acteur | Délai | Trace |
|---|---|---|---|
| Mesures immédiates, alerte du cadre | Professionnel qui constate | Immédiat | — |
| Déclaration | Professionnel ou cadre | 24 heures | Formulaire FEI-IA |
| Qualification | Cellule qualité et référent IA | 72 heures | Fiche de qualification |
Le retour au déclarant est fait par la cellule qualité."""


def test_a_table_reads_as_its_rows_labelled_by_the_header_never_as_pipes() -> None:
    from assistant.retrieval.statements import readable_lines

    lines = readable_lines(TABLE_PASSAGE)
    assert lines[0] == ("Les délais de la procédure sont récapitulés ci-dessous.", False)
    assert ("Étape : Déclaration ; Acteur : Professionnel ou cadre ; Délai : 24 heures ; Trace : Formulaire FEI-IA.", True) in lines
    assert lines[-1] == ("Le retour au déclarant est fait par la cellule qualité.", False)
    assert len(lines) == 5 and not any("|" in line for line, _ in lines)


def test_an_excerpt_of_a_table_keeps_whole_rows_around_the_one_asked() -> None:
    from assistant.answering.extracts import readable_excerpt
    from assistant.retrieval.analysis import analyse

    terms = set(analyse("Quel délai pour la déclaration ?", "fr"))
    text = readable_excerpt(TABLE_PASSAGE, terms, 200, "fr")
    assert "Étape : Déclaration ; Acteur : Professionnel ou cadre ; Délai : 24 heures ; Trace : Formulaire FEI-IA." in text
    assert "|" not in text and "---" not in text
    assert len(text) <= 200
