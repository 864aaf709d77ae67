"""Runs a dataset through Garant: the retrieval baselines and the full answer, per question.

For each question, in one run: lexical alone, dense alone and hybrid retrieval (the
default), reranked retrieval when a reranker is configured (then the default), and the answer
through `Answerer.stream` with its first-token and total time — the model's answer, or with
`no_llm` the answer of `garant ask --no-llm` (degraded mode: key sentences of the passages
quoted verbatim with their [n], or the fixed refusal), which needs no model.

Resumable: one JSON line per finished question is appended (and flushed) to
`<out>/results.jsonl`; on restart, questions already there (same id, same content) are
skipped — except those without an answer, written by the retrieval-only `--no-llm` runs of
earlier versions, which are recomputed. `<out>/run.json` records what was run: settings fingerprint, index version,
embedder, chat model, prompt versions, dataset hash, git commit, machine and dates.
"""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from tqdm import tqdm

from assistant.answering.language import detect_language
from assistant.answering.model import Answer
from assistant.engines.chat import ChatModel
from assistant.engines.embedder import Embedder
from assistant.errors import GarantError
from assistant.retrieval.hybrid import Passage
from assistant.services import Services, build_services
from assistant.settings import Settings
from evaluation.dataset import EvaluationError, Question, file_sha256, load_dataset
from evaluation.machine import machine

log = logging.getLogger(__name__)

RESULTS = "results.jsonl"
RUN = "run.json"
REPO = Path(__file__).resolve().parents[1]
# Fields of run.json that must not change between the parts of one resumed run.
PINNED = ("settings_fingerprint", "index_version", "no_llm")


@dataclass
class RunSummary:
    """What one call of `run` did."""

    out_dir: Path
    selected: int
    skipped: int
    computed: int


# --- results file -------------------------------------------------------------------------


