"""`make bench-answer`: answer latency against what llama.cpp alone needs on this machine.

For a fixed set of development questions: retrieval p50/p95 (warm), the time until the
passages are available to the page, time to first token and total through Garant, and the
time the bare llama.cpp engine needs to evaluate the very same prompt and generate the same
number of tokens (the limit here). Before each measured call the engine holds only the fixed
system prefix in its cache, for Garant and for the bare engine alike. Prints a Markdown
table and writes bench-results/answer-DATE.json.
"""

from __future__ import annotations

import json
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from assistant.engines.chat import ChatMessage
from assistant.offline import enforce_offline
from assistant.services import build_services
from assistant.settings import load_settings
from evaluation.machine import machine, publish_bench

QUESTIONS = ["q001", "q008", "q013", "q040", "q046", "q061", "q085", "q095"]


def _pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main(argv: list[str]) -> int:
    """Run the benchmark over the questions of the development set named in QUESTIONS."""
    enforce_offline()
    dataset = Path(argv[0] if argv else "evaluation/datasets/dev.jsonl")
    rows = {r["id"]: r for r in map(json.loads, dataset.read_text(encoding="utf-8").splitlines()) if r.get("id") in QUESTIONS}
    settings = load_settings()
    services = build_services(settings)
    services.warm_up()  # as `garant serve` does before its first question
    model = services.chat()
    engine = getattr(model, "_llama", None)
    system = services.answerer.prompt("fr").system

    def prime(lang: str) -> None:
        # leave only the fixed system prefix in llama.cpp's cache
        model.complete([ChatMessage("system", services.answerer.prompt(lang).system), ChatMessage("user", "Bonjour.")], 1)

    retrieval, sources_ready, first, total, raw_first, raw_total = [], [], [], [], [], []
    for qid in QUESTIONS:
        row = rows[qid]
        for _ in range(3):
            started = time.perf_counter()
            services.retriever.search(row["question"], lang=row["lang"])
            retrieval.append(time.perf_counter() - started)
        prime(row["lang"])
        started = time.perf_counter()
        answer = None
        for event in services.answerer.stream(row["question"], lang=row["lang"]):
            if event.kind == "sources":
                sources_ready.append(time.perf_counter() - started)
            elif event.kind == "final":
                answer = event.data
        if answer is None or "first_token_s" not in answer.timings:
            continue
        first.append(answer.timings["first_token_s"])
        total.append(answer.timings["total_s"])
        if engine is None:
            continue
        messages = services.answerer.prompt_messages(row["question"], answer.retrieved, answer.lang)  # the same prompt
        n_tokens = max(1, len(engine.tokenize(answer.raw_model_output.encode(), add_bos=False)))
        prime(row["lang"])
        started = time.perf_counter()
        first_seen = None
        for _chunk in engine.create_chat_completion(messages=[m.as_dict() for m in messages], max_tokens=n_tokens,
                                                     temperature=settings.llm.temperature, stream=True):
            first_seen = first_seen or time.perf_counter() - started
        raw_first.append(first_seen or 0.0)
        raw_total.append(time.perf_counter() - started)
    services.close()
    result = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"), "machine": machine(), "questions": QUESTIONS,
        "system_prompt_chars": len(system),
        "retrieval_p50_ms": round(statistics.median(retrieval) * 1000, 1), "retrieval_p95_ms": round(_pct(retrieval, 0.95) * 1000, 1),
        "sources_ready_p95_s": round(_pct(sources_ready, 0.95), 3),
        "first_token_p50_s": round(statistics.median(first), 2) if first else None,
        "total_p50_s": round(statistics.median(total), 2) if total else None,
        "raw_llamacpp_first_token_p50_s": round(statistics.median(raw_first), 2) if raw_first else None,
        "raw_llamacpp_total_p50_s": round(statistics.median(raw_total), 2) if raw_total else None,
        "answered_by_model": len(first),
        "command": "make bench-answer",
    }
    if first and raw_first:
        ratios = [a / b for a, b in zip(first, raw_first, strict=False) if b > 0]
        result["first_token_ratio_median"] = round(statistics.median(ratios), 2)
        result["total_ratio_median"] = round(statistics.median([a / b for a, b in zip(total, raw_total, strict=False) if b > 0]), 2)
    publish_bench("answer", result)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
