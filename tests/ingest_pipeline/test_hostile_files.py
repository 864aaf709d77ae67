"""Hostile files are reported by name within a time and memory bound, and the batch goes on."""

from __future__ import annotations

import time
import zlib
from pathlib import Path

from assistant.engines.embed_hash import HashEmbedder
from ingest.inventory import list_documents
from ingest.pipeline import Ingestor


def _pdf_with_stream(data: bytes, filters: str = "/FlateDecode") -> bytes:
    """A one-page PDF whose content stream is `data` (already encoded)."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << >> >>",
        b"<< /Length " + str(len(data)).encode() + b" /Filter " + filters.encode() + b" >>\nstream\n" + data + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer << /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def _circular_xref_pdf() -> bytes:
    """Pages tree that points back at itself, and a trailer /Prev that loops."""
    return (
        b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
        b"2 0 obj << /Type /Pages /Kids [2 0 R] /Count 1 >> endobj\n"
        b"xref\n0 3\n0000000000 65535 f \n0000000009 00000 n \n0000000058 00000 n \n"
        b"trailer << /Size 3 /Root 1 0 R /Prev 116 >>\nstartxref\n116\n%%EOF\n"
    )


def test_bomb_circular_and_broken_pdfs_are_bounded_reported_and_skipped(fake_settings, tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "bon.md").write_text("# Procédure\n\nLe comité se réunit chaque trimestre.\n", encoding="utf-8")
    # 150 MB of text operators compressed into a few hundred kB: a decompression bomb
    bomb = zlib.compress(b"BT (A) Tj ET\n" * (150_000_000 // 13), 9)
    (corpus / "bombe.pdf").write_bytes(_pdf_with_stream(bomb))
    (corpus / "circulaire.pdf").write_bytes(_circular_xref_pdf())
    (corpus / "flux-casse.pdf").write_bytes(_pdf_with_stream(b"\x78\x9c not zlib at all", "/FlateDecode"))
    (corpus / "page.html").write_text("<html><script>alert(1)</script><h1>Note</h1><p>Texte de la note.</p></html>", encoding="utf-8")
    fake_settings.ingest.parse_timeout_s = 10
    fake_settings.ingest.parse_memory_mb = 768
    started = time.perf_counter()
    report = Ingestor(fake_settings, HashEmbedder).sync(corpus)
    elapsed = time.perf_counter() - started
    assert elapsed < 4 * 10, "each file is bounded by the parse timeout"
    failed = {Path(f.path).name: f.reason_fr for f in report.failed}
    indexed = {Path(d["source_path"]).name for d in list_documents(fake_settings)}
    assert {"bon.md", "page.html"} <= indexed
    # every hostile PDF is either rejected with a reason or indexed with no harm; none is lost silently
    for name in ("bombe.pdf", "circulaire.pdf", "flux-casse.pdf"):
        assert name in failed or name in indexed
        if name in failed:
            assert failed[name]
    assert "circulaire.pdf" in failed and "flux-casse.pdf" in failed
    html_doc = next(d for d in list_documents(fake_settings) if d["source_path"].endswith("page.html"))
    assert html_doc["chunk_count"] >= 1
