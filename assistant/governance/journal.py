"""The files that keep governance log rows safe outside SQLite.

- The **journal** `governance-journal-<id>.jsonl`, one per running log: every row
  acknowledged to a caller is appended to it (one `write`, fsync optional) before `record`
  returns, so a kill -9 of the server loses no acknowledged row. Its owner holds an exclusive
  lock (flock) on it while it runs; it is emptied whenever the writer has committed
  everything, and removed at a clean stop.
- The **pending file** `governance-pending.jsonl`: rows a stopping log could not write (or that
  found the queue full), handed over to the next start.
- The **replay file** `governance-pending.jsonl.replaying`: what a start takes over — the
  pending file and the journals whose owner died (their lock is free) — kept until its rows
  are written, so a crash during the replay loses nothing. Inserts are idempotent, so a row
  replayed twice is written once.

All files are created mode 0600 (they hold redacted texts and pseudonyms).
"""

from __future__ import annotations

import json
import logging
import os
import uuid
from collections.abc import Iterable
from pathlib import Path
from typing import Any

try:  # POSIX; elsewhere a journal is never taken over while the server runs (no lock to tell)
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

log = logging.getLogger(__name__)

JOURNAL_PREFIX = "governance-journal-"


def encode(item: dict[str, Any]) -> bytes:
    """One journal or pending-file line."""
    return (json.dumps(item, ensure_ascii=False) + "\n").encode("utf-8")


def _open_private(path: Path) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    return os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _try_lock(fd: int) -> bool:
    """Take the exclusive lock of a journal without waiting; False when its owner holds it."""
    if fcntl is None:  # pragma: no cover
        return True
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    return True


class Journal:
    """The crash journal of one running log (see the module docstring)."""

    def __init__(self, folder: Path, fsync: bool = False) -> None:
        self.folder = folder
        self.fsync = fsync
        self.path: Path | None = None
        self._fd: int | None = None

    def open(self) -> None:
        """Create this run's journal and lock it. Raises OSError."""
        if self._fd is not None:
            return
        path = self.folder / f"{JOURNAL_PREFIX}{os.getpid()}-{uuid.uuid4().hex[:8]}.jsonl"
        fd = _open_private(path)
        _try_lock(fd)  # a fresh name: nobody else holds it
        self.path, self._fd = path, fd

    def append(self, line: bytes) -> bool:
        """Append one line (the caller serialises appends); False when the journal is not open or
        the disk refused (logged: the row is still queued for the database)."""
        if self._fd is None:
            return False
        try:
            _write_all(self._fd, line)
            if self.fsync:
                os.fsync(self._fd)
        except OSError as exc:
            log.error("governance journal %s cannot be written (%s): rows are kept in memory only until written", self.path, exc)
            return False
        return True

    def clear(self) -> None:
        """Empty the journal: everything in it is in the database (or in the pending file)."""
        if self._fd is None:
            return
        try:
            if os.fstat(self._fd).st_size:
                os.ftruncate(self._fd, 0)
        except OSError as exc:
            log.warning("governance journal %s cannot be emptied (%s); it will be replayed (harmlessly) later", self.path, exc)

    def close(self, remove: bool) -> None:
        """Release the journal; `remove` when every row in it is safe elsewhere, else the next
        start replays it."""
        fd, self._fd = self._fd, None
        if fd is None:
            return
        if remove and self.path is not None:
            try:
                self.path.unlink(missing_ok=True)
            except OSError as exc:
                log.warning("governance journal %s cannot be removed (%s); it will be replayed (harmlessly)", self.path, exc)
        os.close(fd)  # releases the lock


def append_items(path: Path, items: Iterable[dict[str, Any]]) -> None:
    """Append items to the pending (or rejected) file. Raises OSError."""
    fd = _open_private(path)
    try:
        _write_all(fd, b"".join(encode(item) for item in items))
    finally:
        os.close(fd)


_REPLAY_ORDER = {"interaction": 0, "feedback": 1}


def take_over(pending: Path, replaying: Path, folder: Path, own: Path | None = None) -> list[dict[str, Any]]:
    """Move the pending file and the journals of dead owners into the replay file, and read it:
    answers before feedback (which refers to them), else in file order. A line that is not
    JSON (a write cut by a crash, so never acknowledged) is skipped. `own`: this run's journal,
    never taken."""
    if pending.is_file():
        _move(pending, replaying)
    for path in sorted(folder.glob(f"{JOURNAL_PREFIX}*.jsonl")):
        if path == own:
            continue
        try:
            fd = os.open(path, os.O_RDONLY)
        except OSError:
            continue  # taken over by another start meanwhile
        try:
            if _try_lock(fd):  # else its owner is alive
                log.warning("governance log: taking over the rows of %s (its process stopped without writing them)", path.name)
                _move(path, replaying)
        finally:
            os.close(fd)
    lines = replaying.read_bytes().decode("utf-8", "replace").splitlines() if replaying.is_file() else []
    items = []
    for number, line in enumerate(lines, start=1):
        try:
            items.append(json.loads(line))
        except ValueError:
            log.error("governance log: line %d of %s is not JSON (a write cut short); skipped", number, replaying)
    return sorted(items, key=lambda item: _REPLAY_ORDER.get(item.get("kind") if isinstance(item, dict) else None, 2))


def _move(source: Path, replaying: Path) -> None:
    """Append a file to the replay file (ending its last line), then remove it."""
    data = source.read_bytes()
    if data:
        fd = _open_private(replaying)
        try:
            _write_all(fd, data if data.endswith(b"\n") else data + b"\n")
        finally:
            os.close(fd)
    source.unlink(missing_ok=True)
