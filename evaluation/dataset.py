"""The evaluation dataset: one JSON object per line, loaded and validated with errors that
name the line and say what to fix.

A line looks like
  {"id": "q001", "question": "…", "lang": "fr", "answerable": true,
   "expected_sources": ["anap", "2024-1689"], "expected_keywords": [["75 %", "75%"], ["cadres"]]}
`lang`, `expected_sources`, `expected_keywords` and `kind` are optional; other keys
(e.g. "category") are kept as extras. An inner keyword list holds alternatives; a plain
string stands for a list of one. Blank lines are ignored.

Also home of the evaluation's errors (the package has no other shared module).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistant.errors import GarantError

MAX_ERRORS_SHOWN = 10
KNOWN_KEYS = {"id", "question", "lang", "answerable", "expected_sources", "expected_keywords", "kind"}


class EvaluationError(GarantError):
    """An evaluation cannot run or be reported (wrong folder, mixed configurations)."""

    exit_code = 2


class DatasetError(EvaluationError):
    """The dataset file is missing or has invalid lines; `errors` lists them (line-numbered)."""

    exit_code = 65

    def __init__(self, message_fr: str, message_en: str, errors: list[str] | None = None) -> None:
        super().__init__(message_fr, message_en)
        self.errors = errors or []


@dataclass(frozen=True)
class Question:
    """One evaluation question and what a good answer looks like."""

    id: str
    question: str
    answerable: bool
    lang: str | None = None
    expected_sources: tuple[str, ...] = ()
    expected_keywords: tuple[tuple[str, ...], ...] = ()
    kind: str | None = None
    extra: dict[str, Any] = field(default_factory=dict, hash=False, compare=False)

    def as_dict(self) -> dict[str, Any]:
        """The question as stored with each result (lists, not tuples)."""
        return {
            "id": self.id,
            "question": self.question,
            "lang": self.lang,
            "answerable": self.answerable,
            "expected_sources": list(self.expected_sources),
            "expected_keywords": [list(g) for g in self.expected_keywords],
            "kind": self.kind,
            "extra": self.extra,
        }

    @property
    def fingerprint(self) -> str:
        """Short hash of the question and its expectations: a result is reused only if it matches."""
        blob = json.dumps(self.as_dict(), sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(blob.encode()).hexdigest()[:16]


def file_sha256(path: Path) -> str:
    """SHA-256 of the dataset file, recorded with the run."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _strings(value: Any, what: str) -> tuple[tuple[str, ...], str | None]:
    """A list of non-empty strings, or an error sentence."""
    if not isinstance(value, list) or not all(isinstance(s, str) and s.strip() for s in value):
        return (), f"« {what} » doit être une liste de textes non vides"
    return tuple(s.strip() for s in value), None


def _keywords(value: Any) -> tuple[tuple[tuple[str, ...], ...], str | None]:
    """A list of alternative groups (a plain string is a group of one), or an error sentence."""
    if not isinstance(value, list):
        return (), '« expected_keywords » doit être une liste de listes de textes, par ex. [["75 %", "75%"], ["cadres"]]'
    groups: list[tuple[str, ...]] = []
    for position, group in enumerate(value, start=1):
        group = [group] if isinstance(group, str) else group
        alternatives, error = _strings(group, f"expected_keywords[{position}]")
        if error or not alternatives:
            return (), error or f"« expected_keywords[{position}] » est vide"
        groups.append(alternatives)
    return tuple(groups), None


def parse_line(data: Any) -> tuple[Question | None, list[str]]:
    """A Question from one decoded line, or the problems found (without line numbers)."""
    if not isinstance(data, dict):
        return None, ["chaque ligne doit être un objet JSON {…}"]
    problems: list[str] = []
    for key in ("id", "question"):
        if not isinstance(data.get(key), str) or not data[key].strip():
            problems.append(f"« {key} » manque ou n'est pas un texte non vide")
    if not isinstance(data.get("answerable"), bool):
        problems.append("« answerable » manque ou n'est pas true/false")
    lang = data.get("lang")
    if lang is not None and lang not in ("fr", "en"):
        problems.append(f'« lang » vaut {lang!r} ; valeurs possibles : "fr", "en"')
    sources, error = _strings(data.get("expected_sources", []), "expected_sources")
    if error:
        problems.append(error)
    keywords, error = _keywords(data.get("expected_keywords", []))
    if error:
        problems.append(error)
    kind = data.get("kind")
    if kind is not None and not isinstance(kind, str):
        problems.append("« kind » doit être un texte")
    if problems:
        return None, problems
    return Question(
        id=data["id"].strip(),
        question=data["question"].strip(),
        answerable=data["answerable"],
        lang=lang,
        expected_sources=sources,
        expected_keywords=keywords,
        kind=kind or None,
        extra={k: v for k, v in data.items() if k not in KNOWN_KEYS},
    ), []


def load_dataset(path: Path) -> list[Question]:
    """Every question of a JSONL file, in order. Raises DatasetError listing the bad lines."""
    path = Path(path)
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except FileNotFoundError as exc:
        raise DatasetError(
            f"Jeu de questions introuvable : {path}. Vérifiez le chemin donné à --dataset.",
            f"Dataset not found: {path}. Check the path given to --dataset.",
        ) from exc
    except (UnicodeDecodeError, OSError) as exc:
        raise DatasetError(
            f"Jeu de questions illisible ({path}) : {exc}. Enregistrez-le en UTF-8, une question JSON par ligne.",
            f"Unreadable dataset ({path}): {exc}. Save it as UTF-8, one JSON question per line.",
        ) from exc
    questions: list[Question] = []
    errors: list[str] = []
    first_line_of: dict[str, int] = {}
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        # decode, validate, then check the id is new
        try:
            data = json.loads(line)
        except json.JSONDecodeError as exc:
            errors.append(f"ligne {number} : JSON invalide ({exc.msg}, colonne {exc.colno})")
            continue
        question, problems = parse_line(data)
        errors.extend(f"ligne {number} : {problem}" for problem in problems)
        if question is None:
            continue
        if question.id in first_line_of:
            errors.append(f"ligne {number} : l'identifiant « {question.id} » est déjà utilisé ligne {first_line_of[question.id]}")
            continue
        first_line_of[question.id] = number
        questions.append(question)
    if errors:
        shown = errors[:MAX_ERRORS_SHOWN] + ([f"… et {len(errors) - MAX_ERRORS_SHOWN} autre(s)"] if len(errors) > MAX_ERRORS_SHOWN else [])
        listing = "\n  ".join(shown)
        raise DatasetError(
            f"Jeu de questions invalide ({path}), corrigez ces lignes :\n  {listing}",
            f"Invalid dataset ({path}), fix these lines:\n  {listing}",
            errors,
        )
    if not questions:
        raise DatasetError(
            f"Le jeu de questions {path} est vide : ajoutez au moins une question (une ligne JSON).",
            f"The dataset {path} is empty: add at least one question (one JSON line).",
        )
    return questions
