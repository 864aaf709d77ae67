"""Turn one source file into raw blocks: the entry point `extract_file` and its dispatch.

This package owns reading files, one module per format (pdf, markdown, text, docx, html), and
the failures of reading (`ingest.extract.errors.ExtractionError`). It does not clean or chunk:
see `ingest.cleaning` and `ingest.chunking`.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from pathlib import Path

from ingest.document import Extracted
from ingest.extract.errors import ExtractionError

__all__ = ["SUPPORTED_SUFFIXES", "ExtractionError", "extract_file"]

# suffix -> (module, function); modules are imported on first use so .txt needs no pypdf.
_EXTRACTORS: dict[str, tuple[str, str]] = {
    ".pdf": ("ingest.extract.pdf", "extract_pdf"),
    ".md": ("ingest.extract.markdown", "extract_markdown"),
    ".markdown": ("ingest.extract.markdown", "extract_markdown"),
    ".txt": ("ingest.extract.text", "extract_text"),
    ".docx": ("ingest.extract.docx", "extract_docx"),
    ".html": ("ingest.extract.html", "extract_html"),
    ".htm": ("ingest.extract.html", "extract_html"),
}
SUPPORTED_SUFFIXES: tuple[str, ...] = tuple(_EXTRACTORS)


def extract_file(path: Path) -> Extracted:
    """Extract the blocks of `path` according to its suffix.

    Raises ExtractionError (reason in French and English) for an unsupported type, a missing,
    empty, encrypted or corrupt file, or a file without any text.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if suffix not in _EXTRACTORS:
        accepted = ", ".join(SUPPORTED_SUFFIXES)
        raise ExtractionError(
            f"Le type de fichier « {suffix or 'sans extension'} » n'est pas pris en charge ; "
            f"convertissez-le dans l'un de ces formats : {accepted}.",
            f"The file type '{suffix or 'no extension'}' is not supported; convert it to one of: {accepted}.",
        )
    if not path.is_file():
        raise ExtractionError(
            f"Le fichier {path.name} est introuvable ; vérifiez son emplacement.",
            f"The file {path.name} was not found; check where it is.",
        )
    if path.stat().st_size == 0:
        raise ExtractionError(
            f"Le fichier {path.name} est vide ; déposez une version qui contient le document.",
            f"The file {path.name} is empty; upload a version that contains the document.",
        )
    extracted = _extractor(suffix)(path)
    if not any(block.text.strip() for block in extracted.blocks):
        raise ExtractionError(
            f"Aucun texte n'a pu être lu dans {path.name} (document scanné ?) ; "
            "fournissez une version texte ou passez-le d'abord dans un logiciel de reconnaissance "
            "de caractères (OCR).",
            f"No text could be read from {path.name} (a scanned document?); provide a text "
            "version or run it through character recognition (OCR) first.",
        )
    return extracted


def _extractor(suffix: str) -> Callable[[Path], Extracted]:
    """The extraction function for a supported suffix."""
    module_name, function_name = _EXTRACTORS[suffix]
    return getattr(importlib.import_module(module_name), function_name)  # type: ignore[no-any-return]
