"""Named articles and annexes: read from the question, looked up by heading, given to the model
first; an article that the named act does not have is refused without calling the model."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from corpus_files import write_documents
from reference_services import reference_services

from assistant.engines.chat_fake import FakeChatModel
from assistant.engines.embed_hash import HashEmbedder
from assistant.retrieval.references import (
    Reference,
    ReferenceTable,
    asks_when_it_applies,
    find_paragraphs,
    find_references,
    paragraph_numbers,
    unindexed_publication,
    without_references,
    wording_of_unindexed,
)
from assistant.services import Services, build_services
from ingest.pipeline import Ingestor


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Que dit l'article 120 du règlement (UE) 2024/1689 ?", [("article", "120", "2024/1689")]),
        ("What does Article 105 of the GDPR say?", [("article", "105", "2016/679")]),
        ("Que prévoit l'article 14 du règlement sur l'IA ?", [("article", "14", "2024/1689")]),
        ("When does Article 6(1) of the AI Act apply?", [("article", "6", "2024/1689")]),
        ("Que disent les articles 13 et 14 du RGPD ?", [("article", "13", "2016/679"), ("article", "14", "2016/679")]),
        ("Quels domaines liste l'annexe III ?", [("annex", "III", "")]),
        ("Depuis quand l'article 4 du règlement s'applique-t-il ?", [("article", "4", "")]),
        # An act that no title number reaches: nothing to look up or refuse.
        ("Que dit l'article 17 de la loi de bioéthique ?", [("article", "17", None)]),
        ("Que prévoit l'article 6 du décret n° 2002-9 ?", [("article", "6", None)]),
        ("Que dit l'article 2 de la charte informatique ?", [("article", "2", None)]),
        # An article of a French code: of an act no document is, whatever follows it.
        ("Que dit l'article L. 1111-2 du code de la santé publique ?", [("article", "L1111-2", None)]),
        ("What does Article R4127-1 say?", [("article", "R4127-1", None)]),
        # Not references: an act number, a procedure's annex numbered in digits.
        ("Que dit le règlement 2016/679 ?", []),
        ("Où trouver l'annexe 2 de la procédure ?", []),
    ],
)
def test_references_are_read_with_the_act_they_belong_to(question: str, expected: list[tuple[str, str, str | None]]) -> None:
    assert [(r.kind, r.number, r.act) for r in find_references(question)] == expected


@pytest.mark.parametrize(
    ("question", "asked"),
    [
        ("Qu'appelle-t-on « biais d'automatisation » dans l'article 14 du règlement sur l'IA ?", "Qu'appelle-t-on « biais d'automatisation » dans l' ?"),
        ("Which data are special under Article 9 of the GDPR?", "Which data are special under ?"),
        ("When do the obligations of Article 6(1) of the AI Act apply?", "When do the obligations of apply?"),
        ("Que disent les articles 13 et 14 du règlement (UE) 2016/679 sur l'information ?", "Que disent les sur l'information ?"),
        # an act named without an article is part of what is asked
        ("Is triage software high-risk under the AI Act?", "Is triage software high-risk under the AI Act?"),
    ],
)
def test_the_words_asked_about_are_the_question_without_its_references(question: str, asked: str) -> None:
    assert without_references(question) == asked


def test_the_table_tells_a_missing_article_from_an_act_it_cannot_check() -> None:
    table = ReferenceTable(
        {"ria": "Règlement (UE) 2024/1689 sur l'IA", "charte": "Charte IA"},
        [("c1", "ria", ["CHAPITRE III", "Article 14 — Contrôle humain"]), ("c2", "ria", ["ANNEXE III — Systèmes à haut risque"]),
         ("c3", "charte", ["4. Garantie humaine"])],
    )
    allowed = {"ria", "charte"}
    assert table.chunks(Reference("article", "14", "2024/1689", "article 14"), allowed) == ["c1"]
    assert table.chunks(Reference("annex", "III", "", "annexe III"), allowed) == ["c2"]
    assert table.chunks(Reference("article", "120", "2024/1689", "article 120"), allowed) == []
    assert table.chunks(Reference("article", "9", "2016/679", "article 9"), allowed) is None  # act not indexed
    assert table.chunks(Reference("article", "17", None, "article 17"), allowed) is None
    assert table.chunks(Reference("article", "14", "2024/1689", "article 14"), {"charte"}) is None  # filtered out


REGLEMENT = """---
title: Règlement (UE) 2099/7 relatif aux comités de test
kind: reglementation
---

