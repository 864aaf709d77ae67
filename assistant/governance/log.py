"""The governance log: one write path for questions, answers and staff feedback, and the
read queries of the review and dashboard pages.

Writes never block or break answering. `record` and `add_feedback` pseudonymise and
redact in the caller's thread, append the row to this run's crash journal (one write; see
`journal`) and put it on an in-memory queue that one background thread writes to SQLite,
each row with its entry in the hash chain (`chain`), in the same transaction. So a row is
durable once `record` returns: a kill -9 leaves it in the journal, which the next `start`
replays (inserts are idempotent). A failed write is logged and retried with a bounded
backoff; rows still pending at `stop` go to `<home>/governance-pending.jsonl`, which the
next `start` replays too. When the queue is full, rows are parked in that file and written
back as soon as the queue is empty. Rows SQLite refuses outright go to
`governance-rejected.jsonl`. Nothing is lost silently.
"""

from __future__ import annotations

import builtins
import contextlib
import hmac
import logging
import queue
import secrets
import sqlite3
import threading
import uuid
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from hashlib import sha256
from pathlib import Path
from typing import Any

from assistant.answering.model import Answer
from assistant.errors import InputError
from assistant.governance import queries
from assistant.governance.chain import ChainWriter
from assistant.governance.journal import Journal, append_items, encode, take_over
from assistant.governance.migrations import connect, migrate, transaction
from assistant.governance.queries import utc_iso
from assistant.governance.redaction import redact
from assistant.governance.rows import check_feedback, interaction_rows, write_item
from assistant.governance.salt import load_salt
from assistant.governance.settings import GovernanceSettings

log = logging.getLogger(__name__)

