"""The HTTP API for other systems (/api/v1): tokens, answers as JSON and as events, the same
input checks and log as the page, limits, feedback, inventory and health."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from fastapi.testclient import TestClient

from assistant.answering.model import NOTICE
from assistant.answering.service import Event
from assistant.web.api import ApiSettings, ApiToken
from assistant.web.app import build_app

TOKEN = "s3cret-token-for-the-intranet"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
QUESTION = "À quelle fréquence se réunit le comité de pilotage IA ?"


def with_api(services: Any, **api: Any) -> None:
    """Give the services settings with an [api] section (before the app is built)."""
    api.setdefault("tokens", [ApiToken(name="intranet", sha256=hashlib.sha256(TOKEN.encode()).hexdigest())])
    services.settings.api = ApiSettings(**api)


def client_for(services: Any) -> Iterator[TestClient]:
    with TestClient(build_app(services)) as test_client:
        yield test_client


@pytest.fixture
def client(web_services: Any) -> Iterator[TestClient]:
    with_api(web_services, rate_limit_per_minute=1000)
    yield from client_for(web_services)


def model_calls(services: Any) -> int:
    return len(services.answerer._chat_model().calls)  # noqa: SLF001 - the fake records what it received


def parse_events(text: str) -> list[tuple[str, Any]]:
    """(event, data) pairs of a text/event-stream body."""
    events = []
    for block in text.strip().split("\n\n"):
        fields = dict(line.split(": ", 1) for line in block.splitlines())
        events.append((fields["event"], json.loads(fields["data"])))
    return events


def assert_error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code
    assert error["message_fr"] and error["message_en"] and error["message_fr"] != error["message_en"]
    assert "Traceback" not in response.text
    return error


def test_health_needs_no_token_and_is_200_when_the_model_is_loaded(client: TestClient, web_services: Any) -> None:
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok" and body["model"] == "loaded"
    assert body["documents"] == 1 and body["index_version"] == web_services.index.version_id
    assert body["log_writable"] is True and isinstance(body["log_pending"], int) and body["index_age_seconds"] >= 0


def test_health_is_503_degraded_when_the_model_is_unavailable(client: TestClient, web_services: Any,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(web_services, "chat", SimpleNamespace(available=False))
    response = client.get("/api/v1/health")
    assert response.status_code == 503
    assert response.json()["status"] == "degraded" and response.json()["model"] == "unavailable"


def test_health_turns_degraded_when_the_loaded_model_file_is_removed_and_back_when_restored(
        client: TestClient, web_services: Any, tmp_path: Path) -> None:
    model_file = tmp_path / "model.gguf"
    model_file.write_bytes(b"GGUF")
    web_services.chat._model.path = model_file  # noqa: SLF001 - as LlamaCppChatModel records its file
    assert client.get("/api/v1/health").status_code == 200
    model_file.unlink()
    response = client.get("/api/v1/health")
    assert response.status_code == 503 and response.json()["model"] == "file_missing"
    assert response.json()["status"] == "degraded"
    model_file.write_bytes(b"GGUF")
    assert client.get("/api/v1/health").status_code == 200


def test_health_turns_degraded_while_the_inference_server_does_not_answer(client: TestClient, web_services: Any) -> None:
    import time

    state = {"up": True}
    web_services.chat._model.reachable = lambda: state["up"]  # noqa: SLF001 - as OpenAIChatModel probes its server
    web_services.chat.probe_s = 0.0

    def health_after_probe() -> Any:
        deadline = time.monotonic() + 5
        while True:  # the probe runs in the background: the answer follows within a check or two
            response = client.get("/api/v1/health")
            if (response.status_code == 200) == state["up"] or time.monotonic() > deadline:
                return response
            time.sleep(0.02)

    assert health_after_probe().status_code == 200
    state["up"] = False
    response = health_after_probe()
    assert response.status_code == 503 and response.json()["model"] == "unreachable"
    state["up"] = True
    assert health_after_probe().status_code == 200


def test_ask_without_a_token_is_401_and_with_a_wrong_one_too(client: TestClient) -> None:
    assert_error(client.post("/api/v1/ask", json={"question": QUESTION}), 401, "unauthorized")
    wrong = client.post("/api/v1/ask", json={"question": QUESTION}, headers={"Authorization": "Bearer nope"})
    assert_error(wrong, 401, "unauthorized")
    assert wrong.headers["www-authenticate"] == "Bearer"


def test_no_token_is_accepted_until_some_are_configured(web_services: Any) -> None:
    with_api(web_services, tokens=[])
    for client in client_for(web_services):
        assert_error(client.post("/api/v1/ask", json={"question": QUESTION}, headers=AUTH), 403, "api_not_configured")
        assert_error(client.get("/api/v1/documents", headers=AUTH), 403, "api_not_configured")
        assert client.get("/api/v1/health").status_code == 200


def test_ask_returns_the_json_of_garant_ask_and_logs_it_under_the_token_name(client: TestClient, web_services: Any) -> None:
    response = client.post("/api/v1/ask", json={"question": QUESTION, "lang": "fr"}, headers=AUTH)
    assert response.status_code == 200
    body = response.json()
    assert body["notice"] == NOTICE["fr"]
    assert "trimestre" in body["answer"] and not body["refused"] and not body["degraded"]
    assert body["citations"] and body["citations"][0]["title"] == "Charte IA de test"
    assert web_services.log.flush()
    logged = web_services.log.get(body["id"])
    assert logged["session_hash"] == web_services.log.session_hash("api:intranet")


def test_ask_streams_sources_then_tokens_then_the_final_answer(client: TestClient, web_services: Any) -> None:
    for params, headers in (({"stream": "true"}, AUTH), ({}, AUTH | {"Accept": "text/event-stream"})):
        response = client.post("/api/v1/ask", params=params, json={"question": QUESTION}, headers=headers)
        assert response.status_code == 200 and response.headers["content-type"].startswith("text/event-stream")
        events = parse_events(response.text)
        kinds = [kind for kind, _ in events]
        assert kinds[0] == "sources" and kinds[-1] == "final" and set(kinds[1:-1]) == {"token"}
        assert events[0][1][0]["title"] == "Charte IA de test"
        assert "".join(data for kind, data in events if kind == "token").strip().startswith("Le comité")
        final = events[-1][1]
        assert final["notice"] and final["citations"]
        assert [set(p) for p in events[0][1]] == [set(p) for p in final["retrieved"]]  # sources as in the final JSON
        assert web_services.log.flush() and web_services.log.get(final["id"])


@pytest.mark.parametrize(("question", "code"), [("", "question_empty"), ("   ", "question_empty"), ("x" * 10_000, "input_too_long")])
@pytest.mark.parametrize("stream", [False, True])
def test_a_refused_question_is_a_400_json_error_and_never_reaches_the_model(client: TestClient, web_services: Any,
                                                                         question: str, code: str, stream: bool) -> None:
    before = model_calls(web_services)
    response = client.post("/api/v1/ask", params={"stream": stream}, json={"question": question}, headers=AUTH)
    error = assert_error(response, 400, code)
    if code == "input_too_long":
        assert "trop longue" in error["message_fr"] and "too long" in error["message_en"]
    assert model_calls(web_services) == before


def test_a_malformed_body_is_a_422_json_error(client: TestClient) -> None:
    assert_error(client.post("/api/v1/ask", json={"lang": "fr"}, headers=AUTH), 422, "invalid_request")
    bad_json = client.post("/api/v1/ask", content=b"{not json", headers=AUTH | {"Content-Type": "application/json"})
    assert_error(bad_json, 422, "invalid_request")


def test_an_oversize_body_is_413_before_it_is_parsed(client: TestClient, web_services: Any) -> None:
    before = model_calls(web_services)
    body = json.dumps({"question": "a" * 20_000}).encode()
    assert_error(client.post("/api/v1/ask", content=body, headers=AUTH | {"Content-Type": "application/json"}), 413, "payload_too_large")

    def chunked() -> Iterator[bytes]:  # no Content-Length: the limit counts what arrives
        yield b'{"question": "'
        yield b"a" * 20_000
        yield b'"}'

    streamed = client.post("/api/v1/ask", content=chunked(), headers=AUTH | {"Content-Type": "application/json"})
    assert_error(streamed, 413, "payload_too_large")
    assert model_calls(web_services) == before


def test_beyond_the_rate_limit_a_client_gets_429_with_retry_after(web_services: Any) -> None:
    with_api(web_services, rate_limit_per_minute=3)
    for client in client_for(web_services):
        assert [client.get("/api/v1/documents", headers=AUTH).status_code for _ in range(3)] == [200, 200, 200]
        limited = client.get("/api/v1/documents", headers=AUTH)
        assert_error(limited, 429, "rate_limited")
        assert 1 <= int(limited.headers["retry-after"]) <= 60
        # Other clients (here: no token, counted by IP) have their own budget; health is never limited.
        assert_error(client.get("/api/v1/documents"), 401, "unauthorized")
        assert client.get("/api/v1/health").status_code == 200


def test_feedback_is_accepted_and_recorded_in_the_governance_log(client: TestClient, web_services: Any) -> None:
    answer = client.post("/api/v1/ask", json={"question": QUESTION}, headers=AUTH).json()
    response = client.post("/api/v1/feedback", headers=AUTH,
                           json={"answer_id": answer["id"], "rating": -1, "category": "incorrect", "comment": "Fréquence à vérifier."})
    assert response.status_code == 202
    feedback_id = response.json()["feedback_id"]
    assert web_services.log.flush()
    [feedback] = web_services.log.get(answer["id"])["feedback"]
    assert feedback["id"] == feedback_id and feedback["rating"] == -1 and feedback["category"] == "incorrect"
    assert feedback["session_hash"] == web_services.log.session_hash("api:intranet")


def test_feedback_on_an_unknown_answer_or_empty_is_refused(client: TestClient) -> None:
    assert_error(client.post("/api/v1/feedback", json={"answer_id": "nope", "rating": 1}, headers=AUTH), 404, "not_found")
    answer = client.post("/api/v1/ask", json={"question": QUESTION}, headers=AUTH).json()
    assert_error(client.post("/api/v1/feedback", json={"answer_id": answer["id"]}, headers=AUTH), 400, "feedback_empty")
    assert_error(client.post("/api/v1/feedback", json={"answer_id": answer["id"], "rating": 5}, headers=AUTH), 422, "invalid_request")


def test_documents_lists_the_corpus_inventory(client: TestClient, web_services: Any) -> None:
    response = client.get("/api/v1/documents", headers=AUTH)
    assert response.status_code == 200
    body = response.json()
    assert body["count"] == 1 and body["index_version"] == web_services.index.version_id
    [doc] = body["documents"]
    assert doc["title"] == "Charte IA de test" and doc["kind"] == "charte" and doc["version"] == "2.0"
    assert doc["status"] == "en_vigueur" and doc["chunk_count"] >= 1
    assert {"doc_id", "effective_date", "ingested_at", "page_count"} <= set(doc)
    assert "source_path" not in doc  # no server path leaks to other systems


def test_unknown_api_paths_and_methods_answer_json(client: TestClient) -> None:
    assert_error(client.get("/api/v1/nothing-here", headers=AUTH), 404, "not_found")
    wrong_method = client.get("/api/v1/ask", headers=AUTH)
    assert_error(wrong_method, 405, "method_not_allowed")
    assert wrong_method.headers["allow"] == "POST"


def test_an_unexpected_error_is_a_500_internal_without_a_traceback(client: TestClient, web_services: Any,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise ZeroDivisionError("secret detail")

    monkeypatch.setattr(web_services.answerer, "answer", broken)
    monkeypatch.setattr(web_services.answerer, "stream", broken)
    for stream in (False, True):
        response = client.post("/api/v1/ask", params={"stream": stream}, json={"question": QUESTION}, headers=AUTH)
        assert_error(response, 500, "internal")
        assert "secret detail" not in response.text and "ZeroDivisionError" not in response.text


def test_a_failure_once_the_stream_started_ends_it_with_an_error_event(client: TestClient, web_services: Any,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    def failing(*args: Any, **kwargs: Any) -> Iterator[Event]:
        yield Event("sources", [])
        raise RuntimeError("secret detail")

    monkeypatch.setattr(web_services.answerer, "stream", failing)
    response = client.post("/api/v1/ask", params={"stream": True}, json={"question": QUESTION}, headers=AUTH)
    events = parse_events(response.text)
    assert [kind for kind, _ in events] == ["sources", "error"]
    assert events[1][1]["error"]["code"] == "internal" and "secret detail" not in response.text
