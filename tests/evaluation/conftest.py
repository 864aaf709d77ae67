"""The tiny evaluation run shared by the evaluation tests: three short documents indexed with
the fake embedder, four questions (two answered right by the scripted model, one refused
before the model, one refused wrongly), and the scripted model itself."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from assistant.engines.chat import ChatMessage
from assistant.engines.chat_fake import FakeChatModel
from assistant.engines.embed_hash import HashEmbedder
from ingest.pipeline import Ingestor

DOCS = {
    "charte.md": """---
title: Charte IA de test
kind: charte
version: "2.0"
status: en_vigueur
---

# Gouvernance

Le comité de pilotage IA et numérique se réunit une fois par trimestre, sous la présidence du directeur général.

# Signalement

Tout dysfonctionnement d'un système d'IA est signalé dans les 24 heures au moyen de la fiche FEI-IA.
""",
    "policy-en.md": """---
title: AI governance policy
kind: note
version: "1"
status: en_vigueur
lang: en
---

# Governance

The AI steering committee meets once per quarter and reports to the board.
""",
    "mots-de-passe.md": """---
title: Guide des mots de passe
kind: guide
version: "1"
status: en_vigueur
---

# Mots de passe

Un mot de passe compte au moins douze caractères, mêlant majuscules, minuscules, chiffres et caractères spéciaux.
""",
}

QUESTIONS = [
    {
        "id": "q1",
        "question": "Quand se réunit le comité de pilotage IA ?",
        "lang": "fr",
        "answerable": True,
        "expected_sources": ["charte"],
        "expected_keywords": [["trimestre"]],
        "kind": "charte",
    },
    {
        "id": "q2",
        "question": "How often does the AI steering committee meet?",
        "lang": "en",
        "answerable": True,
        "expected_sources": ["policy-en"],
        "expected_keywords": [["once per quarter", "quarterly"]],
        "kind": "note",
    },
    {"id": "q3", "question": "Quelle est la recette du gâteau basque à la cerise noire ?", "lang": "fr", "answerable": False},
    {
        "id": "q4",
        "question": "Combien de caractères doit compter un mot de passe ?",
        "lang": "fr",
        "answerable": True,
        "expected_sources": ["mots-de-passe"],
        "expected_keywords": [["douze", "12"]],
        "kind": "guide",
    },
]

_BLOCK = re.compile(r"^\[(\d+)\] ", re.MULTILINE)


def _number_of(user: str, needle: str) -> int:
    """The source number whose block in the prompt contains `needle`."""
    starts = [(m.start(), int(m.group(1))) for m in _BLOCK.finditer(user)]
    for (start, number), (end, _) in zip(starts, [*starts[1:], (len(user), 0)], strict=True):
        if needle in user[start:end]:
            return number
    raise AssertionError(f"{needle!r} not in the prompt")


def scripted(messages: list[ChatMessage]) -> str:
    """Right answers for q1 and q2 (citing the right passage), a wrong refusal for q4."""
    user = messages[-1].content
    if QUESTIONS[1]["question"] in user:
        return f"The AI steering committee meets once per quarter [{_number_of(user, 'once per quarter')}]."
    if QUESTIONS[0]["question"] in user:
        return f"Le comité de pilotage IA et numérique se réunit une fois par trimestre [{_number_of(user, 'trimestre')}]."
    return "Les documents disponibles ne permettent pas de répondre à cette question."


def _questions_seen(model: FakeChatModel) -> list[str]:
    ids = []
    for call in model.calls:
        user = call[-1].content
        ids += [q["id"] for q in QUESTIONS if q["question"] in user]
    return ids


@pytest.fixture
def corpus_indexed(fake_settings, tmp_path: Path):  # type: ignore[no-untyped-def]
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, text in DOCS.items():
        (corpus / name).write_text(text, encoding="utf-8")
    Ingestor(fake_settings, HashEmbedder).sync(corpus)
    # these tests count refusals of the scripted model: keep the plain refusal, not the quoted passage
    fake_settings.answer.quote_when_model_declines = False
    return fake_settings


@pytest.fixture
def dataset(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.jsonl"
    path.write_text("".join(json.dumps(q, ensure_ascii=False) + "\n" for q in QUESTIONS), encoding="utf-8")
    return path


@dataclass(frozen=True)
class Tiny:
    """What tests of the tiny run need besides the fixtures: the questions, the scripted
    answers, and which questions a fake model was asked."""

    questions: list[dict]
    scripted: Callable[[list[ChatMessage]], str]
    seen: Callable[[FakeChatModel], list[str]]


@pytest.fixture
def tiny() -> Tiny:
    return Tiny(QUESTIONS, scripted, _questions_seen)
