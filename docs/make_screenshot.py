"""Takes the screenshot of the staff page shown in the README and the user guide (docs/img/page.png).

The page is served on loopback over the establishment part of the sample corpus, with the
default embedder (multilingual USE, shipped as a package) and the scripted chat model of the
tests (so no chat-model weights are needed and the picture is reproducible), and driven by
headless Chromium: one question, its answer with the notice and citations, the sources.

    python docs/make_screenshot.py            # or: make docs-screenshot

Needs playwright (test extras) and Debian's chromium (`make install-test` installs both).
"""

from __future__ import annotations

import shutil
import socket
import sys
import tempfile
import threading
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "docs" / "img" / "page.png"
QUESTION = "Dans quel délai faut-il déclarer un dysfonctionnement d'un système d'IA ?"
# The scripted model's answer: a sentence the procedure supports, cited as the model would.
REPLY = "Le professionnel remplit le formulaire FEI-IA dans les 24 heures suivant la constatation [1]."


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def main() -> int:
    """Serve the page, ask, and save the screenshot."""
    sys.path.insert(0, str(REPO))
    from assistant.offline import enforce_offline

    enforce_offline()
    import uvicorn
    from playwright.sync_api import sync_playwright

    from assistant.engines.chat_fake import FakeChatModel
    from assistant.engines.embedder import build_embedder
    from assistant.services import build_services
    from assistant.settings import load_settings
    from assistant.web.app import build_app
    from ingest.pipeline import Ingestor

    chromium = shutil.which("chromium") or shutil.which("chromium-browser")
    if chromium is None:
        print("chromium is not installed: run `make install-test` (Debian's chromium package).", file=sys.stderr)
        return 1
    with tempfile.TemporaryDirectory(prefix="garant-screenshot-") as tmp:
        corpus = Path(tmp) / "corpus"
        shutil.copytree(REPO / "corpus" / "etablissement", corpus / "etablissement")
        settings = load_settings(env={"GARANT_HOME": str(Path(tmp) / "home"), "GARANT__LLM__BACKEND": "fake"})
        embedder = build_embedder(settings.embedder)
        Ingestor(settings, lambda: embedder).sync(corpus)
        services = build_services(settings, chat_model=FakeChatModel([REPLY]), embedder=embedder)
        port = _free_port()
        server = uvicorn.Server(uvicorn.Config(build_app(services), host="127.0.0.1", port=port, log_level="warning"))
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        deadline = time.monotonic() + 60
        while not server.started and time.monotonic() < deadline:
            time.sleep(0.1)
        try:
            with sync_playwright() as pw:
                browser = pw.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--disable-gpu", "--no-first-run"])
                page = browser.new_page(viewport={"width": 1360, "height": 1180}, device_scale_factor=1)
                page.goto(f"http://127.0.0.1:{port}/", wait_until="load")
                page.wait_for_selector("textarea", timeout=60_000)
                page.fill("textarea", QUESTION)
                page.click("button:has-text('Envoyer')")
                page.wait_for_selector("#garant-sources .garant-source", timeout=60_000)
                page.wait_for_function("document.querySelector('#garant-sources').innerText.includes('Sources')", timeout=60_000)
                page.wait_for_timeout(1500)
                page.evaluate("window.scrollTo(0, 0)")
                page.wait_for_timeout(300)
                OUT.parent.mkdir(parents=True, exist_ok=True)
                page.screenshot(path=str(OUT), full_page=False)
                browser.close()
        finally:
            server.should_exit = True
            thread.join(timeout=10)
            services.close()
    print(f"screenshot written to {OUT.relative_to(REPO)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
