"""Plain-text files (.txt) to blocks, and the byte decoding shared by the text formats.

This module owns decoding (UTF-8 with or without BOM, else Windows-1252 with a warning) and
splitting a text file into paragraph blocks at blank lines. A form feed (as written by
`pdftotext`) separates pages; without one, blocks have no page.
"""

from __future__ import annotations

import re
from pathlib import Path

from ingest.document import Block, Extracted

_PARAGRAPH_BREAK_RE = re.compile(r"\n[ \t]*\n")


def decode_bytes(data: bytes) -> tuple[str, list[str]]:
    """Decode text bytes; returns the text and any warning about the encoding guessed."""
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace"), ["not valid UTF-8; decoded as Windows-1252 / pas en UTF-8 ; lu en Windows-1252"]


def extract_text(path: Path) -> Extracted:
    """Read a .txt file into one block per paragraph, with pages if it has form feeds."""
    text, warnings = decode_bytes(path.read_bytes())
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    pages = text.split("\f")
    paged = len(pages) > 1
    blocks: list[Block] = []
    for number, page_text in enumerate(pages, start=1):
        for paragraph in _PARAGRAPH_BREAK_RE.split(page_text):
            if paragraph.strip():
                blocks.append(Block(text=paragraph, page=number if paged else None))
    return Extracted(blocks=blocks, page_count=len(pages) if paged else None, warnings=warnings)
