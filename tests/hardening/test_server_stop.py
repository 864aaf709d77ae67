"""Stopping a running `garant serve` with SIGTERM (systemd, docker stop) right after a burst of
answers: the process exits normally (its `finally` closes the services) and every answer it
acknowledged is in the governance log. (kill -9 during a burst is tested with the log.)"""

from __future__ import annotations

import sqlite3
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from evaluation.bench_load import ServerProcess, api_token_env, garant_env, index_folder

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals")

TOKEN = "stop-test-token"


def test_sigterm_after_a_burst_exits_0_with_every_acknowledged_answer_logged(tmp_path: Path) -> None:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "charte.md").write_text("# Gouvernance\n\nLe comité de pilotage IA se réunit une fois par trimestre.\n", encoding="utf-8")
    log_path = tmp_path / "governance.sqlite"
    env = garant_env(tmp_path / "home", GARANT__LLM__BACKEND="fake", GARANT__EMBEDDER__KIND="hash",
                     GARANT__API__RATE_LIMIT_PER_MINUTE="100000", GARANT__GOVERNANCE__LOG_PATH=str(log_path),
                     **api_token_env("stop", TOKEN))
    index_folder(corpus, env)
    server = ServerProcess(env, start_timeout_s=120).start()
    try:
        with httpx.Client(trust_env=False, timeout=60) as client, ThreadPoolExecutor(8) as pool:
            responses = list(pool.map(
                lambda i: client.post(f"{server.url}/api/v1/ask", headers={"Authorization": f"Bearer {TOKEN}"},
                                      json={"question": f"Le comité de pilotage IA se réunit-il une fois par trimestre ? ({i})"}),
                range(24)))
        acknowledged = [r.json()["id"] for r in responses if r.status_code == 200]
        assert len(acknowledged) == 24
        assert server.stop() == 0, server.output()[-2000:]
    finally:
        server.__exit__(None, None, None)
    with sqlite3.connect(log_path) as db:
        logged = {row[0] for row in db.execute("SELECT id FROM interactions")}
    assert set(acknowledged) <= logged
