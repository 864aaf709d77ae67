"""Tests for ingest.extract: dispatch, per-format extraction, page numbers, refusals."""

from __future__ import annotations

import io
from pathlib import Path

import docx
import pytest
from pypdf import PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject

from ingest.extract import extract_file
from ingest.extract.errors import ExtractionError
from ingest.extract.pages import assign_pages


def _pdf_with_pages(texts: list[str]) -> bytes:
    """A minimal valid PDF whose page i shows texts[i] (Helvetica, one line)."""
    writer = PdfWriter()
    for text in texts:
        page = writer.add_blank_page(width=595, height=842)
        font = DictionaryObject(
            {
                NameObject("/Type"): NameObject("/Font"),
                NameObject("/Subtype"): NameObject("/Type1"),
                NameObject("/BaseFont"): NameObject("/Helvetica"),
            }
        )
        page[NameObject("/Resources")] = DictionaryObject(
            {NameObject("/Font"): DictionaryObject({NameObject("/F1"): writer._add_object(font)})}
        )
        stream = DecodedStreamObject()
        stream.set_data(f"BT /F1 12 Tf 72 720 Td ({text}) Tj ET".encode("latin-1"))
        page[NameObject("/Contents")] = writer._add_object(stream)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()


def test_pdf_gives_one_block_per_page_with_its_number(tmp_path: Path) -> None:
    path = tmp_path / "two.pdf"
    path.write_bytes(_pdf_with_pages(["Premiere page", "Seconde page"]))
    extracted = extract_file(path)
    assert extracted.page_count == 2
    assert [b.page for b in extracted.blocks] == [1, 2]
    assert "Seconde" in extracted.blocks[1].text


def test_encrypted_pdf_raises_extraction_error_with_reasons(tmp_path: Path) -> None:
    writer = PdfWriter(clone_from=io.BytesIO(_pdf_with_pages(["secret"])))
    writer.encrypt(user_password="motdepasse", algorithm="RC4-128")
    path = tmp_path / "locked.pdf"
    with path.open("wb") as handle:
        writer.write(handle)
    with pytest.raises(ExtractionError) as info:
        extract_file(path)
    assert "mot de passe" in info.value.reason_fr
    assert "password" in info.value.reason_en


def test_corrupt_pdf_raises_extraction_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.pdf"
    path.write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 9 0 R >>\n garbage \x00\xff")
    with pytest.raises(ExtractionError) as info:
        extract_file(path)
    assert "endommagé" in info.value.reason_fr and "damaged" in info.value.reason_en


def test_empty_file_raises_extraction_error(tmp_path: Path) -> None:
    path = tmp_path / "vide.pdf"
    path.write_bytes(b"")
    with pytest.raises(ExtractionError) as info:
        extract_file(path)
    assert "vide" in info.value.reason_fr and "empty" in info.value.reason_en


def test_pdf_without_text_layer_raises_extraction_error(tmp_path: Path) -> None:
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    path = tmp_path / "scan.pdf"
    with path.open("wb") as handle:
        writer.write(handle)
    with pytest.raises(ExtractionError) as info:
        extract_file(path)
    assert "OCR" in info.value.reason_en


def test_unsupported_suffix_raises_extraction_error(tmp_path: Path) -> None:
    path = tmp_path / "tableau.xlsx"
    path.write_bytes(b"PK")
    with pytest.raises(ExtractionError) as info:
        extract_file(path)
    assert ".xlsx" in info.value.reason_fr and ".pdf" in info.value.reason_en


def test_markdown_front_matter_and_heading_paths(tmp_path: Path) -> None:
    path = tmp_path / "charte.md"
    path.write_text(
        "---\ntitle: Charte IA\nkind: charte\n---\n# Charte\n\nIntro.\n\n## Article 3\n\n"
        "## Confidentialité\n\nLes données restent dans l'établissement.\n",
        encoding="utf-8",
    )
    extracted = extract_file(path)
    assert extracted.front_matter == {"title": "Charte IA", "kind": "charte"}
    last = extracted.blocks[-1]
    assert last.heading_path == ["Charte", "Article 3 — Confidentialité"]
    assert last.text == "Les données restent dans l'établissement."


