"""Small corpora written for a test: one Markdown file a document, its metadata in the header
(importable from every test: `pythonpath` in pyproject.toml)."""

from __future__ import annotations

from pathlib import Path


def write_documents(corpus: Path, documents: list[tuple[str, str, str, str, str]]) -> Path:
    """Write `(file name, title, lang, kind, body)` documents in force, version "1", into `corpus`
    (created); returns it."""
    corpus.mkdir(parents=True, exist_ok=True)
    for name, title, lang, kind, body in documents:
        (corpus / name).write_text(f"---\ntitle: \"{title}\"\nkind: {kind}\nversion: \"1\"\nstatus: en_vigueur\nlang: {lang}\n---\n\n# Texte\n\n{body}\n",
                                   encoding="utf-8")
    return corpus
