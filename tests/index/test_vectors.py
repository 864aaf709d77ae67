"""The vector index adapter: exact, repeatable nearest neighbours with the document filter."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from assistant.index.vectors import ChromaVectorIndex


def _index(folder: Path, n: int = 300, dim: int = 16) -> tuple[ChromaVectorIndex, np.ndarray, list[str]]:
    rng = np.random.default_rng(7)
    vectors = rng.normal(size=(n, dim)).astype(np.float32)
    ids = [f"c{i:04d}" for i in range(n)]
    index = ChromaVectorIndex(folder, create=True)
    index.add(ids, vectors, [{"doc_id": f"d{i % 5}"} for i in range(n)])
    return index, vectors, ids


def _cosine_ranking(vectors: np.ndarray, ids: list[str], query: np.ndarray, allowed: set[str] | None = None) -> list[str]:
    unit = vectors / np.linalg.norm(vectors, axis=1, keepdims=True)
    scores = unit @ (query / np.linalg.norm(query))
    keep = [i for i in range(len(ids)) if allowed is None or f"d{i % 5}" in allowed]
    return [ids[i] for i in sorted(keep, key=lambda i: (-scores[i], ids[i]))]


def test_search_returns_the_true_nearest_neighbours_in_order(tmp_path: Path) -> None:
    index, vectors, ids = _index(tmp_path / "v")
    query = np.random.default_rng(1).normal(size=vectors.shape[1]).astype(np.float32)
    hits = index.search(query, 40)
    assert [h.chunk_id for h in hits] == _cosine_ranking(vectors, ids, query)[:40]
    assert all(a.score >= b.score for a, b in zip(hits, hits[1:], strict=False))


def test_the_document_filter_keeps_only_the_allowed_documents(tmp_path: Path) -> None:
    index, vectors, ids = _index(tmp_path / "v")
    query = vectors[3] + 0.1
    hits = index.search(query, 10, {"doc_id": {"$in": ["d1", "d4"]}})
    assert [h.chunk_id for h in hits] == _cosine_ranking(vectors, ids, query, {"d1", "d4"})[:10]


def test_a_reopened_index_ranks_exactly_as_before_and_follows_deletions(tmp_path: Path) -> None:
    index, vectors, ids = _index(tmp_path / "v")
    query = vectors[10] - vectors[20]
    first = [h.chunk_id for h in index.search(query, 40)]
    index.close()
    again = ChromaVectorIndex(tmp_path / "v")
    assert [h.chunk_id for h in again.search(query, 40)] == first
    again.delete_document("d0")
    assert all(int(h.chunk_id[1:]) % 5 != 0 for h in again.search(query, 40))


def test_equal_scores_are_ranked_by_chunk_id_so_every_process_agrees(tmp_path: Path) -> None:
    index = ChromaVectorIndex(tmp_path / "v", create=True)
    same = np.ones((6, 8), dtype=np.float32)
    index.add(["c5", "c2", "c4", "c1", "c3", "c0"], same, [{"doc_id": "d"}] * 6)
    assert [h.chunk_id for h in index.search(np.ones(8, dtype=np.float32), 4)] == ["c0", "c1", "c2", "c3"]
