"""Read-only views of the index for IT: the document list, the status, and a verification
that the published version is complete and consistent."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from assistant.errors import IndexError_
from assistant.index.versions import IndexRepository, age_seconds
from assistant.settings import Settings
from ingest.chunking import signature
from ingest.scan import content_hash, scan_folder


def list_documents(settings: Settings) -> list[dict[str, Any]]:
    """Every indexed document with its metadata and chunk count."""
    version = IndexRepository(settings.index_dir).open_current()
    try:
        return [d.as_dict() for d in version.store.documents()]
    finally:
        version.close()


def status(settings: Settings, folder: Path | None = None) -> dict[str, Any]:
    """The index in use, its age and size, and whether `folder` has changes not yet ingested."""
    repo = IndexRepository(settings.index_dir)
    current = repo.current_id()
    out: dict[str, Any] = {"index_version": current, "home": str(settings.home), "interrupted_ingests": repo.leftovers()}
    if current is None:
        return out
    meta = repo.read_meta(current)
    out.update({
        "published_at": meta.get("published_at"), "age_seconds": round(age_seconds(meta)),
        "documents": meta.get("documents"), "chunks": meta.get("chunks"), "embedder": meta.get("embedder"),
        "corpus_sha256": meta.get("corpus_sha256"), "versions_on_disk": repo.version_ids(),
    })
    if folder is not None and folder.is_dir():
        out["pending_changes"] = pending_changes(settings, folder)
    return out


def pending_changes(settings: Settings, folder: Path) -> dict[str, list[str]]:
    """Files of `folder` that a sync would add, update or remove."""
    files, _ = scan_folder(folder, settings.ingest.ignore)
    indexed = {d["source_path"]: d for d in list_documents(settings)}
    root = str(folder.resolve())
    new = [str(f.path) for f in files if f.source_key not in indexed]
    changed = [str(f.path) for f in files if f.source_key in indexed and indexed[f.source_key]["content_sha256"] != f.content_sha256]
    present = {f.source_key for f in files}
    removed = [k for k in indexed if k.startswith(root + "/") and k not in present]
    return {"new": new, "changed": changed, "removed": removed}


def chunking_rules(settings: Settings) -> dict[str, int]:
    """How documents are cut with these settings (recorded in each index version's meta)."""
    return signature(settings.ingest.chunk_max_chars, settings.ingest.chunk_overlap_chars)


def cut_with_other_rules(settings: Settings, repo: IndexRepository) -> bool:
    """Whether the current index was cut with other chunking rules than today's (settings or
    code: `CHUNKING_VERSION`); the next sync then reads and cuts every document again."""
    current = repo.current_id()
    return current is not None and repo.read_meta(current).get("chunking") != chunking_rules(settings)


def index_is_stale(settings: Settings, folder: Path) -> bool:
    """True when there is no index, it was cut with other chunking rules, or `folder` differs
    from it (used by `make run`)."""
    repo = IndexRepository(settings.index_dir)
    if repo.current_id() is None or cut_with_other_rules(settings, repo):
        return True
    changes = pending_changes(settings, folder)
    return any(changes.values())


def verify(settings: Settings) -> tuple[list[str], list[str]]:
    """(problems, warnings) for the index in use. Problems mean the index is damaged;
    warnings mean it is sound but behind its sources (a sync is due)."""
    repo = IndexRepository(settings.index_dir)
    problems: list[str] = []
    warnings: list[str] = [f"interrupted ingest left {name} (removed by the next ingest)" for name in repo.leftovers()]
    try:
        version = repo.open_current()
    except Exception as exc:  # noqa: BLE001 - reported, not raised
        return [str(exc)], warnings
    try:
        if not version.store.integrity_ok():
            problems.append("store.sqlite: integrity check failed")
        docs = version.store.documents()
        counts = version.store.chunk_counts()
        for doc in docs:
            if counts.get(doc.doc_id, 0) != doc.chunk_count:
                problems.append(f"{doc.doc_id}: {counts.get(doc.doc_id, 0)} chunks stored, {doc.chunk_count} expected")
            source = Path(doc.source_path)
            if not source.is_file():
                warnings.append(f"{doc.doc_id}: source file missing ({source})")
            elif content_hash(source) != doc.content_sha256:
                warnings.append(f"{doc.doc_id}: source file changed since ingest (run `garant-ingest sync`)")
        orphans = set(counts) - {d.doc_id for d in docs}
        problems.extend(f"{o}: chunks without a document" for o in sorted(orphans))
        total = sum(counts.values())
        vectors = version.vectors.count()
        if vectors != total:
            problems.append(f"vector index holds {vectors} vectors for {total} chunks")
        if version.meta.get("chunks") != total:
            problems.append(f"meta.json announces {version.meta.get('chunks')} chunks, store holds {total}")
    except IndexError_ as exc:  # a damaged file is a problem to report, not a crash
        problems.append(exc.message_en)
    finally:
        version.close()
    return problems, warnings
