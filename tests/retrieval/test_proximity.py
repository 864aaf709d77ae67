"""The statement signal of score fusion: how much of a question one statement of a passage holds."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.engines.chat_fake import FakeChatModel
from assistant.engines.embed_hash import HashEmbedder
from assistant.retrieval.analysis import analyse
from assistant.retrieval.proximity import StatementCoverage
from assistant.services import build_services
from ingest.pipeline import Ingestor

TOGETHER = "Le cadre de santé valide le planning. Les journaux sont conservés six mois par le service informatique."
SPREAD = "Les journaux du bloc sont archivés. Le service qualité les relit. Six agents y travaillent ; le mois suivant, rien."


def _weights(question: str) -> dict[str, float]:
    return {term: 1.0 for term in analyse(question, "fr")}


def test_the_passage_holding_the_question_in_one_sentence_scores_higher_than_one_spreading_it() -> None:
    texts = {"together": TOGETHER, "spread": SPREAD}
    coverage = StatementCoverage(texts.__getitem__)
    weights = _weights("Combien de mois les journaux sont-ils conservés ?")
    assert coverage.score(weights, "together", "fr") > coverage.score(weights, "spread", "fr")


def test_the_score_is_the_weighted_share_held_by_the_best_statement() -> None:
    coverage = StatementCoverage({"p": "Les journaux sont conservés. Le planning est validé."}.__getitem__)
    # « journaux » and « conserv… » are together in the first sentence; « planning » is in the second.
    weights = {analyse("journaux", "fr")[0]: 1.0, analyse("conservés", "fr")[0]: 1.0, analyse("planning", "fr")[0]: 2.0}
    assert coverage.score(weights, "p", "fr") == pytest.approx(0.5)
    assert coverage.score({}, "p", "fr") == 0.0


def test_the_cache_of_analysed_statements_stays_within_its_size() -> None:
    texts = {f"p{i}": f"Texte numéro {i} du corpus." for i in range(10)}
    coverage = StatementCoverage(texts.__getitem__, cache_size=3)
    for chunk_id in texts:
        coverage.score({"text": 1.0}, chunk_id, "fr")
    assert len(coverage._cache) == 3  # noqa: SLF001


@pytest.mark.parametrize(("fusion", "first"), [("scores", "Traçabilité"), ("rrf", "Organisation")])
def test_the_configured_fusion_decides_which_passage_comes_first(fake_settings, tmp_path: Path, fusion: str, first: str) -> None:  # type: ignore[no-untyped-def]
    # BM25 prefers the short passage naming each word of the question in a statement of its own;
    # with the BM25 ranking weighing twice the dense one, rank fusion puts it first. Score fusion
    # (which ignores those rank weights) prefers the sentence saying what is asked.
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.md").write_text(
        "---\ntitle: Charte\nkind: charte\n---\n\n# Organisation\n\nJournaux : voir la note. Délai : voir la note. Conservation : voir la note.\n",
        encoding="utf-8")
    (corpus / "b.md").write_text(
        "---\ntitle: Procédure\nkind: procedure\n---\n\n# Traçabilité\n\n"
        "Le service informatique tient le registre des accès et le relit chaque semaine avec le délégué. "
        "Les journaux sont conservés pendant un délai de six mois, puis détruits par le service informatique.\n",
        encoding="utf-8")
    Ingestor(fake_settings, HashEmbedder).sync(corpus)
    settings = fake_settings.model_copy(deep=True)
    settings.retrieval.fusion = fusion
    settings.retrieval.lexical_weight = 2.0
    services = build_services(settings, chat_model=FakeChatModel(["x"]), embedder=HashEmbedder())
    try:
        passages = services.retriever.search("Quel est le délai de conservation des journaux ?", k=2, lang="fr")
        by_heading = {p.chunk.heading_path[-1]: p for p in passages}
        assert by_heading["Organisation"].lexical_score > by_heading["Traçabilité"].lexical_score  # type: ignore[operator]
        assert passages[0].chunk.heading_path[-1] == first
    finally:
        services.close()
