"""Reads one file in a child process with a wall-clock and an address-space limit.

A file that hangs the parser, exhausts memory or crashes it is reported by name with a
reason, and the batch goes on. The child applies its own limits (see `ingest.worker`):
no `preexec_fn` here, because forking a process whose other thread is inside OpenBLAS
deadlocks in OpenBLAS's fork handler; without it, Python spawns with vfork.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ingest.document import ChunkDraft


@dataclass
class ParseResult:
    """Outcome of reading one file."""

    path: Path
    ok: bool
    chunks: list[ChunkDraft] = field(default_factory=list)
    page_count: int | None = None
    front_matter: dict[str, Any] = field(default_factory=dict)
    first_heading: str | None = None
    text_sample: str = ""
    warnings: list[str] = field(default_factory=list)
    reason_fr: str = ""
    reason_en: str = ""


def _failure(path: Path, fr: str, en: str) -> ParseResult:
    return ParseResult(path=path, ok=False, reason_fr=fr, reason_en=en)


def parse_in_sandbox(path: Path, max_chars: int, overlap: int, timeout_s: float, memory_mb: int) -> ParseResult:
    """Run `ingest.worker` on one file and turn its output (or its death) into a ParseResult."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)}
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "ingest.worker", str(path), str(max_chars), str(overlap), str(memory_mb), str(int(timeout_s) + 1)],
            capture_output=True, timeout=timeout_s, env=env, check=False,
        )
    except subprocess.TimeoutExpired:
        return _failure(
            path,
            f"lecture interrompue après {timeout_s:.0f} s (fichier trop lourd ou piégé) : vérifiez le fichier ou augmentez ingest.parse_timeout_s.",
            f"reading stopped after {timeout_s:.0f} s (file too heavy or booby-trapped): check the file or raise ingest.parse_timeout_s.",
        )
    if proc.returncode != 0 or not proc.stdout:
        tail = proc.stderr.decode(errors="replace").strip().splitlines()[-1:] or ["?"]
        memory = "MemoryError" in tail[0] or proc.returncode in (-9, -6)
        if memory:
            return _failure(
                path,
                f"la lecture a dépassé la limite de mémoire ({memory_mb} Mo) : fichier piégé ou trop volumineux, vérifiez-le.",
                f"reading exceeded the memory limit ({memory_mb} MB): booby-trapped or too large file, check it.",
            )
        return _failure(
            path,
            f"le lecteur de fichier a échoué ({tail[0][:160]}) : vérifiez que le fichier s'ouvre correctement.",
            f"the file reader failed ({tail[0][:160]}): check that the file opens correctly.",
        )
    data = json.loads(proc.stdout)
    if not data["ok"]:
        return _failure(path, data["reason_fr"], data["reason_en"])
    return ParseResult(
        path=path, ok=True, chunks=[ChunkDraft(**c) for c in data["chunks"]], page_count=data["page_count"],
        front_matter=data["front_matter"], first_heading=data["first_heading"], text_sample=data["text_sample"],
        warnings=data["warnings"],
    )