def test_markdown_code_fence_keeps_hash_lines_as_text(tmp_path: Path) -> None:
    path = tmp_path / "doc.md"
    path.write_text("# Titre\n\n```\n# pas un titre\n```\n", encoding="utf-8")
    blocks = extract_file(path).blocks
    assert blocks[0].heading_path == ["Titre"]
    assert "# pas un titre" in blocks[0].text


def test_docx_heading_styles_give_heading_paths(tmp_path: Path) -> None:
    document = docx.Document()
    document.add_heading("Procédure d'utilisation", level=1)
    document.add_heading("Article 2", level=2)
    document.add_heading("Garantie humaine", level=2)
    document.add_paragraph("Un médecin valide chaque résultat.")
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "Rôle"
    table.rows[0].cells[1].text = "Médecin"
    path = tmp_path / "procedure.docx"
    document.save(str(path))
    blocks = extract_file(path).blocks
    assert blocks[0].heading_path == ["Procédure d'utilisation", "Article 2 — Garantie humaine"]
    assert blocks[0].text == "Un médecin valide chaque résultat."
    assert blocks[1].text == "Rôle | Médecin"


def test_corrupt_docx_raises_extraction_error(tmp_path: Path) -> None:
    path = tmp_path / "casse.docx"
    path.write_bytes(b"not a zip file at all")
    with pytest.raises(ExtractionError):
        extract_file(path)


def test_html_drops_scripts_and_navigation_and_keeps_headings(tmp_path: Path) -> None:
    path = tmp_path / "page.html"
    path.write_text(
        "<html><head><title>Note</title><script>alert('x')</script><style>p{}</style></head>"
        "<body><nav><a href='/'>Accueil</a></nav><h1>Note interne</h1><h2>Usage</h2>"
        "<p>Texte utile.</p><ul><li>Point un</li></ul></body></html>",
        encoding="utf-8",
    )
    extracted = extract_file(path)
    texts = [b.text for b in extracted.blocks]
    assert texts == ["Texte utile.", "Point un"]
    assert extracted.blocks[0].heading_path == ["Note interne", "Usage"]
    assert extracted.front_matter["title"] == "Note"
    assert not any("alert" in t or "Accueil" in t for t in texts)


def test_text_form_feeds_are_pages(tmp_path: Path) -> None:
    path = tmp_path / "export.txt"
    path.write_text("Page un.\fPage deux.\n\nSuite.", encoding="utf-8")
    extracted = extract_file(path)
    assert [(b.page, b.text) for b in extracted.blocks] == [
        (1, "Page un."),
        (2, "Page deux."),
        (2, "Suite."),
    ]


def test_closing_footer_n_of_m_closes_page_n() -> None:
    lines = [
        "a",
        "ELI: http://x/oj    1/3",
        "b",
        "2/3    ELI: http://x/oj",
        "c",
        "ELI: http://x/oj  3/3",
    ]
    paged, count = assign_pages(lines)
    assert paged == [(1, "a"), (2, "b"), (3, "c")]
    assert count == 3


def test_cnil_page_markers_give_pages_not_headings(shared_source) -> None:  # type: ignore[no-untyped-def]
    extracted = extract_file(shared_source("cnil-guide-securite-donnees-personnelles-2024.md"))
    assert extracted.page_count == 64
    assert all(not b.heading_path for b in extracted.blocks)
    fiche_1 = next(b for b in extracted.blocks if "FICHE 1 - PILOTER" in b.text)
    assert fiche_1.page == 5
    assert not any("guide_securite__" in b.text or "--- Page" in b.text for b in extracted.blocks)


def test_french_ai_act_article_14_is_on_page_60(shared_source) -> None:  # type: ignore[no-untyped-def]
    extracted = extract_file(shared_source("eu-ai-act-2024-1689-fr.md"))
    assert extracted.page_count == 144
    block = next(b for b in extracted.blocks if b.heading_path and b.heading_path[-1].startswith("Article 14 "))
    assert block.page == 60
