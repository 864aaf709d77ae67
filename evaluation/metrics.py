"""Pure functions that turn per-question results into the evaluation's numbers.

Input: the records the runner appends to results.jsonl (one dict per question, see
`evaluation.runner`). Output: plain dicts, JSON-ready. Every rate carries its count, its
denominator and a Wilson 95 % interval; means (MRR) and latencies carry n only.
Nothing here reads files, so the report can be regenerated from stored results.

`no_llm` (from the run's metadata) says the answers were made without the model, as
`garant ask --no-llm` makes them: key sentences of the passages quoted verbatim (degraded
mode), or a refusal. Those answers are then what is measured — their expected facts count —
whereas in a model run a degraded answer means the model failed and never counts as right.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from assistant.intervals import wilson
from evaluation.kinds import recognised_kinds

TOP = 5
MODES = ("lexical", "dense", "hybrid", "reranked")
_SPACES = re.compile(r"\s+")
_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'"})


# --- matching -----------------------------------------------------------------------------


def fold(text: str) -> str:
    """Text without case, accents or whitespace, for keyword matching ("75 %" ~ "75%")."""
    decomposed = unicodedata.normalize("NFKD", text.translate(_APOSTROPHES))
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return _SPACES.sub("", bare.casefold())


def keyword_groups_found(text: str, groups: Sequence[Sequence[str]]) -> list[bool]:
    """For each group of alternatives, whether one of them occurs in `text`."""
    folded = fold(text)
    return [any(fold(alt) in folded for alt in group) for group in groups]


def keywords_match(text: str, groups: Sequence[Sequence[str]]) -> bool:
    """True when every group has an alternative in `text` (no groups: True)."""
    return all(keyword_groups_found(text, groups))


def matched_sources(doc: Mapping[str, Any], expected: Sequence[str]) -> list[str]:
    """Expected strings that occur (case-insensitively) in the document's path, id or title."""
    haystack = " ".join(str(doc.get(key) or "") for key in ("source_path", "doc_id", "title")).casefold()
    return [s for s in expected if s.casefold() in haystack]


def first_relevant_rank(docs: Sequence[Mapping[str, Any]], expected: Sequence[str]) -> int | None:
    """1-based rank of the first passage from an expected source, or None."""
    for rank, doc in enumerate(docs, start=1):
        if matched_sources(doc, expected):
            return rank
    return None


def hit_at(docs: Sequence[Mapping[str, Any]], expected: Sequence[str], k: int) -> bool:
    """Whether an expected source is among the first k passages."""
    rank = first_relevant_rank(docs, expected)
    return rank is not None and rank <= k


def reciprocal_rank(docs: Sequence[Mapping[str, Any]], expected: Sequence[str]) -> float:
    """1/rank of the first relevant passage (0 when none)."""
    rank = first_relevant_rank(docs, expected)
    return 0.0 if rank is None else 1.0 / rank


def recall_counts(docs: Sequence[Mapping[str, Any]], expected: Sequence[str], k: int) -> tuple[int, int]:
    """(expected strings found in the first k passages, expected strings)."""
    found: set[str] = set()
    for doc in docs[:k]:
        found.update(matched_sources(doc, expected))
    return len(found), len(expected)


def citation_counts(sentences: Iterable[Mapping[str, Any]], n_retrieved: int, min_support: float) -> tuple[int, int, int]:
    """(valid sentences, re-attached sentences, sentences) of one answer.

    Valid: every cited number points inside the retrieved set and the sentence's support
    reaches `min_support`. Re-attached: Garant replaced the model's citation."""
    valid = reattached = total = 0
    for sentence in sentences:
        total += 1
        sources = sentence.get("sources") or []
        inside = bool(sources) and all(1 <= n <= n_retrieved for n in sources)
        valid += inside and float(sentence.get("support", 0.0)) >= min_support
        reattached += sentence.get("status") == "reattached"
    return valid, reattached, total


