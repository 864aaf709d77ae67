"""The in-process llama.cpp chat model: refuses a file with the wrong hash before loading it,
answers a French question from a passage, reuses the fixed prefix, enforces its time limit.

Integration tests: they load the packaged Qwen2.5-Coder-1.5B model once for the module.
"""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from assistant.engines.chat import ChatMessage, GenerationTimeout, build_chat_model
from assistant.engines.chat_llamacpp import LlamaCppChatModel
from assistant.errors import GenerationError, ModelError
from assistant.settings import DEFAULT_MODEL_SHA256, LLMSettings

PASSAGE = "[1] Le dossier médical du patient est conservé pendant vingt ans à compter de la date de son dernier séjour."
SYSTEM = "Tu réponds en français, en une phrase, uniquement à partir des passages fournis."


def test_file_with_the_wrong_hash_is_refused_before_any_load(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    fake_gguf = tmp_path / "impostor.gguf"
    fake_gguf.write_bytes(b"GGUF" + b"\0" * 1024)
    settings = LLMSettings(model_path=fake_gguf, model_sha256=DEFAULT_MODEL_SHA256)
    llama_cpp = pytest.importorskip("llama_cpp")

    def no_load(*args: object, **kwargs: object) -> None:
        raise AssertionError("llama.cpp was asked to load a file that failed its hash check")

    monkeypatch.setattr(llama_cpp, "Llama", no_load)

    with pytest.raises(ModelError) as raised:
        build_chat_model(settings, tmp_path)

    assert "SHA-256" in raised.value.message_fr and str(fake_gguf) in raised.value.message_fr


def test_missing_file_is_a_model_error(tmp_path: Path) -> None:
    with pytest.raises(ModelError):
        LlamaCppChatModel(LLMSettings(model_path=tmp_path / "absent.gguf"), tmp_path)


def test_unloadable_file_with_matching_hash_is_a_model_error(tmp_path: Path) -> None:
    pytest.importorskip("llama_cpp")
    broken = tmp_path / "broken.gguf"
    broken.write_bytes(b"not a gguf file at all")
    settings = LLMSettings(model_path=broken, model_sha256=hashlib.sha256(broken.read_bytes()).hexdigest())

    with pytest.raises(ModelError) as raised:
        LlamaCppChatModel(settings, tmp_path)

    assert "broken.gguf" in raised.value.message_fr


@pytest.fixture(scope="module")
def model(models_dir: Path) -> Iterator[LlamaCppChatModel]:
    """The packaged model (found by `verified_model_path`, hash checked), loaded once for the module."""
    loaded = LlamaCppChatModel(LLMSettings(n_ctx=2048, temperature=0.0, timeout_s=120), models_dir)
    yield loaded
    loaded.close()


@pytest.mark.integration
def test_french_question_is_answered_from_the_passage(model: LlamaCppChatModel) -> None:
    messages = [
        ChatMessage("system", SYSTEM),
        ChatMessage("user", f"Passages :\n{PASSAGE}\n\nQuestion : combien de temps le dossier médical est-il conservé ?"),
    ]

    pieces = list(model.stream(messages, max_tokens=40))

    answer = "".join(pieces).lower()
    assert len(pieces) > 1
    assert "vingt" in answer or "20" in answer
    assert model.info.file_sha256 == DEFAULT_MODEL_SHA256 and model.info.context_size == 2048
    assert model.tokens(PASSAGE) > 10


@pytest.mark.integration
def test_time_limit_stops_the_prompt_evaluation_and_the_model_stays_usable(
    model: LlamaCppChatModel, monkeypatch: pytest.MonkeyPatch
) -> None:
    long_prompt = PASSAGE * 40  # ~1,000 tokens: ~20 s of prompt evaluation on 2 cores
    monkeypatch.setattr(model, "_settings", model._settings.model_copy(update={"timeout_s": 1.0}))

    started = time.monotonic()
    with pytest.raises(GenerationTimeout) as raised:
        model.complete([ChatMessage("user", long_prompt)], max_tokens=8)
    assert time.monotonic() - started < 5
    assert raised.value.partial == ""

    monkeypatch.undo()
    assert model.complete([ChatMessage("user", "Réponds seulement : oui")], max_tokens=4).strip()


@pytest.mark.integration
def test_concurrent_calls_are_serialised_and_both_answered(model: LlamaCppChatModel) -> None:
    answers: dict[int, str] = {}

    def ask(index: int) -> None:
        answers[index] = model.complete([ChatMessage("user", f"Écris seulement le nombre {index}.")], max_tokens=4)

    threads = [threading.Thread(target=ask, args=(index,)) for index in (3, 7)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert "3" in answers[3] and "7" in answers[7]


@pytest.mark.integration
def test_caller_waiting_too_long_for_a_busy_model_gets_a_busy_error(model: LlamaCppChatModel, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(model, "_settings", model._settings.model_copy(update={"timeout_s": 0.2}))
    model._lock.acquire()
    try:
        with pytest.raises(GenerationError) as raised:
            model.complete([ChatMessage("user", "bonjour")], max_tokens=4)
    finally:
        model._lock.release()

    assert "occupé" in raised.value.message_fr and not isinstance(raised.value, GenerationTimeout)
