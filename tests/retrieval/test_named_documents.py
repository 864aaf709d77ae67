"""A document the question names by a word of its file name (« la note de l'Anap », "the CNIL
guide"): its passages gain `score_named_weight`, an English question reads it although it is in
French, and BM25 reads the question without the words that name it (`HybridRetriever.topic`)."""

from __future__ import annotations

from pathlib import Path

import pytest
from corpus_files import write_documents

from assistant.engines.chat_fake import FakeChatModel
from assistant.engines.embed_hash import HashEmbedder
from assistant.services import build_services
from ingest.pipeline import Ingestor

BACKUPS = "Effectuer des sauvegardes régulières et en conserver une copie hors ligne."
ABOUT_ITSELF = "Ce guide de la CNIL rassemble les précautions élémentaires ; la CNIL le met à jour chaque année."


@pytest.fixture
def retriever(fake_settings, tmp_path: Path):  # type: ignore[no-untyped-def]
    corpus = write_documents(tmp_path / "corpus", [
        ("cnil-guide-securite.md", "Guide de la sécurité des données", "fr", "guide", BACKUPS),
        ("cnil-presentation.md", "Présentation", "fr", "guide", ABOUT_ITSELF),
        ("anap-note.md", "Déployer une IA de confiance", "fr", "guide", "Les données d'apprentissage doivent être représentatives."),
        ("charte.md", "Charte IA", "fr", "charte", "Les sauvegardes des outils d'IA sont faites par la DSI."),
        ("gdpr-2016-679-en.md", "Regulation (EU) 2016/679", "en", "reglementation", "Backups of personal data shall be kept secure."),
    ])
    Ingestor(fake_settings, HashEmbedder).sync(corpus)
    svc = build_services(fake_settings, chat_model=FakeChatModel(["x"]), embedder=HashEmbedder())
    yield svc.retriever
    svc.close()


def _scores(retriever, question: str, lang: str) -> dict[str, float]:  # type: ignore[no-untyped-def]
    return {p.chunk.text: p.score for p in retriever.search(question, k=10, lang=lang)}


def test_the_topic_is_the_question_without_the_words_naming_a_guide_or_a_note(retriever) -> None:  # type: ignore[no-untyped-def]
    assert retriever.topic("What does the CNIL guide recommend for backups?").split() == ["What", "does", "the", "recommend", "for", "backups?"]
    assert retriever.topic("Que dit la note de l'Anap sur les données ?").split() == ["Que", "dit", "la", "de", "l'", "sur", "les", "données", "?"]
    # an act keeps its name; a question naming no document, or only a document, is left whole
    assert retriever.topic("How long do we have to reply under the GDPR?") == "How long do we have to reply under the GDPR?"
    assert retriever.topic("Où ranger les sauvegardes ?") == "Où ranger les sauvegardes ?"
    assert retriever.topic("Le guide de la CNIL ?") == "Le guide de la CNIL ?"  # nothing asked without them


def test_an_english_question_naming_a_french_guide_reads_its_passage_on_what_is_asked(retriever) -> None:  # type: ignore[no-untyped-def]
    question = "What does the CNIL guide recommend for backups?"
    found = retriever._in_french(question, 40, retriever.allowed_documents())  # noqa: SLF001
    titles = {retriever.documents[retriever._doc_of[cid]].title for cid in found}  # noqa: SLF001
    assert "Guide de la sécurité des données" in titles  # named, so searched with the glossary's « sauvegardes »
    scores = _scores(retriever, question, "en")
    # the guide's sheet on backups comes before its page about itself, which holds "CNIL" and "guide"
    assert scores[BACKUPS] > scores[ABOUT_ITSELF]
    # and before the charter's sentence on backups: the question asks what the guide says
    assert scores[BACKUPS] > scores["Les sauvegardes des outils d'IA sont faites par la DSI."]


def test_a_named_documents_passages_gain_the_named_weight_and_an_acts_do_not(retriever) -> None:  # type: ignore[no-untyped-def]
    question = "Que recommande la note de l'Anap sur les données d'apprentissage ?"
    with_weight = _scores(retriever, question, "fr")
    retriever.settings = retriever.settings.model_copy(update={"score_named_weight": 0.0})
    without = _scores(retriever, question, "fr")
    anap = "Les données d'apprentissage doivent être représentatives."
    assert with_weight[anap] - without[anap] == pytest.approx(1.0)
    assert with_weight[BACKUPS] == pytest.approx(without[BACKUPS])
    question = "What does the GDPR say about backups?"
    retriever.settings = retriever.settings.model_copy(update={"score_named_weight": 5.0})
    boosted = _scores(retriever, question, "en")
    retriever.settings = retriever.settings.model_copy(update={"score_named_weight": 0.0})
    assert boosted["Backups of personal data shall be kept secure."] == pytest.approx(
        _scores(retriever, question, "en")["Backups of personal data shall be kept secure."])