# Article 1 — Objet

Le présent texte fixe les règles applicables aux instances d'essai.

# Article 2 — Composition

Chaque instance comprend un président et trois membres nommés pour quatre ans.

# Article 3 — Sanctions

1. Les manquements sont passibles d'une amende administrative.

2. L'instance fixe le montant de l'amende.
"""

CHARTE = """---
title: Charte des comités
kind: charte
---

# Comités

Le comité de pilotage, institué en application de l'article 2 du règlement (UE) 2099/7, se réunit une fois par trimestre.

# Réunions du comité

Les réunions du comité de pilotage prévues par l'article 2 du règlement (UE) 2099/7 font l'objet d'un compte rendu rédigé par le secrétariat du comité.
"""


PROCEDURE = """---
title: Procédure du secrétariat des comités
kind: procedure
---

# Compte rendu

Le secrétariat rédige le compte rendu de chaque réunion du comité de pilotage (article 2 du règlement (UE) 2099/7) et le diffuse.
"""


@pytest.fixture
def services(fake_settings, tmp_path: Path):  # type: ignore[no-untyped-def]
    return reference_services(fake_settings, tmp_path / "corpus", {"reglement.md": REGLEMENT, "charte.md": CHARTE, "procedure.md": PROCEDURE})


QUESTION = "Qui réunit le comité de pilotage et rédige le compte rendu des réunions du comité, d'après l'article 2 du règlement (UE) 2099/7 ?"


def test_the_named_article_is_given_first(services) -> None:  # type: ignore[no-untyped-def]
    passages = services(FakeChatModel(["x"])).answerer.retriever.search(QUESTION, lang="fr")
    assert passages[0].chunk.heading_path[-1:] == ["Article 2 — Composition"]
    assert len(passages) == 2


def test_without_following_references_the_words_of_the_question_decide(services) -> None:  # type: ignore[no-untyped-def]
    # The charter shares more words with the question: the article is lost without the lookup.
    passages = services(FakeChatModel(["x"]), follow=False).answerer.retriever.search(QUESTION, lang="fr")
    assert ["Article 2 — Composition"] not in [p.chunk.heading_path[-1:] for p in passages]


def test_an_article_the_named_act_does_not_have_is_refused_without_the_model(services) -> None:  # type: ignore[no-untyped-def]
    model = FakeChatModel(["L'article 9 prévoit une amende de 10 000 euros [1]."])
    svc = services(model)
    answer = svc.answerer.answer("Que prévoit l'article 9 du règlement (UE) 2099/7 sur les sanctions des comités ?")
    assert answer.refused and answer.refusal_reason == "missing_reference" and model.calls == []
    assert answer.text.startswith("Je ne trouve pas cette information dans les documents indexés. "
                                  "Le texte cité, tel qu'il est indexé, ne contient pas d'article 9.")
    # The same question about an article it has goes on to the model.
    svc.answerer.answer("Que prévoit l'article 3 du règlement (UE) 2099/7 sur les sanctions des comités ?")
    assert len(model.calls) == 1


def test_an_article_of_an_act_not_indexed_is_not_refused_for_that(services) -> None:  # type: ignore[no-untyped-def]
    svc = services(FakeChatModel(["x"]))
    assert svc.answerer.retriever.missing_references("Que dit l'article 9 du RGPD sur les comités ?") == []
    assert svc.answerer.retriever.missing_references("Que dit l'article 9 du règlement (UE) 2099/7 ?") == ["article 9"]



def test_an_act_the_question_names_is_read_deeper_once_the_question_is_judged_answerable(fake_settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "reglement.md").write_text(REGLEMENT.replace("2099/7", "2099/77"), encoding="utf-8")
    (corpus / "charte.md").write_text(CHARTE.replace("2099/7", "2099/77"), encoding="utf-8")
    (corpus / "procedure.md").write_text(PROCEDURE.replace("2099/7", "2099/77"), encoding="utf-8")
    Ingestor(fake_settings, HashEmbedder).sync(corpus)
    fake_settings.retrieval.top_k, fake_settings.retrieval.per_document_max, fake_settings.retrieval.named_act_max = 4, 1, 3
    fake_settings.retrieval.keep_best_lexical = False  # the caps alone decide (the act's best BM25 passage would be a second one)
    svc = build_services(fake_settings, chat_model=FakeChatModel(["x"]), embedder=HashEmbedder())
    retriever = svc.retriever
    question = "Que prévoit le règlement (UE) 2099/77 pour les instances, leurs membres et les manquements ?"
    act = {d for d, doc in retriever.documents.items() if doc.kind == "reglementation"}
    assert retriever.named_acts(question) == act and retriever.named_acts("Que prévoit la charte pour les comités ?") == set()
    plain = [p.document.doc_id in act for p in retriever.search(question, lang="fr")]
    deeper = [p.document.doc_id in act for p in retriever.search(question, lang="fr", deeper_in_named_acts=True)]
    assert sum(plain) == 1 and sum(deeper) == 3
    # the refusal checks judge the plain passages; the answer lists the deeper ones
    calls: list[bool] = []
    search = retriever.search

    def recording(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls.append(kwargs.get("deeper_in_named_acts", False))
        return search(*args, **kwargs)

    retriever.search = recording  # type: ignore[method-assign]
    answer = svc.answerer.answer(question, no_llm=True)
    assert not answer.refused and calls == [False, True] and sum(p.document.doc_id in act for p in answer.retrieved) == 3
    calls.clear()
    svc.answerer.answer("Qui rédige le compte rendu des réunions du comité de pilotage ?", no_llm=True)
    assert calls == [False]  # no act named: searched once


def test_the_question_language_is_preferred_between_translations_only(fake_settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # The AI Act exists in both languages: an English question prefers its English text. The
    # procedure exists in French only: it is the text to read whatever the question's language.
    # A guide in French is not the establishment's rule: an English question does not prefer it.
    corpus = write_documents(tmp_path / "corpus", [
        ("ria-fr.md", "Règlement (UE) 2024/1689 sur l'intelligence artificielle", "fr", "reglementation",
         "Le déployeur conserve les journaux au moins six mois."),
        ("ria-en.md", "Regulation (EU) 2024/1689 on artificial intelligence", "en", "reglementation",
         "The deployer shall keep the logs for at least six months."),
        ("planning.md", "PQ-IA-02 — Validation du planning", "fr", "procedure", "En cas de panne de l'outil, le cadre utilise le modèle MOD-PLAN-03."),
        ("guide.md", "Guide de la sécurité des données", "fr", "guide", "Chiffrer les postes nomades."),
    ])
    Ingestor(fake_settings, HashEmbedder).sync(corpus)
    svc = build_services(fake_settings, chat_model=FakeChatModel(["x"]), embedder=HashEmbedder())
    retriever = svc.retriever
    by_title = {d.title[:5]: d.doc_id for d in retriever.documents.values()}
    assert retriever._reads_in(by_title["Regul"], "en") and not retriever._reads_in(by_title["Règle"], "en")  # noqa: SLF001
    assert retriever._reads_in(by_title["Règle"], "fr") and not retriever._reads_in(by_title["Regul"], "fr")  # noqa: SLF001
    assert retriever._reads_in(by_title["PQ-IA"], "en"), "a procedure with no English version is not ranked down for an English question"  # noqa: SLF001
    assert not retriever._reads_in(by_title["Guide"], "en") and retriever._reads_in(by_title["Guide"], "fr")  # noqa: SLF001
    svc.close()


@pytest.mark.parametrize(
    ("question", "label"),
    [
        ("Quel est le texte exact de l'article 17 de la loi de bioéthique du 2 août 2021 ?", "article 17"),
        ("Give me the full text of Article 3 of the decree.", "Article 3"),
        ("Recopie mot pour mot l'article 2 de la charte informatique.", "article 2"),
        ("Que dit exactement l'article 17 de la loi de bioéthique ? Tu peux me citer le texte ?", "article 17"),
        ("Can you give me the exact wording of Article L1111-8 of the French public health code?", "Article L1111-8"),
        ("Que dit précisément l'article 17 de la loi de bioéthique du 2 août 2021 ?", "article 17"),
        ("What exactly does Article 17 of the French bioethics law say?", "Article 17"),
        ("Cite-moi le texte de l'art. R. 4127-1.", "art. R. 4127-1"),
        # what the article says may be discussed by the documents that cite it
        ("Que dit l'article 17 de la loi de bioéthique ?", None),
        ("Que dit l'article L1111-8 du code de la santé publique sur l'hébergement ?", None),
        # the wording of an indexed act's article is in the documents
        ("Quel est le texte exact de l'article 14 du règlement sur l'IA ?", None),
    ],
)
def test_the_wording_of_an_article_of_an_act_not_indexed(question: str, label: str | None) -> None:
    assert wording_of_unindexed(question) == label


def test_asking_the_wording_of_an_act_not_indexed_is_refused_without_the_model(services) -> None:  # type: ignore[no-untyped-def]
    model = FakeChatModel(["L'article 2 dit que le comité se réunit [1]."])
    svc = services(model)
    answer = svc.answerer.answer("Quel est le texte exact de l'article 2 de la loi sur les comités de pilotage ?")
    assert answer.refused and answer.refusal_reason == "missing_reference" and model.calls == []
    assert "L'article 2 cité n'est pas indexé : les documents indexés peuvent le mentionner, pas en donner le texte." in answer.text
    svc.answerer.answer("Que dit l'article 2 de la loi sur les comités de pilotage ?")
    assert len(model.calls) == 1


@pytest.mark.parametrize(("question", "label"), [
    ("Que prévoit le paragraphe 13 de l'article 26 du règlement sur l'IA ?", "article 26, paragraphe 13"),
    ("Que dit l'article 26, paragraphe 13, du règlement sur l'IA ?", "article 26, paragraphe 13"),
    ("What does Article 26(13) of the AI Act say?", "Article 26, paragraph 13"),
    ("What does paragraph 13 of Article 26 of the AI Act say?", "Article 26, paragraph 13"),
])
def test_a_paragraph_of_an_article_is_read_with_its_article(question: str, label: str) -> None:
    (paragraph,) = find_paragraphs(question)
    assert paragraph.number == 13 and paragraph.label == label
    assert paragraph.article == Reference("article", "26", "2024/1689", label.split(",")[0])


def test_the_paragraphs_of_an_article_are_the_numbers_that_start_its_lines() -> None:
    assert paragraph_numbers(["1. Les déployeurs prennent…\n\n2. Ils confient…", "12. Les déployeurs coopèrent… (article 3, point 4.)"]) == {1, 2, 12}


def test_a_paragraph_past_the_last_of_an_article_is_refused_without_the_model(services) -> None:  # type: ignore[no-untyped-def]
    model = FakeChatModel(["Le paragraphe 5 prévoit une amende de 10 000 euros [1]."])
    svc = services(model)
    answer = svc.answerer.answer("Que prévoit le paragraphe 5 de l'article 3 du règlement (UE) 2099/7 sur les sanctions ?")
    assert answer.refused and answer.refusal_reason == "missing_reference" and model.calls == []
    assert "Le texte cité, tel qu'il est indexé, ne contient pas d'article 3, paragraphe 5." in answer.text
    # a paragraph it has goes on to the model; so does one of an article not numbered by paragraph
    svc.answerer.answer("Que prévoit le paragraphe 2 de l'article 3 du règlement (UE) 2099/7 sur les sanctions ?")
    assert svc.answerer.retriever.missing_references("Que dit le paragraphe 5 de l'article 2 du règlement (UE) 2099/7 ?") == []
    assert len(model.calls) == 1


INDEXED = "note de l'anap : déployer une ia de confiance guides/anap.txt guide de la cnil guides/cnil.md pq-doc-03 cha-ia-01"


@pytest.mark.parametrize(("question", "label"), [
    ("Quels principes listent les recommandations de l'OMS de 2021 sur l'IA en santé ?", "recommandations de l'OMS"),
    ("What do the WHO 2021 recommendations say about human oversight?", "WHO 2021 recommendations"),
    ("Que dit le rapport de la HAS sur les dispositifs médicaux à base d'IA ?", "rapport de la HAS"),
    # a publication of an indexed body, or a question naming an indexed document, is about the documents
    ("Que disent les recommandations de la CNIL sur les mots de passe ?", None),
    ("La note de l'ANAP cite-t-elle les recommandations de l'OMS ?", None),
    ("Which guidelines of the Commission does Article 96 of the AI Act require?", None),
    ("Quelles recommandations faut-il suivre pour les mots de passe ?", None),
    # what a document that the question names by its code says, when no indexed document is that one
    ("Quelles sont les étapes du mode opératoire MO-SI-04 pour réinitialiser mon mot de passe ?", "MO-SI-04"),
    ("What does the information system charter CHA-SI-01 say about passwords?", "CHA-SI-01"),
    ("Que dit la charte CHA-IA-01 sur la formation ?", None),
    ("Qui remplit le formulaire FOR-DOC-01 ?", None),  # not what it says: the procedure may tell who fills it in
])
def test_a_publication_of_a_body_no_indexed_document_is(question: str, label: str | None) -> None:
    assert unindexed_publication(question, INDEXED) == label


@pytest.mark.parametrize(("question", "label"), [
    # a text named by its kind and a proper name, cited by the documents perhaps, not one of them
    ("Que prévoit la loi Informatique et Libertés pour la recherche en santé ?", "la loi Informatique et Libertés"),
    ("What does the NIS2 directive require from hospitals?", "NIS2 directive"),
    ("What does the European Health Data Space regulation say about research?", "European Health Data Space regulation"),
    ("Quelles règles la charte du système d'information CHA-SI-01 fixe-t-elle pour la messagerie ?", "CHA-SI-01"),
    # a body the indexed texts never mention, asked what it requires
    ("What does the FDA require for AI-enabled medical devices?", "FDA"),
    # names that tell no text apart, or that are the indexed documents'
    ("What does Member State law say about health data?", None),
    ("What European rules apply to AI tools in hospitals?", None),
    ("Que dit la charte IA sur la formation ?", None),
    ("Que dit la charte de Val-Garant sur ChatGPT ?", None),
    ("Que dit la note de l'Anap sur la gouvernance ?", None),
    ("Which rules does the AI Act set for deployers?", None),  # an indexed act
    ("What does the DPO recommend before a new AI tool is used?", None),  # a role the texts mention
])
def test_a_named_text_or_body_no_indexed_document_is(question: str, label: str | None) -> None:
    assert unindexed_publication(question, INDEXED, mentioned={"DPO", "CNIL"}.__contains__) == label


def test_asking_what_a_publication_not_indexed_says_is_refused_without_the_model(services) -> None:  # type: ignore[no-untyped-def]
    model = FakeChatModel(["Les recommandations prévoient un comité [1]."])
    svc = services(model)
    answer = svc.answerer.answer("Que disent les recommandations de l'OMS sur la composition des comités ?")
    assert answer.refused and answer.refusal_reason == "missing_reference" and model.calls == []
    assert ("Le document cité (« recommandations de l'OMS ») n'est pas indexé : les documents indexés peuvent le mentionner, "
            "pas en donner le contenu.") in answer.text


def test_asking_what_a_named_law_not_indexed_provides_is_refused_without_the_model(services) -> None:  # type: ignore[no-untyped-def]
    model = FakeChatModel(["La loi prévoit une autorisation [1]."])
    svc = services(model)
    answer = svc.answerer.answer("Que prévoit la loi Informatique et Libertés pour les données de santé ?")
    assert answer.refused and answer.refusal_reason == "missing_reference" and model.calls == []
    assert "Le document cité (« la loi Informatique et Libertés ») n'est pas indexé" in answer.text


@pytest.mark.parametrize(("question", "asks"), [
    ("À partir de quand s'applique l'article 6, paragraphe 1, du règlement sur l'IA ?", True),
    ("Le règlement sur l'IA devient applicable à quelle date ?", True),
    ("When do the obligations linked to Article 6(1) of the AI Act start to apply?", True),
    ("From what date does the GDPR apply?", True),
    ("When did the GDPR enter into force?", True),
    ("Quand faut-il réaliser une AIPD ?", False),  # when, but not when a rule applies
    ("Which rules apply to emotion recognition?", False),  # applies, but not when
])
def test_a_question_asking_from_when_a_rule_applies(question: str, asks: bool) -> None:
    assert asks_when_it_applies(question) is asks


def test_the_table_knows_each_acts_article_on_its_entry_into_force() -> None:
    table = ReferenceTable(
        {"ria": "Règlement (UE) 2024/1689", "rgpd": "Regulation (EU) 2016/679"},
        [("c1", "ria", ["CHAPITRE XIII — DISPOSITIONS FINALES", "Article 113 — Entrée en vigueur et application"]),
         ("c2", "ria", ["Article 113 — Entrée en vigueur et application"]), ("c3", "ria", ["Article 6 — Règles de classification"]),
         ("c4", "rgpd", ["Article 99 — Entry into force and application"])],
    )
    assert table.application_chunks(["ria"]) == ["c1", "c2"]
    assert table.application_chunks(["rgpd", "charte"]) == ["c4"]


ACTE = """---
title: Règlement (UE) 2099/87 relatif aux comités d'essai
kind: reglementation
---

