"""Numbered parts of our own documents (« le point 10 de la charte », « la section 5 du
PQ-IA-01 », « la fiche 24 du guide de la CNIL »): read from the question, looked up by heading,
given first; a part the named document does not have is refused without calling the model."""

from __future__ import annotations

from pathlib import Path

import pytest
from reference_services import reference_services

from assistant.engines.chat_fake import FakeChatModel
from assistant.retrieval.references import CHARTER, SHEET, Reference, ReferenceTable, find_references


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("Que dit le point 10 de la charte ?", [("part", "10", CHARTER)]),
        ("Que prévoit l'article 14 de la charte IA de l'établissement ?", [("part", "14", CHARTER)]),
        ("Le § 4 de la charte sur la garantie humaine, que dit-il ?", [("part", "4", CHARTER)]),
        ("What does section 9 of the AI charter say?", [("part", "9", CHARTER)]),
        ("Que prévoit la section 5 du PQ-IA-01 ?", [("part", "5", "PQ-IA-01")]),
        ("Que dit le chapitre 3 de la procédure pq-doc-03 ?", [("part", "3", "PQ-DOC-03")]),
        ("Que dit la fiche n° 24 du guide de la CNIL ?", [("sheet", "24", SHEET)]),
        # another charter than ours: an act no document is, as before
        ("Que dit l'article 2 de la charte informatique ?", [("article", "2", None)]),
        # an act's article, and a part numbered like a subsection or a date: not parts
        ("Que prévoit l'article 14 du règlement sur l'IA ?", [("article", "14", "2024/1689")]),
        ("Que dit le point 3.1 de la charte ?", []),
        ("Quelle fiche du guide de la CNIL porte sur l'IA ?", []),
    ],
)
def test_parts_of_our_documents_are_read_with_the_document_they_belong_to(question: str, expected: list[tuple[str, str, str | None]]) -> None:
    assert [(r.kind, r.number, r.act) for r in find_references(question)] == expected


def test_the_table_reads_numbered_parts_of_documents_that_are_no_act() -> None:
    table = ReferenceTable(
        {"ria": "Règlement (UE) 2024/1689 sur l'IA", "charte": "Charte IA de l'hôpital", "pq": "PQ-IA-01 — Signalement",
         "guide": "Guide de la sécurité", "note": "Note sur l'IA"},
        [("c1", "ria", ["SECTION 5 — Normes", "Article 43 — Évaluation"]),  # an act's sections are not parts
         ("c0", "charte", ["Charte IA", "1. Objet"]), ("c1b", "charte", ["Charte IA", "2. Principes"]),
         ("c2", "charte", ["Charte IA", "3. Gouvernance"]), ("c3", "charte", ["Charte IA", "3. Gouvernance", "3.1 Comité"]),
         ("c4", "charte", ["Charte IA", "4. Usages interdits"]), ("c5", "pq", ["5. Étape 2 — Déclaration"]),
         ("c6", "guide", ["FICHE 24 — INTELLIGENCE ARTIFICIELLE"]), ("c7", "note", ["1. Décoder l'IA"])],
    )
    allowed = {"ria", "charte", "pq", "guide", "note"}
    assert table.chunks(Reference("part", "3", CHARTER, "point 3"), allowed) == ["c2", "c3"]  # the subsection is in its part
    assert table.chunks(Reference("part", "4", CHARTER, "point 4"), allowed) == ["c4"]
    assert table.chunks(Reference("part", "14", CHARTER, "article 14"), allowed) == []  # parts 1 to 4: it has no 14th
    assert table.chunks(Reference("part", "5", "PQ-IA-01", "section 5"), allowed) == ["c5"]
    # parts 1 to 4 of the procedure were not read (merged at ingest into their neighbours): absence proves nothing
    assert table.chunks(Reference("part", "7", "PQ-IA-01", "section 7"), allowed) is None
    assert table.chunks(Reference("part", "3", "PQ-IA-01", "section 3"), allowed) is None
    assert table.chunks(Reference("part", "5", "PQ-IA-09", "section 5"), allowed) is None  # no document has that code
    assert table.chunks(Reference("sheet", "24", SHEET, "fiche 24"), allowed) == ["c6"]
    assert table.chunks(Reference("sheet", "30", SHEET, "fiche 30"), allowed) is None  # sheets 1 to 23 not read either
    assert table.chunks(Reference("part", "5", "PQ-IA-01", "section 5"), {"charte"}) is None  # filtered out


