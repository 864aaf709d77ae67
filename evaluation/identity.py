"""What identifies an evaluation run — corpus, models, prompts, settings, code, questions,
date and machine — read from its run.json as labelled French lines, and which of them
differ between two runs (so a change of figures can be traced to a change of system).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class Item:
    """One line of a run's identity. `system` items are what a change of results can come from."""

    key: str
    label: str
    value: str
    system: bool = True
    compared: str | None = None  # what is compared between runs, when not the displayed value

    @property
    def fingerprint(self) -> str:
        """The part of the value that says whether two runs differ."""
        return self.value if self.compared is None else self.compared


def _date(iso: str | None) -> str:
    if not iso:
        return "(non terminé)"
    moment = datetime.fromisoformat(iso)
    return moment.strftime("%d/%m/%Y %H:%M") + (" UTC" if moment.utcoffset() is not None else "")


def _corpus(meta: Mapping[str, Any]) -> str:
    index = meta.get("index") or {}
    text = f"index {meta.get('index_version') or '?'}"
    if index.get("corpus_sha256"):
        text += f", contenu {index['corpus_sha256']}"
    if index.get("documents") is not None:
        text += f" ({index['documents']} documents, {index.get('chunks')} passages)"
    return text


def _model(meta: Mapping[str, Any]) -> tuple[str, str]:
    """(name and backend, SHA-256 of the model file)."""
    if meta.get("no_llm"):
        return "aucun (--no-llm : réponses sans modèle, passages recopiés mot pour mot)", "—"
    model = meta.get("model") or {}
    if model.get("error"):
        return f"indisponible : {model['error']}", "—"
    name = f"{model.get('name') or '?'} ({model.get('backend') or '?'})"
    return name, model.get("file_sha256") or "non calculée (modèle sans fichier)"


def _code(meta: Mapping[str, Any]) -> str:
    git = meta.get("git") or {}
    if not git.get("commit"):
        return "inconnue (hors dépôt git)"
    return f"commit {git['commit'][:12]}" + (" avec modifications locales" if git.get("dirty") else "")


def run_identity(meta: Mapping[str, Any]) -> list[Item]:
    """The run's identity, in the order a reader checks it."""
    model, sha = _model(meta)
    embedder = meta.get("embedder") or {}
    dataset = meta.get("dataset") or {}
    machine = meta.get("machine") or {}
    prompts = ", ".join(f"{lang} {version}" for lang, version in (meta.get("prompt_versions") or {}).items()) or "?"
    return [
        Item("corpus", "Version du corpus", _corpus(meta)),
        Item("model", "Modèle de langue", model),
        Item("model_sha256", "Empreinte SHA-256 du modèle", sha),
        Item("embedder", "Modèle de vectorisation", str(embedder.get("name") or "?")),
        Item("prompts", "Consignes (versions du prompt)", prompts),
        Item("settings", "Empreinte des réglages", str(meta.get("settings_fingerprint") or "?")),
        Item("code", "Version du code", _code(meta)),
        Item(
            "dataset",
            "Jeu de questions",
            f"{dataset.get('path')} (SHA-256 {str(dataset.get('sha256') or '?')[:16]}…, {dataset.get('questions')} questions)",
            compared=str(dataset.get("sha256")),
        ),
        Item("date", "Date", f"du {_date(meta.get('started_at'))} au {_date(meta.get('finished_at'))}", system=False),
        Item(
            "machine",
            "Machine",
            f"{machine.get('cpu') or '?'}, {machine.get('cores') or '?'} cœurs, Python {machine.get('python') or '?'}",
            system=False,
        ),
    ]


def identity_changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> list[tuple[Item, Item, bool]]:
    """Each identity line of two runs side by side, with whether it changed."""
    return [(old, new, old.fingerprint != new.fingerprint) for old, new in zip(run_identity(before), run_identity(after), strict=True)]
