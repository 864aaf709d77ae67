"""The write path of reviews: a member of the AI steering committee records a decision
(validé, corrigé, rejeté) on one logged answer — the "garantie humaine".

Roles: a reviewer decides on answers nobody has decided yet and may amend their own
decision; overturning a decision another member recorded takes an admin (every decision
stays in the log, the latest one counts).

Unlike answers and feedback, which go through the log's background queue, a review is
written at once in a short transaction, with its entry in the hash chain: reviews are rare,
and the reviewer is told the decision is recorded only once it is on disk.
"""

from __future__ import annotations

import logging
import sqlite3
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path

from assistant.errors import GarantError, InputError
from assistant.governance.chain import ChainWriter
from assistant.governance.log import InteractionLog, utc_iso
from assistant.governance.migrations import REVIEW_DECISIONS, connect, migrate, transaction
from assistant.governance.redaction import redact
from assistant.governance.rows import MAX_COMMENT_CHARS

log = logging.getLogger(__name__)

# Decisions that must say what was wrong: a correction or a rejection without a reason cannot be acted on.
NEEDS_COMMENT = ("corrigé", "rejeté")


def record_review(
    log_path_or_log: Path | str | InteractionLog,
    interaction_id: str,
    reviewer: str,
    decision: str,
    comment: str | None,
    corpus_fix: str | None = None,
    *,
    role: str = "reviewer",
    clock: Callable[[], datetime] | None = None,
    busy_timeout_s: float = 5.0,
) -> str:
    """Write one review of a logged answer and return its id. The reviewer and the UTC time are
    stored with it; comment and corpus fix are redacted like staff comments. Raises InputError on
    an unknown decision, a missing reviewer or comment, an unknown answer, or a reviewer (not an
    admin) overturning another member's decision; GarantError when the log cannot be written."""
    # Check the request before touching the database.
    if decision not in REVIEW_DECISIONS:
        raise InputError(
            f"Décision inconnue « {decision} » : choisissez parmi {', '.join(REVIEW_DECISIONS)}.",
            f"Unknown decision '{decision}': choose one of {', '.join(REVIEW_DECISIONS)}.",
        )
    reviewer = (reviewer or "").strip()
    if not reviewer:
        raise InputError(
            "Relecteur inconnu : reconnectez-vous avant d'enregistrer une décision.",
            "Unknown reviewer: log in again before recording a decision.",
        )
    comment = _clean(comment)
    corpus_fix = _clean(corpus_fix)
    if decision in NEEDS_COMMENT and comment is None:
        raise InputError(
            f"Une décision « {decision} » demande un commentaire : dites ce qui est faux et ce qui est juste.",
            f"A '{decision}' decision needs a comment: say what is wrong and what is right.",
        )
    path = log_path_or_log.path if isinstance(log_path_or_log, InteractionLog) else Path(log_path_or_log)
    unknown = InputError(
        f"Réponse inconnue « {interaction_id} » dans le journal de gouvernance : rien n'a été enregistré.",
        f"Unknown answer '{interaction_id}' in the governance log: nothing was recorded.",
    )
    if not path.is_file():
        raise unknown
    row = {
        "id": uuid.uuid4().hex,
        "interaction_id": interaction_id,
        "reviewer": reviewer,
        "decision": decision,
        "comment": comment,
        "corpus_fix": corpus_fix,
        "created_at": utc_iso((clock or (lambda: datetime.now(UTC)))()),
    }
    # One short transaction: the answer must exist when the review is written.
    try:
        db = connect(path, busy_timeout_s)
        try:
            migrate(db)
            with transaction(db):
                if db.execute("SELECT 1 FROM interactions WHERE id = ?", (interaction_id,)).fetchone() is None:
                    raise unknown
                latest = db.execute(
                    "SELECT reviewer, decision FROM reviews WHERE interaction_id = ? ORDER BY created_at DESC, rowid DESC LIMIT 1",
                    (interaction_id,),
                ).fetchone()
                if latest is not None and latest[0] != reviewer and role != "admin":
                    raise InputError(
                        f"Cette réponse a déjà été tranchée par {latest[0]} (« {latest[1]} ») : seul un administrateur peut revenir sur cette décision.",
                        f"This answer was already decided by {latest[0]} ('{latest[1]}'): only an admin can overturn that decision.",
                    )
                db.execute(
                    "INSERT INTO reviews (id, interaction_id, reviewer, decision, comment, corpus_fix, created_at) "
                    "VALUES (:id, :interaction_id, :reviewer, :decision, :comment, :corpus_fix, :created_at)",
                    row,
                )
                ChainWriter(db).row("reviews", row)  # in the hash chain, in the same transaction
        finally:
            db.close()
    except sqlite3.Error as exc:
        log.error("review of %s could not be written to %s: %s", interaction_id, path, exc)
        raise GarantError(
            "Le journal de gouvernance est momentanément indisponible : la décision n'est pas enregistrée. Réessayez.",
            "The governance log is unavailable right now: the decision is not recorded. Try again.",
        ) from exc
    log.info("review %s of %s by %s: %s", row["id"], interaction_id, reviewer, decision)
    return str(row["id"])


def _clean(text: str | None) -> str | None:
    """Trimmed, bounded and redacted text, or None when empty."""
    text = (text or "").strip()[:MAX_COMMENT_CHARS]
    return redact(text)[0] if text else None
