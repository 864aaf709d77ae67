"""Records for the governance-log tests: a settable clock and retrieved passages built from the
real index records (importable from every test: `pythonpath` in pyproject.toml)."""

from __future__ import annotations

from datetime import datetime

from assistant.index.store import ChunkRecord, DocumentRecord
from assistant.retrieval.hybrid import Passage


class Clock:
    """A settable UTC clock."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def passage(doc_id: str, n: int, version: str = "1") -> Passage:
    """Passage `n` of document `doc_id` (at `version`), one short chunk."""
    document = DocumentRecord(
        doc_id=doc_id, title=doc_id, kind="procedure", version=version, effective_date="2024-01-01", status="en_vigueur",
        owner="Qualité", lang="fr", source_path=f"{doc_id}.md", content_sha256=f"sha-{doc_id}", size_bytes=1, page_count=1,
        chunk_count=1, ingested_at="2024-06-01T00:00:00+00:00")
    chunk = ChunkRecord(chunk_id=f"{doc_id}-c{n}", doc_id=doc_id, ordinal=n, text="Texte.", pages=[1], heading_path=[],
                        char_start=0, char_end=6, content_sha256=f"c-{doc_id}-{n}")
    return Passage(chunk=chunk, document=document, score=0.5, rank=n)
