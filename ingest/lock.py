"""One ingest at a time: an exclusive, non-blocking file lock in the data folder.

The kernel releases the lock when the holder dies (even by kill -9), so a crashed
ingest never blocks the next one.
"""

from __future__ import annotations

import fcntl
import os
from pathlib import Path
from types import TracebackType

from assistant.errors import IngestBusyError


class IngestLock:
    """Context manager holding `<home>/ingest.lock`; raises IngestBusyError if taken."""

    def __init__(self, home: Path) -> None:
        self.path = home / "ingest.lock"
        self._fd: int | None = None

    def __enter__(self) -> IngestLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            holder = os.pread(fd, 32, 0).decode(errors="replace").strip() or "?"
            os.close(fd)
            raise IngestBusyError(
                f"Une autre indexation est en cours (processus {holder}) : attendez qu'elle se termine puis relancez.",
                f"Another ingest is running (process {holder}): wait for it to finish, then run again.",
            ) from None
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
        self._fd = fd
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
