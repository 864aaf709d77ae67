"""Finds the files of a corpus folder that ingest should read, with their content hashes."""

from __future__ import annotations

import fnmatch
import hashlib
from dataclasses import dataclass
from pathlib import Path

SUPPORTED = {".pdf", ".md", ".markdown", ".txt", ".docx", ".html", ".htm"}


@dataclass(frozen=True)
class SourceFile:
    """A file to ingest. `content_sha256` covers the file and its sidecar metadata."""

    path: Path
    root: Path
    content_sha256: str
    size_bytes: int

    @property
    def source_key(self) -> str:
        """Absolute path, the identity used to detect changed and removed files."""
        return str(self.path)


def sidecar_of(path: Path) -> Path:
    """The metadata file that may sit beside a document."""
    return path.with_name(path.name + ".meta.yaml")


def content_hash(path: Path) -> str:
    """SHA-256 of the file's bytes followed by its sidecar's, if any."""
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    sidecar = sidecar_of(path)
    if sidecar.is_file():
        digest.update(b"\0sidecar\0")
        digest.update(sidecar.read_bytes())
    return digest.hexdigest()


def _ignored(rel: Path, patterns: list[str]) -> bool:
    return any(fnmatch.fnmatch(part, pattern) for part in rel.parts for pattern in patterns)


def scan_folder(root: Path, ignore: list[str]) -> tuple[list[SourceFile], list[Path]]:
    """Supported files under `root` (sorted), and the unsupported ones for the report."""
    root = root.resolve()
    found: list[SourceFile] = []
    unsupported: list[Path] = []
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        rel = path.relative_to(root)
        if _ignored(rel, ignore):
            continue
        if path.suffix.lower() not in SUPPORTED:
            unsupported.append(path)
            continue
        found.append(source_file(path, root))
    return found, unsupported


def source_file(path: Path, root: Path) -> SourceFile:
    """Describe one file relative to its corpus root."""
    path = path.resolve()
    return SourceFile(path=path, root=root.resolve(), content_sha256=content_hash(path), size_bytes=path.stat().st_size)
