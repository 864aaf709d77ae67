"""What the governance log stores for an answer and for staff feedback: the rows, built from
an `Answer` (texts redacted, flags, provenance of every passage), the checks a feedback must
pass, and how a row is written (idempotent insert, with its hash-chain entry). The log decides
when the rows are written."""

from __future__ import annotations

import json
import logging
import re
import sqlite3
from collections import Counter
from collections.abc import Callable
from typing import Any

from assistant.answering.model import Answer
from assistant.errors import InputError
from assistant.governance.chain import ChainWriter
from assistant.governance.maintenance import purge_rows
from assistant.governance.migrations import FEEDBACK_CATEGORIES

log = logging.getLogger(__name__)

MAX_COMMENT_CHARS = 2000
Redactor = Callable[[str], tuple[str, dict[str, int]]]


def interaction_rows(answer: Answer, session_hash: str, created_at: str, settings_hash: str, corpus_version: str | None,
                     *, store_text: bool, redact: Redactor) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The interactions row and its citations rows, redacted, ready for JSON and SQLite. If
    redaction fails, the texts are left out and the row is flagged."""
    question = text = None
    counts: dict[str, int] = {}
    failed = False
    if store_text:
        try:
            question, counts_q = redact(answer.question)
            text, counts_a = redact(answer.text)
            counts = dict(Counter(counts_q) + Counter(counts_a))
        except Exception:
            log.exception("governance log: redaction failed for answer %s; texts not stored", answer.id)
            question = text = None
            failed = True
    supports = [s.support for s in answer.sentences]
    model = answer.model or {}
    row = {
        "id": answer.id, "created_at": created_at, "session_hash": session_hash,
        "question_redacted": question, "answer_redacted": text, "lang": answer.lang,
        "refused": int(answer.refused), "refusal_reason": answer.refusal_reason, "degraded": int(answer.degraded),
        "redaction_failed": int(failed),
        "redaction_counts": json.dumps(counts, sort_keys=True), "prompt_version": answer.prompt_version,
        "model_name": model.get("name"), "model_sha256": model.get("file_sha256"), "settings_hash": settings_hash,
        "index_version": answer.index_version, "corpus_version": corpus_version,
        "timings": json.dumps({k: round(float(v), 4) for k, v in answer.timings.items() if isinstance(v, int | float)},
                              sort_keys=True),
        "support_min": min(supports) if supports else None, "n_dropped_sentences": len(answer.dropped),
    }
    # A source's support: the best support among the kept sentences that cite it.
    support_of: dict[int, float] = {}
    for sentence in answer.sentences:
        for number in sentence.sources:
            support_of[number] = max(support_of.get(number, 0.0), sentence.support)
    cited = set(answer.cited)
    citations = [
        {"interaction_id": answer.id, "number": number, "doc_id": p.document.doc_id, "doc_version": p.document.version,
         "document_sha256": p.document.content_sha256, "chunk_id": p.chunk.chunk_id, "chunk_sha256": p.chunk.content_sha256,
         "score": float(p.score), "cited": int(number in cited), "support": support_of.get(number)}
        for number, p in enumerate(answer.retrieved, start=1)
    ]
    return row, citations


def check_feedback(rating: int | None, category: str | None, comment: str | None) -> str | None:
    """The trimmed comment (None when empty), once rating and category are valid and the
    feedback says something. Raises InputError otherwise."""
    if rating not in (None, 1, -1) or isinstance(rating, bool):
        raise InputError(f"Note invalide « {rating} » : utilisez +1, -1 ou rien.",
                         f"Invalid rating '{rating}': use +1, -1 or nothing.")
    if category is not None and category not in FEEDBACK_CATEGORIES:
        raise InputError(f"Catégorie de retour inconnue « {category} » : choisissez parmi {', '.join(FEEDBACK_CATEGORIES)}.",
                         f"Unknown feedback category '{category}': choose one of {', '.join(FEEDBACK_CATEGORIES)}.")
    comment = (comment or "").strip()[:MAX_COMMENT_CHARS] or None
    if rating is None and category is None and comment is None:
        raise InputError("Retour vide : donnez une note, une catégorie ou un commentaire.",
                         "Empty feedback: give a rating, a category or a comment.")
    return comment


def insert_row(db: sqlite3.Connection, table: str, row: dict[str, Any], key: str) -> bool:
    """Insert a row unless its key is already there (a replay); True when inserted. Unlike INSERT
    OR IGNORE, a CHECK or NOT NULL violation still raises, so a bad row is set aside rather than
    silently skipped."""
    if not all(re.fullmatch(r"[a-z0-9_]+", name) for name in row):  # rows may come back from the pending file
        raise ValueError(f"bad column name in a {table} row")
    columns = ", ".join(row)
    values = ", ".join(f":{name}" for name in row)
    return db.execute(f"INSERT INTO {table} ({columns}) VALUES ({values}) ON CONFLICT ({key}) DO NOTHING", row).rowcount == 1


def write_item(db: sqlite3.Connection, item: dict[str, Any], chain: ChainWriter) -> None:
    """One item of the log's queue into the database, each new row chained (idempotent: replays
    may repeat rows). The caller holds the write transaction."""
    kind = item["kind"]
    if kind == "interaction":
        if insert_row(db, "interactions", item["row"], "id"):
            chain.row("interactions", item["row"])
        for citation in item["citations"]:
            if insert_row(db, "citations", citation, "interaction_id, number"):
                chain.row("citations", citation)
    elif kind == "feedback":
        if insert_row(db, "feedback", item["row"], "id"):
            chain.row("feedback", item["row"])
    elif kind == "purge":
        purge_rows(db, item["before"], chain)
    else:
        raise ValueError(f"unknown governance log item {kind!r}")
