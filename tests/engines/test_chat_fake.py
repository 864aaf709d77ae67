"""The scripted fake chat model: replay, recording, failure, and selection by settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistant.engines.chat import ChatMessage, build_chat_model
from assistant.engines.chat_fake import FakeChatModel
from assistant.errors import GenerationError
from assistant.settings import LLMSettings

QUESTION = [ChatMessage("system", "Réponds d'après les sources."), ChatMessage("user", "Qui signe la charte ?")]


def test_replies_are_replayed_in_order_and_the_last_one_repeats() -> None:
    model = FakeChatModel(["Le directeur [1].", "Je ne sais pas."])

    answers = [model.complete(QUESTION, max_tokens=50) for _ in range(3)]

    assert answers == ["Le directeur [1].", "Je ne sais pas.", "Je ne sais pas."]


def test_reply_is_streamed_word_by_word_and_joins_back_exactly() -> None:
    model = FakeChatModel(["La charte est signée  par le directeur."])

    pieces = list(model.stream(QUESTION, max_tokens=50))

    assert pieces == ["La", " charte", " est", " signée", "  par", " le", " directeur."]
    assert "".join(pieces) == "La charte est signée  par le directeur."


def test_received_messages_are_recorded_per_call() -> None:
    model = FakeChatModel(["a", "b"])
    other = [ChatMessage("user", "Autre question ?")]

    model.complete(QUESTION, max_tokens=5)
    model.complete(other, max_tokens=5)

    assert model.calls == [QUESTION, other]


def test_callable_reply_sees_the_messages() -> None:
    model = FakeChatModel(lambda messages: f"Vous avez demandé : {messages[-1].content}")

    assert model.complete(QUESTION, max_tokens=50) == "Vous avez demandé : Qui signe la charte ?"


def test_max_tokens_and_stop_cut_the_reply() -> None:
    model = FakeChatModel(["un deux trois quatre", "réponse FIN ignoré"])

    assert model.complete(QUESTION, max_tokens=2) == "un deux"
    assert model.complete(QUESTION, max_tokens=50, stop=["FIN"]) == "réponse"


def test_configured_failure_is_raised_when_the_stream_is_read_and_the_call_still_recorded() -> None:
    failure = GenerationError("Le modèle est indisponible.", "The model is unavailable.")
    model = FakeChatModel(["jamais"], fail=failure)

    stream = model.stream(QUESTION, max_tokens=10)
    with pytest.raises(GenerationError) as raised:
        next(stream)

    assert raised.value is failure
    assert model.calls == [QUESTION]


def test_failure_can_be_switched_off_to_test_recovery() -> None:
    model = FakeChatModel(["revenu"], fail=GenerationError("panne"))
    with pytest.raises(GenerationError):
        model.complete(QUESTION, max_tokens=10)

    model.fail = None

    assert model.complete(QUESTION, max_tokens=10) == "revenu"


def test_empty_conversation_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        FakeChatModel().stream([], max_tokens=10)


def test_unknown_role_is_refused() -> None:
    with pytest.raises(ValueError):
        ChatMessage("bot", "bonjour")  # type: ignore[arg-type]


def test_backend_fake_in_settings_builds_the_fake_without_touching_the_models_folder(tmp_path: Path) -> None:
    model = build_chat_model(LLMSettings(backend="fake"), tmp_path / "absent")

    assert isinstance(model, FakeChatModel)
    assert model.info.backend == "fake" and model.info.file_sha256 is None
    assert model.complete(QUESTION, max_tokens=10) == "Réponse de test."
    assert not (tmp_path / "absent").exists()
