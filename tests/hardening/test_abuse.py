"""Abuse: bad questions are refused before retrieval with a message in both languages, through
the API and through the page's own handler, and neither the retriever nor the model is called;
generation is bounded in tokens; the questions in progress are bounded (a clean 503 'busy'
beyond); a flood of requests is answered or refused, never crashes the server."""

from __future__ import annotations

import json
import random
import threading
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from assistant.engines.chat import ChatMessage
from assistant.engines.chat_fake import FakeChatModel
from assistant.services import Services
from assistant.web.app import build_app, build_page

QUESTION = "À quelle fréquence se réunit le comité de pilotage IA ?"
REPLY = "Le comité de pilotage IA et numérique se réunit une fois par trimestre [1]."
_random = random.Random(7)
RANDOM_BYTES = bytes(_random.randrange(256) for _ in range(600))
BAD_QUESTIONS = {
    "empty": "",
    "blank": " \n\t  \r\n ",
    "100 kB": "Quelle est la règle du comité ? " * 3200,
    "binary (surrogateescape)": RANDOM_BYTES.decode("utf-8", errors="surrogateescape"),
    "binary (latin-1)": RANDOM_BYTES.decode("latin-1"),
    "lone surrogates": "Quelle règle \udcff\udcfe pour le comité de pilotage ?",
    "NUL": "Quelle règle\x00 pour le comité ?",
    "terminal escapes": "\x1b[2J\x1b[31mQuelle règle ?\x07",
    "non-characters": "Qui valide \ufffe\uffff l'outil ?",
    "no words": "?!?! … ¿¿ ***",
}


class Spy:
    """Counts retrieval calls on the services' retriever."""

    def __init__(self, services: Services, monkeypatch: pytest.MonkeyPatch) -> None:
        self.searches = 0
        real = services.retriever.search

        def search(*args: Any, **kwargs: Any) -> Any:
            self.searches += 1
            return real(*args, **kwargs)

        monkeypatch.setattr(services.retriever, "search", search)
        self.model = services.answerer._chat_model()  # noqa: SLF001 - the fake records every call

    @property
    def model_calls(self) -> int:
        return len(self.model.calls)


def raw_json(payload: dict[str, Any]) -> bytes:
    """JSON with lone surrogates kept as \\udcxx escapes (httpx's json= cannot encode them)."""
    return json.dumps(payload).encode("ascii")


@pytest.fixture
def services(make_services: Any) -> Services:
    return make_services(max_body_bytes=1_000_000)  # let 100 kB reach the question check, not the body limit


@pytest.fixture
def client(services: Services) -> Iterator[TestClient]:
    with TestClient(build_app(services)) as test_client:
        yield test_client


# --- bad questions ---


