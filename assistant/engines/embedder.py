"""The embedder interface and the factory that picks an adapter from settings.

Every adapter returns L2-normalised float32 rows and names itself with a fingerprint
(name, dimension, hash of the weights file) that the index records, so an index is never
queried with another embedder than the one that built it.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import numpy as np

from assistant.errors import ModelError
from assistant.settings import EmbedderSettings


@dataclass(frozen=True)
class EmbedderInfo:
    """Identity of an embedding model, stored with every index version."""

    name: str
    dimension: int
    weights_sha256: str

    def as_dict(self) -> dict[str, object]:
        """JSON-friendly form."""
        return {"name": self.name, "dimension": self.dimension, "weights_sha256": self.weights_sha256}


class Embedder(Protocol):
    """Turns passages and queries into vectors."""

    info: EmbedderInfo

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        """One normalised row per passage."""

    def embed_query(self, text: str) -> np.ndarray:
        """One normalised vector for a search query."""


def normalise(rows: np.ndarray) -> np.ndarray:
    """L2-normalise rows (zero rows stay zero)."""
    rows = np.asarray(rows, dtype=np.float32)
    norms = np.linalg.norm(rows, axis=-1, keepdims=True)
    return rows / np.maximum(norms, 1e-12)


def file_sha256(path: Path, chunk: int = 1 << 20) -> str:
    """SHA-256 of a file, streamed."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(chunk):
            digest.update(block)
    return digest.hexdigest()


def build_embedder(settings: EmbedderSettings) -> Embedder:
    """The embedder named by the settings; each adapter imports its engine lazily."""
    try:
        if settings.kind == "hash":
            from assistant.engines.embed_hash import HashEmbedder

            return HashEmbedder()
        if settings.kind == "use":
            from assistant.engines.embed_use import UseEmbedder

            return UseEmbedder(threads=settings.threads)
        if settings.kind == "e5":
            from assistant.engines.embed_e5 import E5Embedder

            return E5Embedder(threads=settings.threads)
        from assistant.engines.embed_st import SentenceTransformerEmbedder, packaged_minilm_path

        path = settings.model_path if settings.kind == "sentence-transformers" else packaged_minilm_path()
        if path is None:
            raise ModelError(
                "Aucun dossier de modèle sentence-transformers n'est configuré : renseignez embedder.model_path.",
                "No sentence-transformers model folder is configured: set embedder.model_path.",
            )
        return SentenceTransformerEmbedder(Path(path))
    except ImportError as exc:
        raise ModelError(
            f"Le modèle d'embeddings « {settings.kind} » n'est pas installé ({exc.name}) : relancez `make install`.",
            f"The '{settings.kind}' embedding model is not installed ({exc.name}): run `make install` again.",
        ) from exc
