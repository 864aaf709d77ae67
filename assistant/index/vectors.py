"""Vector search behind an interface we own, with the embedded Chroma client as the adapter.

Only this module imports chromadb. Chroma never embeds anything itself: every add and
query passes vectors computed by our embedder (its default embedding function would try
to download a model), and its telemetry is off. A search Chroma cannot do (files damaged
or gone) raises IndexError_, never one of Chroma's own errors.

Up to `EXACT_SEARCH_MAX` vectors, the search is exact: the vectors are read from Chroma once
and scored with numpy. Chroma's approximate (HNSW) search, as each new process loads the
graph, returned a different tail of the 40 nearest chunks from one process to the next for
the same query, so two runs or two app nodes could give a question different passages.
Exact scoring of a few thousand vectors takes well under a millisecond; above the limit the
approximate search is used.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from assistant.errors import IndexError_

COLLECTION = "chunks"
# Collections up to this size are searched exactly (deterministic); larger ones through HNSW.
EXACT_SEARCH_MAX = 50_000  # 50,000 × 512 floats: 100 MB in memory


@dataclass
class VectorHit:
    """One nearest neighbour: chunk id and cosine similarity."""

    chunk_id: str
    score: float


class VectorIndex(Protocol):
    """Nearest-neighbour search over chunk vectors with metadata filters."""

    def add(self, ids: list[str], vectors: np.ndarray, metadatas: list[dict[str, Any]]) -> None:
        """Store vectors with their filterable metadata."""

    def delete_document(self, doc_id: str) -> None:
        """Drop every vector of a document."""

    def search(self, vector: np.ndarray, k: int, where: dict[str, Any] | None = None) -> list[VectorHit]:
        """The k nearest chunks passing the filter."""

    def count(self) -> int:
        """Number of vectors stored."""

    def close(self) -> None:
        """Release the client."""


class ChromaVectorIndex:
    """Embedded (in-process) Chroma, persisted in one folder of an index version."""

    def __init__(self, folder: Path, create: bool = False) -> None:
        import chromadb
        from chromadb.config import Settings as ChromaSettings

        self._client = chromadb.PersistentClient(
            path=str(folder), settings=ChromaSettings(anonymized_telemetry=False, allow_reset=False)
        )
        if create:
            self._collection = self._client.get_or_create_collection(
                COLLECTION, embedding_function=None, metadata={"hnsw:space": "cosine"}
            )
        else:
            self._collection = self._client.get_collection(COLLECTION, embedding_function=None)
        self._matrix: tuple[list[str], np.ndarray, np.ndarray, np.ndarray] | None = None  # ids, unit vectors, doc ids, id ranks

    def add(self, ids: list[str], vectors: np.ndarray, metadatas: list[dict[str, Any]]) -> None:
        """Store vectors in slices Chroma accepts."""
        self._matrix = None
        step = 2000
        for start in range(0, len(ids), step):
            self._collection.add(
                ids=ids[start : start + step],
                embeddings=np.asarray(vectors[start : start + step], dtype=np.float32),
                metadatas=metadatas[start : start + step],
            )

    def delete_document(self, doc_id: str) -> None:
        """Drop every vector whose metadata names this document."""
        self._matrix = None
        self._collection.delete(where={"doc_id": doc_id})

    def search(self, vector: np.ndarray, k: int, where: dict[str, Any] | None = None) -> list[VectorHit]:
        """Cosine nearest neighbours (Chroma returns distances = 1 - cosine)."""
        try:
            total = self.count()
            if total == 0:
                return []
            docs = _doc_filter(where)
            if total <= EXACT_SEARCH_MAX and docs is not _UNSUPPORTED:
                return self._exact(vector, k, docs)  # type: ignore[arg-type]
            result = self._collection.query(
                query_embeddings=[np.asarray(vector, dtype=np.float32)],
                n_results=min(k, total),
                where=where or None,
                include=["distances"],
            )
        except Exception as exc:  # noqa: BLE001 - Chroma raises many kinds; all mean the same to a reader
            raise IndexError_(
                f"La recherche dans l'index de vecteurs a échoué ({type(exc).__name__}) : relancez `garant-ingest rebuild` ou restaurez le dossier de l'index.",
                f"The search in the vector index failed ({type(exc).__name__}): run `garant-ingest rebuild` or restore the index folder.",
            ) from exc
        ids = result["ids"][0]
        distances = result["distances"][0] if result.get("distances") else [0.0] * len(ids)
        return [VectorHit(chunk_id=i, score=1.0 - float(d)) for i, d in zip(ids, distances, strict=True)]

    def _exact(self, vector: np.ndarray, k: int, docs: set[str] | None) -> list[VectorHit]:
        """Cosine similarity with every stored vector (read from Chroma on first use), best first,
        ties broken by chunk id so that every process ranks alike."""
        if self._matrix is None:
            got = self._collection.get(include=["embeddings", "metadatas"])
            rows = np.asarray(got["embeddings"], dtype=np.float32).reshape(len(got["ids"]), -1)
            norms = np.linalg.norm(rows, axis=1, keepdims=True)
            doc_ids = np.asarray([(m or {}).get("doc_id", "") for m in got["metadatas"]], dtype=object)
            id_rank = np.empty(len(got["ids"]), dtype=np.int64)
            id_rank[np.argsort(np.asarray(got["ids"]))] = np.arange(len(got["ids"]))
            self._matrix = (list(got["ids"]), rows / np.where(norms == 0, 1, norms), doc_ids, id_rank)
        ids, rows, doc_ids, id_rank = self._matrix
        query = np.asarray(vector, dtype=np.float32)
        query = query / (np.linalg.norm(query) or 1.0)
        scores = rows @ query
        candidates = np.arange(len(ids)) if docs is None else np.flatnonzero(np.isin(doc_ids, list(docs)))
        # best score first, equal scores in chunk-id order (np.lexsort: last key is the primary one)
        order = candidates[np.lexsort((id_rank[candidates], -scores[candidates]))][:k].tolist()
        return [VectorHit(chunk_id=ids[i], score=float(scores[i])) for i in order]

    def count(self) -> int:
        """Number of vectors stored."""
        return int(self._collection.count())

    def close(self) -> None:
        """Chroma's embedded client has no close; drop references so files can be copied."""
        self._collection = None  # type: ignore[assignment]
        self._client = None  # type: ignore[assignment]
        self._matrix = None


_UNSUPPORTED = object()


def _doc_filter(where: dict[str, Any] | None) -> set[str] | None | object:
    """The documents a filter allows (None: all), or _UNSUPPORTED for any other filter than the
    retriever's `{"doc_id": {"$in": [...]}}` (Chroma then reads it)."""
    if not where:
        return None
    if set(where) == {"doc_id"} and isinstance(where["doc_id"], dict) and set(where["doc_id"]) == {"$in"}:
        return set(where["doc_id"]["$in"])
    return _UNSUPPORTED
