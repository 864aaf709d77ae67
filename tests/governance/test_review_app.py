"""The review page: nothing without logging in, the reviewer is the logged-in account, the
filters reach the log, provenance and dashboard are shown escaped, and the page (and the
`garant review` command) refuse to start in production without accounts."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from fastapi.testclient import TestClient

from assistant.answering.model import Answer, AnswerSentence
from assistant.cli import main
from assistant.cli_support import run
from assistant.errors import ConfigError
from assistant.governance import review_app
from assistant.governance.accounts import Account, Accounts, hash_password
from assistant.governance.log import InteractionLog
from assistant.governance.review_app import build_review_app, dashboard_html, detail_html
from assistant.settings import load_settings

PASSWORD = "secret-de-test-1"
HOSTILE = "<script>alert('x')</script><img src=x onerror=alert(1)>"


def passage(doc_id: str) -> Any:
    """A retrieved passage with just what the log records (the index records themselves change
    with the index schema; the log reads only these attributes)."""
    document = SimpleNamespace(doc_id=doc_id, version="2.0", content_sha256=f"docsha-{doc_id}")
    chunk = SimpleNamespace(chunk_id=f"{doc_id}-c1", content_sha256=f"chunksha-{doc_id}")
    return SimpleNamespace(document=document, chunk=chunk, score=0.75)


def answer(question: str, refused: bool = False) -> Answer:
    sentences = [] if refused else [AnswerSentence(text="Le DG.", sources=[1], support=0.8, model_sources=[1], status="supported")]
    return Answer(
        question=question,
        lang="fr",
        text="Le DG. [1]",
        retrieved=[passage("charte-ia")],
        sentences=sentences,
        refused=refused,
        refusal_reason="no_evidence" if refused else None,
        prompt_version="answer-fr@3",
        model={"name": "qwen", "file_sha256": "modelsha"},
        index_version="v0007",
        timings={"total_s": 1.5},
    )


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, InteractionLog, dict[str, str]]]:
    """Settings, a log holding one answered and one refused question, and their ids."""
    home = tmp_path_factory.mktemp("review-home")
    settings = load_settings(env={"GARANT_HOME": str(home)})
    log = InteractionLog(home, settings.governance, env={"GARANT_LOG_SALT": "sel"})
    log.start()
    ids = {}
    for key, item in (("answered", answer("Qui préside le comité IA ?")), ("refused", answer(HOSTILE, refused=True))):
        log.record(item, "session", settings_hash="cafe1234", corpus_version="corpus-42")
        ids[key] = item.id
    assert log.flush(5)
    yield settings, log, ids
    log.stop()


@pytest.fixture(scope="module")
def client(seeded: tuple[Any, InteractionLog, dict[str, str]]) -> Iterator[TestClient]:
    settings, log, _ = seeded
    accounts = Accounts([Account("dr-qualite", "admin", hash_password(PASSWORD, iterations=1_000))])
    with TestClient(build_review_app(settings, log, accounts)) as test_client:
        yield test_client


@pytest.fixture
def logged_in(client: TestClient) -> Iterator[TestClient]:
    assert client.post("/login", data={"username": "dr-qualite", "password": PASSWORD}).status_code == 200
    yield client
    client.cookies.clear()


def call(client: TestClient, api_name: str, data: list[Any]) -> Any:
    """Run a page event through Gradio's HTTP API and return its outputs."""
    started = client.post(f"/gradio_api/call/{api_name}", json={"data": data})
    assert started.status_code == 200, started.text
    stream = client.get(f"/gradio_api/call/{api_name}/{started.json()['event_id']}").text
    assert "event: complete" in stream, stream
    return json.loads(stream.split("event: complete\ndata: ", 1)[1].splitlines()[0])


# --- access ---


@pytest.mark.parametrize("path", ["/config", "/gradio_api/info", "/gradio_api/login_check"])
def test_without_logging_in_the_page_data_and_api_are_refused(client: TestClient, path: str) -> None:
    assert client.get(path).status_code == 401


def test_without_logging_in_no_event_runs_and_the_page_shows_only_the_login(client: TestClient, seeded) -> None:  # type: ignore[no-untyped-def]
    _, log, ids = seeded
    assert client.post("/gradio_api/call/review", json={"data": [ids["answered"], "validé", "", ""]}).status_code == 401
    assert client.post("/gradio_api/queue/join", json={}).status_code == 401
    page = client.get("/")
    assert page.status_code == 200 and "comité IA" not in page.text and "fonts.googleapis" not in page.text
    assert log.get(ids["answered"])["reviews"] == []


def test_a_wrong_password_is_refused(client: TestClient) -> None:
    assert client.post("/login", data={"username": "dr-qualite", "password": "faux"}).status_code == 400
    assert client.get("/config").status_code == 401