SPILL_FILE = "governance-pending.jsonl"
REJECTED_FILE = "governance-rejected.jsonl"
_BATCH = 100
_STOP = object()
_WAKE = object()  # wakes the writer for parked rows; carries none
# Errors caused by the row itself: retrying cannot help.
_ROW_ERRORS = (sqlite3.IntegrityError, sqlite3.ProgrammingError, sqlite3.InterfaceError, sqlite3.DataError,
               ValueError, TypeError, KeyError)


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
        self._journal = Journal(self.home, fsync=self.settings.journal_fsync)
        self._unfinished = 0  # rows acknowledged and not yet written (or set aside)
        self._idle = threading.Condition()  # also serialises the journal: appends, count, emptying
        self._closed = False
        self._parked = 0  # rows in the pending file that this run will write back
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
        try:
            self._journal.open()  # after the take-over, which must not take this run's journal
        except OSError as exc:
            log.error("governance log journal cannot be created in %s (%s): a crash would lose queued rows", self.home, exc)
        with self._idle:
            self._closed = False
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
        with self._idle:
            self._closed = True  # from now on rows go to the pending file
        self._spill_queue()
        finished = thread is None or not thread.is_alive()
        self._journal.close(remove=finished)  # else its rows may be unwritten: the next start replays them
        if finished:
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
        """Log one answer (redacted and pseudonymised here): once this returns, the row is in the
        crash journal and queued for the database. Never raises."""
        try:
            row, citations = interaction_rows(answer, self.session_hash(session_id), utc_iso(self._clock()), settings_hash,
                                              corpus_version, store_text=self.settings.store_text, redact=redact)
            with self._lock:
                self._pending_ids.add(row["id"])
            self._put({"kind": "interaction", "row": row, "citations": citations})
        except Exception:  # a bug here must not cost the user the answer
            log.exception("governance log: could not record answer %s", getattr(answer, "id", "?"))

    def add_feedback(self, interaction_id: str, session_id: str, rating: int | None = None,
                     category: str | None = None, comment: str | None = None) -> str:
        """Queue staff feedback on an answer; returns the feedback id. Raises InputError on a bad
        rating or category, an empty feedback, or an unknown answer."""
        comment = check_feedback(rating, category, comment)
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

    def _known(self, interaction_id: str) -> bool:
        """The interaction is written or still queued."""
        with self._lock:
            if interaction_id in self._pending_ids:
                return True
        with self.reader() as db:
            return db is not None and db.execute("SELECT 1 FROM interactions WHERE id = ?", (interaction_id,)).fetchone() is not None

    def _put(self, item: dict[str, Any]) -> None:
        """Journal and queue an item without blocking; after stop, or when the queue is full, it
        goes to the pending file."""
        line = encode(item)
        with self._idle:
            closed = self._closed
            if not closed:
                self._journal.append(line)
                try:
                    self._queue.put_nowait(item)
                    self._unfinished += 1
                    return
                except queue.Full:
                    pass
        if closed:
            self._spill([item])
        else:
            log.error("governance log queue full (%d rows); parking rows in %s", self._queue.maxsize, self.spill_path)
            self._park([item])

    def _park(self, items: builtins.list[dict[str, Any]]) -> None:
        """Set rows aside in the pending file while running (queue full, or feedback whose answer
        is itself set aside); they stay counted as unfinished until the writer, once the queue is
        empty, writes them back (answers first)."""
        self._adjust(len(items))  # counted first, so `flush` cannot see zero while they are set aside
        with self._lock:
            try:
                append_items(self.spill_path, items)
                self._parked += len(items)
                parked = True
            except OSError:
                log.exception("governance log: %d rows could not be written to %s and are lost", len(items), self.spill_path)
                parked = False
        if not parked:
            self._adjust(-len(items))
            return
        with contextlib.suppress(queue.Full):  # full: the writer is busy, and looks at parked rows once it is empty
            self._queue.put_nowait(_WAKE)  # else it may be waiting on an empty queue

    def _unpark(self) -> None:
        """Write back the rows parked during this run."""
        with self._lock:
            count, self._parked = self._parked, 0
        items = self._take_spill()
        if self._commit(items, spill_on_stop=False):
            self._replaying_path.unlink(missing_ok=True)
        self._adjust(-count)

    def _adjust(self, delta: int) -> None:
        """Count rows in and out; when none is left, the journal is emptied (all are written)."""
        with self._idle:
            self._unfinished += delta
            if self._unfinished <= 0:
                self._unfinished = 0
                self._journal.clear()
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
            if self._parked and self._queue.empty():
                self._unpark()
            try:
                item = self._queue.get(timeout=3600)
            except queue.Empty:
                item = None
            batch = [] if item is None or item is _STOP or item is _WAKE else [item]
            stop = item is _STOP
            while not stop and len(batch) < _BATCH:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                stop = more is _STOP
                if not stop and more is not _WAKE:
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
                    chain = ChainWriter(db)
                    for item in batch:
                        write_item(db, item, chain)
                self._forget(batch)
                return True
            except _ROW_ERRORS as exc:
                if len(batch) == 1 and self._answer_pending(batch[0], exc):
                    self._park(batch)  # written back once its answer is
                    return True
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

    def _answer_pending(self, item: dict[str, Any], exc: Exception) -> bool:
        """A feedback refused because its answer is not written yet (still queued or parked)."""
        if item.get("kind") != "feedback" or "FOREIGN KEY" not in str(exc):
            return False
        with self._lock:
            return item["row"].get("interaction_id") in self._pending_ids

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
            if self.settings.journal_fsync:  # durable against a power cut too, like the journal
                db.execute("PRAGMA synchronous=FULL")
            self._db = db
        return self._db

    def _close(self) -> None:
        if self._db is not None:
            with contextlib.suppress(sqlite3.Error):
                self._db.close()
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
                append_items(path, items)
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
            if item is not _STOP and item is not _WAKE:
                items.append(item)
        if items:
            self._spill(items)
            log.warning("governance log: %d rows left pending in %s for the next start", len(items), self.spill_path)
            self._adjust(-len(items))

    def _take_spill(self) -> builtins.list[dict[str, Any]]:
        """Take over the pending file and the journals of stopped processes (kept in the replay
        file until their rows are written) and read them."""
        with self._lock:
            try:
                return take_over(self.spill_path, self._replaying_path, self.home, own=self._journal.path)
            except OSError:
                log.exception("governance log: pending rows in %s cannot be read", self.spill_path)
                return []

    # --- reads (review and dashboard pages), delegated to assistant.governance.queries ---

    @contextmanager
    def reader(self) -> Iterator[sqlite3.Connection | None]:
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
        with self.reader() as db:
            return queries.get_interaction(db, interaction_id)

    def list(self, **filters: Any) -> builtins.list[dict[str, Any]]:
        """Interactions, newest first; see `queries.list_interactions` for the filters."""
        with self.reader() as db:
            return queries.list_interactions(db, **filters)

    def stats(self, days: int = 30, top: int = 10) -> dict[str, Any]:
        """Dashboard figures over the last `days` days; see `queries.dashboard`."""
        with self.reader() as db:
            return queries.dashboard(db, self._clock(), days, top)
