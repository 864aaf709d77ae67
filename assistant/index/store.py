"""The inventory of one index version: documents, chunks (text, location, embedding) and
the ingest history, in one SQLite file beside the version's vectors.

Readers open it read-only; only ingest writes, and only into an unpublished staging copy.
A read that SQLite cannot do (file damaged, replaced, unreadable) raises IndexError_ with a
message saying what to do, never a bare sqlite3 error.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from assistant.errors import IndexError_

SCHEMA = """
CREATE TABLE IF NOT EXISTS documents (
    doc_id TEXT PRIMARY KEY,
    title TEXT NOT NULL,
    kind TEXT NOT NULL,
    version TEXT NOT NULL,
    effective_date TEXT,
    status TEXT NOT NULL,
    owner TEXT,
    lang TEXT,
    source_path TEXT NOT NULL,
    content_sha256 TEXT NOT NULL,
    size_bytes INTEGER NOT NULL,
    page_count INTEGER,
    chunk_count INTEGER NOT NULL,
    ingested_at TEXT NOT NULL,
    rel_path TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS chunks (
    chunk_id TEXT PRIMARY KEY,
    doc_id TEXT NOT NULL REFERENCES documents(doc_id),
    ordinal INTEGER NOT NULL,
    text TEXT NOT NULL,
    pages TEXT NOT NULL,
    heading_path TEXT NOT NULL,
    char_start INTEGER NOT NULL,
    char_end INTEGER NOT NULL,
    content_sha256 TEXT NOT NULL,
    embedding BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS chunks_doc ON chunks(doc_id, ordinal);
CREATE TABLE IF NOT EXISTS history (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    doc_id TEXT NOT NULL,
    version TEXT,
    content_sha256 TEXT,
    action TEXT NOT NULL,
    at TEXT NOT NULL,
    index_version TEXT NOT NULL
);
"""


def embedding_text(title: str, heading_path: list[str], text: str) -> str:
    """What is embedded and indexed for a chunk: its document title and headings, then its
    text (headings live outside the chunk text, but they say what the passage is about)."""
    short_title = title if len(title) <= 80 else title[:77].rstrip() + "…"
    where = " › ".join([short_title, *heading_path])
    return f"{where}\n{text}"


@dataclass
class DocumentRecord:
    """One indexed document and its metadata."""

    doc_id: str
    title: str
    kind: str
    version: str
    effective_date: str | None
    status: str
    owner: str | None
    lang: str | None
    source_path: str
    content_sha256: str
    size_bytes: int
    page_count: int | None
    chunk_count: int
    ingested_at: str
    rel_path: str = ""

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly form."""
        return asdict(self)


@dataclass
class ChunkRecord:
    """One passage with where it comes from."""

    chunk_id: str
    doc_id: str
    ordinal: int
    text: str
    pages: list[int]
    heading_path: list[str]
    char_start: int
    char_end: int
    content_sha256: str
    embedding: np.ndarray | None = field(default=None, repr=False)


class IndexStore:
    """SQLite inventory of one index version."""

    def __init__(self, path: Path, readonly: bool = True) -> None:
        self.path = path
        if readonly:
            self._db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        else:
            self._db = sqlite3.connect(path, check_same_thread=False)
            self._db.executescript(SCHEMA)
        self._db.row_factory = sqlite3.Row

    def close(self) -> None:
        """Close the database."""
        self._db.close()

    @contextmanager
    def _reading(self) -> Iterator[None]:
        """Turn SQLite's failures while reading into one clear IndexError_."""
        try:
            yield
        except sqlite3.Error as exc:
            raise IndexError_(
                f"L'index est illisible ou endommagé ({self.path} : {exc}) : relancez `garant-ingest rebuild` ou restaurez le dossier de l'index.",
                f"The index is unreadable or damaged ({self.path}: {exc}): run `garant-ingest rebuild` or restore the index folder.",
            ) from exc

    # --- writes (staging copies only) ---

    def put_document(self, doc: DocumentRecord, chunks: list[ChunkRecord]) -> None:
        """Insert a document and its chunks (the caller removed any older version first)."""
        with self._db:
            self._db.execute(
                "INSERT INTO documents VALUES (:doc_id,:title,:kind,:version,:effective_date,:status,:owner,:lang,"
                ":source_path,:content_sha256,:size_bytes,:page_count,:chunk_count,:ingested_at,:rel_path)",
                doc.as_dict(),
            )
            self._db.executemany(
                "INSERT INTO chunks VALUES (?,?,?,?,?,?,?,?,?,?)",
                [
                    (
                        c.chunk_id, c.doc_id, c.ordinal, c.text, json.dumps(c.pages),
                        json.dumps(c.heading_path, ensure_ascii=False), c.char_start, c.char_end,
                        c.content_sha256, np.asarray(c.embedding, dtype=np.float32).tobytes(),
                    )
                    for c in chunks
                ],
            )

    def delete_document(self, doc_id: str) -> None:
        """Remove a document and all its chunks."""
        with self._db:
            self._db.execute("DELETE FROM chunks WHERE doc_id = ?", (doc_id,))
            self._db.execute("DELETE FROM documents WHERE doc_id = ?", (doc_id,))

    def record_history(self, rows: list[dict[str, Any]]) -> None:
        """Append ingest events (added, updated, removed) to the manifest history."""
        with self._db:
            self._db.executemany(
                "INSERT INTO history (doc_id, version, content_sha256, action, at, index_version) "
                "VALUES (:doc_id, :version, :content_sha256, :action, :at, :index_version)",
                rows,
            )

    def flush(self) -> None:
        """Make sure everything is on disk (checkpoint, then close-safe)."""
        self._db.commit()

    # --- reads ---

    def documents(self) -> list[DocumentRecord]:
        """Every document, by id."""
        with self._reading():
            rows = self._db.execute("SELECT * FROM documents ORDER BY doc_id").fetchall()
        return [DocumentRecord(**dict(r)) for r in rows]

    def document(self, doc_id: str) -> DocumentRecord | None:
        """One document or None."""
        with self._reading():
            row = self._db.execute("SELECT * FROM documents WHERE doc_id = ?", (doc_id,)).fetchone()
        return DocumentRecord(**dict(row)) if row else None

    def _chunk(self, row: sqlite3.Row, with_embedding: bool) -> ChunkRecord:
        return ChunkRecord(
            chunk_id=row["chunk_id"], doc_id=row["doc_id"], ordinal=row["ordinal"], text=row["text"],
            pages=json.loads(row["pages"]), heading_path=json.loads(row["heading_path"]),
            char_start=row["char_start"], char_end=row["char_end"], content_sha256=row["content_sha256"],
            embedding=np.frombuffer(row["embedding"], dtype=np.float32) if with_embedding else None,
        )

    def iter_chunks(self, with_embedding: bool = False) -> Iterator[ChunkRecord]:
        """Every chunk in document order."""
        cols = "*" if with_embedding else "chunk_id, doc_id, ordinal, text, pages, heading_path, char_start, char_end, content_sha256, x'' AS embedding"
        with self._reading():
            for row in self._db.execute(f"SELECT {cols} FROM chunks ORDER BY doc_id, ordinal"):
                yield self._chunk(row, with_embedding)

    def chunks_by_id(self, ids: list[str]) -> dict[str, ChunkRecord]:
        """Chunks for the given ids (missing ids are absent from the result)."""
        out: dict[str, ChunkRecord] = {}
        with self._reading():
            for start in range(0, len(ids), 500):
                part = ids[start : start + 500]
                marks = ",".join("?" * len(part))
                for row in self._db.execute(f"SELECT * FROM chunks WHERE chunk_id IN ({marks})", part):
                    out[row["chunk_id"]] = self._chunk(row, False)
        return out

    def embeddings_for(self, ids: list[str]) -> dict[str, np.ndarray]:
        """Stored vectors of the given chunks."""
        marks = ",".join("?" * len(ids))
        with self._reading():
            rows = self._db.execute(f"SELECT chunk_id, embedding FROM chunks WHERE chunk_id IN ({marks})", ids).fetchall() if ids else []
        return {r[0]: np.frombuffer(r[1], dtype=np.float32) for r in rows}

    def chunk_counts(self) -> dict[str, int]:
        """Chunks actually stored per document."""
        with self._reading():
            return {r[0]: r[1] for r in self._db.execute("SELECT doc_id, COUNT(*) FROM chunks GROUP BY doc_id")}

    def history(self, limit: int = 200) -> list[dict[str, Any]]:
        """Most recent ingest events first."""
        with self._reading():
            rows = self._db.execute("SELECT * FROM history ORDER BY id DESC LIMIT ?", (limit,)).fetchall()
        return [dict(r) for r in rows]

    def readable(self) -> bool:
        """Whether the file can still be read (a cheap query, for health checks)."""
        try:
            self._db.execute("SELECT 1 FROM documents LIMIT 1").fetchall()
        except sqlite3.Error:
            return False
        return True

    def integrity_ok(self) -> bool:
        """SQLite's own integrity check."""
        with self._reading():
            return self._db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
