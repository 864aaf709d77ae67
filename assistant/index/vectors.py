"""Vector search behind an interface we own, with the embedded Chroma client as the adapter.

Only this module imports chromadb. Chroma never embeds anything itself: every add and
query passes vectors computed by our embedder (its default embedding function would try
to download a model), and its telemetry is off. A search Chroma cannot do (files damaged
or gone) raises IndexError_, never one of Chroma's own errors.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import numpy as np

from assistant.errors import IndexError_

COLLECTION = "chunks"


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

    def add(self, ids: list[str], vectors: np.ndarray, metadatas: list[dict[str, Any]]) -> None:
        """Store vectors in slices Chroma accepts."""
        step = 2000
        for start in range(0, len(ids), step):
            self._collection.add(
                ids=ids[start : start + step],
                embeddings=np.asarray(vectors[start : start + step], dtype=np.float32),
                metadatas=metadatas[start : start + step],
            )

    def delete_document(self, doc_id: str) -> None:
        """Drop every vector whose metadata names this document."""
        self._collection.delete(where={"doc_id": doc_id})

    def search(self, vector: np.ndarray, k: int, where: dict[str, Any] | None = None) -> list[VectorHit]:
        """Cosine nearest neighbours (Chroma returns distances = 1 - cosine)."""
        try:
            total = self.count()
            if total == 0:
                return []
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

    def count(self) -> int:
        """Number of vectors stored."""
        return int(self._collection.count())

    def close(self) -> None:
        """Chroma's embedded client has no close; drop references so files can be copied."""
        self._collection = None  # type: ignore[assignment]
        self._client = None  # type: ignore[assignment]
