"""Document metadata: what a source file is, from its front matter, a sidecar file or defaults.

This module owns `DocumentMeta` and `read_metadata`. Fields are read, per field, from the
Markdown front matter, else from a sidecar YAML file `<filename>.meta.yaml` beside the source,
else from defaults (title from the first heading or the file name, kind "document", version "1",
status "en_vigueur", language guessed from stop words). `doc_id` is always the slug of the path
relative to the corpus root, so it is stable and unique within a corpus.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from ingest.document import Block

KINDS = ("document", "reglementation", "recommandation", "guide", "charte", "procedure", "note")
STATUSES = ("en_vigueur", "archive")
_FIELDS = ("title", "kind", "version", "effective_date", "status", "owner", "lang")
_STOP_FR = frozenset("le la les des du de et est une un pour dans que qui sur au aux par pas ce".split())
_STOP_EN = frozenset("the of and to in is that for on with as by be are this or which shall".split())


class MetadataError(ValueError):
    """Metadata that cannot be accepted, with a reason in French and English."""

    def __init__(self, reason_fr: str, reason_en: str) -> None:
        super().__init__(f"{reason_fr} / {reason_en}")
        self.reason_fr = reason_fr
        self.reason_en = reason_en


@dataclass(frozen=True)
class DocumentMeta:
    """What Garant knows about one source document."""

    doc_id: str
    title: str
    kind: str = "document"
    version: str = "1"
    effective_date: str | None = None  # ISO date, YYYY-MM-DD
    status: str = "en_vigueur"  # "en_vigueur" | "archive"
    owner: str | None = None
    lang: str = "fr"


def read_metadata(
    path: Path,
    front_matter: dict[str, Any] | None,
    root: Path,
    blocks: list[Block] | None = None,
) -> DocumentMeta:
    """The metadata of the source at `path`, inside the corpus folder `root`.

    `blocks` (extracted or cleaned) give the default title (first heading) and language.
    Raises MetadataError for an unknown kind or status, a bad date or a malformed sidecar.
    """
    path, root = Path(path), Path(root)
    values: dict[str, Any] = {}
    values.update(_known_fields(_read_sidecar(path), path))
    values.update(_known_fields(front_matter or {}, path))
    blocks = blocks or []
    kind = str(values.get("kind") or "document").strip().lower()
    status = str(values.get("status") or "en_vigueur").strip().lower()
    if kind not in KINDS:
        raise MetadataError(
            f"{path.name} : type de document « {kind} » inconnu ; utilisez l'un de : {', '.join(KINDS)}.",
            f"{path.name}: unknown document kind '{kind}'; use one of: {', '.join(KINDS)}.",
        )
    if status not in STATUSES:
        raise MetadataError(
            f"{path.name} : statut « {status} » inconnu ; utilisez « en_vigueur » ou « archive ».",
            f"{path.name}: unknown status '{status}'; use 'en_vigueur' or 'archive'.",
        )
    lang = str(values.get("lang") or guess_language(" ".join(b.text for b in blocks[:200])))
    return DocumentMeta(
        doc_id=slug_for(path, root),
        title=str(values.get("title") or _default_title(path, blocks)).strip(),
        kind=kind,
        version=str(values.get("version") or "1").strip(),
        effective_date=_iso_date(values.get("effective_date"), path),
        status=status,
        owner=str(values["owner"]).strip() if values.get("owner") else None,
        lang=lang.strip().lower()[:2],
    )


def slug_for(path: Path, root: Path) -> str:
    """A stable id from the path relative to `root`: "Réglementation/AI Act.pdf" -> "reglementation-ai-act-pdf"."""
    try:
        relative = Path(path).resolve().relative_to(Path(root).resolve())
    except ValueError as exc:
        raise MetadataError(
            f"Le fichier {path} n'est pas dans le dossier du corpus {root} ; déplacez-le dans ce dossier.",
            f"The file {path} is not inside the corpus folder {root}; move it there.",
        ) from exc
    ascii_text = unicodedata.normalize("NFKD", relative.as_posix()).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def guess_language(text: str) -> str:
    """Return "fr" or "en", whichever language's stop words are more frequent (French on a tie)."""
    words = re.findall(r"[a-zà-ÿ]+", text.lower())
    fr = sum(w in _STOP_FR for w in words)
    en = sum(w in _STOP_EN for w in words)
    return "en" if en > fr else "fr"


def _read_sidecar(path: Path) -> dict[str, Any]:
    """The mapping in `<filename>.meta.yaml` beside `path`, or {} if there is none."""
    sidecar = path.with_name(path.name + ".meta.yaml")
    if not sidecar.is_file():
        return {}
    try:
        data = yaml.safe_load(sidecar.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise MetadataError(
            f"Le fichier {sidecar.name} n'est pas un YAML valide ; corrigez-le ou supprimez-le.",
            f"The file {sidecar.name} is not valid YAML; fix or delete it.",
        ) from exc
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise MetadataError(
            f"Le fichier {sidecar.name} doit contenir des paires « clé: valeur » (title, kind, version...).",
            f"The file {sidecar.name} must hold 'key: value' pairs (title, kind, version...).",
        )
    return data


def _known_fields(data: dict[str, Any], path: Path) -> dict[str, Any]:
    """The metadata fields present (and not empty) in `data`; other keys are ignored."""
    return {key: data[key] for key in _FIELDS if data.get(key) not in (None, "")}


def _iso_date(value: Any, path: Path) -> str | None:
    """An ISO date string from a YAML date, a datetime or an ISO string; None if absent."""
    if value in (None, ""):
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    try:
        return dt.date.fromisoformat(str(value).strip()).isoformat()
    except ValueError as exc:
        raise MetadataError(
            f"{path.name} : date d'entrée en vigueur « {value} » illisible ; écrivez-la AAAA-MM-JJ.",
            f"{path.name}: effective date '{value}' is not readable; write it as YYYY-MM-DD.",
        ) from exc


def _default_title(path: Path, blocks: list[Block]) -> str:
    """The first heading of the document, else the file name without suffix, tidied."""
    for block in blocks:
        if block.heading_path:
            return block.heading_path[0]
    return re.sub(r"[_-]+", " ", path.stem).strip() or path.name
