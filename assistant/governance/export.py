"""Export of the governance log for the committee or an audit: each interaction with its
passages (retrieved and cited), staff feedback and review decisions, oldest first, as JSON
lines (one interaction per line, nested) or CSV (one interaction per row, the nested parts as
JSON text plus readable summaries).

Texts are exported as stored, that is redacted; sessions only as their salted hash. The salt
is not in the log, so it is never in an export.
"""

from __future__ import annotations

import csv
import json
import sqlite3
from collections.abc import Iterator
from datetime import date, datetime
from typing import Any, TextIO

from assistant.governance.queries import get_interaction, utc_iso

FORMATS = ("jsonl", "csv")
# The interaction columns, in the order of the CSV, then the nested parts.
CSV_COLUMNS = (
    "id", "created_at", "session_hash", "lang", "question_redacted", "answer_redacted", "refused", "degraded",
    "redaction_failed", "redaction_counts", "support_min", "n_dropped_sentences", "prompt_version", "model_name",
    "model_sha256", "settings_hash", "index_version", "corpus_version", "timings",
    "cited_documents", "flagged", "feedback_summary", "last_decision", "last_reviewer", "last_reviewed_at",
    "citations", "feedback", "reviews",
)


def _bound(value: date | datetime | None) -> str | None:
    if value is None:
        return None
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day)
    return utc_iso(value)


def iter_records(db: sqlite3.Connection | None, since: date | datetime | None = None,
                 until: date | datetime | None = None) -> Iterator[dict[str, Any]]:
    """Interactions created in [since, until) (dates are UTC midnights), oldest first, each with
    its citations, feedback and reviews."""
    if db is None:
        return
    low, high = _bound(since), _bound(until)
    ids = db.execute(
        "SELECT id FROM interactions WHERE (? IS NULL OR created_at >= ?) AND (? IS NULL OR created_at < ?) "
        "ORDER BY created_at, id", (low, low, high, high)).fetchall()
    for (interaction_id,) in ids:
        yield get_interaction(db, interaction_id)


def write_jsonl(records: Iterator[dict[str, Any]], out: TextIO) -> int:
    """One JSON object per line; returns the number written."""
    count = 0
    for record in records:
        out.write(json.dumps(record, ensure_ascii=False, default=str) + "\n")
        count += 1
    return count


def csv_row(record: dict[str, Any]) -> dict[str, Any]:
    """One interaction as a flat CSV row."""
    row = {name: record.get(name) for name in CSV_COLUMNS[:19]}
    for name in ("redaction_counts", "timings"):
        row[name] = json.dumps(row[name], ensure_ascii=False, sort_keys=True)
    for name in ("refused", "degraded", "redaction_failed"):
        row[name] = int(bool(row[name]))
    cited = [c for c in record["citations"] if c["cited"]]
    row["cited_documents"] = "; ".join(f"{c['doc_id']} v{c['doc_version']}" if c.get("doc_version") else c["doc_id"] for c in cited)
    feedback = record["feedback"]
    row["flagged"] = int(any(f["rating"] == -1 or f["category"] for f in feedback))
    row["feedback_summary"] = "; ".join(
        " ".join(str(part) for part in ({1: "+1", -1: "-1"}.get(f["rating"]), f["category"], f["comment_redacted"]) if part)
        for f in feedback)
    last = record["reviews"][-1] if record["reviews"] else {}
    row["last_decision"], row["last_reviewer"], row["last_reviewed_at"] = last.get("decision"), last.get("reviewer"), last.get("created_at")
    for name in ("citations", "feedback", "reviews"):
        row[name] = json.dumps(record[name], ensure_ascii=False, default=str)
    return row


def write_csv(records: Iterator[dict[str, Any]], out: TextIO) -> int:
    """A header and one row per interaction; returns the number of rows."""
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    count = 0
    for record in records:
        writer.writerow(csv_row(record))
        count += 1
    return count