def test_logging_in_with_a_configured_account_opens_the_page(logged_in: TestClient) -> None:
    config = logged_in.get("/config")
    assert config.status_code == 200 and config.json()["username"] == "dr-qualite"
    assert call(logged_in, "whoami", []) == ["Connecté : **dr-qualite** (administrateur)"]


# --- review and filters ---


def test_a_decision_is_recorded_under_the_logged_in_account(logged_in: TestClient, seeded) -> None:  # type: ignore[no-untyped-def]
    _, log, ids = seeded
    ack, detail, comment, _ = call(logged_in, "review", [ids["answered"], "corrigé", "Présidé par le DG.", "Ajouter la charte v3"])
    assert "dr-qualite" in ack and comment == ""
    review = log.get(ids["answered"])["reviews"][-1]
    assert (review["reviewer"], review["decision"], review["corpus_fix"]) == ("dr-qualite", "corrigé", "Ajouter la charte v3")
    assert "Ajouter la charte v3" in detail


def test_a_bad_decision_shows_a_sentence_not_a_traceback(logged_in: TestClient, seeded) -> None:  # type: ignore[no-untyped-def]
    _, _, ids = seeded
    ack = call(logged_in, "review", [ids["answered"], "rejeté", "", ""])[0]
    assert ack.startswith("❌") and "commentaire" in ack and "Traceback" not in ack
    assert call(logged_in, "review", ["inconnu", "validé", "", ""])[0].startswith("❌ Réponse inconnue")


def test_filters_reach_the_log(logged_in: TestClient, seeded) -> None:  # type: ignore[no-untyped-def]
    _, _, ids = seeded
    refused_only = call(logged_in, "search", [False, True, False, None, "", "", "", ""])[0]
    assert [row[1] for row in refused_only["data"]] == [ids["refused"]]
    assert len(call(logged_in, "search", [False, False, False, None, "", "", "charte-ia", "fr"])[0]["data"]) == 2
    assert call(logged_in, "search", [False, False, False, None, "2000-01-01", "2000-01-02", "", ""])[0]["data"] in ([], [[]])
    assert call(logged_in, "search", [False, False, False, None, "hier", "", "", ""])[1].startswith("❌ Date invalide")


# --- rendering ---


def test_the_provenance_is_complete_and_escaped(seeded) -> None:  # type: ignore[no-untyped-def]
    _, log, ids = seeded
    shown = detail_html(log.get(ids["refused"]))
    assert "<script>" not in shown and "<img" not in shown and "&lt;script&gt;" in shown
    for expected in (
        "charte-ia",
        "2.0",
        "docsha-charte-ia",
        "charte-ia-c1",
        "chunksha-charte-ia",
        "0.75",
        "answer-fr@3",
        "modelsha",
        "cafe1234",
        "v0007",
        "corpus-42",
        "total_s: 1.5",
        "refus",
    ):
        assert expected in shown


def test_the_dashboard_counts_and_escapes_unanswered_questions(seeded) -> None:  # type: ignore[no-untyped-def]
    _, log, _ = seeded
    shown = dashboard_html(log.stats(days=7))
    assert "<script>" not in shown and "&lt;script&gt;" in shown
    assert "1 (50%)" in shown and "charte-ia" in shown
    assert "aucun passage assez proche de la question : 1" in shown, "why the refusal was made is shown"


# --- starting ---


def test_production_without_accounts_refuses_to_build_or_serve(monkeypatch: pytest.MonkeyPatch, garant_home: Path) -> None:
    import uvicorn

    settings = load_settings(env={"GARANT_HOME": str(garant_home), "GARANT__GOVERNANCE__PRODUCTION": "true"})
    monkeypatch.setattr(uvicorn, "run", lambda *a, **k: pytest.fail("must not listen"))
    with pytest.raises(ConfigError):
        build_review_app(settings, InteractionLog(garant_home, settings.governance))
    with pytest.raises(ConfigError):
        review_app.serve_review(settings)


def test_the_review_command_exits_with_the_configuration_code_in_production(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("GARANT__GOVERNANCE__PRODUCTION", "true")
    assert run(main, ["review"]) == ConfigError.exit_code
    assert "review-passwd" in capsys.readouterr().err


def test_review_passwd_prints_an_entry_to_paste(monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import getpass

    from assistant.governance import accounts

    monkeypatch.setattr(accounts, "ITERATIONS", 1_000)
    monkeypatch.setattr(getpass, "getpass", lambda prompt="": "un-long-secret")
    assert run(main, ["review-passwd", "dr-qualite", "--role", "admin"]) == 0
    out = capsys.readouterr().out
    assert out.startswith('[[governance.accounts]]\nusername = "dr-qualite"\nrole = "admin"\npassword_hash = "pbkdf2_sha256$1000$')
