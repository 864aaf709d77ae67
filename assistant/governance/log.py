"""The governance log: one write path for questions, answers and staff feedback, and the
read queries of the review and dashboard pages.

Writes never block or break answering. `record` and `add_feedback` pseudonymise and
redact in the caller's thread, then put a JSON-ready row on an in-memory queue that one
background thread writes to SQLite. A failed write is logged and retried with a bounded
backoff; rows still pending at `stop` go to `<home>/governance-pending.jsonl`, which the
next `start` replays. Rows SQLite refuses outright go to `governance-rejected.jsonl`.
Nothing is lost silently.
"""

from __future__ import annotations

import builtins
import hmac
import json
import logging
import os
import queue
import re
import secrets
import sqlite3
import threading
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from hashlib import sha256
from pathlib import Path
from typing import Any

from assistant.answering.model import Answer
from assistant.errors import InputError
from assistant.governance import queries
from assistant.governance.migrations import FEEDBACK_CATEGORIES, connect, migrate, transaction
from assistant.governance.queries import utc_iso
from assistant.governance.redaction import redact
from assistant.governance.settings import GovernanceSettings

log = logging.getLogger(__name__)

SPILL_FILE = "governance-pending.jsonl"
REJECTED_FILE = "governance-rejected.jsonl"
SALT_FILE = ".log-salt"
MAX_COMMENT_CHARS = 2000
_BATCH = 100
_STOP = object()
# Errors caused by the row itself: retrying cannot help.
_ROW_ERRORS = (sqlite3.IntegrityError, sqlite3.ProgrammingError, sqlite3.InterfaceError, sqlite3.DataError,
               ValueError, TypeError, KeyError)


def load_salt(settings: GovernanceSettings, home: Path, env: Mapping[str, str] | None = None) -> bytes:
    """The pseudonymisation salt: from the environment variable, else `<home>/.log-salt`
    (created once, mode 0600)."""
    env = os.environ if env is None else env
    if env.get(settings.salt_env):
        return env[settings.salt_env].encode()
    path = home / SALT_FILE
    if not path.is_file():
        home.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass  # another process created it meanwhile
        else:
            with os.fdopen(fd, "w") as out:
                out.write(secrets.token_hex(32))
    return path.read_text().strip().encode()


