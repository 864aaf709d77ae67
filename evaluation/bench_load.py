"""`make bench-load`: concurrent sessions through the API of a running `garant serve`.

Starts the server as a child process on a free loopback port (the data folder's index, a
fresh governance log in a temporary folder, one API token made for the run), runs N
sessions at once, each asking its questions one after the other through POST /api/v1/ask,
then stops the server (SIGTERM: the log writes what it holds) and counts the rows logged.
Reports throughput, p50/p95 latency, errors (must be 0) and rows logged = requests; first
with the fake chat model, then with the real one (`--real`, fewer requests). Writes
bench-results/load-DATE.json and a Markdown report under evaluation/reports/.

The `ServerProcess` helper is also used by the tests that need a real server process.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import secrets
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx

from evaluation.machine import machine, publish_bench

REPO = Path(__file__).resolve().parents[1]
OFFLINE_ENV = {"HF_HUB_OFFLINE": "1", "TRANSFORMERS_OFFLINE": "1", "GRADIO_ANALYTICS_ENABLED": "False",
               "ANONYMIZED_TELEMETRY": "False", "NO_PROXY": "127.0.0.1,localhost"}


def free_port() -> int:
    """A TCP port free on the loopback interface right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def api_token_env(name: str, token: str) -> dict[str, str]:
    """Environment overrides declaring one API token (stored, as always, by its SHA-256)."""
    return {"GARANT__API__TOKENS": json.dumps([{"name": name, "sha256": hashlib.sha256(token.encode()).hexdigest()}])}


def garant_env(home: Path, **overrides: str) -> dict[str, str]:
    """This process's environment without any Garant setting, plus the data folder and overrides."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("GARANT__") and k != "GARANT_CONFIG"}
    return {**env, **OFFLINE_ENV, "GARANT_HOME": str(home), **overrides}


def index_folder(folder: Path, env: dict[str, str], timeout_s: float = 300) -> None:
    """`garant-ingest sync FOLDER` in a child process (raises if it fails)."""
    subprocess.run([sys.executable, "-m", "ingest", "sync", str(folder)], env=env, cwd=REPO, check=True,
                   capture_output=True, timeout=timeout_s)


@dataclass
class ServerProcess:
    """`garant serve` in a child process: start, wait until /api/v1/health answers, stop."""

    env: dict[str, str]
    port: int = field(default_factory=free_port)
    start_timeout_s: float = 180.0
    process: subprocess.Popen[bytes] | None = None
    log_file: Path | None = None

    @property
    def url(self) -> str:
        """Base URL of the server (loopback)."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> ServerProcess:
        """Launch the server and return once its health route answers (any status)."""
        self.log_file = Path(tempfile.mkstemp(prefix="garant-serve-", suffix=".log")[1])
        with open(self.log_file, "wb") as out:
            self.process = subprocess.Popen([sys.executable, "-m", "assistant", "serve", "--port", str(self.port)],
                                            env=self.env, cwd=REPO, stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + self.start_timeout_s
        with httpx.Client(trust_env=False, timeout=5) as client:
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    raise RuntimeError(f"garant serve exited with {self.process.returncode}: {self.output()[-2000:]}")
                try:
                    client.get(f"{self.url}/api/v1/health")
                    return self
                except httpx.TransportError:
                    time.sleep(0.25)
        self.stop()
        raise TimeoutError(f"garant serve did not answer within {self.start_timeout_s:.0f} s: {self.output()[-2000:]}")

    def stop(self, timeout_s: float = 30.0) -> int | None:
        """SIGTERM (uvicorn shuts down, the governance log writes what it holds), then SIGKILL if needed."""
        if self.process is None or self.process.poll() is not None:
            return None if self.process is None else self.process.returncode
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout_s)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait(10)

    def output(self) -> str:
        """What the server printed so far."""
        return self.log_file.read_text(errors="replace") if self.log_file and self.log_file.exists() else ""

    def __enter__(self) -> ServerProcess:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()
        if self.log_file:
            self.log_file.unlink(missing_ok=True)


@dataclass
class Outcome:
    """One request as the client saw it."""

    status: int | None  # None: no HTTP answer (connection error, timeout)
    seconds: float
    refused: bool = False
    degraded: bool = False
    error: str | None = None


