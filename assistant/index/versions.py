"""Published index versions and the atomic switch between them.

Layout under `<home>/index/`: one folder per published version (`v-<time>-<id>/` holding
`meta.json`, `store.sqlite` and `chroma/`), a `CURRENT` file naming the version in use,
and `.staging-*` folders while an ingest works. A version is never modified once
published; an ingest builds a staging copy and publishes it with one atomic rename of
`CURRENT`, so a reader (or a crash) only ever sees a complete version. Several app nodes
can serve the same published folder.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from assistant.errors import IndexError_
from assistant.index.store import IndexStore
from assistant.index.vectors import ChromaVectorIndex

CURRENT = "CURRENT"
META = "meta.json"
STORE = "store.sqlite"
CHROMA = "chroma"
_VERSION_NAME = re.compile(r"v-[\w.-]{1,80}")


def new_version_id() -> str:
    """A fresh version name: publication time and a random suffix."""
    return f"v-{datetime.now(UTC).strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:6]}"


def _fsync_dir(folder: Path) -> None:
    fd = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    _fsync_dir(path.parent)


@dataclass
class IndexVersion:
    """An opened, read-only published version."""

    version_id: str
    folder: Path
    meta: dict[str, Any]
    store: IndexStore
    vectors: ChromaVectorIndex

    def close(self) -> None:
        """Release files."""
        self.store.close()
        self.vectors.close()


class Staging:
    """A writable copy being prepared by one ingest; invisible to readers until published."""

    def __init__(self, folder: Path, parent: str | None, parent_meta: dict[str, Any] | None) -> None:
        self.folder = folder
        self.parent = parent
        self.parent_meta = parent_meta or {}
        self.store = IndexStore(folder / STORE, readonly=False)
        self.vectors = ChromaVectorIndex(folder / CHROMA, create=True)

    def close(self) -> None:
        """Release files before publishing or discarding."""
        self.store.flush()
        self.store.close()
        self.vectors.close()


class IndexRepository:
    """Finds, opens, stages and publishes index versions in one folder."""

    def __init__(self, index_dir: Path) -> None:
        self.root = index_dir

    def current_id(self) -> str | None:
        """Name of the version in use, or None when nothing was published; IndexError_ when
        the index folder or its CURRENT pointer cannot be read."""
        pointer = self.root / CURRENT
        try:
            if self.root.exists() and not self.root.is_dir():
                raise NotADirectoryError(str(self.root))
            if not pointer.is_file():
                return None
            name = pointer.read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as exc:
            raise IndexError_(
                f"Le dossier de l'index {self.root} est illisible ({type(exc).__name__}) : vérifiez qu'il s'agit bien d'un dossier et ses droits, ou relancez `garant-ingest rebuild`.",
                f"The index folder {self.root} is unreadable ({type(exc).__name__}): check that it is a folder and its permissions, or run `garant-ingest rebuild`.",
            ) from exc
        if name and (not _VERSION_NAME.fullmatch(name) or ".." in name):
            raise IndexError_(
                f"Le fichier {pointer} ne désigne pas une version d'index valide : relancez `garant-ingest rebuild`.",
                f"The file {pointer} does not name a valid index version: run `garant-ingest rebuild`.",
            )
        return name or None

    def version_ids(self) -> list[str]:
        """Published versions on disk, oldest first."""
        if not self.root.is_dir():
            return []
        return sorted(p.name for p in self.root.iterdir() if p.is_dir() and p.name.startswith("v-"))

    def read_meta(self, version_id: str) -> dict[str, Any]:
        """The meta.json of a version."""
        return json.loads((self.root / version_id / META).read_text(encoding="utf-8"))

    def open_current(self) -> IndexVersion:
        """Open the version in use, read-only, with a clear error when there is none."""
        version_id = self.current_id()
        if version_id is None:
            raise IndexError_(
                "Aucun index n'est disponible : lancez `garant-ingest sync` pour indexer les documents.",
                "No index is available: run `garant-ingest sync` to index the documents.",
            )
        folder = self.root / version_id
        try:
            meta = self.read_meta(version_id)
            store = IndexStore(folder / STORE, readonly=True)
            vectors = ChromaVectorIndex(folder / CHROMA, create=False)
        except Exception as exc:  # noqa: BLE001 - any failure here means an unusable index folder
            raise IndexError_(
                f"L'index {version_id} est illisible ({type(exc).__name__}) : vérifiez les droits sur {folder} ou relancez `garant-ingest rebuild`.",
                f"Index {version_id} is unreadable ({type(exc).__name__}): check permissions on {folder} or run `garant-ingest rebuild`.",
            ) from exc
        return IndexVersion(version_id=version_id, folder=folder, meta=meta, store=store, vectors=vectors)

    def stage(self, copy_current: bool = True) -> Staging:
        """A fresh staging folder, starting as a copy of the current version (or empty)."""
        self.root.mkdir(parents=True, exist_ok=True)
        folder = self.root / f".staging-{uuid.uuid4().hex[:12]}"
        parent = self.current_id() if copy_current else None
        parent_meta = None
        if parent is not None:
            shutil.copytree(self.root / parent, folder)
            (folder / META).unlink(missing_ok=True)
            parent_meta = self.read_meta(parent)
        else:
            folder.mkdir()
        return Staging(folder, parent, parent_meta)

    def publish(self, staging: Staging, meta: dict[str, Any], version_id: str | None = None) -> str:
        """Seal a staging folder as a new version (named `version_id`, or a fresh name) and
        point CURRENT at it, atomically. Nothing writes into a version after this."""
        staging.close()
        version_id = version_id or new_version_id()
        meta = {**meta, "version_id": version_id, "parent": staging.parent, "published_at": datetime.now(UTC).isoformat()}
        _write_atomic(staging.folder / META, json.dumps(meta, indent=2, ensure_ascii=False))
        os.rename(staging.folder, self.root / version_id)
        _fsync_dir(self.root)
        _write_atomic(self.root / CURRENT, version_id + "\n")
        return version_id

    def discard(self, staging: Staging) -> None:
        """Throw a staging folder away."""
        try:
            staging.close()
        finally:
            shutil.rmtree(staging.folder, ignore_errors=True)

    def cleanup(self, keep: int) -> list[str]:
        """Delete leftover staging folders and pointer drafts (from killed ingests) and versions
        beyond `keep`; with an unreadable CURRENT no version is deleted."""
        removed: list[str] = []
        if not self.root.is_dir():
            return removed
        for path in self.root.glob(".staging-*"):
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path.name)
        for path in self.root.glob(f".{CURRENT}.*.tmp"):
            path.unlink(missing_ok=True)
            removed.append(path.name)
        try:
            current = self.current_id()
        except IndexError_:
            return removed
        old = [v for v in self.version_ids() if v != current]
        for version_id in old[: max(len(old) - (keep - 1), 0)]:
            shutil.rmtree(self.root / version_id, ignore_errors=True)
            removed.append(version_id)
        return removed

    def leftovers(self) -> list[str]:
        """Staging folders left by interrupted ingests."""
        return sorted(p.name for p in self.root.glob(".staging-*")) if self.root.is_dir() else []


def age_seconds(meta: dict[str, Any]) -> float:
    """Seconds since a version was published."""
    published = datetime.fromisoformat(meta["published_at"])
    return time.time() - published.timestamp()
