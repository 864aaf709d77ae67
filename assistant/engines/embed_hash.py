"""A deterministic hashing embedder: the fake used by unit tests (no model, no network).

Words (accent- and case-folded) and their character trigrams are hashed into a fixed
number of buckets, so texts sharing words get similar vectors; good enough for logic tests.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

import numpy as np

from assistant.engines.embedder import EmbedderInfo, normalise

_WORD = re.compile(r"\w+", re.UNICODE)


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


class HashEmbedder:
    """Feature-hashing embedder, 256 dimensions."""

    def __init__(self, dimension: int = 256) -> None:
        self.dimension = dimension
        self.info = EmbedderInfo(name="hash-fake", dimension=dimension, weights_sha256="none")

    def _vector(self, text: str) -> np.ndarray:
        vec = np.zeros(self.dimension, dtype=np.float32)
        for word in _WORD.findall(_fold(text)):
            features = [word] + [word[i : i + 3] for i in range(max(len(word) - 2, 0))]
            for feature in features:
                digest = hashlib.blake2b(feature.encode(), digest_size=8).digest()
                bucket = int.from_bytes(digest[:4], "little") % self.dimension
                sign = 1.0 if digest[4] & 1 else -1.0
                vec[bucket] += sign * (2.0 if feature == word else 0.5)
        return vec

    def embed_passages(self, texts: list[str]) -> np.ndarray:
        """One normalised row per text."""
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        return normalise(np.stack([self._vector(t) for t in texts]))

    def embed_query(self, text: str) -> np.ndarray:
        """Same space as passages."""
        return self.embed_passages([text])[0]
