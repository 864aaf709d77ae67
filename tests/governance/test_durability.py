"""Durability of the governance log: many sessions at once lose no row, an overflowing queue
loses no row, and a kill -9 of the process writing the log — a loop, or the real server
during a burst of API questions — leaves `PRAGMA integrity_check` ok, the hash chain intact,
and every acknowledged row present."""

from __future__ import annotations

import hashlib
import json
import os
import random
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from assistant.answering.model import Answer, AnswerSentence
from assistant.governance.log import InteractionLog
from assistant.governance.maintenance import verify
from assistant.index.store import ChunkRecord, DocumentRecord
from assistant.retrieval.hybrid import Passage

REPO = Path(__file__).resolve().parents[2]
ENV = {"GARANT_LOG_SALT": "sel-kill"}
LOOP = Path(__file__).with_name("record_loop.py")


def passage(n: int) -> Passage:
    document = DocumentRecord(
        doc_id=f"doc{n % 4}", title="Procédure", kind="procedure", version="1", effective_date="2024-01-01",
        status="en_vigueur", owner="Qualité", lang="fr", source_path="p.md", content_sha256="sha", size_bytes=1,
        page_count=1, chunk_count=1, ingested_at="2024-06-01T00:00:00+00:00")
    chunk = ChunkRecord(chunk_id=f"c{n}", doc_id=document.doc_id, ordinal=n, text="Texte.", pages=[1], heading_path=[],
                        char_start=0, char_end=6, content_sha256=f"c{n}")
    return Passage(chunk=chunk, document=document, score=0.5, rank=n)


def answer(n: int) -> Answer:
    return Answer(question=f"Question {n} ?", lang="fr", text="Réponse. [1]", retrieved=[passage(n), passage(n + 1)],
                  sentences=[AnswerSentence(text="Réponse.", sources=[1], support=0.7, model_sources=[1], status="supported")],
                  prompt_version="p@1", model={"name": "fake"}, index_version="v1")


def stored_ids(path: Path, table: str) -> set[str]:
    db = sqlite3.connect(path)
    try:
        return {row[0] for row in db.execute(f"SELECT id FROM {table}")}
    finally:
        db.close()


def assert_intact(path: Path) -> None:
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    db.close()
    result = verify(path)
    assert result.ok, result.problems("en")


# --- concurrency ---