def _session(client: httpx.Client, url: str, token: str, questions: list[dict[str, Any]], out: list[Outcome]) -> None:
    """One user: asks its questions one after the other, each with the previous ones as history."""
    history: list[str] = []
    for row in questions:
        started = time.perf_counter()
        try:
            response = client.post(f"{url}/api/v1/ask", headers={"Authorization": f"Bearer {token}"},
                                   json={"question": row["question"], "lang": row.get("lang"), "history": history[-3:]})
            body = response.json() if response.headers.get("content-type", "").startswith("application/json") else {}
            out.append(Outcome(response.status_code, time.perf_counter() - started, bool(body.get("refused")),
                               bool(body.get("degraded")), None if response.status_code == 200 else response.text[:200]))
        except httpx.HTTPError as exc:
            out.append(Outcome(None, time.perf_counter() - started, error=f"{type(exc).__name__}: {exc}"[:200]))
        history.append(row["question"])


def run_sessions(url: str, token: str, questions: list[dict[str, Any]], sessions: int, per_session: int,
                 timeout_s: float = 600) -> tuple[list[Outcome], float]:
    """`sessions` users at once, each asking `per_session` questions (taken in turn from `questions`);
    returns every outcome and the wall-clock seconds of the whole run."""
    outcomes: list[Outcome] = []
    limits = httpx.Limits(max_connections=sessions + 4, max_keepalive_connections=sessions + 4)
    with httpx.Client(trust_env=False, timeout=timeout_s, limits=limits) as client:
        plans = [[questions[(s * per_session + i) % len(questions)] for i in range(per_session)] for s in range(sessions)]
        threads = [threading.Thread(target=_session, args=(client, url, token, plan, outcomes)) for plan in plans]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return outcomes, time.perf_counter() - started


def count_interactions(log_path: Path) -> int:
    """Rows of the governance log's interactions table (0 if the file does not exist)."""
    if not log_path.is_file():
        return 0
    with contextlib.closing(sqlite3.connect(log_path)) as db:
        return int(db.execute("SELECT COUNT(*) FROM interactions").fetchone()[0])


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..1)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def load_run(home: Path, questions: list[dict[str, Any]], sessions: int, per_session: int, real: bool) -> dict[str, Any]:
    """Start a server on `home`'s index, run the sessions, stop it, count the rows logged."""
    token = secrets.token_urlsafe(24)
    with tempfile.TemporaryDirectory(prefix="garant-bench-load-") as scratch:
        log_path = Path(scratch) / "governance.sqlite"
        overrides = {**api_token_env("bench", token), "GARANT__API__RATE_LIMIT_PER_MINUTE": "100000",
                     "GARANT__GOVERNANCE__LOG_PATH": str(log_path)}
        if not real:
            overrides["GARANT__LLM__BACKEND"] = "fake"
        server = ServerProcess(garant_env(home, **overrides), start_timeout_s=600)
        with server:
            with httpx.Client(trust_env=False, timeout=600) as client:
                health = client.get(f"{server.url}/api/v1/health").json()
                # one answer first, not timed: loads what is loaded lazily (embedder, lexical index)
                started = time.perf_counter()
                warmup = client.post(f"{server.url}/api/v1/ask", headers={"Authorization": f"Bearer {token}"},
                                     json={"question": questions[0]["question"], "lang": questions[0].get("lang")})
                first_answer_s = time.perf_counter() - started
            outcomes, wall = run_sessions(server.url, token, questions, sessions, per_session)
            code = server.stop()
        rows = count_interactions(log_path) - (warmup.status_code == 200)
    latencies = [o.seconds for o in outcomes if o.status == 200]
    statuses = Counter(str(o.status) for o in outcomes)
    errors = [o.error for o in outcomes if o.status != 200]
    return {
        "model": "real (llama.cpp)" if real else "fake", "sessions": sessions, "questions_per_session": per_session,
        "requests": len(outcomes), "seconds": round(wall, 2), "throughput_rps": round(len(outcomes) / wall, 2),
        "latency_p50_s": round(statistics.median(latencies), 3) if latencies else None,
        "latency_p95_s": round(percentile(latencies, 0.95), 3) if latencies else None,
        "latency_max_s": round(max(latencies), 3) if latencies else None,
        "errors": len(errors), "statuses": dict(statuses), "refused": sum(o.refused for o in outcomes),
        "degraded": sum(o.degraded for o in outcomes), "rows_logged": rows, "rows_equal_requests": rows == len(outcomes),
        "first_answer_s": round(first_answer_s, 2), "server_exit_code": code,
        "index_version": health.get("index_version"), "documents": health.get("documents"),
        "first_errors": errors[:3],
    }


