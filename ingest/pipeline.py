"""Ingest operations over the versioned index: sync a folder, add or remove one document,
rebuild everything. Each operation holds the ingest lock, works on a staging copy and
publishes it atomically, so an interrupted ingest leaves the previous index untouched.

Reading files runs in sandboxed child processes on a background thread while the main
thread embeds, so parsing overlaps with the embedding work that bounds ingest speed.
"""

from __future__ import annotations

import hashlib
import queue
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from assistant.engines.embedder import Embedder
from assistant.errors import GarantError, IndexError_
from assistant.index.store import ChunkRecord, DocumentRecord, IndexStore, embedding_text
from assistant.index.versions import STORE, IndexRepository, Staging, new_version_id
from assistant.retrieval.hybrid import LEXICAL_FILE
from assistant.retrieval.lexical import BM25Index
from assistant.settings import Settings
from ingest.inventory import chunking_rules, cut_with_other_rules
from ingest.lock import IngestLock
from ingest.metadata import read_metadata
from ingest.sandbox import ParseResult, parse_in_sandbox
from ingest.scan import SourceFile, scan_folder, source_file

Progress = Callable[[str, int, int], None]


@dataclass
class FileFailure:
    """A file that could not be ingested, and why."""

    path: str
    reason_fr: str
    reason_en: str


@dataclass
class IngestReport:
    """What an ingest operation did, with its timings."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    failed: list[FileFailure] = field(default_factory=list)
    unsupported: list[str] = field(default_factory=list)
    chunks_embedded: int = 0
    pages: int = 0
    version_id: str | None = None
    seconds_total: float = 0.0
    seconds_embedding: float = 0.0
    seconds_waiting_for_parse: float = 0.0

    @property
    def changed(self) -> bool:
        """Whether a new index version was published."""
        return self.version_id is not None

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly form."""
        return {
            "added": self.added, "updated": self.updated, "removed": self.removed, "unchanged": self.unchanged,
            "failed": [f.__dict__ for f in self.failed], "unsupported": self.unsupported,
            "chunks_embedded": self.chunks_embedded, "pages": self.pages, "version_id": self.version_id,
            "seconds_total": round(self.seconds_total, 3), "seconds_embedding": round(self.seconds_embedding, 3),
            "seconds_waiting_for_parse": round(self.seconds_waiting_for_parse, 3),
        }


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def _chunk_id(doc_id: str, ordinal: int, text_sha: str) -> str:
    return hashlib.sha256(f"{doc_id}\0{ordinal}\0{text_sha}".encode()).hexdigest()[:24]


