"""The schema of the governance log: an ordered list of small migration functions, each
applied once and recorded by name in the `_migrations` table (after simonw/llm).

Append new migrations at the end; never edit or reorder one that has shipped.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from assistant.governance.chain import chain_existing

Migration = Callable[[sqlite3.Connection], None]
MIGRATIONS: list[Migration] = []

REVIEW_DECISIONS = ("validé", "corrigé", "rejeté")
FEEDBACK_CATEGORIES = ("incorrect", "source_erronee", "incomplet", "autre")


def migration(fn: Migration) -> Migration:
    """Register `fn` as the next migration (its name is what `_migrations` records)."""
    MIGRATIONS.append(fn)
    return fn


def connect(path: Path, busy_timeout_s: float = 5.0) -> sqlite3.Connection:
    """Open (creating if needed) the log in WAL mode, with foreign keys on and explicit transactions."""
    path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(path, timeout=busy_timeout_s, isolation_level=None, check_same_thread=False)
    db.row_factory = sqlite3.Row
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA foreign_keys=ON")
    db.execute("PRAGMA synchronous=NORMAL")
    return db


@contextmanager
def transaction(db: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """BEGIN IMMEDIATE … COMMIT, rolled back on any error (the connection is in autocommit mode)."""
    db.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def applied(db: sqlite3.Connection) -> list[str]:
    """Names of the migrations already applied, in order."""
    db.execute("CREATE TABLE IF NOT EXISTS _migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
    return [row[0] for row in db.execute("SELECT name FROM _migrations ORDER BY rowid")]


def migrate(db: sqlite3.Connection) -> list[str]:
    """Apply the migrations not yet recorded, each in its own transaction; returns their names."""
    done = set(applied(db))
    ran: list[str] = []
    for fn in MIGRATIONS:
        if fn.__name__ in done:
            continue
        with transaction(db):
            # Another process may have applied it between our read and our lock.
            if db.execute("SELECT 1 FROM _migrations WHERE name = ?", (fn.__name__,)).fetchone():
                continue
            fn(db)
            db.execute("INSERT INTO _migrations (name, applied_at) VALUES (?, ?)",
                       (fn.__name__, datetime.now(UTC).isoformat(timespec="seconds")))
        ran.append(fn.__name__)
    return ran


@migration
def m001_interactions(db: sqlite3.Connection) -> None:
    """One row per answer: pseudonymised session, redacted texts, flags and provenance."""
    db.execute("""
        CREATE TABLE interactions (
            id TEXT PRIMARY KEY,
            created_at TEXT NOT NULL,
            session_hash TEXT NOT NULL,
            question_redacted TEXT,
            answer_redacted TEXT,
            lang TEXT NOT NULL,
            refused INTEGER NOT NULL DEFAULT 0,
            degraded INTEGER NOT NULL DEFAULT 0,
            redaction_failed INTEGER NOT NULL DEFAULT 0,
            redaction_counts TEXT NOT NULL DEFAULT '{}',
            prompt_version TEXT,
            model_name TEXT,
            model_sha256 TEXT,
            settings_hash TEXT,
            index_version TEXT,
            corpus_version TEXT,
            timings TEXT NOT NULL DEFAULT '{}',
            support_min REAL,
            n_dropped_sentences INTEGER NOT NULL DEFAULT 0
        )""")
    db.execute("CREATE INDEX interactions_created ON interactions(created_at)")


@migration
def m002_citations(db: sqlite3.Connection) -> None:
    """Every passage given to the model, and whether the answer cited it."""
    db.execute("""
        CREATE TABLE citations (
            interaction_id TEXT NOT NULL REFERENCES interactions(id),
            number INTEGER NOT NULL,
            doc_id TEXT NOT NULL,
            doc_version TEXT,
            document_sha256 TEXT,
            chunk_id TEXT NOT NULL,
            chunk_sha256 TEXT,
            score REAL,
            cited INTEGER NOT NULL,
            support REAL,
            PRIMARY KEY (interaction_id, number)
        )""")
    db.execute("CREATE INDEX citations_doc ON citations(doc_id, cited)")


@migration
def m003_feedback(db: sqlite3.Connection) -> None:
    """Staff feedback on an answer: thumbs, a category, a redacted comment."""
    categories = ", ".join(f"'{c}'" for c in FEEDBACK_CATEGORIES)
    db.execute(f"""
        CREATE TABLE feedback (
            id TEXT PRIMARY KEY,
            interaction_id TEXT NOT NULL REFERENCES interactions(id),
            created_at TEXT NOT NULL,
            rating INTEGER CHECK (rating IN (1, -1)),
            category TEXT CHECK (category IN ({categories})),
            comment_redacted TEXT,
            session_hash TEXT NOT NULL
        )""")
    db.execute("CREATE INDEX feedback_interaction ON feedback(interaction_id)")


@migration
def m004_reviews(db: sqlite3.Connection) -> None:
    """The steering committee's decision on an interaction (written by the review component)."""
    decisions = ", ".join(f"'{d}'" for d in REVIEW_DECISIONS)
    db.execute(f"""
        CREATE TABLE reviews (
            id TEXT PRIMARY KEY,
            interaction_id TEXT NOT NULL REFERENCES interactions(id),
            reviewer TEXT NOT NULL,
            decision TEXT NOT NULL CHECK (decision IN ({decisions})),
            comment TEXT,
            corpus_fix TEXT,
            created_at TEXT NOT NULL
        )""")
    db.execute("CREATE INDEX reviews_interaction ON reviews(interaction_id)")


@migration
def m005_chain(db: sqlite3.Connection) -> None:
    """The hash chain that makes a deleted or edited row visible (see `chain`); rows already
    present are chained once, here."""
    db.execute("""
        CREATE TABLE chain (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            kind TEXT NOT NULL CHECK (kind IN ('row', 'purge')),
            table_name TEXT,
            row_key TEXT,
            row_time TEXT,
            digest TEXT NOT NULL,
            note TEXT,
            prev_hash TEXT NOT NULL,
            hash TEXT NOT NULL
        )""")
    db.execute("CREATE INDEX chain_row ON chain(table_name, row_key)")
    chain_existing(db)


@migration
def m006_refusal_reason(db: sqlite3.Connection) -> None:
    """Why an answer was refused (role, role_resemblance, missing_reference, no_evidence,
    no_value, model, unsupported, withheld), or why the model's text gave way to quotes; NULL for
    the rows written before (their chain digests are unchanged: NULL columns are left out)."""
    db.execute("ALTER TABLE interactions ADD COLUMN refusal_reason TEXT")
