"""A running server follows the index: after an ingest publishes a new version, the page
and the API answer from it without a restart, and old versions can be cleaned up."""

from __future__ import annotations

import hashlib
import time
from pathlib import Path

from fastapi.testclient import TestClient

from assistant.engines.chat_fake import FakeChatModel
from assistant.engines.embed_hash import HashEmbedder
from assistant.index.versions import CURRENT
from assistant.services import build_services
from assistant.web.api_settings import ApiSettings, ApiToken
from ingest.pipeline import Ingestor

CHARTE = "---\ntitle: Charte IA\nkind: charte\n---\n\n# Gouvernance\n\nLe comité de pilotage IA se réunit une fois par trimestre.\n"
PROCEDURE = ("---\ntitle: Procédure de signalement\nkind: procedure\n---\n\n# Délai\n\n"
             "Un dysfonctionnement d'un outil d'IA est signalé dans les 24 heures par la fiche FEI-IA.\n")


def _services(settings, corpus: Path):  # type: ignore[no-untyped-def]
    corpus.mkdir(exist_ok=True)
    (corpus / "charte.md").write_text(CHARTE, encoding="utf-8")
    Ingestor(settings, HashEmbedder).sync(corpus)
    return build_services(settings, chat_model=FakeChatModel(["Dans les 24 heures [1]."]), embedder=HashEmbedder())


def test_a_new_version_is_picked_up_without_a_restart(fake_settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    corpus = tmp_path / "corpus"
    services = _services(fake_settings, corpus)
    try:
        first = services.index.version_id
        assert services.refresh_index() is False  # nothing new
        (corpus / "procedure.md").write_text(PROCEDURE, encoding="utf-8")
        Ingestor(fake_settings, HashEmbedder).sync(corpus)
        assert services.refresh_index() is True
        assert services.index.version_id != first
        answer = services.answerer.answer("Dans quel délai signaler un dysfonctionnement d'IA ?")
        assert any(p.document.title == "Procédure de signalement" for p in answer.retrieved)
        assert answer.index_version == services.index.version_id
    finally:
        services.close()


def test_the_background_watch_switches_and_the_api_shows_the_new_documents(fake_settings, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from assistant.web.app import build_app

    corpus = tmp_path / "corpus"
    services = _services(fake_settings, corpus)
    try:
        services.settings.api = ApiSettings(tokens=[ApiToken(name="t", sha256=hashlib.sha256(b"tok").hexdigest())],
                                            rate_limit_per_minute=1000)
        client = TestClient(build_app(services), headers={"Authorization": "Bearer tok"})
        assert client.get("/api/v1/documents").json()["count"] == 1
        services.watch_index(0.05)
        (corpus / "procedure.md").write_text(PROCEDURE, encoding="utf-8")
        Ingestor(fake_settings, HashEmbedder).sync(corpus)
        deadline = time.monotonic() + 10
        while client.get("/api/v1/documents").json()["count"] != 2 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert client.get("/api/v1/documents").json()["count"] == 2
        # several more ingests: versions beyond ingest.keep_versions are deleted, the server follows
        for n in range(4):
            (corpus / f"note-{n}.md").write_text(f"# Note {n}\n\nLa note numéro {n} concerne l'archivage.\n", encoding="utf-8")
            Ingestor(fake_settings, HashEmbedder).sync(corpus)
        current = (fake_settings.index_dir / CURRENT).read_text(encoding="utf-8").strip()
        deadline = time.monotonic() + 10
        while services.index.version_id != current and time.monotonic() < deadline:
            time.sleep(0.05)
        assert services.index.version_id == current
        assert client.get("/api/v1/documents").json()["count"] == 6
        reply = client.post("/api/v1/ask", json={"question": "Que concerne la note numéro 3 ?"})
        assert reply.status_code == 200 and reply.json()["retrieved"][0]["path"] == "note-3.md"
    finally:
        services.close()


def test_a_version_built_with_another_embedder_is_not_switched_to(fake_settings, tmp_path: Path, caplog) -> None:  # type: ignore[no-untyped-def]
    corpus = tmp_path / "corpus"
    services = _services(fake_settings, corpus)
    try:
        first = services.index.version_id
        (corpus / "procedure.md").write_text(PROCEDURE, encoding="utf-8")
        Ingestor(fake_settings, lambda: HashEmbedder(dimension=128)).rebuild(corpus)
        assert services.refresh_index() is False
        assert services.index.version_id == first
        assert services.answerer.answer("Quand se réunit le comité de pilotage IA ?").retrieved
    finally:
        services.close()
