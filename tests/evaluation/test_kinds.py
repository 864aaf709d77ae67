"""`garant-eval kinds`: value questions of a phrasing set recognised as asking for their kind."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evaluation.cli import main
from evaluation.dataset import DatasetError
from evaluation.kinds import score_file


def _write(path: Path, rows: list[dict[str, str]]) -> Path:
    path.write_text("".join(json.dumps(row, ensure_ascii=False) + "\n" for row in rows), encoding="utf-8")
    return path


def test_counts_recognised_questions_per_kind_and_flagged_others(tmp_path: Path) -> None:
    dataset = _write(tmp_path / "k.jsonl", [
        {"id": "k1", "lang": "fr", "kind": "duration", "question": "Donne-moi le délai de déclaration d'un incident."},
        {"id": "k2", "lang": "fr", "kind": "duration", "question": "Pourquoi déclarer un incident ?"},  # not recognised
        {"id": "k3", "lang": "fr", "kind": "money", "question": "Le budget de la formation, c'est combien ?"},
        {"id": "k4", "lang": "en", "kind": "person", "question": "What's the CISO called?"},
        {"id": "k5", "lang": "fr", "kind": "none", "question": "Comment déclarer un incident ?"},
        {"id": "k6", "lang": "fr", "kind": "none", "question": "Quel est le délai de déclaration ?"},  # flagged
    ])
    score = score_file(dataset)
    assert (score.recognised["duration"], score.total["duration"]) == (1, 2)
    assert (score.recognised["money"], score.recognised["person"]) == (1, 1)
    assert (score.flagged, score.total["none"]) == (1, 2)
    text = score.render()
    assert "recognised        3 / 4" in text
    assert "none flagged      1 / 2" in text


def test_the_command_prints_the_table(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    dataset = _write(tmp_path / "k.jsonl", [{"id": "k1", "lang": "fr", "kind": "phone", "question": "Numéro de téléphone du DPO ?"}])
    assert main(["kinds", "--dataset", str(dataset)]) == 0
    assert "phone             1 / 1" in capsys.readouterr().out


def test_an_unreadable_line_is_a_clear_error(tmp_path: Path) -> None:
    dataset = tmp_path / "k.jsonl"
    dataset.write_text('{"question": "Quel délai ?"}\n', encoding="utf-8")
    with pytest.raises(DatasetError, match="Ligne 1"):
        score_file(dataset)
