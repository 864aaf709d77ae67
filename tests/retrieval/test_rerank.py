"""Reranking: the retriever orders its fused candidates by the configured reranker, the
baselines stay unreranked, and a local cross-encoder folder loads without any hub."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest

from assistant.engines.chat_fake import FakeChatModel
from assistant.engines.embed_hash import HashEmbedder
from assistant.errors import ConfigError
from assistant.index.versions import IndexRepository
from assistant.retrieval.hybrid import HybridRetriever
from assistant.retrieval.rerank import CrossEncoderReranker
from assistant.services import build_services
from evaluation.report import write_report
from evaluation.runner import run
from ingest.pipeline import Ingestor

SECTIONS = {
    "Réunions": "Le comité de pilotage IA se réunit une fois par trimestre pour suivre les usages.",
    "Signalement": "Le comité reçoit les signalements d'incident IA dans les 24 heures par la fiche FEI-IA.",
    "Formation": "Le comité organise chaque année une formation des agents aux usages de l'IA.",
    "Archives": "Le comité conserve ses comptes rendus pendant dix ans au service des archives.",
}


class KeywordReranker:
    """Scores a passage by whether it holds a word: lets the test know the right order."""

    name = "keyword"

    def __init__(self, word: str) -> None:
        self.word = word
        self.calls: list[tuple[str, int]] = []

    def scores(self, query: str, texts: Sequence[str]) -> list[float]:
        self.calls.append((query, len(texts)))
        return [1.0 if self.word in text else 0.0 for text in texts]


@pytest.fixture
def indexed(fake_settings, tmp_path: Path):  # type: ignore[no-untyped-def]
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for number, (title, text) in enumerate(SECTIONS.items(), start=1):  # one passage per document
        (corpus / f"charte-{number}.md").write_text(f"---\ntitle: Charte IA — {title}\nkind: charte\n---\n\n# {title}\n\n{text}\n",
                                                   encoding="utf-8")
    Ingestor(fake_settings, HashEmbedder).sync(corpus)
    return fake_settings


def _retriever(settings, reranker=None) -> HybridRetriever:  # type: ignore[no-untyped-def]
    version = IndexRepository(settings.index_dir).open_current()
    return HybridRetriever(version, HashEmbedder(), settings.retrieval, reranker)


def test_with_a_reranker_the_default_search_puts_its_best_passage_first(indexed) -> None:  # type: ignore[no-untyped-def]
    plain = _retriever(indexed).search("Que fait le comité ?", k=2)
    reranker = KeywordReranker("archives")
    ranked = _retriever(indexed, reranker).search("Que fait le comité ?", k=2)
    assert len({p.chunk.chunk_id for p in _retriever(indexed).search("comité", k=4)}) == 4
    assert "archives" not in plain[0].chunk.text  # otherwise the test proves nothing
    assert "archives" in ranked[0].chunk.text
    assert [p.rank for p in ranked] == [1, 2]
    assert ranked[0].as_dict()["rerank_score"] == 1.0
    # the reranker saw the wider pool of fused candidates, not just k
    assert reranker.calls == [("Que fait le comité ?", 4)]


def test_the_hybrid_baseline_is_not_reranked(indexed) -> None:  # type: ignore[no-untyped-def]
    reranker = KeywordReranker("archives")
    retriever = _retriever(indexed, reranker)
    hybrid = retriever.search("Que fait le comité ?", k=2, mode="hybrid")
    assert [p.chunk.chunk_id for p in hybrid] == [p.chunk.chunk_id for p in _retriever(indexed).search("Que fait le comité ?", k=2)]
    assert reranker.calls == []
    assert "rerank_score" not in hybrid[0].as_dict()


def test_reranked_mode_without_a_reranker_is_refused(indexed) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError, match="reranker"):
        _retriever(indexed).search("comité", mode="reranked")


def test_a_reranker_folder_without_a_model_is_a_clear_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError) as error:
        CrossEncoderReranker(tmp_path)
    assert "reranker_path" in error.value.message("fr") and "reranker_path" in error.value.message("en")


def _tiny_cross_encoder(folder: Path) -> Path:
    """A randomly initialised BERT cross-encoder saved locally: the plumbing, not quality."""
    from transformers import BertConfig, BertForSequenceClassification, BertTokenizerFast

    folder.mkdir()
    words = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]", *sorted({w.strip(".,'").lower() for t in SECTIONS.values() for w in t.split()})]
    (folder / "vocab.txt").write_text("\n".join(words) + "\n", encoding="utf-8")
    BertTokenizerFast(vocab_file=str(folder / "vocab.txt")).save_pretrained(folder)
    config = BertConfig(vocab_size=len(words), hidden_size=16, num_hidden_layers=1, num_attention_heads=2,
                        intermediate_size=32, max_position_embeddings=128, num_labels=1)
    BertForSequenceClassification(config).save_pretrained(folder)
    return folder


@pytest.mark.integration
def test_a_local_cross_encoder_reranks_answers_and_the_evaluation_baselines(indexed, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from sentence_transformers import CrossEncoder

    indexed.retrieval.reranker_path = _tiny_cross_encoder(tmp_path / "ce")
    services = build_services(indexed, chat_model=FakeChatModel(["Une fois par trimestre [1]."]), embedder=HashEmbedder())
    try:
        query = "Quand le comité se réunit-il ?"
        passages = services.retriever.search(query, k=3)
        pool = services.retriever.search(query, k=indexed.retrieval.rerank_candidates, mode="hybrid")
        model = CrossEncoder(str(indexed.retrieval.reranker_path), local_files_only=True, device="cpu")
        texts = {p.chunk.chunk_id: services.retriever._passage_text(p) for p in pool}  # noqa: SLF001
        scores = dict(zip(texts, model.predict([(query, t) for t in texts.values()]), strict=True))
        expected = sorted(texts, key=lambda cid: -scores[cid])[:3]
        assert [p.chunk.chunk_id for p in passages] == expected
        assert all("rerank_score" in p.extras for p in passages)
    finally:
        services.close()

    dataset = tmp_path / "q.jsonl"
    dataset.write_text(json.dumps({"id": "q1", "question": query, "lang": "fr", "answerable": True,
                                   "expected_sources": ["charte"], "expected_keywords": [["trimestre"]]}) + "\n", encoding="utf-8")
    out = tmp_path / "run"
    run(indexed, dataset, out, no_llm=True)
    row = json.loads((out / "results.jsonl").read_text(encoding="utf-8").splitlines()[0])
    assert set(row["retrieval"]) == {"lexical", "dense", "hybrid", "reranked"}
    _, report = write_report(out)
    text = report.read_text(encoding="utf-8")
    assert "Hybride + reclassement (défaut)" in text and "Un modèle de reclassement est configuré" in text