def write_report(result: dict[str, Any], runs: list[dict[str, Any]]) -> Path:
    """evaluation/reports/DATE-load/report.md (+ run.json): the figures, the command, the machine."""
    folder = REPO / "evaluation" / "reports" / f"{result['date'][:10]}-load"
    folder.mkdir(parents=True, exist_ok=True)
    host = result["machine"]
    lines = [f"# Load benchmark — {result['date']}", "",
             f"Command: `{result['command']}`  ", f"Machine: {host['cpu']}, {host['cores']} cores, Python {host['python']}, {host['platform']}  ",
             f"Index: {runs[0].get('index_version')} ({runs[0].get('documents')} documents)", "",
             "Each session is one client asking its questions one after the other through `POST /api/v1/ask` "
             "(JSON); all sessions run at once against one `garant serve` on 127.0.0.1, after one untimed warm-up "
             "answer (first answer: " + ", ".join(f"{r['model']} {r['first_answer_s']} s" for r in runs) + "). "
             "Rows logged are counted in the governance log after the server is stopped (SIGTERM), warm-up excluded.", "",
             "| model | sessions × questions | requests | wall s | req/s | p50 s | p95 s | max s | errors | refused | degraded | rows logged |",
             "|---|---|---|---|---|---|---|---|---|---|---|---|"]
    for run in runs:
        lines.append(f"| {run['model']} | {run['sessions']} × {run['questions_per_session']} | {run['requests']} | {run['seconds']} | "
                     f"{run['throughput_rps']} | {run['latency_p50_s']} | {run['latency_p95_s']} | {run['latency_max_s']} | "
                     f"{run['errors']} | {run['refused']} | {run['degraded']} | {run['rows_logged']} |")
    lines += ["", "Errors must be 0 and rows logged must equal requests (every answer reaches the governance log)."]
    (folder / "report.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "run.json").write_text(json.dumps(result, indent=2, ensure_ascii=False), encoding="utf-8")
    return folder / "report.md"


def main(argv: list[str] | None = None) -> int:
    """Fake-model run, then (with --real) the real-model run; exit 1 if any error or lost row."""
    parser = argparse.ArgumentParser(prog="python -m evaluation.bench_load", description=__doc__.splitlines()[0])
    parser.add_argument("dataset", nargs="?", type=Path, default=REPO / "evaluation" / "datasets" / "dev.jsonl")
    parser.add_argument("--sessions", type=int, default=8)
    parser.add_argument("--questions", type=int, default=10, help="questions per session (fake model)")
    parser.add_argument("--real", action="store_true", help="then the same with the real model")
    parser.add_argument("--real-sessions", type=int, default=4)
    parser.add_argument("--real-questions", type=int, default=2)
    parser.add_argument("--home", type=Path, default=Path(os.environ.get("GARANT_HOME", REPO / ".garant")))
    args = parser.parse_args(argv)
    if not (args.home / "index" / "CURRENT").is_file():
        print(f"Aucun index dans {args.home} : lancez `make index`. / No index in {args.home}: run `make index`.", file=sys.stderr)
        return 2
    questions = [json.loads(line) for line in args.dataset.read_text(encoding="utf-8").splitlines() if line.strip()]
    runs = [load_run(args.home, questions, args.sessions, args.questions, real=False)]
    if args.real:
        runs.append(load_run(args.home, questions, args.real_sessions, args.real_questions, real=True))
    command = "make bench-load" if args.real else "python -m evaluation.bench_load (fake model only)"
    result = {"date": datetime.now(UTC).isoformat(timespec="seconds"), "machine": machine(), "command": command,
              "runs": runs}
    publish_bench("load", {"date": result["date"], "machine": result["machine"], "command": command,
                           **{f"{'real' if 'real' in r['model'] else 'fake'}_{k}": v for r in runs for k, v in r.items()
                              if k in ("requests", "throughput_rps", "latency_p50_s", "latency_p95_s", "errors", "rows_logged")}})
    print(f"\nreport: {write_report(result, runs)}")
    return 0 if all(r["errors"] == 0 and r["rows_equal_requests"] for r in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
