"""Faults: the model failing, hanging or streaming without end mid-answer, the model server
dying, the model file missing, the index unreadable. Each ends in a degraded answer with the
passages, or in one clear sentence in French and English, never in a traceback or a hang.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from assistant.answering.model import DEGRADED_LABEL, Answer
from assistant.engines.chat import ChatMessage, ChatModel, ChatModelInfo, GenerationTimeout
from assistant.engines.chat_fake import FakeChatModel
from assistant.engines.chat_openai import OpenAIChatModel
from assistant.engines.embed_hash import HashEmbedder
from assistant.engines.model_file import verified_model_path
from assistant.errors import GenerationError, IndexError_
from assistant.index.versions import IndexRepository
from assistant.services import Services
from assistant.settings import LLMSettings
from assistant.web.api import ApiSettings, ApiToken, build_api_router
from ingest.pipeline import Ingestor

CHARTE = """---
title: Charte IA
kind: charte
version: "2.0"
status: en_vigueur
---

# Gouvernance

Le comité de pilotage IA et numérique se réunit une fois par trimestre, sous la présidence du directeur général.

# Signalement

Tout dysfonctionnement d'un système d'IA est signalé dans les 24 heures au moyen de la fiche FEI-IA.
"""
QUESTION = "À quelle fréquence se réunit le comité de pilotage IA ?"
REPLY = "Le comité de pilotage IA et numérique se réunit une fois par trimestre [1]."
TOKEN = "faults-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}


# --- fixtures and engines that misbehave ---


@pytest.fixture
def corpus(fake_settings: Any, tmp_path: Path) -> Path:
    """A small corpus, indexed with the hash embedder."""
    folder = tmp_path / "corpus"
    folder.mkdir()
    (folder / "charte.md").write_text(CHARTE, encoding="utf-8")
    Ingestor(fake_settings, HashEmbedder).sync(folder)
    return folder


@pytest.fixture
def answering_with(fake_settings: Any, corpus: Path, build: Callable[[ChatModel | None], Services]) -> Callable[..., Services]:
    """Services over the corpus with the given chat model (None: loaded from settings, lazily)."""

    def make(model: ChatModel | None) -> Services:
        fake_settings.api = ApiSettings(tokens=[ApiToken(name="faults", sha256=hashlib.sha256(TOKEN.encode()).hexdigest())],
                                        rate_limit_per_minute=100_000)
        return build(model)

    return make


def api_client(services: Services) -> TestClient:
    app = FastAPI()
    app.include_router(build_api_router(services))
    return TestClient(app)


class Misbehaving(ChatModel):
    """Writes `words` one by one, then does `then`: 'raise' `error`, 'hang' (slow words, for
    ever) or 'flood' (words as fast as it can, for ever). Records whether its stream was closed.
    "For ever" stops after 20 s or 20,000 words, so an unbounded service fails the test, not hangs it."""

    def __init__(self, words: str, then: str, error: BaseException | None = None, every_s: float = 0.05) -> None:
        self.words, self.then, self.error, self.every_s = words.split(), then, error, every_s
        self.pieces = 0
        self.closed = threading.Event()
        self.info = ChatModelInfo(name="misbehaving", backend="fake", file_sha256=None, context_size=8192)

    def tokens(self, text: str) -> int:
        return len(text.split())

    def stream(self, messages: list[ChatMessage], max_tokens: int, stop: list[str] | None = None) -> Iterator[str]:
        return self._run()

    def _run(self) -> Iterator[str]:
        started = time.monotonic()
        try:
            for word in self.words:
                self.pieces += 1
                yield " " + word
            while time.monotonic() - started < 20 and self.pieces < 20_000:
                if self.then == "raise":
                    assert self.error is not None
                    raise self.error
                if self.then == "hang":
                    time.sleep(self.every_s)
                self.pieces += 1
                yield " encore"
        finally:
            self.closed.set()


def run(services: Services, question: str = QUESTION) -> tuple[list[str], Answer]:
    tokens: list[str] = []
    final: Answer | None = None
    for event in services.answerer.stream(question):
        if event.kind == "token":
            tokens.append(event.data)
        elif event.kind == "final":
            final = event.data
    assert final is not None
    return tokens, final


def assert_degraded_with_passages(answer: Answer) -> None:
    assert answer.degraded and answer.degraded_reason and not answer.refused
    assert answer.text.startswith(DEGRADED_LABEL[answer.lang])
    assert answer.retrieved and answer.extracts, "the passages stand in for the answer"
    assert "une fois par trimestre" in answer.text
    body = answer.as_dict()
    assert body["degraded"] is True and body["retrieved"]


# --- (a) the model failing mid-answer ---


@pytest.mark.parametrize("error", [
    GenerationError("panne du modèle", "model failure"), RuntimeError("llama_decode returned -1"), OSError("broken pipe"),
    ValueError("unexpected chunk"), KeyError("choices"), MemoryError(),
], ids=lambda e: type(e).__name__)
def test_a_model_failing_mid_answer_gives_a_degraded_answer_with_the_passages(answering_with, error: BaseException) -> None:  # type: ignore[no-untyped-def]
    model = Misbehaving("Le comité de pilotage IA et numérique se réunit", "raise", error)
    tokens, answer = run(answering_with(model))

    assert model.pieces >= 8 and tokens, "the failure came mid-answer, after text was shown"
    assert_degraded_with_passages(answer)
    assert model.closed.is_set()


def test_the_api_reports_a_mid_answer_failure_as_a_degraded_answer_not_an_error(answering_with) -> None:  # type: ignore[no-untyped-def]
    services = answering_with(Misbehaving("Le comité se réunit", "raise", RuntimeError("engine died")))
    with api_client(services) as client:
        body = client.post("/api/v1/ask", json={"question": QUESTION}, headers=AUTH)
        streamed = client.post("/api/v1/ask", params={"stream": True}, json={"question": QUESTION}, headers=AUTH)

    assert body.status_code == 200 and body.json()["degraded"] is True and body.json()["retrieved"]
    events = [block.split("\n")[0] for block in streamed.text.strip().split("\n\n")]
    assert events[0] == "event: sources" and events[-1] == "event: final" and "event: error" not in events
    final = json.loads(streamed.text.strip().split("\n\n")[-1].split("\n")[1][6:])
    assert final["degraded"] is True and final["degraded_reason"]


SERVER = r'''
import json, socket, sys, time
server = socket.socket()
server.bind(("127.0.0.1", 0))
server.listen(1)
print(server.getsockname()[1], flush=True)
conn, _ = server.accept()
data = b""
while b"\r\n\r\n" not in data:
    data += conn.recv(65536)
head, _, body = data.partition(b"\r\n\r\n")
length = int(next(line.split(b":")[1] for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")))
while len(body) < length:
    body += conn.recv(65536)
conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nTransfer-Encoding: chunked\r\n\r\n")
for word in sys.argv[1].split():
    event = "data: " + json.dumps({"choices": [{"index": 0, "delta": {"content": " " + word}, "finish_reason": None}]}) + "\n\n"
    conn.sendall(b"%x\r\n%s\r\n" % (len(event.encode()), event.encode()))
print("sent", flush=True)
time.sleep(120)  # the answer is not finished: the test kills this process here
'''


def test_a_model_server_dying_mid_answer_gives_a_degraded_answer(answering_with, fake_settings) -> None:  # type: ignore[no-untyped-def]
    words = "Le comité de pilotage IA et numérique se réunit une fois"
    server = subprocess.Popen([sys.executable, "-c", SERVER, words], stdout=subprocess.PIPE, text=True)
    try:
        port = int(server.stdout.readline())  # type: ignore[union-attr]
        settings = LLMSettings(backend="openai", base_url=f"http://127.0.0.1:{port}/v1", timeout_s=30)
        model = OpenAIChatModel(settings)

        def kill_once_sent() -> None:
            if server.stdout.readline().strip() == "sent":  # type: ignore[union-attr]
                os.kill(server.pid, signal.SIGKILL)

        killer = threading.Thread(target=kill_once_sent, daemon=True)
        killer.start()
        started = time.monotonic()
        tokens, answer = run(answering_with(model))
        killer.join(10)
    finally:
        if server.poll() is None:
            server.kill()
        server.wait(10)

    assert server.returncode == -signal.SIGKILL, "the server died by kill -9, mid-answer"
    assert time.monotonic() - started < 20
    assert_degraded_with_passages(answer)
    assert "comité" in "".join(tokens), "part of the answer was shown before the server died"


# --- generation bounded in time and tokens, whatever the engine ---


def test_generation_is_bounded_in_time_whatever_the_engine_does(answering_with, fake_settings) -> None:  # type: ignore[no-untyped-def]
    fake_settings.llm.timeout_s = 0.5
    model = Misbehaving("Le comité se réunit", "hang", every_s=0.05)
    started = time.monotonic()
    _, answer = run(answering_with(model))

    assert time.monotonic() - started < 3
    assert_degraded_with_passages(answer)
    assert "0.5 s" in answer.degraded_reason and model.closed.is_set()  # type: ignore[operator]


def test_generation_is_bounded_in_tokens_whatever_the_engine_does(answering_with, fake_settings) -> None:  # type: ignore[no-untyped-def]
    fake_settings.llm.max_tokens = 24
    model = Misbehaving(REPLY, "flood")
    started = time.monotonic()
    _, answer = run(answering_with(model))

    assert time.monotonic() - started < 3
    assert model.pieces == 24 and model.closed.is_set()
    assert not answer.degraded and "une fois par trimestre" in answer.text


class SseServer:
    """A loopback HTTP server streaming server-sent events from `events()` (HTTP/1.1, chunked)."""

    def __init__(self, events: Callable[[], Iterator[str]]) -> None:
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length", 0)))
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                try:
                    for line in events():
                        data = (line + "\n").encode()
                        self.wfile.write(b"%x\r\n%s\r\n" % (len(data), data))
                        self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    pass
                self.close_connection = True

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def chunk(word: str) -> str:
    return "data: " + json.dumps({"choices": [{"index": 0, "delta": {"content": word}, "finish_reason": None}]}) + "\n"


def test_a_model_server_trickling_keepalives_is_cut_at_the_time_limit(answering_with, fake_settings) -> None:  # type: ignore[no-untyped-def]
    def keepalives() -> Iterator[str]:
        yield chunk(" Le comité")
        for _ in range(400):  # comments only, no text, for 20 s ("for ever" for this test)
            time.sleep(0.05)
            yield ": keep-alive\n"

    server = SseServer(keepalives)
    try:
        fake_settings.llm.timeout_s = 0.6
        model = OpenAIChatModel(LLMSettings(backend="openai", base_url=server.url, timeout_s=0.6))
        started = time.monotonic()
        with pytest.raises(GenerationTimeout) as raised:
            model.complete([ChatMessage("user", "bonjour")], max_tokens=64)
        assert time.monotonic() - started < 3 and raised.value.partial == " Le comité"
        _, answer = run(answering_with(model))
        assert_degraded_with_passages(answer)
    finally:
        server.close()


def test_a_model_server_ignoring_max_tokens_is_cut_after_that_many_pieces() -> None:
    def flood() -> Iterator[str]:
        for _ in range(20_000):
            yield chunk(" mot")

    server = SseServer(flood)
    try:
        model = OpenAIChatModel(LLMSettings(backend="openai", base_url=server.url, max_tokens=32, timeout_s=10))
        started = time.monotonic()
        text = model.complete([ChatMessage("user", "bonjour")], max_tokens=4096)
        assert text.split() == ["mot"] * 32 and time.monotonic() - started < 5
    finally:
        server.close()


class FakeLlama:
    """Stands in for llama_cpp.Llama: records the limit asked for, streams words slowly for ever."""

    instances: list[FakeLlama] = []

    def __init__(self, **kwargs: Any) -> None:
        self.max_tokens: list[int] = []
        self.closed = threading.Event()
        FakeLlama.instances.append(self)

    def n_ctx(self) -> int:
        return 2048

    def create_chat_completion(self, messages: list[dict[str, str]], max_tokens: int, **kwargs: Any) -> Iterator[dict[str, Any]]:
        self.max_tokens.append(max_tokens)

        def chunks() -> Iterator[dict[str, Any]]:
            try:
                while True:
                    time.sleep(0.05)
                    yield {"choices": [{"delta": {"content": " mot"}}]}
            finally:
                self.closed.set()

        return chunks()


def test_the_llama_cpp_adapter_enforces_its_limits_on_the_stream(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    llama_cpp = pytest.importorskip("llama_cpp")
    import assistant.engines.chat_llamacpp as adapter

    weights = tmp_path / "tiny.gguf"
    weights.write_bytes(b"GGUF fake weights")
    monkeypatch.setattr(llama_cpp, "Llama", FakeLlama)
    monkeypatch.setattr(adapter, "_AbortSwitch", lambda *args: SimpleNamespace(arm=lambda: None, disarm=lambda: None))
    settings = LLMSettings(model_path=weights, model_sha256=hashlib.sha256(weights.read_bytes()).hexdigest(), max_tokens=20, timeout_s=0.5)
    model = adapter.LlamaCppChatModel(settings, tmp_path)
    engine = FakeLlama.instances[-1]

    started = time.monotonic()
    with pytest.raises(GenerationTimeout) as raised:
        model.complete([ChatMessage("user", "bonjour")], max_tokens=4096)

    assert time.monotonic() - started < 2 and raised.value.partial.startswith(" mot")
    assert engine.max_tokens == [20], "the request is capped by llm.max_tokens"
    assert engine.closed.is_set(), "the engine's stream is closed"
    with pytest.raises(GenerationTimeout):  # the context was released: a second call runs (and times out), it is not 'busy'
        model.complete([ChatMessage("user", "bonjour")], max_tokens=4)


# --- (b) the model file removed before load ---


def test_a_missing_model_file_gives_degraded_answers_and_health_recovers_once_it_is_back(
        answering_with, fake_settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    weights = tmp_path / "models" / "garant.gguf"
    weights.parent.mkdir()
    weights.write_bytes(b"GGUF test weights")
    fake_settings.llm.backend, fake_settings.llm.model_path = "llama-cpp", weights
    fake_settings.llm.model_sha256 = hashlib.sha256(weights.read_bytes()).hexdigest()

    def load(llm: LLMSettings, models_dir: Path) -> ChatModel:
        verified_model_path(llm, models_dir)  # the real check (file present, SHA-256); the engine is the fake
        return FakeChatModel([REPLY])

    monkeypatch.setattr("assistant.services.build_chat_model", load)
    aside = weights.with_suffix(".moved")
    weights.rename(aside)  # gone before the first load
    services = answering_with(None)
    services.chat.retry_s = 0.2
    with api_client(services) as client:
        _, answer = run(services)
        assert_degraded_with_passages(answer)
        assert "introuvable" in answer.degraded_reason  # type: ignore[operator]
        health = client.get("/api/v1/health")
        assert health.status_code == 503 and health.json()["status"] == "degraded" and health.json()["model"] == "unavailable"
        assert client.post("/api/v1/ask", json={"question": QUESTION}, headers=AUTH).json()["degraded"] is True

        aside.rename(weights)  # restored
        deadline = time.monotonic() + 10
        while (health := client.get("/api/v1/health")).status_code != 200 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert health.status_code == 200 and health.json() | {"status": "ok", "model": "loaded"} == health.json()
        _, answer = run(services)
        assert not answer.degraded and "une fois par trimestre" in answer.text


def test_garant_ask_with_a_missing_model_file_answers_in_degraded_mode(corpus: Path, fake_settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    env = {**os.environ, "GARANT_HOME": str(fake_settings.home), "GARANT__EMBEDDER__KIND": "hash",
           "GARANT__LLM__MODEL_PATH": str(tmp_path / "absent.gguf")}
    done = subprocess.run([sys.executable, "-m", "assistant", "ask", "--json", QUESTION], env=env, capture_output=True, text=True, timeout=120)

    assert done.returncode == 0, done.stderr
    body = json.loads(done.stdout)
    assert body["degraded"] is True and body["retrieved"] and "absent.gguf" in body["degraded_reason"]
    assert "Traceback" not in done.stderr


# --- (c) the index folder unreadable ---


def _current(settings: Any) -> Path:
    root = settings.index_dir
    return root / (root / "CURRENT").read_text(encoding="utf-8").strip()


def _unreadable(settings: Any, monkeypatch: pytest.MonkeyPatch) -> Callable[[], None] | None:
    """chmod 000 on the index folder; as root (who reads anyway) the same refusal is simulated."""
    root = settings.index_dir
    if os.geteuid() != 0:
        root.chmod(0)
        return lambda: root.chmod(0o755)
    real_is_file = Path.is_file

    def refused(self: Path) -> bool:
        if root in self.parents:
            raise PermissionError(13, "Permission denied", str(self))
        return real_is_file(self)

    monkeypatch.setattr(Path, "is_file", refused)
    return None


def _garbage(path: Path) -> None:
    path.write_bytes(b"\x00\xff\xfe SQLite format 3 garbage " * 200)


# Each damages the index of the settings; it may return what undoes it (for the temporary folder's cleanup).
DAMAGES: dict[str, Callable[[Any, pytest.MonkeyPatch], Any]] = {
    "folder-unreadable": _unreadable,
    "folder-replaced-by-a-file": lambda s, m: (shutil.rmtree(s.index_dir), s.index_dir.write_text("not a folder")),
    "current-garbage": lambda s, m: (s.index_dir / "CURRENT").write_bytes(b"\x00\xff\xfe\x80garbage"),
    "current-path-traversal": lambda s, m: (s.index_dir / "CURRENT").write_text("../../../etc\n"),
    "current-names-a-missing-version": lambda s, m: (s.index_dir / "CURRENT").write_text("v-20990101T000000-abcdef\n"),
    "version-replaced-by-a-file": lambda s, m: (shutil.rmtree(_current(s)), _current(s).write_text("x")),
    "meta-corrupt": lambda s, m: (_current(s) / "meta.json").write_text("{", encoding="utf-8"),
    "store-corrupt": lambda s, m: _garbage(_current(s) / "store.sqlite"),
    "store-empty": lambda s, m: (_current(s) / "store.sqlite").write_bytes(b""),
    "vectors-missing": lambda s, m: shutil.rmtree(_current(s) / "chroma"),
}


@pytest.mark.parametrize("damage", list(DAMAGES))
def test_an_unreadable_index_gives_garant_ask_one_clear_sentence_in_each_language(
        corpus: Path, fake_settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], damage: str) -> None:  # type: ignore[no-untyped-def]
    from assistant.cli import main
    from assistant.cli_support import run as run_cli

    monkeypatch.setenv("GARANT__EMBEDDER__KIND", "hash")
    undo = DAMAGES[damage](fake_settings, monkeypatch)
    messages = {}
    try:
        for lang in ("fr", "en"):
            monkeypatch.setenv("GARANT_LANG", lang)
            code = run_cli(main, ["ask", "--json", "--no-llm", QUESTION])
            out, err = capsys.readouterr()
            assert code == IndexError_.exit_code and out == "", (code, out, err)
            messages[lang] = err.strip()
    finally:
        if callable(undo):
            undo()
    for message in messages.values():
        assert message.startswith("garant: ") and message.count("\n") == 0, message
        assert "garant-ingest" in message, "the message says what to do"
    assert messages["fr"] != messages["en"] and ("index" in messages["en"].lower())


def test_garant_ask_on_a_damaged_index_prints_no_traceback(corpus: Path, fake_settings) -> None:  # type: ignore[no-untyped-def]
    (fake_settings.index_dir / "CURRENT").write_bytes(b"\x00\xff\xfe\x80garbage")
    env = {**os.environ, "GARANT_HOME": str(fake_settings.home), "GARANT__EMBEDDER__KIND": "hash", "GARANT_LANG": "en"}
    done = subprocess.run([sys.executable, "-m", "assistant", "ask", "--no-llm", QUESTION], env=env, capture_output=True, text=True, timeout=120)

    assert done.returncode == IndexError_.exit_code
    assert "Traceback" not in done.stderr and done.stderr.startswith("garant: The index folder")


def test_the_api_answers_an_index_damaged_while_serving_with_a_json_error_code(answering_with) -> None:  # type: ignore[no-untyped-def]
    services = answering_with(FakeChatModel([REPLY]))
    with api_client(services) as client:
        assert client.post("/api/v1/ask", json={"question": QUESTION}, headers=AUTH).status_code == 200
        _garbage(services.index.folder / "store.sqlite")  # the disk fails under the running service
        for stream in (False, True):
            response = client.post("/api/v1/ask", params={"stream": stream}, json={"question": QUESTION}, headers=AUTH)
            assert response.status_code == 503, response.text
            error = response.json()["error"]
            assert error["code"] == "index_unavailable"
            assert "index" in error["message_fr"] and "index" in error["message_en"] and error["message_fr"] != error["message_en"]
            assert "Traceback" not in response.text and "sqlite3" not in response.text.lower()
        health = client.get("/api/v1/health")
        assert health.status_code == 503 and health.json()["status"] == "down"


def test_reading_a_damaged_store_is_an_index_error_not_a_sqlite_error(corpus: Path, fake_settings) -> None:  # type: ignore[no-untyped-def]
    version = IndexRepository(fake_settings.index_dir).open_current()
    try:
        _garbage(version.folder / "store.sqlite")
        with pytest.raises(IndexError_) as raised:
            version.store.documents()
        assert "garant-ingest rebuild" in raised.value.message_fr and not version.store.readable()
    finally:
        version.close()

