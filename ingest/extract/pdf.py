"""PDF files to blocks with pypdf: one block per page, carrying its 1-based page number.

This module owns opening a PDF leniently (`strict=False`), refusing encrypted PDFs that need a
password, and turning pypdf's many failure modes on broken files into `ExtractionError`.
Cleaning (running headers, hyphenation, wrapped lines) happens later, in `ingest.cleaning`.
"""

from __future__ import annotations

from pathlib import Path

from pypdf import PdfReader

from ingest.document import Block, Extracted
from ingest.extract.errors import ExtractionError

_CORRUPT = (
    "Ce PDF est illisible ou endommagé ; ré-exportez-le depuis le logiciel d'origine puis déposez-le à nouveau.",
    "This PDF is unreadable or damaged; export it again from the original software and upload it again.",
)
_ENCRYPTED = (
    "Ce PDF est protégé par un mot de passe ; enregistrez une copie sans protection puis déposez-la à nouveau.",
    "This PDF is password-protected; save an unprotected copy and upload that instead.",
)


def extract_pdf(path: Path) -> Extracted:
    """Read every page's text; encrypted or unreadable files raise `ExtractionError`."""
    warnings: list[str] = []
    try:
        reader = PdfReader(path, strict=False)
        if reader.is_encrypted and not _decrypt_without_password(reader):
            raise ExtractionError(*_ENCRYPTED)
        pages = list(reader.pages)
    except ExtractionError:
        raise
    except Exception as exc:  # pypdf raises many types on broken files
        raise ExtractionError(*_CORRUPT) from exc
    if not pages:
        raise ExtractionError(*_CORRUPT)
    blocks: list[Block] = []
    for number, page in enumerate(pages, start=1):
        try:
            text = page.extract_text() or ""
        except Exception as exc:  # one broken page should not lose the others
            warnings.append(f"page {number}: text not extracted ({type(exc).__name__})")
            text = ""
        blocks.append(Block(text=text, page=number))
    return Extracted(blocks=blocks, page_count=len(pages), warnings=warnings)


def _decrypt_without_password(reader: PdfReader) -> bool:
    """True if the PDF opens with the empty user password (protected against editing only)."""
    try:
        return bool(reader.decrypt(""))
    except Exception:  # missing crypto backend or unsupported algorithm: treat as locked
        return False
