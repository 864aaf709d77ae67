"""The passage BM25 ranks first stays among the passages even when its document has already
given `retrieval.per_document_max` of them (`retrieval.keep_best_lexical`): the staff's words for
one step of a procedure match that step best, while other sections of the same procedure come
first by the combined score."""

from __future__ import annotations

from pathlib import Path

import pytest
from corpus_files import write_documents

from assistant.engines.chat_fake import FakeChatModel
from assistant.engines.embed_hash import HashEmbedder
from assistant.services import build_services
from ingest.pipeline import Ingestor

PROCEDURE = """## 1. Objet

Cette procédure décrit comment le cadre de santé contrôle, valide et publie le planning de son unité, proposé par l'outil de planning.

## 2. Rôles

Le cadre de santé contrôle le planning proposé par l'outil, valide le planning et publie le planning de l'unité.

## 3. Valider et publier

En l'absence du cadre de santé, la validation est faite par le suppléant désigné, jamais par l'outil."""

QUESTION = "Le suppléant valide-t-il le planning de l'unité ?"


@pytest.fixture
def retriever(fake_settings, tmp_path: Path):  # type: ignore[no-untyped-def]
    corpus = write_documents(tmp_path / "corpus", [
        ("procedure-planning.md", "Validation du planning", "fr", "procedure", PROCEDURE),
        ("charte.md", "Charte IA", "fr", "charte", "Les outils d'IA sont inscrits au registre."),
    ])
    fake_settings.ingest.chunk_max_chars = 200  # a chunk a section
    Ingestor(fake_settings, HashEmbedder).sync(corpus)
    fake_settings.retrieval.per_document_max = 1
    svc = build_services(fake_settings, chat_model=FakeChatModel(["x"]), embedder=HashEmbedder())
    yield svc.retriever
    svc.close()


def _best_lexical(retriever) -> str:  # type: ignore[no-untyped-def]
    (chunk_id, _), *_ = retriever.lexical.search(QUESTION, 5, lang="fr")
    return chunk_id


def test_the_passage_bm25_ranks_first_is_kept_past_its_documents_cap(retriever) -> None:  # type: ignore[no-untyped-def]
    best = _best_lexical(retriever)
    assert "suppléant" in retriever._text_of[best]  # noqa: SLF001 - the step that answers
    retriever.settings.keep_best_lexical = False
    capped = [p.chunk.chunk_id for p in retriever.search(QUESTION, k=5, lang="fr")]
    # one passage of the procedure only, and not that step: another section wins the combined score
    assert best not in capped
    retriever.settings.keep_best_lexical = True
    kept = [p.chunk.chunk_id for p in retriever.search(QUESTION, k=5, lang="fr")]
    assert best in kept
    assert set(capped) <= set(kept)  # room was left: nothing was given up for it


def test_the_passage_bm25_ranks_first_takes_the_place_of_the_last_one(retriever) -> None:  # type: ignore[no-untyped-def]
    best = _best_lexical(retriever)
    assert retriever.settings.keep_best_lexical  # on by default
    assert [p.chunk.chunk_id for p in retriever.search(QUESTION, k=1, lang="fr")] == [best]
    retriever.settings.keep_best_lexical = False
    assert [p.chunk.chunk_id for p in retriever.search(QUESTION, k=1, lang="fr")] != [best]
