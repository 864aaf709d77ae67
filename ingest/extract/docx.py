"""Word files (.docx) to blocks with python-docx: paragraphs and tables in body order.

This module owns reading a .docx: "Heading N" / "Titre N" / "Title" styles become heading
paths (through `ingest.structure.HeadingTracker`, so "Article 3" + its title merge), other
paragraphs become blocks, and each table row becomes one line with cells joined by " | ".
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import docx
from docx.document import Document as DocxDocument
from docx.table import Table
from docx.text.paragraph import Paragraph

from ingest.document import Block, Extracted
from ingest.extract.errors import ExtractionError
from ingest.structure import HeadingTracker

_HEADING_STYLE_RE = re.compile(r"^(?:heading|titre)\s*(\d)$", re.IGNORECASE)


def extract_docx(path: Path) -> Extracted:
    """Read a .docx into blocks; a damaged or password-protected file raises ExtractionError."""
    try:
        document = docx.Document(str(path))
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise ExtractionError(
            "Ce fichier Word est endommagé ou protégé par un mot de passe ; ouvrez-le dans Word, "
            "retirez la protection et enregistrez-le à nouveau au format .docx.",
            "This Word file is damaged or password-protected; open it in Word, remove the protection and save it again as .docx.",
        ) from exc
    except Exception as exc:  # python-docx raises its own package errors
        raise ExtractionError(
            "Ce fichier n'est pas un document Word .docx lisible ; enregistrez-le à nouveau au format .docx depuis Word ou LibreOffice.",
            "This file is not a readable .docx Word document; save it again as .docx from Word or LibreOffice.",
        ) from exc
    tracker = HeadingTracker()
    blocks: list[Block] = []
    for item in _body_items(document):
        if isinstance(item, Table):
            rows = [" | ".join(_cell_texts(row.cells)) for row in item.rows]
            text = "\n".join(row for row in rows if row.strip(" |"))
            if text:
                blocks.append(Block(text=text, heading_path=tracker.path))
            continue
        text = item.text.strip()
        if not text:
            continue
        level = _heading_level(item)
        if level is not None:
            tracker.heading(text, level)
        elif not tracker.paragraph(text):
            blocks.append(Block(text=text, heading_path=tracker.path))
    return Extracted(blocks=blocks)


def _body_items(document: DocxDocument) -> list[Paragraph | Table]:
    """Paragraphs and tables of the body, in document order."""
    items: list[Paragraph | Table] = []
    body = document.element.body
    for child in body.iterchildren():
        tag = child.tag.rsplit("}", 1)[-1]
        if tag == "p":
            items.append(Paragraph(child, document))
        elif tag == "tbl":
            items.append(Table(child, document))
    return items


def _heading_level(paragraph: Paragraph) -> int | None:
    """The heading level of a paragraph from its style name, or None for body text."""
    name = (paragraph.style.name if paragraph.style is not None else "") or ""
    if name.lower() in ("title", "titre"):
        return 1
    m = _HEADING_STYLE_RE.match(name.strip())
    return int(m.group(1)) if m else None


def _cell_texts(cells: list) -> list[str]:
    """The text of each cell, merged cells once (python-docx repeats them)."""
    texts: list[str] = []
    seen: set[int] = set()
    for cell in cells:
        if id(cell._tc) in seen:
            continue
        seen.add(id(cell._tc))
        texts.append(" ".join(cell.text.split()))
    return texts
