"""Fixtures of the hardening tests: services over a one-document index (hash embedder, a chat
model given by the test), the app served by uvicorn on a free loopback port in a thread, and a
builder of small real PDFs."""

from __future__ import annotations

import hashlib
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

from assistant.engines.chat import ChatModel
from assistant.engines.chat_fake import FakeChatModel
from assistant.engines.embed_hash import HashEmbedder
from assistant.services import Services, build_services
from assistant.web.api import ApiSettings, ApiToken
from evaluation.bench_load import free_port
from ingest.pipeline import Ingestor

TOKEN = "hardening-test-token"
AUTH = {"Authorization": f"Bearer {TOKEN}"}
REPLY = "Le comité de pilotage IA et numérique se réunit une fois par trimestre [1]."
DOC = """---
title: Charte IA de test
kind: charte
version: "2.0"
status: en_vigueur
---

# Gouvernance

Le comité de pilotage IA et numérique se réunit une fois par trimestre.
"""


@pytest.fixture
def build(fake_settings: Any) -> Iterator[Callable[[ChatModel | None], Services]]:
    """`build(model)`: services over the index in `fake_settings` (hash embedder) with that chat
    model (None: loaded from the settings, lazily); every one built is closed after the test."""
    built: list[Services] = []

    def make(model: ChatModel | None) -> Services:
        services = build_services(fake_settings, chat_model=model, embedder=HashEmbedder())
        built.append(services)
        return services

    yield make
    for services in built:
        services.close()


@pytest.fixture
def make_services(fake_settings: Any, tmp_path: Path, build: Callable[[ChatModel | None], Services]) -> Callable[..., Services]:
    """Build services over a one-document index with the given chat model and API settings."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "charte.md").write_text(DOC, encoding="utf-8")
    Ingestor(fake_settings, HashEmbedder).sync(corpus)

    def make(model: ChatModel | None = None, max_queue: int = 16, **api: Any) -> Services:
        fake_settings.server.max_queue = max_queue
        api.setdefault("rate_limit_per_minute", 100_000)
        fake_settings.api = ApiSettings(tokens=[ApiToken(name="hardening", sha256=hashlib.sha256(TOKEN.encode()).hexdigest())], **api)
        return build(model or FakeChatModel([REPLY]))

    return make


@pytest.fixture
def auth() -> dict[str, str]:
    """The Authorization header of the token `make_services` declares."""
    return dict(AUTH)


@pytest.fixture
def serve() -> Callable[[Any], Any]:
    """`with serve(app) as url:` runs the app on loopback for the test."""
    return serve_in_thread


def text_pdf(pages: list[str]) -> bytes:
    """A PDF with one page per (ASCII) string, Helvetica, uncompressed."""
    objects: list[bytes] = [b"<< /Type /Catalog /Pages 2 0 R >>", b"", b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    kids = []
    for text in pages:
        content = f"BT /F1 11 Tf 72 720 Td ({text}) Tj ET".encode("ascii")
        objects.append(b"<< /Length " + str(len(content)).encode() + b" >>\nstream\n" + content + b"\nendstream")
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {len(objects)} 0 R "
                       f"/Resources << /Font << /F1 3 0 R >> >> >>".encode())
        kids.append(f"{len(objects)} 0 R")
    objects[1] = f"<< /Type /Pages /Kids [{' '.join(kids)}] /Count {len(kids)} >>".encode()
    out = bytearray(b"%PDF-1.7\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{o:010d} 00000 n \n".encode() for o in offsets)
    out += f"trailer << /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


@pytest.fixture(scope="session")
def build_pdf() -> Callable[[list[str]], bytes]:
    """`build_pdf(["page 1 text", …])`: a small real PDF, made here (no file shipped)."""
    return text_pdf


@contextmanager
def serve_in_thread(app: Any) -> Iterator[str]:
    """Serve `app` with uvicorn on 127.0.0.1 (a free port) in a thread; yields the base URL."""
    import uvicorn

    port = free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on"))
    thread = threading.Thread(target=server.run, name="uvicorn-test", daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(30)