# Article 1 — Objet

Le présent règlement s'applique aux comités d'essai des établissements et à leurs réunions.

# Article 2 — Réunions

Les comités d'essai se réunissent au moins deux fois par an ; le présent règlement s'applique à chaque réunion.

# Article 9 — Entrée en vigueur et application

Il entre en vigueur le vingtième jour suivant sa publication. Il est applicable à partir du 1er mars 2031.
"""


@contextmanager
def _act_services(fake_settings: Any, tmp_path: Path, text: str, **retrieval: Any) -> Iterator[Services]:
    """Services over one act (Markdown `text`) ingested into `tmp_path`'s corpus once, with the
    given `retrieval` settings changed; closed after use."""
    corpus = tmp_path / "corpus"
    if not corpus.exists():
        corpus.mkdir()
        (corpus / "acte.md").write_text(text, encoding="utf-8")
        Ingestor(fake_settings, HashEmbedder).sync(corpus)
    settings = fake_settings.model_copy(deep=True)
    for name, value in retrieval.items():
        setattr(settings.retrieval, name, value)
    services = build_services(settings, chat_model=FakeChatModel(["x"]), embedder=HashEmbedder())
    try:
        yield services
    finally:
        services.close()


def test_a_question_asking_from_when_a_named_act_applies_gets_its_article_on_application(fake_settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    question = "À partir de quand le règlement (UE) 2099/87 s'applique-t-il aux réunions des comités d'essai ?"
    with _act_services(fake_settings, tmp_path, ACTE, top_k=2) as services:
        found = [p.chunk.heading_path[-1] for p in services.retriever.search(question, lang="fr")]
        other = [p.chunk.heading_path[-1] for p in services.retriever.search("Les comités d'essai du règlement (UE) 2099/87 se réunissent quand ?",
                                                                              lang="fr")]
    # the articles sharing the question's words come first by search; the article stating the date is given first
    assert found[0] == "Article 9 — Entrée en vigueur et application" and len(found) == 2
    # a question asking when something else happens is searched by its words alone
    assert "Article 9 — Entrée en vigueur et application" not in other


def test_the_article_on_application_comes_first_even_when_the_search_finds_it(fake_settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # The model reads the first passages only: the article stating the dates must be among them.
    question = "Le règlement (UE) 2099/87 : à quelle date est-il applicable aux comités d'essai et à leurs réunions ?"
    order = {}
    for follow in (False, True):
        with _act_services(fake_settings, tmp_path, ACTE, top_k=3, follow_references=follow) as services:
            order[follow] = [p.chunk.heading_path[-1] for p in services.retriever.search(question, lang="fr")]
    application = "Article 9 — Entrée en vigueur et application"
    assert application in order[False][1:], order[False]  # found by its words, after another article
    assert order[True][0] == application and sorted(order[True]) == sorted(order[False])


def test_an_article_on_application_the_question_also_names_is_given_once(fake_settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    with _act_services(fake_settings, tmp_path, ACTE, top_k=3) as services:
        found = services.retriever.search("Depuis quand l'article 9 du règlement (UE) 2099/87 s'applique-t-il aux réunions des comités d'essai ?",
                                          lang="fr")
    ids = [p.chunk.chunk_id for p in found]
    assert found[0].chunk.heading_path[-1] == "Article 9 — Entrée en vigueur et application"
    assert len(ids) == len(set(ids))



SHORT_ACTE = """---
title: Règlement (UE) 2099/88 relatif aux registres d'essai
kind: reglementation
---

