"""Tests for ingest.metadata: front matter, sidecar, defaults, validation, ids."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.document import Block
from ingest.metadata import MetadataError, guess_language, read_metadata, slug_for


def test_front_matter_fields_win_over_sidecar(tmp_path: Path) -> None:
    path = tmp_path / "charte.md"
    path.write_text("# Charte\n", encoding="utf-8")
    (tmp_path / "charte.md.meta.yaml").write_text("title: Ancien\nversion: 2\nowner: DSI\n", encoding="utf-8")
    meta = read_metadata(path, {"title": "Charte IA", "kind": "charte", "effective_date": "2024-09-01"}, tmp_path)
    assert (meta.title, meta.kind, meta.version, meta.owner) == ("Charte IA", "charte", "2", "DSI")
    assert meta.effective_date == "2024-09-01"


def test_sidecar_yaml_date_becomes_iso_string(tmp_path: Path) -> None:
    path = tmp_path / "proc.pdf"
    path.write_bytes(b"%PDF")
    (tmp_path / "proc.pdf.meta.yaml").write_text("kind: procedure\neffective_date: 2023-01-15\nstatus: archive\n", encoding="utf-8")
    meta = read_metadata(path, {}, tmp_path)
    assert (meta.kind, meta.effective_date, meta.status) == ("procedure", "2023-01-15", "archive")


def test_defaults_title_from_first_heading_and_language_guess(tmp_path: Path) -> None:
    path = tmp_path / "Sous Dossier" / "note_interne.txt"
    path.parent.mkdir()
    path.write_text("x", encoding="utf-8")
    blocks = [
        Block(
            "The provider shall ensure that the system is safe and that the data is",
            heading_path=["Policy"],
        )
    ]
    meta = read_metadata(path, {}, tmp_path, blocks)
    assert meta.doc_id == "sous-dossier-note-interne-txt"
    assert (meta.title, meta.kind, meta.version, meta.status, meta.lang) == (
        "Policy",
        "document",
        "1",
        "en_vigueur",
        "en",
    )
    assert read_metadata(path, {}, tmp_path).title == "note interne"


def test_unknown_kind_or_status_is_refused_in_both_languages(tmp_path: Path) -> None:
    path = tmp_path / "a.md"
    path.write_text("x", encoding="utf-8")
    with pytest.raises(MetadataError) as info:
        read_metadata(path, {"kind": "roman"}, tmp_path)
    assert "roman" in info.value.reason_fr and "unknown document kind" in info.value.reason_en
    with pytest.raises(MetadataError):
        read_metadata(path, {"status": "brouillon"}, tmp_path)
    with pytest.raises(MetadataError):
        read_metadata(path, {"effective_date": "12/07/2024"}, tmp_path)


def test_slug_is_accent_free_and_needs_the_corpus_root(tmp_path: Path) -> None:
    assert slug_for(tmp_path / "Réglementation" / "AI Act.pdf", tmp_path) == "reglementation-ai-act-pdf"
    with pytest.raises(MetadataError):
        slug_for(Path("/elsewhere/x.pdf"), tmp_path)


def test_language_guess_french_by_default() -> None:
    assert guess_language("Le système est mis en service pour les patients de la clinique.") == "fr"
    assert guess_language("") == "fr"