@pytest.mark.parametrize("kind", sorted(BAD_QUESTIONS))
def test_a_bad_question_through_the_api_is_a_400_in_both_languages_without_retrieval_or_model(
        kind: str, services: Services, client: TestClient, auth: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    spy = Spy(services, monkeypatch)
    response = client.post("/api/v1/ask", content=raw_json({"question": BAD_QUESTIONS[kind]}),
                           headers={**auth, "content-type": "application/json"})
    assert response.status_code == 400, response.text
    error = response.json()["error"]
    assert error["code"] in {"question_empty", "input_too_long", "invalid_characters", "question_without_words"}
    assert error["message_fr"] and error["message_en"] and error["message_fr"] != error["message_en"]
    assert "Traceback" not in response.text
    assert (spy.searches, spy.model_calls) == (0, 0)


@pytest.mark.parametrize("stream", [False, True])
def test_the_streaming_route_refuses_the_same_way(stream: bool, services: Services, client: TestClient, auth: dict[str, str],
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    spy = Spy(services, monkeypatch)
    response = client.post(f"/api/v1/ask?stream={str(stream).lower()}", content=raw_json({"question": BAD_QUESTIONS["lone surrogates"]}),
                           headers={**auth, "content-type": "application/json"})
    assert response.status_code == 400 and response.json()["error"]["code"] == "invalid_characters"
    assert (spy.searches, spy.model_calls) == (0, 0)


@pytest.mark.parametrize("body", [RANDOM_BYTES, b'{"question": "abc\xff\xfe"}', b'{"question": 42}', b'{"question": ["a"]}', b"[]", b""])
def test_a_body_that_is_not_a_json_question_is_refused_without_retrieval_or_model(body: bytes, services: Services, client: TestClient,
                                                                               auth: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> None:
    spy = Spy(services, monkeypatch)
    response = client.post("/api/v1/ask", content=body, headers={**auth, "content-type": "application/json"})
    assert response.status_code in (400, 422), response.text  # 400: not JSON at all; 422: JSON of the wrong shape
    error = response.json()["error"]
    assert error["code"] in ("bad_request", "invalid_request") and error["message_fr"] != error["message_en"]
    assert (spy.searches, spy.model_calls) == (0, 0)


def test_a_100_kb_body_over_the_default_limit_is_a_413_before_parsing(make_services: Any, auth: dict[str, str],
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    services = make_services()  # default max_body_bytes (16 kB)
    spy = Spy(services, monkeypatch)
    with TestClient(build_app(services)) as client:
        response = client.post("/api/v1/ask", json={"question": BAD_QUESTIONS["100 kB"]}, headers=auth)
    assert response.status_code == 413 and response.json()["error"]["code"] == "payload_too_large"
    assert (spy.searches, spy.model_calls) == (0, 0)


def _page_respond(services: Services) -> Any:
    """The page's own chat handler (the function Gradio calls on 'Envoyer')."""
    page = build_page(services)
    return next(f.fn for f in page.fns.values() if f.name == "respond")


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("kind", sorted(BAD_QUESTIONS))
def test_a_bad_question_on_the_page_is_refused_in_the_users_language_without_retrieval_or_model(
        kind: str, lang: str, services: Services, monkeypatch: pytest.MonkeyPatch) -> None:
    spy = Spy(services, monkeypatch)
    respond = _page_respond(services)
    outputs = list(respond(BAD_QUESTIONS[kind], [], lang, [], {}, SimpleNamespace(session_hash="abuse")))
    history, sources, kept_question, asked, answer_ids = outputs[-1]
    shown = history[-1]["content"]
    assert shown.startswith("❌ ")
    expected_words = {"fr": ("question",), "en": ("question",)}[lang]
    assert any(word in shown.lower() for word in expected_words)
    assert ("La question" in shown) == (lang == "fr") and ("The question" in shown) == (lang == "en")
    assert "Traceback" not in shown and sources == "" and asked == [] and answer_ids == {}
    assert kept_question == BAD_QUESTIONS[kind], "the question stays in the box so the user can fix it"
    assert (spy.searches, spy.model_calls) == (0, 0)


# --- generation bounded ---


def test_generation_is_cut_at_max_tokens(make_services: Any) -> None:
    rambling = FakeChatModel(["Le comité de pilotage IA et numérique se réunit une fois par trimestre " * 500])
    services = make_services(rambling)
    services.settings.llm.max_tokens = 16
    answer = services.answerer.answer(QUESTION)
    assert len(rambling.calls) == 1
    assert len(answer.raw_model_output.split()) <= 16


# --- the queue ---


class GatedModel(FakeChatModel):
    """A fake that holds every generation until `release` is set, and counts who is inside."""

    def __init__(self) -> None:
        super().__init__([REPLY])
        self.release = threading.Event()
        self.inside = 0
        self._count = threading.Lock()

    def stream(self, messages: list[ChatMessage], max_tokens: int, stop: list[str] | None = None) -> Iterator[str]:
        with self._count:
            self.inside += 1
        assert self.release.wait(30), "the test never released the model"
        return super().stream(messages, max_tokens, stop)


def _wait_for(condition: Any, timeout_s: float = 20) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


@pytest.mark.parametrize("stream", [False, True])
def test_beyond_the_queue_a_question_gets_a_clean_503_busy_with_retry_after(stream: bool, make_services: Any, auth: dict[str, str],
                                                                            serve: Any) -> None:
    model = GatedModel()
    services = make_services(model, max_queue=1)  # one being answered + one waiting
    url_suffix = "?stream=true" if stream else ""
    with serve(build_app(services)) as url, httpx.Client(trust_env=False, timeout=60) as client, \
            ThreadPoolExecutor(2) as pool:
        ask = lambda: client.post(f"{url}/api/v1/ask{url_suffix}", json={"question": QUESTION}, headers=auth)  # noqa: E731
        admitted = [pool.submit(ask), pool.submit(ask)]
        _wait_for(lambda: model.inside == 2)
        refused = ask()
        assert refused.status_code == 503, refused.text
        assert refused.json()["error"]["code"] == "busy" and int(refused.headers["Retry-After"]) > 0
        assert refused.json()["error"]["message_fr"] != refused.json()["error"]["message_en"]
        model.release.set()
        assert [f.result().status_code for f in admitted] == [200, 200]
        # the places are given back: the next questions are answered again
        assert [ask().status_code for _ in range(3)] == [200, 200, 200]
        assert model.inside == 5


def test_a_stream_abandoned_by_its_client_gives_its_place_back(make_services: Any, auth: dict[str, str], serve: Any) -> None:
    model = FakeChatModel([REPLY], delay_s=0.05)
    services = make_services(model, max_queue=1)
    with serve(build_app(services)) as url, httpx.Client(trust_env=False, timeout=60) as client:

        def open_and_abandon() -> bool:
            with client.stream("POST", f"{url}/api/v1/ask?stream=true", json={"question": QUESTION}, headers=auth) as response:
                if response.status_code != 200:
                    return False
                next(response.iter_lines())  # read the first event, then hang up
                return True

        # more abandoned streams than places: each place comes back once the server sees the hang-up
        # (a leaked place would make every later question 'busy' for ever)
        for _ in range(5):
            _wait_for(open_and_abandon, 30)
        _wait_for(lambda: client.post(f"{url}/api/v1/ask", json={"question": QUESTION}, headers=auth).status_code == 200, 30)


# --- flood ---


def test_a_flood_of_requests_is_answered_or_cleanly_refused_and_the_server_stays_up(make_services: Any, auth: dict[str, str],
                                                                                    serve: Any) -> None:
    services = make_services(FakeChatModel([REPLY], delay_s=0.002), max_queue=4, rate_limit_per_minute=150)
    requests: list[tuple[str, str, dict[str, Any] | None, dict[str, str]]] = []
    for i in range(320):
        if i % 10 == 0:
            requests.append(("POST", "/api/v1/ask", {"question": ""}, auth))  # refused question
        elif i % 10 == 1:
            requests.append(("POST", "/api/v1/ask", {"question": QUESTION}, {}))  # no token
        elif i % 10 == 2:
            requests.append(("GET", "/api/v1/health", None, {}))
        else:
            requests.append(("POST", "/api/v1/ask", {"question": QUESTION}, auth))
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    with serve(build_app(services)) as url, httpx.Client(trust_env=False, timeout=120, limits=limits) as client:

        def send(request: tuple[str, str, dict[str, Any] | None, dict[str, str]]) -> tuple[int, str, str]:
            method, path, body, headers = request
            response = client.request(method, f"{url}{path}", json=body, headers=headers)
            code = response.json().get("error", {}).get("code", "") if response.headers.get("content-type", "").startswith("application/json") else "not-json"
            return response.status_code, code, response.text[:200]

        with ThreadPoolExecutor(64) as pool:
            results = list(pool.map(send, requests))
        statuses = Counter(status for status, _, _ in results)
        assert set(statuses) <= {200, 400, 401, 429, 503}, statuses
        assert all(code != "not-json" for _, code, _ in results)
        assert all(code in {"busy", ""} for status, code, _ in results if status == 503), "a 503 may only be 'busy'"
        assert statuses[200] > 0 and (statuses[429] + statuses[503]) > 0, statuses
        # still up, and every answer given was logged
        assert client.get(f"{url}/api/v1/health").status_code == 200
        answered = sum(1 for status, code, text in results if status == 200 and '"question"' in text)
    services.log.stop()
    import sqlite3

    with sqlite3.connect(services.log.path) as db:
        assert db.execute("SELECT COUNT(*) FROM interactions").fetchone()[0] == answered