def extract_counts(answer: Mapping[str, Any]) -> tuple[int, int]:
    """(valid quotes, quotes) of an answer without the model: a quote is valid when its
    number points inside the retrieved set and appears, as [n], in the answer's text."""
    extracts = answer.get("extracts") or []
    n_retrieved = len(answer.get("retrieved") or [])
    valid = sum(1 <= e["n"] <= n_retrieved and f"[{e['n']}]" in answer["text"] for e in extracts)
    return valid, len(extracts)


def quoted_text(answer: Mapping[str, Any]) -> str:
    """What an answer without the model says of the documents: its quoted sentences, without
    the fixed labels (« Mode dégradé… », « Extrait du document : ») nor the [n] markers, so a
    keyword is never found in Garant's own wording. The whole text for records without quotes."""
    if "extracts" not in answer:
        return answer["text"]
    return " ".join(e["text"] for e in answer["extracts"])


# --- statistics ---------------------------------------------------------------------------


def rate(k: int, n: int) -> dict[str, Any]:
    """A rate with its count, denominator and Wilson 95 % interval (value None when n = 0)."""
    interval = wilson(k, n)
    return {
        "k": k,
        "n": n,
        "value": None if n == 0 else round(k / n, 4),
        "low": None if interval is None else round(interval[0], 4),
        "high": None if interval is None else round(interval[1], 4),
    }


def percentile(values: Sequence[float], q: float) -> float | None:
    """The q-th quantile (0–1) by linear interpolation between order statistics."""
    if not values:
        return None
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    lower = math.floor(position)
    upper = min(lower + 1, len(ordered) - 1)
    return ordered[lower] + (ordered[upper] - ordered[lower]) * (position - lower)


def latency(values: Sequence[float]) -> dict[str, Any]:
    """Median and 95th percentile of durations, in seconds."""
    p50, p95 = percentile(values, 0.5), percentile(values, 0.95)
    return {"n": len(values), "p50": None if p50 is None else round(p50, 3), "p95": None if p95 is None else round(p95, 3)}


def mean(values: Sequence[float]) -> dict[str, Any]:
    """A mean with its n (value None when empty)."""
    return {"n": len(values), "value": round(sum(values) / len(values), 4) if values else None}


# --- aggregation --------------------------------------------------------------------------


def _expected(record: Mapping[str, Any]) -> list[str]:
    return list(record["question"].get("expected_sources") or [])


def retrieval_metrics(records: Sequence[Mapping[str, Any]], mode: str, top: int = TOP) -> dict[str, Any] | None:
    """hit@1, hit@top, MRR, recall@top and latency of one retrieval mode (None if not run)."""
    runs = [(r, r["retrieval"][mode]) for r in records if mode in (r.get("retrieval") or {})]
    if not runs:
        return None
    scored = [(r, run["docs"]) for r, run in runs if r["question"]["answerable"] and _expected(r)]
    found = total = 0
    for r, docs in scored:
        f, t = recall_counts(docs, _expected(r), top)
        found, total = found + f, total + t
    return {
        "hit@1": rate(sum(hit_at(docs, _expected(r), 1) for r, docs in scored), len(scored)),
        f"hit@{top}": rate(sum(hit_at(docs, _expected(r), top) for r, docs in scored), len(scored)),
        "mrr": mean([reciprocal_rank(docs, _expected(r)) for r, docs in scored]),
        f"recall@{top}": rate(found, total),
        "latency_s": latency([run["seconds"] for _, run in runs]),
    }