class Ingestor:
    """Runs ingest operations for one data folder; the embedder is created only when needed."""

    def __init__(self, settings: Settings, embedder_factory: Callable[[], Embedder], progress: Progress | None = None) -> None:
        self.settings = settings
        self.repo = IndexRepository(settings.index_dir)
        self._embedder_factory = embedder_factory
        self._embedder: Embedder | None = None
        self._progress = progress or (lambda stage, done, total: None)

    @property
    def embedder(self) -> Embedder:
        """The embedder, loaded on first use (a no-op sync never loads it)."""
        if self._embedder is None:
            self._embedder = self._embedder_factory()
        return self._embedder

    # --- public operations ---

    def sync(self, folder: Path) -> IngestReport:
        """Make the index match `folder`: add new files, replace changed ones, drop removed ones."""
        started = time.perf_counter()
        if not folder.is_dir():
            raise GarantError(
                f"Dossier introuvable : {folder}. Indiquez le dossier des documents à indexer.",
                f"Folder not found: {folder}. Give the folder of documents to index.",
            )
        with IngestLock(self.settings.home):
            self.repo.cleanup(self.settings.ingest.keep_versions)
            files, unsupported = scan_folder(folder, self.settings.ingest.ignore)
            indexed = self._indexed_documents()
            root = str(folder.resolve())
            by_source = {d.source_path: d for d in indexed}
            rechunk = cut_with_other_rules(self.settings, self.repo)
            todo = [f for f in files if rechunk or by_source.get(f.source_key) is None or by_source[f.source_key].content_sha256 != f.content_sha256]
            present = {f.source_key for f in files}
            gone = [d for d in indexed if (d.source_path.startswith(root + "/")) and d.source_path not in present]
            report = IngestReport(unchanged=len(files) - len(todo), unsupported=[str(p) for p in unsupported])
            if todo or gone:
                self._apply(todo, gone, by_source, report, copy_current=True)
            report.seconds_total = time.perf_counter() - started
            return report

    def add(self, path: Path) -> IngestReport:
        """Ingest (or refresh) one file, wherever it is."""
        if not path.is_file():
            raise GarantError(f"Fichier introuvable : {path}.", f"File not found: {path}.")
        started = time.perf_counter()
        with IngestLock(self.settings.home):
            self.repo.cleanup(self.settings.ingest.keep_versions)
            file = source_file(path, path.parent)
            by_source = {d.source_path: d for d in self._indexed_documents()}
            old = by_source.get(file.source_key)
            report = IngestReport()
            if old is not None and old.content_sha256 == file.content_sha256:
                report.unchanged = 1
            else:
                self._apply([file], [], by_source, report, copy_current=True)
            report.seconds_total = time.perf_counter() - started
            return report

    def remove(self, doc_id: str) -> IngestReport:
        """Take one document out of the index."""
        started = time.perf_counter()
        with IngestLock(self.settings.home):
            doc = next((d for d in self._indexed_documents() if d.doc_id == doc_id), None)
            if doc is None:
                raise GarantError(
                    f"Aucun document « {doc_id} » dans l'index : voyez `garant-ingest list`.",
                    f"No document '{doc_id}' in the index: see `garant-ingest list`.",
                )
            report = IngestReport()
            self._apply([], [doc], {}, report, copy_current=True)
            report.seconds_total = time.perf_counter() - started
            return report

    def rebuild(self, folder: Path) -> IngestReport:
        """Build a new index from scratch from `folder` (e.g. after changing the embedder)."""
        started = time.perf_counter()
        with IngestLock(self.settings.home):
            self.repo.cleanup(self.settings.ingest.keep_versions)
            files, unsupported = scan_folder(folder, self.settings.ingest.ignore)
            report = IngestReport(unsupported=[str(p) for p in unsupported])
            self._apply(files, [], {}, report, copy_current=False)
            report.seconds_total = time.perf_counter() - started
            return report

    # --- internals ---

    def _indexed_documents(self) -> list[DocumentRecord]:
        version_id = self.repo.current_id()
        if version_id is None:
            return []
        self._check_embedder(self.repo.read_meta(version_id))
        store = IndexStore(self.repo.root / version_id / STORE, readonly=True)
        try:
            return store.documents()
        finally:
            store.close()

    def _check_embedder(self, meta: dict[str, Any]) -> None:
        built_with = meta.get("embedder", {})
        if built_with.get("kind") != self.settings.embedder.kind:
            raise IndexError_(
                f"L'index a été construit avec l'embedder « {built_with.get('kind')} » et la configuration demande « {self.settings.embedder.kind} » : lancez `garant-ingest rebuild`.",
                f"The index was built with embedder '{built_with.get('kind')}' but the settings ask for '{self.settings.embedder.kind}': run `garant-ingest rebuild`.",
            )

    def _apply(self, todo: list[SourceFile], gone: list[DocumentRecord], by_source: dict[str, DocumentRecord], report: IngestReport, copy_current: bool) -> None:
        # start reading files first: the model load and the staging copy overlap with it
        parsed = self._parsed(todo, report)
        if todo:
            _ = self.embedder
        staging = self.repo.stage(copy_current=copy_current)
        try:
            history: list[dict[str, Any]] = []
            for doc in gone:
                staging.store.delete_document(doc.doc_id)
                staging.vectors.delete_document(doc.doc_id)
                report.removed.append(doc.doc_id)
                history.append({"doc_id": doc.doc_id, "version": doc.version, "content_sha256": doc.content_sha256, "action": "removed"})
            taken_ids = {d.doc_id: d.source_path for d in by_source.values()} if copy_current else {}
            for file, result in parsed:
                if not result.ok:
                    report.failed.append(FileFailure(str(file.path), result.reason_fr, result.reason_en))
                    continue
                old = by_source.get(file.source_key)
                event = self._store_document(staging, file, result, old, taken_ids, report)
                history.append(event)
            if not history:
                self.repo.discard(staging)
                return
            stamp = _now()
            self._build_lexical(staging)
            meta = self._meta(staging)
            # The history names its version before publication: a published version is never written again.
            version_id = new_version_id()
            staging.store.record_history([{**h, "at": stamp, "index_version": version_id} for h in history])
            self.repo.publish(staging, meta, version_id)
            report.version_id = version_id
            self.repo.cleanup(self.settings.ingest.keep_versions)
        except BaseException:
            self.repo.discard(staging)
            raise

    def _build_lexical(self, staging: Staging) -> None:
        """Build the BM25 index of the whole version once, at ingest time, beside its vectors."""
        docs = {d.doc_id: d for d in staging.store.documents()}
        items = [
            (c.chunk_id, embedding_text(docs[c.doc_id].title, c.heading_path, c.text), docs[c.doc_id].lang)
            for c in staging.store.iter_chunks()
        ]
        BM25Index(items).save(staging.folder / LEXICAL_FILE)

    def _parsed(self, files: list[SourceFile], report: IngestReport) -> Iterator[tuple[SourceFile, ParseResult]]:
        """Start parsing files on a background thread (one sandboxed child each) now; the
        returned iterator yields the results in order."""
        cfg = self.settings.ingest
        results: queue.Queue[tuple[SourceFile, ParseResult] | None] = queue.Queue(maxsize=4)

        def work() -> None:
            for file in files:
                if file.size_bytes > cfg.max_file_mb * 1024 * 1024:
                    parsed = ParseResult(
                        path=file.path, ok=False,
                        reason_fr=f"fichier trop volumineux ({file.size_bytes // 1_048_576} Mo > {cfg.max_file_mb} Mo) : découpez-le ou augmentez ingest.max_file_mb.",
                        reason_en=f"file too large ({file.size_bytes // 1_048_576} MB > {cfg.max_file_mb} MB): split it or raise ingest.max_file_mb.",
                    )
                elif file.size_bytes == 0:
                    parsed = ParseResult(path=file.path, ok=False, reason_fr="fichier vide : remplacez-le par le bon document.", reason_en="empty file: replace it with the right document.")
                else:
                    parsed = parse_in_sandbox(file.path, cfg.chunk_max_chars, cfg.chunk_overlap_chars, cfg.parse_timeout_s, cfg.parse_memory_mb)
                results.put((file, parsed))
            results.put(None)

        # the smallest file first (embedding starts at once), then the largest ones, so the
        # parser stays ahead of the embedder instead of making it wait for a big PDF late on
        files = sorted(files, key=lambda f: -f.size_bytes)
        if len(files) > 1:
            files.insert(0, files.pop())
        thread = threading.Thread(target=work, name="garant-parse", daemon=True)
        thread.start()
        return self._drain(results, thread, len(files), report)

    def _drain(self, results: queue.Queue[tuple[SourceFile, ParseResult] | None], thread: threading.Thread, total: int, report: IngestReport) -> Iterator[tuple[SourceFile, ParseResult]]:
        done = 0
        while True:
            waited = time.perf_counter()
            item = results.get()
            report.seconds_waiting_for_parse += time.perf_counter() - waited
            if item is None:
                break
            done += 1
            self._progress("files", done, total)
            yield item
        thread.join()

    def _store_document(self, staging: Staging, file: SourceFile, parsed: ParseResult, old: DocumentRecord | None, taken_ids: dict[str, str], report: IngestReport) -> dict[str, Any]:
        meta = read_metadata(file.path, parsed.front_matter, file.root)
        doc_id = meta.doc_id
        if old is not None:
            doc_id = old.doc_id
        elif doc_id in taken_ids and taken_ids[doc_id] != file.source_key:
            doc_id = f"{doc_id}-{hashlib.sha256(file.source_key.encode()).hexdigest()[:6]}"
        taken_ids[doc_id] = file.source_key
        chunks = [c for c in parsed.chunks if c.text.strip()]
        vectors = self._embed([embedding_text(meta.title, c.heading_path, c.text) for c in chunks], report)
        records = []
        for ordinal, (draft, vector) in enumerate(zip(chunks, vectors, strict=True)):
            text_sha = hashlib.sha256(draft.text.encode()).hexdigest()
            records.append(ChunkRecord(
                chunk_id=_chunk_id(doc_id, ordinal, text_sha), doc_id=doc_id, ordinal=ordinal, text=draft.text,
                pages=draft.pages, heading_path=draft.heading_path, char_start=draft.char_start,
                char_end=draft.char_end, content_sha256=text_sha, embedding=vector,
            ))
        doc = DocumentRecord(
            doc_id=doc_id, title=meta.title, kind=meta.kind, version=str(meta.version),
            effective_date=meta.effective_date, status=meta.status, owner=meta.owner, lang=meta.lang,
            source_path=file.source_key, content_sha256=file.content_sha256, size_bytes=file.size_bytes,
            page_count=parsed.page_count, chunk_count=len(records), ingested_at=_now(),
            rel_path=file.path.relative_to(file.root).as_posix(),
        )
        if old is not None:
            staging.store.delete_document(old.doc_id)
            staging.vectors.delete_document(old.doc_id)
        staging.store.put_document(doc, records)
        if records:
            staging.vectors.add(
                [r.chunk_id for r in records],
                np.stack([r.embedding for r in records]),
                [{"doc_id": doc_id, "kind": doc.kind, "status": doc.status, "lang": doc.lang or ""} for r in records],
            )
        report.pages += parsed.page_count or 0
        (report.updated if old is not None else report.added).append(doc_id)
        return {"doc_id": doc_id, "version": doc.version, "content_sha256": doc.content_sha256, "action": "updated" if old else "added"}

    def _embed(self, texts: list[str], report: IngestReport) -> np.ndarray:
        if not texts:
            return np.zeros((0, 1), dtype=np.float32)
        started = time.perf_counter()
        batch = self.settings.ingest.embed_batch
        parts = [self.embedder.embed_passages(texts[i : i + batch]) for i in range(0, len(texts), batch)]
        report.seconds_embedding += time.perf_counter() - started
        report.chunks_embedded += len(texts)
        return np.concatenate(parts)

    def _meta(self, staging: Staging) -> dict[str, Any]:
        docs = staging.store.documents()
        corpus_hash = hashlib.sha256("".join(f"{d.doc_id}:{d.content_sha256};" for d in docs).encode()).hexdigest()[:16]
        embedder_info = self._embedder.info.as_dict() if self._embedder else staging.parent_meta.get("embedder", {})
        return {
            "embedder": {**embedder_info, "kind": self.settings.embedder.kind},
            "chunking": chunking_rules(self.settings),
            "documents": len(docs),
            "chunks": sum(d.chunk_count for d in docs),
            "corpus_sha256": corpus_hash,
        }
