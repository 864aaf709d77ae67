"""Loading and validating evaluation datasets."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from evaluation.dataset import DatasetError, load_dataset


def _write(tmp_path: Path, *lines: str) -> Path:
    path = tmp_path / "questions.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


GOOD = {
    "id": "q001",
    "question": "Quel taux ?",
    "lang": "fr",
    "answerable": True,
    "expected_sources": ["anap", "2024-1689"],
    "expected_keywords": [["75 %", "75%"], ["cadres"]],
    "category": "chiffres",
    "kind": "guide",
}


def test_a_valid_line_becomes_a_question_with_extras_kept(tmp_path: Path) -> None:
    minimal = {"id": "q002", "question": "Recette ?", "answerable": False}
    [q1, q2] = load_dataset(_write(tmp_path, json.dumps(GOOD), "", json.dumps(minimal)))
    assert q1.expected_keywords == (("75 %", "75%"), ("cadres",)) and q1.kind == "guide"
    assert q1.extra == {"category": "chiffres"}
    assert q2.lang is None and q2.expected_sources == () and not q2.answerable


def test_a_plain_string_keyword_is_a_group_of_one(tmp_path: Path) -> None:
    [q] = load_dataset(_write(tmp_path, json.dumps({**GOOD, "expected_keywords": ["cadres", ["75 %", "75%"]]})))
    assert q.expected_keywords == (("cadres",), ("75 %", "75%"))


def test_every_bad_line_is_reported_with_its_number(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        json.dumps(GOOD),
        "{not json",
        json.dumps({**GOOD, "id": "q3", "answerable": "yes"}),
        json.dumps({**GOOD, "id": "q4", "lang": "de"}),
        json.dumps({**GOOD, "id": "q5", "expected_keywords": [[]]}),
        json.dumps(GOOD),
        json.dumps(["a list"]),
        json.dumps({"question": "sans id", "answerable": True}),
    )
    with pytest.raises(DatasetError) as caught:
        load_dataset(path)
    errors = caught.value.errors
    assert errors[0].startswith("ligne 2 : JSON invalide")
    assert errors[1] == "ligne 3 : « answerable » manque ou n'est pas true/false"
    assert errors[2].startswith("ligne 4 : « lang » vaut 'de'")
    assert errors[3] == "ligne 5 : « expected_keywords[1] » est vide"
    assert errors[4] == "ligne 6 : l'identifiant « q001 » est déjà utilisé ligne 1"
    assert errors[5] == "ligne 7 : chaque ligne doit être un objet JSON {…}"
    assert errors[6] == "ligne 8 : « id » manque ou n'est pas un texte non vide"
    assert "ligne 2" in caught.value.message("fr") and "fix these lines" in caught.value.message("en")


def test_missing_and_empty_datasets_say_what_to_do(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="introuvable.*--dataset"):
        load_dataset(tmp_path / "absent.jsonl")
    with pytest.raises(DatasetError, match="vide"):
        load_dataset(_write(tmp_path, "", "  "))


DATASETS = Path(__file__).resolve().parents[2] / "evaluation" / "datasets"
CORPUS = Path(__file__).resolve().parents[2] / "corpus"


@pytest.mark.parametrize("name", ["dev.jsonl", "dev-subset.jsonl", "heldout.jsonl", "heldout-3-read.jsonl", "heldout-3-unread.jsonl",
                                  "heldout-4.jsonl", "heldout-5.jsonl", "heldout-6.jsonl", "heldout-23.jsonl", "fr-gdpr.jsonl"])
def test_the_shipped_question_sets_load_and_point_at_documents_of_the_sample_corpus(name: str) -> None:
    questions = load_dataset(DATASETS / name)
    paths = [p.relative_to(CORPUS).as_posix().lower() for p in CORPUS.rglob("*") if p.is_file()]
    files = paths + [re.sub(r"[^a-z0-9]+", "-", path) for path in paths]  # and their doc ids (slugs)
    assert len({q.id for q in questions}) == len(questions)
    for question in questions:
        assert question.expected_sources or not question.answerable, question.id
        for source in question.expected_sources:
            # a source string names a file by its path or doc id, or (with spaces) by its title
            assert any(source.lower() in path for path in files) or " " in source, (question.id, source)