def read_results(path: Path, repair: bool = False) -> dict[str, dict[str, Any]]:
    """Finished records by id (the last line wins). A last line cut by an interruption is
    ignored, and removed from the file when `repair` is set so appends stay valid."""
    if not path.is_file():
        return {}
    raw = path.read_bytes()
    keep = len(raw) if raw.endswith(b"\n") or not raw else raw.rfind(b"\n") + 1
    if repair and keep < len(raw):
        log.warning("%s: dropping an unfinished last line left by an interrupted run", path)
        with open(path, "r+b") as handle:
            handle.truncate(keep)
    records: dict[str, dict[str, Any]] = {}
    for number, line in enumerate(raw[:keep].decode("utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise EvaluationError(
                f"{path}, ligne {number} : résultat illisible. Supprimez cette ligne (la question sera recalculée) ou choisissez un autre --out.",
                f"{path}, line {number}: unreadable result. Delete that line (the question will be recomputed) or choose another --out.",
            ) from exc
        records[record["id"]] = record
    return records


def _append(path: Path, record: dict[str, Any]) -> None:
    """One finished question, written whole and flushed to disk before the next starts."""
    with open(path, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(record, ensure_ascii=False) + "\n")
        handle.flush()
        os.fsync(handle.fileno())


# --- one question -------------------------------------------------------------------------


def _doc(passage: Passage) -> dict[str, Any]:
    """What the metrics need of a retrieved passage (and what a reader needs to check it)."""
    doc = passage.document
    return {
        "doc_id": doc.doc_id,
        "title": doc.title,
        "source_path": doc.source_path,
        "kind": doc.kind,
        "chunk_id": passage.chunk.chunk_id,
        "score": round(passage.score, 5),
    }


def retrieve(services: Services, question: Question, lang: str, k: int) -> dict[str, Any]:
    """The baselines of one question: passages and time per retrieval mode."""
    out: dict[str, Any] = {}
    for mode in ("lexical", "dense", "hybrid", "reranked"):
        started = time.perf_counter()
        if mode == "reranked" and services.retriever.reranker is None:
            continue
        passages = services.retriever.search(question.question, k=k, mode=mode, lang=lang)
        out[mode] = {"docs": [_doc(p) for p in passages], "seconds": round(time.perf_counter() - started, 4)}
    return out


def answer(services: Services, question: Question, lang: str, no_llm: bool = False) -> dict[str, Any]:
    """The answer through the streaming service, timed as a user would see it; with `no_llm`,
    the answer without the model (`garant ask --no-llm`)."""
    started = time.perf_counter()
    first_token: float | None = None
    final: Answer | None = None
    for event in services.answerer.stream(question.question, lang=lang, no_llm=no_llm):
        if event.kind == "token" and first_token is None:
            first_token = time.perf_counter() - started
        elif event.kind == "final":
            final = event.data
    total = time.perf_counter() - started
    assert final is not None, "Answerer.stream ended without a final event"
    return {
        "text": final.text,
        "refused": final.refused,
        "degraded": final.degraded,
        "degraded_reason": final.degraded_reason,
        "quoted_only": final.quoted_only,
        "refusal_reason": final.refusal_reason,
        "notice": final.notice,
        "sentences": [s.as_dict() for s in final.sentences],
        "dropped": final.dropped,
        "cited": final.cited,
        "extracts": [{"n": number, "text": text} for number, text in final.extracts],
        "retrieved": [_doc(p) for p in final.retrieved],
        "first_token_s": None if first_token is None else round(first_token, 4),
        "total_s": round(total, 4),
        "timings": {k: round(v, 4) for k, v in final.timings.items()},
        "model": final.model,
    }


def evaluate_question(services: Services, question: Question, no_llm: bool, k: int) -> dict[str, Any]:
    """The record of one question; an error a person caused (e.g. a question too long) is recorded, not raised."""
    lang = question.lang or detect_language(question.question, services.settings.language)
    record: dict[str, Any] = {
        "id": question.id,
        "question_sha": question.fingerprint,
        "question": question.as_dict(),
        "lang": lang,
        "retrieval": {},
        "answer": None,
        "error": None,
    }
    try:
        record["retrieval"] = retrieve(services, question, lang, k)
        record["answer"] = answer(services, question, lang, no_llm)
    except GarantError as exc:
        record["error"] = exc.message("fr")
    record["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
    return record


# --- run metadata -------------------------------------------------------------------------


def git_commit() -> dict[str, Any] | None:
    """Commit of the checkout and whether it has local changes (None outside git)."""
    if not (REPO / ".git").exists():
        return None
    try:
        # --no-optional-locks: read only, never refresh the index of a shared checkout
        head = subprocess.run(["git", "-C", str(REPO), "rev-parse", "HEAD"], capture_output=True, text=True, timeout=10, check=True)
        status = subprocess.run(
            ["git", "--no-optional-locks", "-C", str(REPO), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            timeout=30,
            check=True,
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return {"commit": head.stdout.strip(), "dirty": bool(status.stdout.strip())}


def _model_info(services: Services, no_llm: bool) -> dict[str, Any] | None:
    """The chat model's identity, loading it now so a missing model shows before the run."""
    if no_llm:
        return None
    try:
        return services.chat().info.as_dict()
    except GarantError as exc:
        sys.stderr.write(f"garant-eval: modèle indisponible, les réponses seront en mode dégradé : {exc.message('fr')}\n")
        return {"error": exc.message("fr")}


def run_metadata(
    settings: Settings, services: Services, dataset_path: Path, questions: list[Question], no_llm: bool, k: int
) -> dict[str, Any]:
    """What run.json says about this run."""
    meta = services.index.meta
    reranker = settings.retrieval.reranker_path
    return {
        "dataset": {"path": str(dataset_path), "sha256": file_sha256(dataset_path), "questions": len(questions)},
        "question_ids": [q.id for q in questions],
        "settings_fingerprint": settings.fingerprint(),
        "settings": settings.model_dump(mode="json"),
        "min_support": settings.answer.min_support,
        "index_version": services.index.version_id,
        "index": {key: meta.get(key) for key in ("published_at", "documents", "chunks", "corpus_sha256", "chunking")},
        "embedder": {**services.embedder.info.as_dict(), "kind": settings.embedder.kind},
        "model": _model_info(services, no_llm),
        "prompt_versions": {lang: services.answerer.prompt(lang).version for lang in ("fr", "en")},
        "no_llm": no_llm,
        "retrieval_k": k,
        "reranker": None if reranker is None else {"path": str(reranker), "run": services.retriever.reranker is not None},
        "git": git_commit(),
        "machine": machine(),
    }


def _check_resume(previous: dict[str, Any], current: dict[str, Any], out_dir: Path) -> None:
    """Refuse to mix results of different configurations in one folder."""
    for key in PINNED:
        if key in previous and previous[key] != current[key]:
            raise EvaluationError(
                f"Le dossier {out_dir} contient une évaluation faite avec un autre réglage ({key} : {previous[key]} ≠ {current[key]}) : "
                "choisissez un autre --out ou videz ce dossier.",
                f"The folder {out_dir} holds an evaluation made with another configuration ({key}: {previous[key]} ≠ {current[key]}): "
                "choose another --out or empty that folder.",
            )


def _finished(record: dict[str, Any] | None, question: Question) -> bool:
    """Whether a stored record can be kept: same question, and an answer (or an error)."""
    if record is None or record.get("question_sha") != question.fingerprint:
        return False
    return record.get("answer") is not None or bool(record.get("error"))


def _write_run(path: Path, data: dict[str, Any]) -> None:
    """run.json, replaced atomically."""
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(data, ensure_ascii=False, indent=2, default=str), encoding="utf-8")
    tmp.replace(path)


# --- the run ------------------------------------------------------------------------------


def run(
    settings: Settings,
    dataset_path: Path,
    out_dir: Path,
    no_llm: bool = False,
    limit: int | None = None,
    progress: bool = True,
    *,
    chat_model: ChatModel | None = None,
    embedder: Embedder | None = None,
) -> RunSummary:
    """Evaluate the first `limit` questions of `dataset_path` (all by default) into `out_dir`.

    `chat_model` / `embedder` are injected into `build_services` (tests, or a model already
    loaded). Questions already in results.jsonl with the same content are not recomputed."""
    dataset_path, out_dir = Path(dataset_path), Path(out_dir)
    questions = load_dataset(dataset_path)
    if limit is not None:
        questions = questions[: max(limit, 0)]
    out_dir.mkdir(parents=True, exist_ok=True)
    results_path, run_path = out_dir / RESULTS, out_dir / RUN
    services = build_services(settings, chat_model=chat_model, embedder=embedder)
    try:
        k = max(10, settings.retrieval.top_k)
        meta = run_metadata(settings, services, dataset_path, questions, no_llm, k)
        previous = json.loads(run_path.read_text(encoding="utf-8")) if run_path.is_file() else {}
        _check_resume(previous, meta, out_dir)
        # a resumed run keeps its first start date
        meta["started_at"] = previous.get("started_at") or datetime.now(UTC).isoformat(timespec="seconds")
        meta["finished_at"] = None
        _write_run(run_path, meta)
        done = read_results(results_path, repair=True)
        todo = [q for q in questions if not _finished(done.get(q.id), q)]
        bar = tqdm(
            total=len(questions),
            initial=len(questions) - len(todo),
            file=sys.stderr,
            disable=not progress,
            desc="garant-eval",
            unit="question",
            dynamic_ncols=True,
        )
        with bar:
            for question in todo:
                bar.set_postfix_str(question.id, refresh=False)
                record = evaluate_question(services, question, no_llm, k)
                _append(results_path, record)
                bar.update(1)
        meta["finished_at"] = datetime.now(UTC).isoformat(timespec="seconds")
        _write_run(run_path, meta)
    finally:
        services.close()
    return RunSummary(out_dir=out_dir, selected=len(questions), skipped=len(questions) - len(todo), computed=len(todo))
