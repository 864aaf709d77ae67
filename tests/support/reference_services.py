"""Services over a small corpus of whole Markdown files, with or without following the articles
and parts a question names (the reference tests' fixture; importable from every test)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from assistant.engines.chat_fake import FakeChatModel
from assistant.engines.embed_hash import HashEmbedder
from assistant.services import Services, build_services
from ingest.pipeline import Ingestor


def reference_services(settings: Any, corpus: Path, files: dict[str, str]) -> Callable[..., Services]:
    """Write `files` (name → Markdown text) into `corpus`, ingest them, and return
    `make(model, follow=True)`: services answering with `model`, 2 passages an answer."""
    corpus.mkdir()
    for name, text in files.items():
        (corpus / name).write_text(text, encoding="utf-8")
    Ingestor(settings, HashEmbedder).sync(corpus)

    def make(model: FakeChatModel, follow: bool = True) -> Services:
        copy = settings.model_copy(deep=True)
        copy.retrieval.follow_references = follow
        copy.retrieval.top_k = 2
        return build_services(copy, chat_model=model, embedder=HashEmbedder())

    return make
