"""Codes and acronyms that no indexed document mentions make the answerer refuse, saying which."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.engines.chat_fake import FakeChatModel
from assistant.engines.embed_hash import HashEmbedder
from assistant.retrieval.identifiers import IdentifierTable, named_identifiers, spelled_out
from assistant.services import build_services
from ingest.pipeline import Ingestor


@pytest.mark.parametrize(("question", "named"), [
    ("Que dit le protocole PROT-HYG-02 ?", ["PROT-HYG-02"]),
    ("Que dit l'article L1110-4 du code de la santé publique ?", ["L1110-4"]),
    ("Et l'article R. 4127-4 ?", ["R. 4127-4"]),
    ("Et l'article R.4127-4 ?", ["R.4127-4"]),
    ("What does the HIPAA Privacy Rule require?", ["HIPAA"]),
    ("Que dit l'article 9 du RGPD ?", []),  # the common name of an indexed act
    ("What does Article 9 of the GDPR say about health data?", []),
    ("Que dit l'annexe XIII ?", []),  # Roman numerals: left to the article lookup
    ("Que fait la DRH ?", []),  # three or four letters: too often initials the documents spell out
    ("When must we carry out a DPIA?", []),
    ("Which obligations apply to GPAI providers?", []),
    ("QUEL EST LE DÉLAI DE SIGNALEMENT ?", []),  # shouting names no acronym
    ("Puis-je utiliser GPT-4 pour résumer un compte rendu ?", []),  # a name with a version, not a code
    ("L'IA aide-t-elle pour les patients COVID-19 ?", []),
])
def test_the_codes_and_acronyms_a_question_names(question: str, named: list[str]) -> None:
    assert named_identifiers(question) == named


def test_a_code_counts_as_mentioned_however_it_is_spaced_or_padded() -> None:
    table = IdentifierTable(["La procédure PQ-IA-02 renvoie à l'article R. 4127-4 ; voir aussi URGENT : le formulaire FEI-IA."])
    assert table.unknown("Que dit la procédure PQ-IA-2 ?") == []
    assert table.unknown("Et l'article R4127-4 ?") == []
    assert table.unknown("Qui remplit la fiche FEI-IA ?") == []
    assert table.unknown("Que dit la procédure PQ-IA-07 ?") == ["PQ-IA-07"]
    assert table.unknown("Que dit la NOTE-IA ?") == ["NOTE-IA"]
    # a word of the documents written in capitals is that word
    assert IdentifierTable(["Une demande urgente."]).unknown("Que faire d'une demande URGENTE ?") == []


CHARTE = """---
title: Charte IA de test
kind: charte
version: "2.0"
status: en_vigueur
---

# Signalement

Tout dysfonctionnement d'un système d'IA est signalé dans les 24 heures au moyen de la fiche FEI-IA, selon la procédure PQ-IA-01.
Le comité opérationnel de retour d'expérience analyse chaque signalement.
"""


@pytest.fixture
def services(fake_settings, tmp_path: Path):  # type: ignore[no-untyped-def]
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "charte.md").write_text(CHARTE, encoding="utf-8")
    Ingestor(fake_settings, HashEmbedder).sync(corpus)
    return lambda model: build_services(fake_settings, chat_model=model, embedder=HashEmbedder())


def test_a_question_naming_a_code_no_document_mentions_is_refused_without_the_model(services) -> None:  # type: ignore[no-untyped-def]
    model = FakeChatModel(["Un dysfonctionnement est signalé dans les 24 heures [1]."])
    svc = services(model)
    answer = svc.answerer.answer("Dans quel délai signaler un dysfonctionnement selon la procédure PQ-IA-07 ?")
    assert answer.refused and answer.refusal_reason == "missing_reference" and model.calls == []
    assert "Aucun document indexé ne mentionne « PQ-IA-07 »" in answer.text
    assert answer.retrieved, "the nearest passages stay as leads"
    english = svc.answerer.answer("What does the HIPAA rule say about reporting a malfunction?")
    assert english.refused and 'No indexed document mentions "HIPAA"' in english.text
    # the code of an indexed procedure is answered from
    known = svc.answerer.answer("Dans quel délai signaler un dysfonctionnement selon la procédure PQ-IA-01 ?")
    assert not known.refused and model.calls
    # an acronym the passages found spell out is known after all
    spelled = svc.answerer.answer("Qui analyse chaque signalement au COREX ?")
    assert spelled.refusal_reason != "missing_reference"
    assert svc.answerer.answer("Qui analyse chaque signalement au CORAX ?").refusal_reason == "missing_reference"
    svc.close()


def test_an_acronym_spelled_out_in_the_passages_found_is_known() -> None:
    assert spelled_out("CREX", ["Le comité de retour d'expérience se réunit chaque mois."])
    assert spelled_out("DPIA", ["the controller shall carry out a data protection impact assessment"])
    assert spelled_out("GPAI", ["obligations for providers of general-purpose AI models"])
    assert not spelled_out("HIPAA", ["Pseudonymisation protects health data."])
    assert not spelled_out("PQ-IA-07", ["procédure qualité intelligence artificielle"])  # a code is never spelled out
