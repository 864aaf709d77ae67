"""The staff page server side: only indexed documents can be opened, nothing else; a question past
the queue limit gets the busy message; the « À propos » panel says whom to contact."""

from __future__ import annotations

import threading
import time

import pytest
from fastapi.testclient import TestClient

from assistant.web.app import build_app


@pytest.fixture
def client(web_services):  # type: ignore[no-untyped-def]
    with TestClient(build_app(web_services)) as test_client:
        yield test_client


def test_the_page_loads_without_any_outside_url(client: TestClient) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert "fonts.googleapis" not in page.text and "googletagmanager" not in page.text


def test_an_indexed_document_opens_as_inert_text(client: TestClient, web_services) -> None:  # type: ignore[no-untyped-def]
    doc_id = next(iter(web_services.retriever.documents))
    response = client.get(f"/doc/{doc_id}")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain")
    assert "sandbox" in response.headers["content-security-policy"]
    assert "comité de pilotage" in response.text


@pytest.mark.parametrize("path", ["/doc/unknown", "/doc/..%2Fsecret.txt", "/doc/%2Fetc%2Fpasswd", "/file=/etc/passwd", "/gradio_api/file=/etc/passwd"])
def test_no_other_path_on_the_server_is_reachable(client: TestClient, path: str) -> None:
    response = client.get(path)
    assert response.status_code in (403, 404, 405)
    assert "root:" not in response.text and "jamais être servi" not in response.text


SLOW_REPLY = "Le comité de pilotage IA et numérique se réunit une fois par trimestre [1]."


def _last_bubble(step: tuple) -> str:  # type: ignore[type-arg]
    """The text of the last chat message of one step of the page's answer."""
    return str(step[0][-1]["content"])


