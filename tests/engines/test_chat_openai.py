"""The OpenAI-compatible HTTP chat client, against a tiny scripted SSE server on loopback,
and (integration) against llama-cpp-python's own server running the packaged model."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import pytest

from assistant.engines.chat import ChatMessage, GenerationTimeout, build_chat_model
from assistant.engines.chat_openai import OpenAIChatModel, _sse_data
from assistant.engines.model_file import verified_model_path
from assistant.errors import GenerationError
from assistant.settings import LLMSettings

QUESTION = [ChatMessage("system", "Réponds d'après les sources."), ChatMessage("user", "Qui signe la charte ?")]


def chunk(content: str | None = None, role: str | None = None, finish: str | None = None) -> str:
    """One OpenAI streaming chunk as an SSE `data:` line."""
    delta: dict[str, str] = {}
    if role:
        delta["role"] = role
    if content is not None:
        delta["content"] = content
    return "data: " + json.dumps({"object": "chat.completion.chunk", "choices": [{"index": 0, "delta": delta, "finish_reason": finish}]})


@dataclass
class Script:
    """What the fake server answers, and what it saw."""

    status: int = 200
    body: str = ""
    events: list[str] = field(default_factory=list)
    delay_s: float = 0.0
    requests: list[dict] = field(default_factory=list)


class FakeOpenAIServer:
    """A ThreadingHTTPServer on 127.0.0.1 with a random port, replaying `script`."""

    def __init__(self) -> None:
        self.script = Script()
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_POST(self) -> None:
                script = server.script
                length = int(self.headers.get("Content-Length", 0))
                script.requests.append(
                    {"path": self.path, "headers": dict(self.headers), "json": json.loads(self.rfile.read(length) or b"{}")}
                )
                try:
                    if script.status != 200:
                        self.send_response(script.status)
                        self.send_header("Content-Type", "application/json")
                        self.end_headers()
                        self.wfile.write(script.body.encode())
                        return
                    self.send_response(200)
                    self.send_header("Content-Type", "text/event-stream")
                    self.end_headers()
                    for event in script.events:
                        time.sleep(script.delay_s)
                        self.wfile.write(f"{event}\r\n\r\n".encode())
                        self.wfile.flush()
                except (BrokenPipeError, ConnectionResetError):
                    pass

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.httpd.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self.httpd.server_address[1]}/v1"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def __enter__(self) -> FakeOpenAIServer:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer() as running:
        yield running


def client_for(server: FakeOpenAIServer, **overrides: object) -> OpenAIChatModel:
    settings = LLMSettings(backend="openai", base_url=server.base_url, api_model="qwen", **overrides)  # type: ignore[arg-type]
    return OpenAIChatModel(settings)


def test_streamed_pieces_are_yielded_in_order_and_stop_at_done(server: FakeOpenAIServer) -> None:
    server.script.events = [
        chunk(role="assistant"),
        ": keep-alive comment",
        chunk("Le directeur"),
        chunk(" signe"),
        "data: " + json.dumps({"choices": []}),
        chunk(" la charte [1].", finish="stop"),
        "data: [DONE]",
        chunk(" jamais lu"),
    ]

    pieces = list(client_for(server).stream(QUESTION, max_tokens=64))

    assert pieces == ["Le directeur", " signe", " la charte [1]."]


def test_request_is_an_openai_streaming_chat_completion(server: FakeOpenAIServer) -> None:
    server.script.events = [chunk("ok"), "data: [DONE]"]

    client_for(server, max_tokens=100, temperature=0.0).complete(QUESTION, max_tokens=500, stop=["\n\n"])

    request = server.script.requests[0]
    assert request["path"] == "/v1/chat/completions"
    assert request["json"] == {
        "model": "qwen",
        "messages": [{"role": "system", "content": "Réponds d'après les sources."}, {"role": "user", "content": "Qui signe la charte ?"}],
        "stream": True,
        "max_tokens": 100,
        "temperature": 0.0,
        "stop": ["\n\n"],
    }


def test_api_key_is_sent_as_bearer_token_only_when_its_variable_is_set(server: FakeOpenAIServer, monkeypatch: pytest.MonkeyPatch) -> None:
    server.script.events = [chunk("ok"), "data: [DONE]"]
    model = client_for(server, api_key_env="TEST_GARANT_KEY")
    monkeypatch.delenv("TEST_GARANT_KEY", raising=False)
    model.complete(QUESTION, max_tokens=8)
    monkeypatch.setenv("TEST_GARANT_KEY", "s3cret")
    model.complete(QUESTION, max_tokens=8)

    first, second = (request["headers"] for request in server.script.requests)
    assert "Authorization" not in first
    assert second["Authorization"] == "Bearer s3cret"


def test_stream_ending_without_done_keeps_what_was_received(server: FakeOpenAIServer) -> None:
    server.script.events = [chunk("réponse"), chunk(" complète")]

    assert client_for(server).complete(QUESTION, max_tokens=8) == "réponse complète"


def test_http_error_status_becomes_generation_error_with_the_server_message(server: FakeOpenAIServer) -> None:
    server.script.status = 500
    server.script.body = json.dumps({"error": {"message": "model not loaded", "type": "server_error"}})

    with pytest.raises(GenerationError) as raised:
        client_for(server).complete(QUESTION, max_tokens=8)

    assert "HTTP 500" in raised.value.message_fr and "model not loaded" in raised.value.message_en


def test_refused_key_names_the_environment_variable(server: FakeOpenAIServer) -> None:
    server.script.status = 401
    server.script.body = "unauthorized"

    with pytest.raises(GenerationError) as raised:
        client_for(server, api_key_env="HOSPITAL_LLM_KEY").complete(QUESTION, max_tokens=8)

    assert "HOSPITAL_LLM_KEY" in raised.value.message_fr


def test_error_event_in_the_stream_becomes_generation_error(server: FakeOpenAIServer) -> None:
    server.script.events = [chunk("début"), "data: " + json.dumps({"error": {"message": "out of memory"}})]

    with pytest.raises(GenerationError, match="out of memory"):
        client_for(server).complete(QUESTION, max_tokens=8)


def test_unreadable_event_becomes_generation_error(server: FakeOpenAIServer) -> None:
    server.script.events = ["data: {pas du json"]

    with pytest.raises(GenerationError, match="illisible"):
        client_for(server).complete(QUESTION, max_tokens=8)


def test_unreachable_server_says_so_in_french_and_english() -> None:
    # A port that was free a moment ago: nothing listens there.
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    model = OpenAIChatModel(LLMSettings(backend="openai", base_url=f"http://127.0.0.1:{port}/v1"))

    with pytest.raises(GenerationError) as raised:
        model.complete(QUESTION, max_tokens=8)

    assert "le serveur de modèle est injoignable" in raised.value.message_fr.lower()
    assert "unreachable" in raised.value.message_en
    assert not isinstance(raised.value, GenerationTimeout)


def test_silent_server_times_out(server: FakeOpenAIServer) -> None:
    server.script.events = [chunk("trop tard")]
    server.script.delay_s = 1.5

    started = time.monotonic()
    with pytest.raises(GenerationTimeout) as raised:
        client_for(server, timeout_s=0.3).complete(QUESTION, max_tokens=8)

    assert time.monotonic() - started < 1.4
    assert raised.value.partial == ""


def test_slow_stream_past_the_whole_answer_limit_stops_with_the_partial_text(server: FakeOpenAIServer) -> None:
    server.script.events = [chunk(f" mot{i}") for i in range(40)]
    server.script.delay_s = 0.05

    with pytest.raises(GenerationTimeout) as raised:
        client_for(server, timeout_s=0.5).complete(QUESTION, max_tokens=64)

    assert raised.value.partial.startswith(" mot0 mot1")
    assert len(server.script.requests) == 1


def test_sse_parser_joins_multiline_data_and_skips_other_fields() -> None:
    lines = ["event: message", "id: 1", "data: ligne 1", "data:ligne 2", "", "retry: 10", "", "data: fin"]

    assert list(_sse_data(iter(lines))) == ["ligne 1\nligne 2", "fin"]


def test_injected_transport_is_used() -> None:
    body = f"{chunk('via transport')}\n\ndata: [DONE]\n\n"
    transport = httpx.MockTransport(lambda request: httpx.Response(200, text=body, headers={"Content-Type": "text/event-stream"}))
    model = OpenAIChatModel(LLMSettings(backend="openai"), client=httpx.Client(transport=transport))

    assert model.complete(QUESTION, max_tokens=8) == "via transport"


def test_backend_openai_in_settings_builds_the_client_without_connecting(tmp_path: Path) -> None:
    model = build_chat_model(LLMSettings(backend="openai", base_url="http://127.0.0.1:9/v1", api_model="m"), tmp_path)

    assert isinstance(model, OpenAIChatModel)
    assert model.info.backend == "openai" and model.info.name == "m"


# --- integration: llama-cpp-python's own OpenAI-compatible server ------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def llama_server(models_dir: Path) -> Iterator[str]:
    """llama_cpp.server on loopback with the packaged model; yields its base URL."""
    pytest.importorskip("llama_cpp.server.app", reason="llama-cpp-python[server] extras are not installed")
    path, _ = verified_model_path(LLMSettings(), models_dir)
    port = _free_port()
    command = [sys.executable, "-m", "llama_cpp.server", "--model", str(path), "--host", "127.0.0.1", "--port", str(port)]
    command += ["--n_ctx", "2048", "--n_threads", "2", "--verbose", "False"]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base_url = f"http://127.0.0.1:{port}/v1"
    try:
        # Ready when it lists its model.
        deadline = time.monotonic() + 120
        while True:
            if process.poll() is not None:
                pytest.fail(f"llama_cpp.server exited: {process.stderr.read().decode()[-2000:] if process.stderr else ''}")
            try:
                if httpx.get(f"{base_url}/models", timeout=2).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                pytest.fail("llama_cpp.server did not become ready within 120 s")
            time.sleep(0.5)
        yield base_url
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stderr:
            process.stderr.close()


@pytest.mark.integration
def test_llama_cpp_server_streams_a_non_empty_answer(llama_server: str) -> None:
    model = OpenAIChatModel(LLMSettings(backend="openai", base_url=llama_server, timeout_s=120, temperature=0.0))
    messages = [ChatMessage("user", "Réponds en un mot : quelle est la capitale de la France ?")]

    pieces = list(model.stream(messages, max_tokens=12))

    assert len(pieces) >= 1
    assert "".join(pieces).strip()
    model.close()


def test_reachable_asks_the_models_route_and_is_false_when_the_server_is_gone() -> None:
    seen: list[str] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request.url.path)
        if state["up"]:
            return httpx.Response(200, json={"data": []})
        raise httpx.ConnectError("refused", request=request)

    state = {"up": True}
    model = OpenAIChatModel(LLMSettings(backend="openai", base_url="http://127.0.0.1:9/v1"),
                            client=httpx.Client(transport=httpx.MockTransport(handler)))
    assert model.reachable() is True and seen == ["/v1/models"]
    state["up"] = False
    assert model.reachable() is False
