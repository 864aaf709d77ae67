"""Incremental, safe ingest over the versioned index (fake embedder, small generated corpus)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from assistant.engines.embed_hash import HashEmbedder
from assistant.errors import IngestBusyError
from assistant.index.versions import IndexRepository
from ingest.inventory import list_documents, verify
from ingest.lock import IngestLock
from ingest.pipeline import Ingestor

PROCEDURE = """---
title: Procédure de test
kind: procedure
version: "2.1"
status: en_vigueur
effective_date: 2025-01-15
---

# Signalement

Tout dysfonctionnement d'un outil d'IA est signalé dans les 24 heures par la fiche FEI-IA.

## Analyse

La cellule qualité qualifie l'événement sous 72 heures et le présente en CREX.
"""


class CountingFactory:
    """Embedder factory that counts how often a model is created and how much it embeds."""

    def __init__(self) -> None:
        self.created = 0
        self.embedded = 0

    def __call__(self) -> HashEmbedder:
        self.created += 1
        factory = self

        class Counting(HashEmbedder):
            def embed_passages(self, texts: list[str]):  # type: ignore[no-untyped-def]
                factory.embedded += len(texts)
                return super().embed_passages(texts)

        return Counting()


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    root = tmp_path / "corpus"
    (root / "procedures").mkdir(parents=True)
    (root / "procedures" / "signalement.md").write_text(PROCEDURE, encoding="utf-8")
    (root / "note.txt").write_text("Note de service.\n\nLes comptes rendus sont archivés pendant dix ans.\n", encoding="utf-8")
    (root / "charte.md").write_text("# Charte IA\n\nLe comité de pilotage IA se réunit chaque trimestre.\n", encoding="utf-8")
    (root / "charte.md.meta.yaml").write_text("title: Charte IA\nkind: charte\nversion: '1.0'\nstatus: en_vigueur\n", encoding="utf-8")
    (root / "README.md").write_text("# Not a document\n", encoding="utf-8")
    return root


def _chunk_ids(settings, doc_id: str) -> set[str]:  # type: ignore[no-untyped-def]
    version = IndexRepository(settings.index_dir).open_current()
    try:
        return {c.chunk_id for c in version.store.iter_chunks() if c.doc_id == doc_id}
    finally:
        version.close()


def test_sync_indexes_every_supported_file_with_its_metadata(fake_settings, corpus: Path) -> None:
    report = Ingestor(fake_settings, CountingFactory()).sync(corpus)
    assert report.changed and not report.failed
    docs = {d["title"]: d for d in list_documents(fake_settings)}
    assert set(docs) == {"Procédure de test", "Charte IA", "note"} or len(docs) == 3
    proc = next(d for d in docs.values() if d["kind"] == "procedure")
    assert proc["version"] == "2.1" and proc["status"] == "en_vigueur" and proc["chunk_count"] >= 1
    assert next(d for d in docs.values() if d["kind"] == "charte")["version"] == "1.0"
    assert all("README" not in d["source_path"] for d in docs.values())
    assert verify(fake_settings) == ([], [])


def test_resync_of_unchanged_corpus_does_no_embedding_work(fake_settings, corpus: Path) -> None:
    Ingestor(fake_settings, CountingFactory()).sync(corpus)
    before = IndexRepository(fake_settings.index_dir).current_id()
    factory = CountingFactory()
    report = Ingestor(fake_settings, factory).sync(corpus)
    assert factory.created == 0 and factory.embedded == 0
    assert report.unchanged == 3 and not report.changed
    assert IndexRepository(fake_settings.index_dir).current_id() == before


def test_an_index_cut_with_older_chunking_rules_is_cut_again_by_the_next_sync(fake_settings, corpus: Path) -> None:
    import json

    from ingest.inventory import index_is_stale

    Ingestor(fake_settings, CountingFactory()).sync(corpus)
    repo = IndexRepository(fake_settings.index_dir)
    assert not index_is_stale(fake_settings, corpus)
    meta_path = repo.root / repo.current_id() / "meta.json"
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    meta["chunking"]["version"] -= 1  # as an index built by the previous release
    meta_path.write_text(json.dumps(meta), encoding="utf-8")
    assert index_is_stale(fake_settings, corpus)  # `make run` syncs again
    factory = CountingFactory()
    report = Ingestor(fake_settings, factory).sync(corpus)
    assert len(report.updated) == 3 and report.unchanged == 0 and factory.embedded > 0
    assert not index_is_stale(fake_settings, corpus)
    assert Ingestor(fake_settings, CountingFactory()).sync(corpus).unchanged == 3


def test_changed_file_replaces_exactly_its_own_chunks(fake_settings, corpus: Path) -> None:
    Ingestor(fake_settings, CountingFactory()).sync(corpus)
    docs = {Path(d["source_path"]).name: d["doc_id"] for d in list_documents(fake_settings)}
    charte_before = _chunk_ids(fake_settings, docs["charte.md"])
    note_before = _chunk_ids(fake_settings, docs["note.txt"])
    (corpus / "note.txt").write_text("Note de service modifiée.\n\nLes comptes rendus sont archivés vingt ans.\n", encoding="utf-8")
    factory = CountingFactory()
    report = Ingestor(fake_settings, factory).sync(corpus)
    assert report.updated == [docs["note.txt"]] and report.added == [] and report.removed == []
    assert _chunk_ids(fake_settings, docs["charte.md"]) == charte_before
    after = _chunk_ids(fake_settings, docs["note.txt"])
    assert after and after != note_before
    assert factory.embedded == len(after)
    assert verify(fake_settings)[0] == []


def test_editing_a_sidecar_counts_as_a_change(fake_settings, corpus: Path) -> None:
    Ingestor(fake_settings, CountingFactory()).sync(corpus)
    (corpus / "charte.md.meta.yaml").write_text("title: Charte IA\nkind: charte\nversion: '2.0'\nstatus: en_vigueur\n", encoding="utf-8")
    Ingestor(fake_settings, CountingFactory()).sync(corpus)
    assert next(d for d in list_documents(fake_settings) if d["kind"] == "charte")["version"] == "2.0"


def test_removed_file_leaves_the_index(fake_settings, corpus: Path) -> None:
    Ingestor(fake_settings, CountingFactory()).sync(corpus)
    (corpus / "note.txt").unlink()
    report = Ingestor(fake_settings, CountingFactory()).sync(corpus)
    assert len(report.removed) == 1
    assert all(Path(d["source_path"]).name != "note.txt" for d in list_documents(fake_settings))
    version = IndexRepository(fake_settings.index_dir).open_current()
    try:
        assert version.vectors.count() == sum(1 for _ in version.store.iter_chunks())
    finally:
        version.close()


def test_corrupt_and_empty_pdfs_are_reported_by_name_and_the_batch_goes_on(fake_settings, corpus: Path) -> None:
    (corpus / "corrompu.pdf").write_bytes(b"%PDF-1.7\n1 0 obj << /Type /Catalog /Pages 2 0 R >>\nendobj\ntrailer garbage\n%%EOF")
    (corpus / "vide.pdf").write_bytes(b"")
    report = Ingestor(fake_settings, CountingFactory()).sync(corpus)
    failed = {Path(f.path).name: f for f in report.failed}
    assert set(failed) == {"corrompu.pdf", "vide.pdf"}
    assert all(f.reason_fr and f.reason_en for f in failed.values())
    assert len(list_documents(fake_settings)) == 3


def test_a_corrupt_new_version_keeps_the_previous_one_indexed(fake_settings, corpus: Path) -> None:
    pdf = corpus / "rapport.pdf"
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    with open(pdf, "wb") as handle:
        writer.write(handle)
    Ingestor(fake_settings, CountingFactory()).sync(corpus)
    count_before = len(list_documents(fake_settings))
    pdf.write_bytes(b"%PDF-1.4 broken")
    report = Ingestor(fake_settings, CountingFactory()).sync(corpus)
    assert [Path(f.path).name for f in report.failed] == ["rapport.pdf"]
    assert len(list_documents(fake_settings)) == count_before


def test_second_ingest_exits_at_once_while_one_runs(fake_settings, corpus: Path) -> None:
    with IngestLock(fake_settings.home):
        started = time.perf_counter()
        with pytest.raises(IngestBusyError) as caught:
            Ingestor(fake_settings, CountingFactory()).sync(corpus)
        assert time.perf_counter() - started < 2
    assert "autre indexation" in caught.value.message("fr")
    assert "Another ingest" in caught.value.message("en")


def test_remove_command_drops_one_document(fake_settings, corpus: Path) -> None:
    Ingestor(fake_settings, CountingFactory()).sync(corpus)
    doc_id = list_documents(fake_settings)[0]["doc_id"]
    Ingestor(fake_settings, CountingFactory()).remove(doc_id)
    assert doc_id not in {d["doc_id"] for d in list_documents(fake_settings)}


def _cli(args: list[str], home: Path, **kw):  # type: ignore[no-untyped-def]
    env = {**os.environ, "GARANT_HOME": str(home), "GARANT__EMBEDDER__KIND": "hash"}
    return subprocess.Popen([sys.executable, "-m", "ingest", *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, **kw)


@pytest.mark.parametrize("delay", [0.05, 0.3, 0.8, 1.5])
def test_kill_9_during_ingest_leaves_the_previous_index_valid(fake_settings, corpus: Path, delay: float) -> None:
    Ingestor(fake_settings, CountingFactory()).sync(corpus)
    before = sorted((d["doc_id"], d["content_sha256"]) for d in list_documents(fake_settings))
    for index in range(25):
        (corpus / f"extra-{index}.md").write_text(f"# Ajout {index}\n\n" + "Texte du document ajouté. " * 400, encoding="utf-8")
    proc = _cli(["sync", str(corpus)], fake_settings.home)
    time.sleep(delay)
    proc.send_signal(signal.SIGKILL)
    proc.wait(timeout=30)
    problems, _ = verify(fake_settings)
    assert problems == []
    after = sorted((d["doc_id"], d["content_sha256"]) for d in list_documents(fake_settings))
    assert after == before or len(after) == len(before) + 25
    # the next sync finishes the job and cleans the interrupted staging folder
    report = Ingestor(fake_settings, CountingFactory()).sync(corpus)
    assert not report.failed
    assert IndexRepository(fake_settings.index_dir).leftovers() == []
    assert len(list_documents(fake_settings)) == len(before) + 25