def answer_metrics(records: Sequence[Mapping[str, Any]], min_support: float, no_llm: bool = False) -> dict[str, Any] | None:
    """Keyword accuracy, refusals, citations, notice and latency (None without answers); for a
    model run also the re-attached citations and the degraded share (the model failed), for a
    run without the model the answers whose quotes come from an expected source."""
    answered = [r for r in records if r.get("answer") is not None]
    if not answered:
        return None
    answerable = [r for r in answered if r["question"]["answerable"]]
    unanswerable = [r for r in answered if not r["question"]["answerable"]]
    refused = [r for r in answered if r["answer"]["refused"]]
    with_keywords = [r for r in answerable if r["question"].get("expected_keywords")]
    with_sources = [r for r in answerable if _expected(r)]
    first_tokens = [r["answer"]["first_token_s"] for r in answered if r["answer"].get("first_token_s") is not None]
    out = {
        "keyword_accuracy": rate(sum(keywords_ok(r, no_llm) for r in with_keywords), len(with_keywords)),
        "refusal_recall": rate(sum(r["answer"]["refused"] for r in unanswerable), len(unanswerable)),
        "refusal_precision": rate(sum(not r["question"]["answerable"] for r in refused), len(refused)),
        "wrong_refusal_share": rate(sum(r["answer"]["refused"] for r in answerable), len(answerable)),
        "context_hit": rate(
            sum(hit_at(r["answer"]["retrieved"], _expected(r), len(r["answer"]["retrieved"])) for r in with_sources), len(with_sources)
        ),
        **(_quote_rates(answered, with_sources) if no_llm else _model_rates(answered, min_support)),
        "notice_share": rate(sum(bool(r["answer"].get("notice")) for r in answered), len(answered)),
        "latency_s": {"first_token": latency(first_tokens), "total": latency([r["answer"]["total_s"] for r in answered])},
    }
    if not no_llm:
        out["degraded_share"] = rate(sum(r["answer"]["degraded"] for r in answered), len(answered))
    return out


def _model_rates(answered: Sequence[Mapping[str, Any]], min_support: float) -> dict[str, Any]:
    """Citations of the model's sentences: valid, and re-attached by Garant."""
    valid = reattached = sentences = 0
    for r in answered:
        v, a, t = citation_counts(r["answer"]["sentences"], len(r["answer"]["retrieved"]), min_support)
        valid, reattached, sentences = valid + v, reattached + a, sentences + t
    return {"citation_validity": rate(valid, sentences), "reattached_share": rate(reattached, sentences)}


