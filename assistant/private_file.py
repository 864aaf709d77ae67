"""Secrets kept in small private files of the data folder (the log salt, the prompt canary):
created once, whole, mode 0600, and never seen half-written by a concurrent reader."""

from __future__ import annotations

import os
import secrets
from collections.abc import Callable
from pathlib import Path


def read_or_create(path: Path, make: Callable[[], str]) -> str:
    """The file's stripped text; when absent, `make()` is written to a private temporary file
    and linked into place, so two creators never mix and a reader never sees it empty (the
    first link wins; the others read the winner's value)."""
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(fd, "w") as out:
                out.write(make())
            os.link(tmp, path)
        except FileExistsError:
            pass  # another thread or process linked its own first
        finally:
            tmp.unlink(missing_ok=True)
    return path.read_text(encoding="utf-8").strip()
