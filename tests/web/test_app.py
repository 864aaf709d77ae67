"""The HTTP side of the staff page: only indexed documents can be opened, nothing else."""

from __future__ import annotations

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