def test_a_question_past_the_queue_limit_gets_the_busy_message_at_once(web_services, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    from assistant.engines.chat_fake import FakeChatModel
    from assistant.web.app import TEXT, AnswerGate, answer_turn

    slow = FakeChatModel([SLOW_REPLY], delay_s=0.15)  # about 2 s per answer
    monkeypatch.setattr(web_services.chat, "_model", slow)
    gate = AnswerGate(max_waiting=1)  # one answer generated, one waiting, the next one is turned away

    def ask(session: str):  # type: ignore[no-untyped-def]
        return answer_turn(web_services, gate, "Quand se réunit le comité de pilotage IA ?", [], "fr", [], {}, session)

    first: list[tuple] = []  # type: ignore[type-arg]
    running = threading.Thread(target=lambda: first.extend(ask("a")))
    running.start()
    deadline = time.monotonic() + 10
    while not slow.calls and time.monotonic() < deadline:
        time.sleep(0.02)
    assert slow.calls, "the first answer never reached the model"
    # the second question waits its turn, and says so
    second = ask("b")
    next(second)
    assert TEXT["fr"]["waiting"] in _last_bubble(next(second))
    # the third is told at once, in plain words, and keeps its question in the box
    third = list(ask("c"))
    assert len(third) == 1 and _last_bubble(third[0]) == f"**{TEXT['fr']['busy']}**"
    assert "réessayez dans une minute" in TEXT["fr"]["busy"] and third[0][2] == "Quand se réunit le comité de pilotage IA ?"
    # once the line moves, the waiting question gets its answer, notice first, and the next one goes through
    rest = list(second)
    running.join(timeout=20)
    assert "trimestre" in _last_bubble(first[-1]) and "trimestre" in _last_bubble(rest[-1])
    assert _last_bubble(rest[-1]).startswith("⚠️ **Réponse générée par IA")
    assert len(slow.calls) == 2
    assert "trimestre" in _last_bubble(list(ask("d"))[-1])


def test_a_refused_question_gives_its_place_back(web_services) -> None:  # type: ignore[no-untyped-def]
    from assistant.web.app import AnswerGate, answer_turn

    gate = AnswerGate(max_waiting=0)
    empty = list(answer_turn(web_services, gate, "   ", [], "en", [], {}, "s"))
    assert _last_bubble(empty[-1]).startswith("❌") and "Traceback" not in _last_bubble(empty[-1])
    answered = list(answer_turn(web_services, gate, "When does the AI steering committee meet?", [], "en", [], {}, "s"))
    assert _last_bubble(answered[-1]).startswith("⚠️ **AI-generated answer")


def test_the_answer_is_in_the_language_of_the_question_whatever_the_page_language(web_services) -> None:  # type: ignore[no-untyped-def]
    from assistant.web.app import AnswerGate, answer_turn

    english = list(answer_turn(web_services, AnswerGate(1), "When does the AI steering committee meet?", [], "fr", [], {}, "s"))
    assert _last_bubble(english[-1]).startswith("⚠️ **AI-generated answer")
    french = list(answer_turn(web_services, AnswerGate(1), "Quand se réunit le comité de pilotage IA ?", [], "en", [], {}, "s"))
    assert _last_bubble(french[-1]).startswith("⚠️ **Réponse générée par IA")


def test_the_about_panel_says_whom_to_contact_and_how_to_report_an_error(web_services) -> None:  # type: ignore[no-untyped-def]
    from assistant.web.app import about_markdown

    french = about_markdown(web_services, "fr")
    assert "**Contact** : la cellule qualité / le référent IA de l'établissement (à configurer : server.contact)" in french
    assert "Signaler une erreur" in french and "Journalisation et données personnelles" in french and "Limites" in french
    assert "Charte IA de test" in french and "| charte | 2.0 | — | en vigueur |" in french
    web_services.settings.server.contact = "Cellule qualité, poste 4321 <script>x</script> | qualite@chu.example"
    english = about_markdown(web_services, "en")
    assert "**Contact**: Cellule qualité, poste 4321" in english and "Report an error" in english
    assert "<script>" not in english and "\\|" in english


def test_the_about_panel_is_on_the_page(client: TestClient) -> None:
    config = client.get("/config")
    assert config.status_code == 200
    assert "À propos de cet assistant" in config.text and "server.contact" in config.text


def test_a_streamed_answer_never_shows_a_live_link_or_image(web_services, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    from assistant.engines.chat_fake import FakeChatModel
    from assistant.web.app import AnswerGate, answer_turn

    trapped = "Voir ![img](http://evil.example/x.png) et [lien](http://evil.example) <b>gras</b> [1]."
    monkeypatch.setattr(web_services.chat, "_model", FakeChatModel([trapped]))
    # the chat list is updated in place between steps: read each bubble as it is shown
    bubbles = [_last_bubble(step) for step in answer_turn(web_services, AnswerGate(1), "Quand se réunit le comité de pilotage IA ?",
                                                          [], "fr", [], {}, "s")]
    assert any("Voir" in bubble for bubble in bubbles[:-1])  # the streamed text was shown...
    assert not any("](" in bubble or "![" in bubble or "<b>" in bubble for bubble in bubbles)  # ...but never as markup


def test_the_about_panel_names_the_model_and_where_it_runs(web_services) -> None:  # type: ignore[no-untyped-def]
    from assistant.web.app import about_markdown

    llm = web_services.settings.llm
    llm.backend = "llama-cpp"
    assert "exécuté sur ce serveur" in about_markdown(web_services, "fr")
    llm.backend, llm.base_url, llm.api_model = "openai", "http://inference.chv.local:8000/v1", "qwen2.5-14b-instruct"
    french = about_markdown(web_services, "fr")
    assert "qwen2.5-14b-instruct" in french and "inference.chv.local" in french
    assert "exécuté sur ce serveur" not in french and "Qwen2.5-Coder" not in french
    assert "inference server" in about_markdown(web_services, "en")
    llm.backend = "fake"
    assert "modèle de test" in about_markdown(web_services, "fr")


def test_an_error_report_may_concern_any_answer_of_the_conversation(web_services) -> None:  # type: ignore[no-untyped-def]
    from assistant.web.app import AnswerGate, answer_turn, report_targets, reported_answer

    gate = AnswerGate(1)
    history, asked, answer_ids = [], [], {}
    for question in ("Quand se réunit le comité de pilotage IA ?", "x" * 10_000, "When does the AI steering committee meet?"):
        history, _, _, asked, answer_ids = list(answer_turn(web_services, gate, question, history, "fr", asked, answer_ids, "s"))[-1]
    # the question refused for its length has no answer to report on
    targets = report_targets(asked, answer_ids)
    labels = [label for label, _ in targets["choices"]]
    assert labels == ["1. Quand se réunit le comité de pilotage IA ?", "2. When does the AI steering committee meet?"]
    first, last = (answer_id for _, answer_id in targets["choices"])
    assert targets["value"] == last == answer_ids["last"]
    assert reported_answer(answer_ids, first) == first
    # the browser names the answer; an id that is not one of this conversation's falls back to the last answer
    assert reported_answer(answer_ids, "an-id-of-another-session") == last
    assert reported_answer(answer_ids, None) == last
    assert reported_answer({}, first) is None
    long = report_targets(["Q" * 200], {"1": "a", "last": "a"})
    assert long["choices"][0][0].endswith("…") and len(long["choices"][0][0]) <= 3 + 70
