"""Read queries of the governance log, for the review page, the dashboard and `garant log`.

Pure functions over a read-only connection (None when the log does not exist yet); the
write path stays in `assistant.governance.log`.
"""

from __future__ import annotations

import json
import re
import sqlite3
import unicodedata
from collections import Counter
from datetime import UTC, date, datetime, timedelta
from typing import Any

from assistant.errors import InputError


def utc_iso(moment: datetime) -> str:
    """The one timestamp format of the log (UTC, milliseconds); it sorts as text."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


def _bound(value: datetime | date | None) -> str | None:
    """A filter bound as log text (a date means its midnight, UTC)."""
    if value is None:
        return None
    if not isinstance(value, datetime):
        value = datetime(value.year, value.month, value.day, tzinfo=UTC)
    return utc_iso(value)


def normalise_question(text: str) -> str:
    """Key that groups the same question typed differently: case, accents, apostrophes, spaces, end punctuation."""
    text = unicodedata.normalize("NFKD", text.replace("’", "'"))
    text = "".join(c for c in text if not unicodedata.combining(c)).lower()
    return re.sub(r"\s+", " ", text).strip(" ?!.;:,")



def get_interaction(db: sqlite3.Connection | None, interaction_id: str) -> dict[str, Any]:
    """One interaction with its citations (retrieved and cited), feedback and reviews."""
    row = db.execute("SELECT * FROM interactions WHERE id = ?", (interaction_id,)).fetchone() if db else None
    if db is None or row is None:
        raise InputError(f"Réponse inconnue « {interaction_id} » dans le journal de gouvernance.",
                         f"Unknown answer '{interaction_id}' in the governance log.")
    out = _interaction(row)
    out["citations"] = [dict(r) | {"cited": bool(r["cited"])} for r in db.execute(
        "SELECT * FROM citations WHERE interaction_id = ? ORDER BY number", (interaction_id,))]
    out["feedback"] = [dict(r) for r in db.execute(
        "SELECT * FROM feedback WHERE interaction_id = ? ORDER BY created_at, rowid", (interaction_id,))]
    out["reviews"] = [dict(r) for r in db.execute(
        "SELECT * FROM reviews WHERE interaction_id = ? ORDER BY created_at, rowid", (interaction_id,))]
    return out


def list_interactions(db: sqlite3.Connection | None, *, flagged: bool | None = None, refused: bool | None = None, degraded: bool | None = None,
         low_support: float | None = None, since: datetime | date | None = None, until: datetime | date | None = None,
         doc_id: str | None = None, lang: str | None = None, limit: int = 50, offset: int = 0) -> list[dict[str, Any]]:
    """Interactions, newest first. flagged: staff gave -1 or a category; low_support: the weakest
    kept sentence is below this; since (inclusive) / until (exclusive): dates or UTC datetimes;
    doc_id: the document was among the passages retrieved."""
    where: list[str] = []
    args: list[Any] = []
    flag_sql = "EXISTS (SELECT 1 FROM feedback f WHERE f.interaction_id = i.id AND (f.rating = -1 OR f.category IS NOT NULL))"
    for wanted, sql in ((flagged, flag_sql), (refused, "i.refused = 1"), (degraded, "i.degraded = 1")):
        if wanted is not None:
            where.append(sql if wanted else f"NOT ({sql})")
    conditions: list[tuple[Any, str]] = [
        (low_support, "i.support_min < ?"), (_bound(since), "i.created_at >= ?"), (_bound(until), "i.created_at < ?"),
        (doc_id, "EXISTS (SELECT 1 FROM citations c WHERE c.interaction_id = i.id AND c.doc_id = ?)"), (lang, "i.lang = ?"),
    ]
    for value, sql in conditions:
        if value is not None:
            where.append(sql)
            args.append(value)
    sql = (
        f"SELECT i.*, {flag_sql} AS flagged, "
        "(SELECT COUNT(*) FROM feedback f WHERE f.interaction_id = i.id) AS n_feedback, "
        "(SELECT COUNT(*) FROM citations c WHERE c.interaction_id = i.id AND c.cited = 1) AS n_cited "
        f"FROM interactions i {'WHERE ' + ' AND '.join(where) if where else ''} "
        "ORDER BY i.created_at DESC, i.id LIMIT ? OFFSET ?"
    )
    if db is None:
        return []
    rows = db.execute(sql, [*args, max(0, limit), max(0, offset)]).fetchall()
    return [_interaction(r) | {"flagged": bool(r["flagged"])} for r in rows]


def dashboard(db: sqlite3.Connection | None, now: datetime, days: int = 30, top: int = 10,
              until: datetime | date | None = None) -> dict[str, Any]:
    """Dashboard figures over the last `days` days: questions per day, refusal, degraded and
    feedback rates, refusals by reason, most cited documents, most frequent refused questions
    (normalised).
    `until` (exclusive) bounds the period for a report on past dates (`now` then being its last
    moment); without it, everything from the first day on counts."""
    start_day = (now - timedelta(days=days - 1)).date() if days > 0 else now.date()
    since = _bound(start_day)
    end = _bound(until)
    period = "i.created_at >= ?" + (" AND i.created_at < ?" if end else "")
    bounds: tuple[str, ...] = (since, end) if end else (since,)
    per_day = {(start_day + timedelta(days=n)).isoformat(): {"questions": 0, "refused": 0, "degraded": 0}
               for n in range((now.date() - start_day).days + 1)}
    out: dict[str, Any] = {"since": since, "until": utc_iso(now), "questions": 0, "refused": 0, "degraded": 0,
                           "redaction_failed": 0, "refusal_rate": 0.0, "degraded_rate": 0.0,
                           "feedback": {"interactions_with_feedback": 0, "feedback_rate": 0.0, "positive": 0,
                                        "negative": 0, "negative_rate": 0.0, "by_category": {}},
                           "most_cited_documents": [], "top_refused_questions": [], "refusals_by_reason": {}}
    if db is None:
        out["per_day"] = [{"day": d} | v for d, v in per_day.items()]
        return out
    for r in db.execute("SELECT substr(created_at, 1, 10) AS day, COUNT(*) AS n, SUM(refused) AS r, SUM(degraded) AS d, "
                        f"SUM(redaction_failed) AS f FROM interactions i WHERE {period} GROUP BY day", bounds):
        per_day.setdefault(r["day"], {"questions": 0, "refused": 0, "degraded": 0}).update(
            questions=r["n"], refused=r["r"], degraded=r["d"])
        out["redaction_failed"] += r["f"]
    feedback = db.execute(
        "SELECT COUNT(DISTINCT f.interaction_id) AS n, SUM(f.rating = 1) AS pos, SUM(f.rating = -1) AS neg "
        f"FROM feedback f JOIN interactions i ON i.id = f.interaction_id WHERE {period}", bounds).fetchone()
    categories = db.execute(
        "SELECT f.category, COUNT(*) AS n FROM feedback f JOIN interactions i ON i.id = f.interaction_id "
        f"WHERE {period} AND f.category IS NOT NULL GROUP BY f.category ORDER BY n DESC", bounds).fetchall()
    cited = db.execute(
        "SELECT c.doc_id, COUNT(DISTINCT c.interaction_id) AS n FROM citations c JOIN interactions i ON i.id = c.interaction_id "
        f"WHERE {period} AND c.cited = 1 GROUP BY c.doc_id ORDER BY n DESC, c.doc_id LIMIT ?", (*bounds, top)).fetchall()
    reasons = db.execute(
        f"SELECT refusal_reason, COUNT(*) AS n FROM interactions i WHERE {period} AND refused = 1 "
        "GROUP BY refusal_reason ORDER BY n DESC, refusal_reason", bounds).fetchall()
    out["refusals_by_reason"] = {r["refusal_reason"] or "unknown": r["n"] for r in reasons}
    refused_questions = [r[0] for r in db.execute(
        f"SELECT question_redacted FROM interactions i WHERE {period} AND refused = 1 AND question_redacted IS NOT NULL "
        "AND COALESCE(refusal_reason, '') != 'small_talk'",  # a greeting is not a question the documents lack
        bounds)]
    total = sum(v["questions"] for v in per_day.values())
    out["per_day"] = [{"day": d} | v for d, v in sorted(per_day.items())]
    out["questions"] = total
    out["refused"] = sum(v["refused"] for v in per_day.values())
    out["degraded"] = sum(v["degraded"] for v in per_day.values())
    out["refusal_rate"] = out["refused"] / total if total else 0.0
    out["degraded_rate"] = out["degraded"] / total if total else 0.0
    positive, negative = feedback["pos"] or 0, feedback["neg"] or 0
    out["feedback"] = {
        "interactions_with_feedback": feedback["n"], "feedback_rate": feedback["n"] / total if total else 0.0,
        "positive": positive, "negative": negative,
        "negative_rate": negative / (positive + negative) if positive + negative else 0.0,
        "by_category": {r["category"]: r["n"] for r in categories},
    }
    out["most_cited_documents"] = [{"doc_id": r["doc_id"], "count": r["n"]} for r in cited]
    counted = Counter(normalise_question(q) for q in refused_questions)
    out["top_refused_questions"] = [{"question": q, "count": n} for q, n in counted.most_common(top)]
    return out


def _interaction(row: sqlite3.Row) -> dict[str, Any]:
    """An interactions row as the read API returns it (JSON fields parsed, flags as booleans)."""
    out = dict(row)
    for key in ("refused", "degraded", "redaction_failed"):
        out[key] = bool(out[key])
    for key in ("timings", "redaction_counts"):
        out[key] = json.loads(out[key] or "{}")
    return out
