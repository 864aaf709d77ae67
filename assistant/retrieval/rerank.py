"""Optional reranking of the fused candidates by a cross-encoder.

A cross-encoder reads the question and each passage together and scores the pair, which
orders passages better than embeddings alone but costs one model pass per candidate.
No multilingual cross-encoder ships on PyPI today, so none is bundled: an establishment
that has one in a local folder sets `retrieval.reranker_path`; nothing is ever fetched
from a hub (`local_files_only`).

`Reranker` is the interface the retriever uses; `CrossEncoderReranker` is the
sentence-transformers implementation, loaded on first use.
"""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from assistant.errors import ConfigError

if TYPE_CHECKING:
    from assistant.retrieval.hybrid import Passage


class Reranker(Protocol):
    """Scores (question, passage) pairs; higher is more relevant."""

    name: str

    def scores(self, query: str, texts: Sequence[str]) -> list[float]:
        """One relevance score per text."""


def rerank(reranker: Reranker, query: str, passages: Sequence[Passage], k: int, text_of: Any) -> list[Passage]:
    """The `k` passages the reranker scores highest, re-numbered from 1, each carrying its
    `rerank_score` in `extras`. Ties keep the fused order."""
    if not passages:
        return []
    scores = reranker.scores(query, [text_of(p) for p in passages])
    order = sorted(range(len(passages)), key=lambda i: (-scores[i], i))[:k]
    chosen = []
    for rank, i in enumerate(order, start=1):
        passage = passages[i]
        passage.rank = rank
        passage.extras["rerank_score"] = float(scores[i])
        chosen.append(passage)
    return chosen


class CrossEncoderReranker:
    """A sentence-transformers `CrossEncoder` read from a local folder."""

    def __init__(self, path: Path, threads: int = 2, max_length: int = 512) -> None:
        self.path = Path(path)
        self.name = f"cross-encoder:{self.path.name}"
        self.threads = threads
        self.max_length = max_length
        self._model: Any = None
        self._lock = threading.Lock()
        if not (self.path / "config.json").is_file():
            raise ConfigError(
                f"retrieval.reranker_path ne contient pas de modèle (config.json absent) : {self.path} ; corrigez le chemin ou videz ce réglage.",
                f"retrieval.reranker_path holds no model (no config.json): {self.path}; fix the path or clear the setting.",
            )

    def _load(self) -> Any:
        with self._lock:
            if self._model is None:
                import torch
                from sentence_transformers import CrossEncoder

                torch.set_num_threads(self.threads)
                self._model = CrossEncoder(str(self.path), local_files_only=True, device="cpu", max_length=self.max_length)
            return self._model

    def scores(self, query: str, texts: Sequence[str]) -> list[float]:
        """Relevance of each text to `query`, from the cross-encoder."""
        model = self._load()
        with self._lock:
            out = model.predict([(query, text) for text in texts], show_progress_bar=False)
        return [float(x) for x in out]