class InteractionLog:
    """The governance log of one Garant home: start it, record, stop it."""

    def __init__(self, home: Path, settings: GovernanceSettings | None = None, *,
                 env: Mapping[str, str] | None = None, clock: Callable[[], datetime] | None = None,
                 busy_timeout_s: float = 5.0, retry_max_s: float = 30.0, max_pending: int = 10_000) -> None:
        self.home = Path(home)
        self.settings = settings or GovernanceSettings()
        self.path = self.settings.resolve_log_path(self.home)
        self.spill_path = self.home / SPILL_FILE
        self.rejected_path = self.home / REJECTED_FILE
        self.write_errors = 0  # failed write attempts since start (for health checks)
        self._env = env
        self._clock = clock or (lambda: datetime.now(UTC))
        self._busy_timeout_s = busy_timeout_s
        self._retry_max_s = retry_max_s
        self._queue: queue.Queue[Any] = queue.Queue(maxsize=max_pending)
        self._salt: bytes | None = None
        self._lock = threading.Lock()  # salt, pending ids, spill files
        self._pending_ids: set[str] = set()
        self._unfinished = 0
        self._idle = threading.Condition()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._db: sqlite3.Connection | None = None
        self._last_purge: datetime | None = None

    # --- lifecycle ---

    def start(self) -> None:
        """Create or upgrade the schema, start the writer and replay rows a previous run left pending."""
        if self._thread is not None:
            return
        self._stopping.clear()
        try:
            self._connection()
        except (sqlite3.Error, OSError) as exc:  # the writer retries; answering goes on
            log.error("governance log %s cannot be opened yet: %s", self.path, exc)
            self._close()
        replay = self._take_spill()
        self._adjust(len(replay))
        self._thread = threading.Thread(target=self._run, args=(replay,), name="governance-log", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Write what can be written, spill the rest to the pending file, stop the writer."""
        thread, self._thread = self._thread, None
        self._stopping.set()
        if thread is not None:
            try:
                self._queue.put(_STOP, timeout=timeout)  # wakes the writer
            except queue.Full:
                pass
            thread.join(timeout)
            if thread.is_alive():
                log.error("governance log writer did not stop within %.1f s; spilling what is queued", timeout)
        self._spill_queue()
        if thread is None or not thread.is_alive():
            self._close()

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until every queued row is written (or spilled); False on timeout."""
        with self._idle:
            return self._idle.wait_for(lambda: self._unfinished == 0, timeout)

    def __enter__(self) -> InteractionLog:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    @property
    def pending(self) -> int:
        """Rows queued and not yet written."""
        return self._unfinished

    # --- the write path ---

    def session_hash(self, session_id: str) -> str:
        """Salted SHA-256 (HMAC) of a session id: links a session's rows without storing the id."""
        with self._lock:
            if self._salt is None:
                try:
                    self._salt = load_salt(self.settings, self.home, self._env)
                except OSError as exc:
                    log.error("governance log salt unavailable (%s); using a salt for this run only", exc)
                    self._salt = secrets.token_bytes(32)
        return hmac.new(self._salt, session_id.encode("utf-8", "surrogatepass"), sha256).hexdigest()

    def record(self, answer: Answer, session_id: str, settings_hash: str, corpus_version: str | None) -> None:
        """Queue one answer for the log (redacted and pseudonymised here). Never raises."""
        try:
            row, citations = self._interaction_row(answer, session_id, settings_hash, corpus_version)
            with self._lock:
                self._pending_ids.add(row["id"])
            self._put({"kind": "interaction", "row": row, "citations": citations})
        except Exception:  # a bug here must not cost the user the answer
            log.exception("governance log: could not record answer %s", getattr(answer, "id", "?"))

    def add_feedback(self, interaction_id: str, session_id: str, rating: int | None = None,
                     category: str | None = None, comment: str | None = None) -> str:
        """Queue staff feedback on an answer; returns the feedback id. Raises InputError on a bad
        rating or category, an empty feedback, or an unknown answer."""
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
        if not self._known(interaction_id):
            raise InputError(f"Réponse inconnue « {interaction_id} » : le retour ne peut pas lui être rattaché. Rechargez la page.",
                             f"Unknown answer '{interaction_id}': the feedback cannot be attached to it. Reload the page.")
        stored: str | None = None
        if comment is not None and self.settings.store_text:
            try:
                stored = redact(comment)[0]
            except Exception:
                log.exception("governance log: redaction of a feedback comment failed; comment not stored")
        feedback_id = uuid.uuid4().hex
        row = {"id": feedback_id, "interaction_id": interaction_id, "created_at": utc_iso(self._clock()),
               "rating": rating, "category": category, "comment_redacted": stored,
               "session_hash": self.session_hash(session_id)}
        self._put({"kind": "feedback", "row": row})
        return feedback_id

    def purge_expired(self) -> None:
        """Queue the deletion of interactions older than `retention_days` (done at start and daily)."""
        before = self._clock() - timedelta(days=self.settings.retention_days)
        self._last_purge = self._clock()
        self._put({"kind": "purge", "before": utc_iso(before)})

    def _interaction_row(self, answer: Answer, session_id: str, settings_hash: str,
                         corpus_version: str | None) -> tuple[dict[str, Any], builtins.list[dict[str, Any]]]:
        """The interactions row and its citations rows, redacted, ready for JSON and SQLite."""
        question = text = None
        counts: dict[str, int] = {}
        failed = False
        if self.settings.store_text:
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
            "id": answer.id, "created_at": utc_iso(self._clock()), "session_hash": self.session_hash(session_id),
            "question_redacted": question, "answer_redacted": text, "lang": answer.lang,
            "refused": int(answer.refused), "degraded": int(answer.degraded), "redaction_failed": int(failed),
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

    def _known(self, interaction_id: str) -> bool:
        """The interaction is written or still queued."""
        with self._lock:
            if interaction_id in self._pending_ids:
                return True
        with self._reader() as db:
            return db is not None and db.execute("SELECT 1 FROM interactions WHERE id = ?", (interaction_id,)).fetchone() is not None

    def _put(self, item: dict[str, Any]) -> None:
        """Queue an item without blocking; after stop, or when the queue is full, it goes to the pending file."""
        if self._thread is None and self._stopping.is_set():
            self._spill([item])
            return
        self._adjust(1)
        try:
            self._queue.put_nowait(item)
        except queue.Full:
            self._adjust(-1)
            log.error("governance log queue full (%d rows); spilling to %s", self._queue.maxsize, self.spill_path)
            self._spill([item])

    def _adjust(self, delta: int) -> None:
        with self._idle:
            self._unfinished += delta
            if self._unfinished <= 0:
                self._unfinished = 0
                self._idle.notify_all()

    # --- the writer thread ---

    def _run(self, replay: builtins.list[dict[str, Any]]) -> None:
        """Replay the previous run's pending rows, then write queued rows in batches until stopped."""
        if replay:
            if self._commit(replay, spill_on_stop=False):  # else the replay file stays for next time
                self._replaying_path.unlink(missing_ok=True)
                log.info("governance log: replayed %d pending rows", len(replay))
            self._adjust(-len(replay))
        if self._last_purge is None:
            self.purge_expired()
        while True:
            try:
                item = self._queue.get(timeout=3600)
            except queue.Empty:
                item = None
            batch = [] if item is None or item is _STOP else [item]
            stop = item is _STOP
            while not stop and len(batch) < _BATCH:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                stop = more is _STOP
                if not stop:
                    batch.append(more)
            if batch:
                self._commit(batch, spill_on_stop=True)
                self._adjust(-len(batch))
            if stop or (self._stopping.is_set() and self._queue.empty()):
                return
            if self._last_purge and self._clock() - self._last_purge > timedelta(days=1):
                self.purge_expired()

    def _commit(self, batch: builtins.list[dict[str, Any]], spill_on_stop: bool) -> bool:
        """Write a batch in one transaction, retrying with backoff; rows SQLite refuses are isolated
        and set aside in the rejected file. False when stop came first: the batch (if
        `spill_on_stop`) and the rest of the queue then go to the pending file."""
        delay = 0.05
        while True:
            try:
                db = self._connection()
                with transaction(db):
                    for item in batch:
                        self._write(db, item)
                self._forget(batch)
                return True
            except _ROW_ERRORS as exc:
                if len(batch) == 1:
                    log.error("governance log refused a row (%s); kept in %s", exc, self.rejected_path)
                    self._spill(batch, self.rejected_path)
                    self._forget(batch)
                    return True
                return all([self._commit([item], spill_on_stop) for item in batch])
            except (sqlite3.Error, OSError) as exc:
                self.write_errors += 1
                log.warning("governance log write failed (%s); retry in %.2f s", exc, delay)
                self._close()
                if self._stopping.wait(delay):
                    if spill_on_stop:
                        self._spill(batch)
                    self._spill_queue()  # the database is failing: do not try the rest one by one
                    return False
                delay = min(delay * 2, self._retry_max_s)

    def _write(self, db: sqlite3.Connection, item: dict[str, Any]) -> None:
        """One queued item into the database (idempotent: replays may repeat rows)."""
        kind = item["kind"]
        if kind == "interaction":
            _insert(db, "interactions", item["row"], "id")
            for citation in item["citations"]:
                _insert(db, "citations", citation, "interaction_id, number")
        elif kind == "feedback":
            _insert(db, "feedback", item["row"], "id")
        elif kind == "purge":
            old = "SELECT id FROM interactions WHERE created_at < ?"
            for table in ("citations", "feedback", "reviews"):
                db.execute(f"DELETE FROM {table} WHERE interaction_id IN ({old})", (item["before"],))
            db.execute("DELETE FROM interactions WHERE created_at < ?", (item["before"],))
        else:
            raise ValueError(f"unknown governance log item {kind!r}")

    def _forget(self, batch: builtins.list[dict[str, Any]]) -> None:
        with self._lock:
            for item in batch:
                if item.get("kind") == "interaction":
                    self._pending_ids.discard(item["row"]["id"])

    def _connection(self) -> sqlite3.Connection:
        """The writer's connection, opened and migrated on first use and after a failure."""
        if self._db is None:
            db = connect(self.path, self._busy_timeout_s)
            try:
                migrate(db)
            except BaseException:
                db.close()
                raise
            self._db = db
        return self._db

    def _close(self) -> None:
        if self._db is not None:
            try:
                self._db.close()
            except sqlite3.Error:
                pass
            self._db = None

    # --- the pending file ---

    @property
    def _replaying_path(self) -> Path:
        return self.spill_path.with_name(self.spill_path.name + ".replaying")

    def _spill(self, items: builtins.list[dict[str, Any]], path: Path | None = None) -> None:
        """Append items to the pending (or rejected) file, mode 0600."""
        path = path or self.spill_path
        with self._lock:
            try:
                path.parent.mkdir(parents=True, exist_ok=True)
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
                with os.fdopen(fd, "a", encoding="utf-8") as out:
                    for item in items:
                        out.write(json.dumps(item, ensure_ascii=False) + "\n")
            except OSError:
                log.exception("governance log: %d rows could not be written to %s and are lost", len(items), path)

    def _spill_queue(self) -> None:
        """Move whatever is still queued to the pending file."""
        items = []
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            if item is not _STOP:
                items.append(item)
        if items:
            self._spill(items)
            log.warning("governance log: %d rows left pending in %s for the next start", len(items), self.spill_path)
            self._adjust(-len(items))

    def _take_spill(self) -> builtins.list[dict[str, Any]]:
        """Move the pending file into the replay file (kept until its rows are written) and read it."""
        with self._lock:
            replaying = self._replaying_path
            try:
                if self.spill_path.is_file():
                    with open(replaying, "a", encoding="utf-8") as out:
                        out.write(self.spill_path.read_text(encoding="utf-8"))
                    os.chmod(replaying, 0o600)
                    self.spill_path.unlink()
                lines = replaying.read_text(encoding="utf-8").splitlines() if replaying.is_file() else []
            except OSError:
                log.exception("governance log: pending rows in %s cannot be read", self.spill_path)
                return []
        items = []
        for number, line in enumerate(lines, start=1):
            try:
                items.append(json.loads(line))
            except ValueError:
                log.error("governance log: line %d of %s is not JSON; skipped", number, replaying)
        return items

    # --- reads (review and dashboard pages), delegated to assistant.governance.queries ---

    @contextmanager
    def _reader(self) -> Iterator[sqlite3.Connection | None]:
        """A short-lived read-only connection, or None when the log does not exist yet."""
        if not self.path.is_file():
            yield None
            return
        db = sqlite3.connect(self.path, timeout=self._busy_timeout_s)
        db.row_factory = sqlite3.Row
        try:
            db.execute("PRAGMA query_only=ON")
            yield db
        finally:
            db.close()

    def get(self, interaction_id: str) -> dict[str, Any]:
        """One interaction with its citations (retrieved and cited), feedback and reviews."""
        with self._reader() as db:
            return queries.get_interaction(db, interaction_id)

    def list(self, **filters: Any) -> builtins.list[dict[str, Any]]:
        """Interactions, newest first; see `queries.list_interactions` for the filters."""
        with self._reader() as db:
            return queries.list_interactions(db, **filters)

    def stats(self, days: int = 30, top: int = 10) -> dict[str, Any]:
        """Dashboard figures over the last `days` days; see `queries.dashboard`."""
        with self._reader() as db:
            return queries.dashboard(db, self._clock(), days, top)


def _insert(db: sqlite3.Connection, table: str, row: dict[str, Any], key: str) -> None:
    """Insert a row unless its key is already there (a replay). Unlike INSERT OR IGNORE, a CHECK
    or NOT NULL violation still raises, so a bad row is set aside rather than silently skipped."""
    if not all(re.fullmatch(r"[a-z0-9_]+", name) for name in row):  # rows may come back from the pending file
        raise ValueError(f"bad column name in a {table} row")
    columns = ", ".join(row)
    values = ", ".join(f":{name}" for name in row)
    db.execute(f"INSERT INTO {table} ({columns}) VALUES ({values}) ON CONFLICT ({key}) DO NOTHING", row)