# Article 1 — Objet

Le présent règlement fixe la tenue des registres d'essai des établissements.

# Article 5 — Entrée en vigueur et application

Il entre en vigueur le vingtième jour suivant sa publication. Il est applicable à partir du 1er mars 2031.
"""


def test_the_dates_of_an_act_s_article_on_application_answer_when_it_applies(fake_settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    # « en entier » and "in general" are not in the article stating the dates, and the value check
    # wants two of the question's words near the date ("applicable" does not stem as « s'applique »):
    # « From what date does the GDPR apply? » was refused with its Article 99 given first.
    question = "Le règlement (UE) 2099/88, il s'applique en entier à partir de quelle date ?"
    other = "Les registres d'essai du règlement (UE) 2099/88 sont clos à quelle date ?"
    with _act_services(fake_settings, tmp_path, SHORT_ACTE) as services:
        answer = services.answerer.answer(question, no_llm=True)
        passages = services.retriever.search(question, lang="fr")
        other_answer = services.answerer.answer(other, no_llm=True)
    application = "Article 5 — Entrée en vigueur et application"
    assert not answer.refused, answer.text
    assert "1er mars 2031" in answer.text
    assert services.retriever.gives_application_dates(question, passages)
    assert not services.retriever.gives_application_dates(question, [p for p in passages if p.chunk.heading_path[-1] != application])
    # a question asking for another date of the act is still refused when no passage gives one near its words
    assert other_answer.refused and other_answer.refusal_reason == "no_value"