CHARTE = """---
title: Charte d'utilisation de l'IA de l'hôpital test
kind: charte
---

# Charte d'utilisation de l'IA

## 1. Objet

La présente charte encadre les outils numériques du site. Elle s'applique à tous les agents, aux
étudiants et aux prestataires qui interviennent dans l'établissement, quel que soit leur statut. Ce texte est relu chaque année par le comité, qui en vérifie l'application dans chaque service.

## 2. Comité

Le comité de pilotage se réunit une fois par trimestre et examine les outils numériques. Il tient
un registre des outils, rend un avis sur chaque demande et publie un bilan annuel de ses travaux. Ce texte est relu chaque année par le comité, qui en vérifie l'application dans chaque service.

## 3. Usages interdits

Nul agent ne saisit de données nominatives dans un agent conversationnel grand public. Un agent
qui constate un tel usage le signale à son encadrement, qui en informe le référent désigné. Ce texte est relu chaque année par le comité, qui en vérifie l'application dans chaque service.
"""

PROCEDURE = """---
title: PQ-TE-01 — Signalement d'un incident du comité
kind: procedure
---

# PQ-TE-01 — Signalement d'un incident

## 1. Objet

Signaler un incident des outils numériques au comité de pilotage, afin qu'il soit analysé, que ses
causes soient corrigées et que les autres services en soient informés sans délai inutile. Ce texte est relu chaque année par le comité, qui en vérifie l'application dans chaque service.

## 2. Déclaration

Le déclarant remplit la fiche FEI-TE dans les 24 heures. Il y décrit les faits, l'outil concerné,
les conséquences pour le patient ou l'agent et les mesures qu'il a prises sur le moment. Ce texte est relu chaque année par le comité, qui en vérifie l'application dans chaque service.
"""

GUIDE = """---
title: Guide des outils numériques du comité
kind: guide
---

# Ce que dit le comité sur les outils numériques du site

Le comité de pilotage du site examine les outils numériques et leurs usages chaque trimestre.
"""


@pytest.fixture
def services(fake_settings, tmp_path: Path):  # type: ignore[no-untyped-def]
    return reference_services(fake_settings, tmp_path / "corpus", {"charte.md": CHARTE, "procedure.md": PROCEDURE, "guide.md": GUIDE})


QUESTION = "Que dit le point 3 de la charte sur les outils numériques du comité de pilotage du site ?"


def test_the_named_part_is_given_first(services) -> None:  # type: ignore[no-untyped-def]
    passages = services(FakeChatModel(["x"])).retriever.search(QUESTION, lang="fr")
    assert passages[0].chunk.heading_path[-1:] == ["3. Usages interdits"]
    # without the lookup, the words of the question find other parts and the guide
    plain = services(FakeChatModel(["x"]), follow=False).retriever.search(QUESTION, lang="fr")
    assert ["3. Usages interdits"] not in [p.chunk.heading_path[-1:] for p in plain]


@pytest.mark.parametrize(("question", "message"), [
    ("Que prévoit l'article 14 de la charte sur les outils numériques ?", "ne contient pas d'article 14."),
    ("Que dit le point 7 de la charte sur le comité ?", "ne contient pas de point 7."),
    ("Que dit la section 4 du PQ-TE-01 sur la déclaration ?", "ne contient pas de section 4."),
])
def test_a_part_the_named_document_does_not_have_is_refused_without_the_model(services, question: str, message: str) -> None:  # type: ignore[no-untyped-def]
    model = FakeChatModel(["Le point prévoit une amende de 10 000 euros [1]."])
    answer = services(model).answerer.answer(question)
    assert answer.refused and answer.refusal_reason == "missing_reference" and model.calls == []
    assert f"Le texte cité, tel qu'il est indexé, {message}" in answer.text


def test_a_part_the_document_has_or_of_another_document_goes_on(services) -> None:  # type: ignore[no-untyped-def]
    svc = services(FakeChatModel(["x"]))
    assert svc.retriever.missing_references("Que dit la section 2 du PQ-TE-01 sur la déclaration ?") == []
    assert svc.retriever.missing_references("Que dit l'article 9 de la charte informatique ?") == []  # not ours: nothing to check
    assert svc.retriever.missing_references("Que dit la fiche 3 du guide ?") == []  # no document has sheets
    answer = svc.answerer.answer("What does section 7 of the charter say about the committee?")
    assert answer.refused and "The text cited, as indexed, has no section 7." in answer.text


def test_a_named_part_found_lower_is_moved_first(services) -> None:  # type: ignore[no-untyped-def]
    # The model reads the first passages only: a part the search ranked last still comes first.
    retriever = services(FakeChatModel(["x"])).retriever
    paths = {chunk.chunk_id: chunk.heading_path for chunk in retriever.version.store.iter_chunks()}
    part = next(cid for cid, path in paths.items() if path[-1:] == ["3. Usages interdits"])
    others = [cid for cid in paths if cid != part][:2]
    chosen = [(others[0], 0.9), (others[1], 0.8), (part, 0.1)]
    moved = retriever._with_references(QUESTION, chosen, set(retriever.documents), "fr", 3)  # noqa: SLF001
    assert [cid for cid, _ in moved] == [part, *others]