@pytest.mark.parametrize("max_pending", [10_000, 5])  # 5: the queue overflows, rows are parked and written back
def test_fifty_concurrent_sessions_lose_no_row(garant_home: Path, max_pending: int) -> None:
    log = InteractionLog(garant_home, env=ENV, max_pending=max_pending)
    log.start()
    sessions, per_session = 50, 8
    barrier = threading.Barrier(sessions)
    answers: list[list[str]] = [[] for _ in range(sessions)]
    feedback: list[list[str]] = [[] for _ in range(sessions)]
    errors: list[BaseException] = []

    def session(s: int) -> None:
        try:
            barrier.wait()
            for i in range(per_session):
                made = answer(s * 100 + i)
                log.record(made, f"session-{s}", "h", "c")
                answers[s].append(made.id)
                feedback[s].append(log.add_feedback(made.id, f"session-{s}", rating=1 if i % 2 else -1))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=session, args=(s,)) for s in range(sessions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert log.flush(30)
    log.stop()
    assert stored_ids(log.path, "interactions") == {i for ids in answers for i in ids}
    assert stored_ids(log.path, "feedback") == {f for ids in feedback for f in ids}
    assert len(stored_ids(log.path, "interactions")) == sessions * per_session
    assert not (garant_home / "governance-rejected.jsonl").exists()
    assert not (garant_home / "governance-pending.jsonl").exists()
    assert not list(garant_home.glob("governance-journal-*"))  # a clean stop leaves no journal
    assert_intact(log.path)


def test_rows_parked_while_the_writer_waits_are_written_at_once(garant_home: Path) -> None:
    with InteractionLog(garant_home, env=ENV) as log:
        assert log.flush(5)  # the writer now waits on an empty queue
        made = answer(1)
        log.record(made, "s", "h", "c")
        assert log.flush(5)
        parked = {"kind": "feedback", "row": {"id": "f-parked", "interaction_id": made.id, "created_at": "2025-01-01T00:00:00.000+00:00",
                                              "rating": -1, "category": None, "comment_redacted": None, "session_hash": "h"}}
        log._park([parked])  # what a full queue does  # noqa: SLF001
        assert log.flush(5)
    assert "f-parked" in stored_ids(log.path, "feedback")
    assert_intact(log.path)


def test_feedback_met_before_its_answer_is_written_waits_for_it(garant_home: Path) -> None:
    log = InteractionLog(garant_home, env=ENV)
    made = answer(2)
    log.record(made, "s", "h", "c")  # queued; the writer is not running yet
    feedback = {"kind": "feedback", "row": {"id": "f-early", "interaction_id": made.id, "created_at": "2025-01-01T00:00:00.000+00:00",
                                            "rating": -1, "category": None, "comment_redacted": None, "session_hash": "h"}}
    # The feedback reaches the database first (as when parked rows are written back while its answer is queued).
    assert log._commit([feedback], spill_on_stop=False)  # noqa: SLF001
    with log:
        assert log.flush(5)
    assert "f-early" in stored_ids(log.path, "feedback")
    assert not (garant_home / "governance-rejected.jsonl").exists()
    assert_intact(log.path)


# --- kill -9 ---


class Reader(threading.Thread):
    """Collects the complete lines a child prints (a line cut by the kill is not acknowledged)."""

    def __init__(self, stream) -> None:  # type: ignore[no-untyped-def]
        super().__init__(daemon=True)
        self.stream = stream
        self.lines: list[str] = []
        self.first = threading.Event()

    def run(self) -> None:
        for line in self.stream:
            if line.endswith("\n"):
                self.lines.append(line.strip())
                self.first.set()


def test_kill_9_of_a_recording_process_loses_no_acknowledged_row(garant_home: Path) -> None:
    seed = random.randrange(10**6)
    rng = random.Random(seed)
    acknowledged: dict[str, set[str]] = {"a": set(), "f": set()}
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    for round_ in range(3):
        child = subprocess.Popen([sys.executable, str(LOOP), str(garant_home)], stdout=subprocess.PIPE, text=True, cwd=REPO, env=env)
        reader = Reader(child.stdout)
        reader.start()
        assert reader.first.wait(30), f"the loop printed nothing (seed {seed})"
        time.sleep(rng.uniform(0.05, 0.8))
        child.send_signal(signal.SIGKILL)
        child.wait(10)
        reader.join(10)
        for line in reader.lines:
            kind, _, row_id = line.partition(" ")
            acknowledged[kind].add(row_id)
        assert acknowledged["a"], f"round {round_}: nothing acknowledged (seed {seed})"
        # The next start replays the dead process's journal.
        with InteractionLog(garant_home, env=ENV) as log:
            assert log.flush(30)
        path = log.path
        missing = acknowledged["a"] - stored_ids(path, "interactions")
        assert not missing, f"round {round_}: {len(missing)} acknowledged answers lost (seed {seed})"
        missing = acknowledged["f"] - stored_ids(path, "feedback")
        assert not missing, f"round {round_}: {len(missing)} acknowledged feedback lost (seed {seed})"
        assert_intact(path)
        assert not list(garant_home.glob("governance-journal-*")) and not (garant_home / "governance-pending.jsonl.replaying").exists()
    assert "Durand" not in path.read_bytes().decode("latin-1")  # redaction held for replayed rows too


# --- kill -9 of the real server during a burst of API questions ---

CORPUS_DOC = """---
title: Charte IA
kind: charte
version: "1.0"
status: en_vigueur
---

# Gouvernance

Le comité de pilotage IA et numérique se réunit une fois par trimestre.
"""


def wait_for_answers(answered: list[str], count: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while len(answered) < count and time.monotonic() < deadline:
        time.sleep(0.02)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_kill_9_of_the_server_during_a_burst_keeps_every_answered_question(garant_home: Path, tmp_path: Path) -> None:
    token = "jeton-de-test-kill"
    port = free_port()
    garant_home.mkdir(parents=True, exist_ok=True)
    (garant_home / "garant.toml").write_text(
        f'[api]\nrate_limit_per_minute = 100000\n\n[[api.tokens]]\nname = "test"\nsha256 = "{hashlib.sha256(token.encode()).hexdigest()}"\n',
        encoding="utf-8")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "charte.md").write_text(CORPUS_DOC, encoding="utf-8")
    env = {**os.environ, "GARANT_HOME": str(garant_home), "GARANT__LLM__BACKEND": "fake", "GARANT__EMBEDDER__KIND": "hash",
           "GARANT_LOG_SALT": "sel-serveur", "PYTHONPATH": str(REPO)}
    bin_dir = Path(sys.executable).parent
    subprocess.run([str(bin_dir / "garant-ingest"), "sync", str(corpus)], env=env, check=True, capture_output=True, timeout=120)
    server = subprocess.Popen([str(bin_dir / "garant"), "serve", "--host", "127.0.0.1", "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/v1/health", timeout=2).read()
                break
            except (urllib.error.URLError, ConnectionError, OSError):
                assert server.poll() is None and time.monotonic() < deadline, "the server did not start"
                time.sleep(0.2)
        answered: list[str] = []
        lock = threading.Lock()
        stop = threading.Event()

        def client(n: int) -> None:
            i = 0
            while not stop.is_set():
                body = json.dumps({"question": f"Quand se réunit le comité de pilotage IA ? ({n}-{i})"}).encode()
                request = urllib.request.Request(f"{base}/api/v1/ask", data=body, method="POST", headers={
                    "Authorization": f"Bearer {token}", "Content-Type": "application/json"})
                try:
                    with urllib.request.urlopen(request, timeout=10) as response:
                        if response.status == 200:
                            with lock:
                                answered.append(json.loads(response.read())["id"])
                except (urllib.error.URLError, ConnectionError, OSError, ValueError):
                    return  # the server is gone
                i += 1

        clients = [threading.Thread(target=client, args=(n,)) for n in range(8)]
        for thread in clients:
            thread.start()
        wait_for_answers(answered, 10)
        # Another writer holds the database (a slow disk, a long purge): answers go on, their rows wait.
        # (it waits its turn like any writer: under a burst the log's writer holds the lock often, and
        # the default 5 s wait once failed CI with "database is locked" before the block even began)
        blocker = sqlite3.connect(garant_home / "governance.sqlite", isolation_level=None, timeout=60)
        blocker.execute("BEGIN IMMEDIATE")
        wait_for_answers(answered, 30)
        time.sleep(random.uniform(0.0, 0.3))
        server.send_signal(signal.SIGKILL)  # mid-burst
        server.wait(10)
        stop.set()
        for thread in clients:
            thread.join(15)
        blocker.execute("ROLLBACK")
        blocker.close()
    finally:
        if server.poll() is None:
            server.kill()
            server.wait(10)
    with lock:
        acknowledged = set(answered)
    assert len(acknowledged) >= 30, "the burst did not get going"
    with InteractionLog(garant_home, env={"GARANT_LOG_SALT": "sel-serveur"}) as log:
        assert log.flush(30)
    missing = acknowledged - stored_ids(log.path, "interactions")
    assert not missing, f"{len(missing)} of {len(acknowledged)} answered questions are not in the log"
    assert_intact(log.path)