def _quote_rates(answered: Sequence[Mapping[str, Any]], with_sources: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Citations of the quotes of answers without the model, and whether a quote comes from
    an expected source (answerable questions with expected sources that were not refused)."""
    valid = quotes = 0
    for r in answered:
        v, t = extract_counts(r["answer"])
        valid, quotes = valid + v, quotes + t
    quoted = [r for r in with_sources if not r["answer"]["refused"]]
    return {
        "citation_validity": rate(valid, quotes),
        "quoted_source_hit": rate(sum(_quotes_expected_source(r) for r in quoted), len(quoted)),
    }


def _quotes_expected_source(record: Mapping[str, Any]) -> bool:
    answer = record["answer"]
    retrieved = answer["retrieved"]
    cited = [retrieved[e["n"] - 1] for e in answer.get("extracts") or [] if 1 <= e["n"] <= len(retrieved)]
    return any(matched_sources(doc, _expected(record)) for doc in cited)


def keywords_ok(record: Mapping[str, Any], no_llm: bool = False) -> bool:
    """Whether the answer holds every group of expected keywords. A refusal never does. In a
    model run a degraded answer never does either (the model failed); in a run without the
    model, degraded answers are the answers, and the keywords are looked for in their quotes."""
    answer = record["answer"]
    if answer["refused"] or (answer["degraded"] and not no_llm):
        return False
    return keywords_match(_answer_text(answer, no_llm), record["question"]["expected_keywords"])


def _answer_text(answer: Mapping[str, Any], no_llm: bool) -> str:
    return quoted_text(answer) if no_llm and answer["degraded"] else answer["text"]


def summarise(records: Sequence[Mapping[str, Any]], min_support: float, no_llm: bool = False) -> dict[str, Any]:
    """Counts, retrieval metrics per mode and answer metrics of a set of records."""
    ok = [r for r in records if not r.get("error")]
    return {
        "questions": len(records),
        "answerable": sum(r["question"]["answerable"] for r in records),
        "unanswerable": sum(not r["question"]["answerable"] for r in records),
        "errors": len(records) - len(ok),
        "retrieval": {mode: m for mode in MODES if (m := retrieval_metrics(ok, mode)) is not None},
        "answers": answer_metrics(ok, min_support, no_llm),
    }


def group_by(
    records: Sequence[Mapping[str, Any]], key: Callable[[Mapping[str, Any]], str], min_support: float, no_llm: bool = False
) -> dict[str, Any]:
    """`summarise` of each group of records, groups sorted by name."""
    groups: dict[str, list[Mapping[str, Any]]] = {}
    for record in records:
        groups.setdefault(key(record), []).append(record)
    return {name: summarise(groups[name], min_support, no_llm) for name in sorted(groups)}


def _excerpt(text: str, size: int = 240) -> str:
    text = " ".join(text.split())
    return text if len(text) <= size else text[: size - 1] + "…"


def failures(records: Sequence[Mapping[str, Any]], top: int = TOP, no_llm: bool = False) -> dict[str, list[dict[str, Any]]]:
    """Questions to look at: retrieval misses, keyword misses, wrong refusals, answers that should be refusals, errors.
    A degraded answer of a model run is left out of the last three lists (the model failed, not
    the answer); in a run without the model it is the answer, and listed like any other."""
    out: dict[str, list[dict[str, Any]]] = {
        "retrieval_missed": [],
        "keywords_missed": [],
        "wrong_refusals": [],
        "answered_should_refuse": [],
        "errors": [],
    }
    for r in records:
        q, answer = r["question"], r.get("answer")
        row = {"id": r["id"], "question": q["question"], "lang": r.get("lang")}
        if r.get("error"):
            out["errors"].append({**row, "error": r["error"]})
            continue
        hybrid = (r.get("retrieval") or {}).get("hybrid")
        if q["answerable"] and _expected(r) and hybrid is not None and not hit_at(hybrid["docs"], _expected(r), top):
            titles = [_excerpt(str(d.get("title") or d.get("doc_id")), 90) for d in hybrid["docs"][:top]]
            found = list(dict.fromkeys(titles))[:3]
            out["retrieval_missed"].append({**row, "expected_sources": _expected(r), "found": found})
        if answer is None:
            continue
        text = _excerpt(_shown(answer, no_llm))
        judged = no_llm or not answer["degraded"]
        if q["answerable"] and answer["refused"]:
            out["wrong_refusals"].append({**row, "answer": text})
        elif not q["answerable"] and not answer["refused"] and judged:
            out["answered_should_refuse"].append({**row, "answer": text})
        elif q["answerable"] and q.get("expected_keywords") and judged and not keywords_ok(r, no_llm):
            groups = q["expected_keywords"]
            found = keyword_groups_found(_answer_text(answer, no_llm), groups)
            missing = [g for g, hit in zip(groups, found, strict=True) if not hit]
            out["keywords_missed"].append({**row, "answer": text, "missing": missing})
    return out


def _shown(answer: Mapping[str, Any], no_llm: bool) -> str:
    """The answer as a failure shows it: for an answer without the model, its quotes with their
    [n] (the fixed label would take the room of the excerpt); otherwise its text."""
    if no_llm and answer["degraded"] and answer.get("extracts"):
        return " ".join(f"{e['text']} [{e['n']}]" for e in answer["extracts"])
    return answer["text"]


def compute_metrics(records: Sequence[Mapping[str, Any]], min_support: float, no_llm: bool = False) -> dict[str, Any]:
    """Everything the report shows: overall, by language, by expected document kind, the
    refusals by the form of the question, failures."""
    return {
        **summarise(records, min_support, no_llm),
        "by_lang": group_by(records, lambda r: r.get("lang") or r["question"].get("lang") or "?", min_support, no_llm),
        "by_kind": group_by(records, lambda r: r["question"].get("kind") or "(non précisé)", min_support, no_llm),
        "refusals_by_form": refusals_by_form(records),
        "failures": failures(records, no_llm=no_llm),
    }


# --- refusals by the form of the question ----------------------------------------------------

ROLE, VALUE, OPEN = "role", "value", "open"
FORMS = (ROLE, VALUE, OPEN)


def refusal_form(question: Mapping[str, Any]) -> str | None:
    """How a question that should be refused is put (None for an answerable one): an attempt to
    make Garant leave its role (the dataset's `role_attack` category), a question asking for a
    value of a kind the answer checks recognise (`kinds.recognised_kinds`: a deadline, a date, a
    name, a count, an amount…), or an open one asking for none (« Quelles règles s'appliquent
    à… ? », « Est-il permis de… ? »). The value checks, which refuse most unanswerable questions,
    can only refuse the second; the form is read by the code that computes the metrics."""
    if question.get("answerable", True):
        return None
    if (question.get("extra") or {}).get("category") == "role_attack":  # a dataset's own keys are kept under "extra"
        return ROLE
    return VALUE if recognised_kinds(str(question.get("question", ""))) else OPEN


def refusals_by_form(records: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Per form of the questions to refuse (`refusal_form`), the share refused; forms with no question are left out."""
    groups: dict[str, list[Mapping[str, Any]]] = {}
    for record in records:
        if record.get("answer") is not None and (form := refusal_form(record["question"])):
            groups.setdefault(form, []).append(record)
    return {form: rate(sum(r["answer"]["refused"] for r in groups[form]), len(groups[form])) for form in FORMS if form in groups}


# --- comparison ---------------------------------------------------------------------------


def without_model(metrics: Mapping[str, Any]) -> bool:
    """Whether the metrics (of metrics.json) come from a run whose answers were made without the model."""
    return bool((metrics.get("run") or {}).get("no_llm"))


def same_answers(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    """Whether two runs' answers come from the same path (both with the model, or both without)."""
    return without_model(a) == without_model(b)


def _rates(metrics: Mapping[str, Any], answers: bool = True) -> dict[str, dict[str, Any]]:
    """Flattened 'retrieval.hybrid.hit@5' → rate (plus MRR means) of one metrics dict, with the
    answers' rates unless `answers` is False."""
    out: dict[str, dict[str, Any]] = {}
    for mode, values in (metrics.get("retrieval") or {}).items():
        for name, value in values.items():
            if name != "latency_s":
                out[f"retrieval.{mode}.{name}"] = value
    for name, value in (metrics.get("answers") or {}).items() if answers else ():
        if name != "latency_s":
            out[f"answers.{name}"] = value
    return out


def intervals_overlap(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    """Whether two rates' 95 % intervals overlap (True when either has none)."""
    if a.get("low") is None or b.get("low") is None:
        return True
    return a["low"] <= b["high"] and b["low"] <= a["high"]


def compare_metrics(current: Mapping[str, Any], previous: Mapping[str, Any]) -> list[dict[str, Any]]:
    """One row per measure present in both runs: values, delta, and whether the change is
    clear (intervals that do not overlap; means without interval are never flagged). The
    answers of a run without the model and of a run with it are different systems: their
    figures are not compared (only retrieval is)."""
    same = same_answers(current, previous)
    now, before = _rates(current, same), _rates(previous, same)
    rows = []
    for name in now:
        if name not in before or now[name].get("value") is None or before[name].get("value") is None:
            continue
        a, b = now[name], before[name]
        rows.append(
            {
                "measure": name,
                "previous": b["value"],
                "current": a["value"],
                "delta": round(a["value"] - b["value"], 4),
                "previous_n": b["n"],
                "current_n": a["n"],
                "significant": "low" in a and not intervals_overlap(a, b),
            }
        )
    return rows
