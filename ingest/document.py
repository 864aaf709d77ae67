"""The data that flows through ingest: extracted blocks, document metadata, chunk drafts.

This module owns the shapes only (plain dataclasses, JSON-friendly); extraction,
cleaning, chunking and storage live in their own modules.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass
class Block:
    """A run of text at one place in a source file.

    `page` is the 1-based page number where the source has pages (PDF, or page markers
    in a converted file), else None. `heading_path` is the chain of headings above the
    block, outermost first (e.g. ["CHAPITRE III", "Article 14 — Contrôle humain"]).
    """

    text: str
    page: int | None = None
    heading_path: list[str] = field(default_factory=list)


@dataclass
class Extracted:
    """What an extractor returns for one file, before cleaning."""

    blocks: list[Block]
    page_count: int | None = None
    front_matter: dict[str, Any] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """Plain dict for crossing a process boundary."""
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Extracted:
        """Inverse of to_json."""
        return cls(
            blocks=[Block(**b) for b in data["blocks"]],
            page_count=data.get("page_count"),
            front_matter=data.get("front_matter") or {},
            warnings=data.get("warnings") or [],
        )


@dataclass
class ChunkDraft:
    """A chunk before it gets its ids and embedding.

    `char_start`/`char_end` are offsets in the document's cleaned text (the cleaned
    blocks joined with a blank line), so a passage can be located again.
    """

    text: str
    pages: list[int]
    heading_path: list[str]
    char_start: int
    char_end: int
