"""Two evaluation runs side by side (`garant-eval compare OLD NEW`): which parts of the system
changed, which figures moved, and, question by question, which questions were fixed (wrong
before, right now) or broken (right before, wrong now).

A question is judged on four criteria, each only where it applies: the right source among
the first `TOP` passages of hybrid retrieval (answerable questions with expected sources),
the expected keywords in the answer, the right refusal behaviour (refuse exactly when the
documents cannot answer) and valid citations. A question is right when every criterion
measured in both runs holds. Answers are compared only like with like: two runs with the
model, or two runs without it (`--no-llm`, passages quoted verbatim); a run without the model
is compared with a run with it on retrieval alone, figures and questions. Questions in only
one run, or whose content changed, are set apart.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from evaluation.dataset import EvaluationError
from evaluation.identity import Item, identity_changes
from evaluation.metrics import TOP, citation_counts, compare_metrics, extract_counts, first_relevant_rank, keywords_ok
from evaluation.report import METRICS, build_metrics
from evaluation.runner import RESULTS, RUN, read_results

CRITERIA = ("retrieval", "keywords", "refusal", "citations")
ANSWER_CHARS = 220


@dataclass
class RunFolder:
    """One run as found in its --out folder. `records` is None when results.jsonl was not kept."""

    path: Path
    meta: dict[str, Any]
    records: dict[str, dict[str, Any]] | None
    metrics: dict[str, Any] | None


@dataclass
class QuestionChange:
    """One question present, with the same content, in both runs."""

    id: str
    question: str
    lang: str | None
    before: dict[str, bool | None]
    after: dict[str, bool | None]
    rank_before: int | None
    rank_after: int | None
    answer_before: str | None
    answer_after: str | None
    refused_before: bool | None = None
    refused_after: bool | None = None

    @property
    def compared(self) -> list[str]:
        """Criteria measured in both runs."""
        return [c for c in CRITERIA if self.before.get(c) is not None and self.after.get(c) is not None]

    @property
    def status(self) -> str:
        """'fixed', 'broken', 'still_wrong', 'still_right' or 'not_compared'."""
        common = self.compared
        if not common:
            return "not_compared"
        was, now = all(self.before[c] for c in common), all(self.after[c] for c in common)
        return {(False, True): "fixed", (True, False): "broken", (False, False): "still_wrong"}.get((was, now), "still_right")

    def changed(self) -> list[str]:
        """Criteria that went from right to wrong or back."""
        return [c for c in self.compared if self.before[c] != self.after[c]]


@dataclass
class Comparison:
    """Everything `garant-eval compare` reports."""

    old: RunFolder
    new: RunFolder
    identity: list[tuple[Item, Item, bool]]
    figures: list[dict[str, Any]] | None
    questions: list[QuestionChange] = field(default_factory=list)
    modified: list[tuple[str, str, str]] = field(default_factory=list)  # id, question before, question now
    only_old: list[tuple[str, str]] = field(default_factory=list)
    only_new: list[tuple[str, str]] = field(default_factory=list)

    @property
    def per_question(self) -> bool:
        """Whether both runs kept their per-question results."""
        return self.old.records is not None and self.new.records is not None

    def with_status(self, status: str) -> list[QuestionChange]:
        return [q for q in self.questions if q.status == status]


# --- loading --------------------------------------------------------------------------------


def load_folder(path: Path) -> RunFolder:
    """A run's folder, or a clear error when it is not one."""
    path = Path(path)
    if not (path / RUN).is_file():
        raise EvaluationError(
            f"{path} n'est pas le dossier d'une évaluation (pas de run.json) : donnez à `garant-eval compare` "
            "deux dossiers --out de `garant-eval run`.",
            f"{path} is not an evaluation folder (no run.json): give `garant-eval compare` two --out folders of `garant-eval run`.",
        )
    try:
        meta = json.loads((path / RUN).read_text(encoding="utf-8"))
        ids = list(meta["question_ids"])
    except (json.JSONDecodeError, KeyError, TypeError) as exc:
        raise EvaluationError(
            f"{path / RUN} est illisible : relancez `garant-eval run --out {path}` ou choisissez un autre dossier.",
            f"{path / RUN} is unreadable: run `garant-eval run --out {path}` again or choose another folder.",
        ) from exc
    if (path / RESULTS).is_file():
        done = read_results(path / RESULTS)
        records = {i: done[i] for i in ids if i in done}
        return RunFolder(path, meta, records, build_metrics(meta, list(records.values())))
    saved = path / METRICS
    metrics = json.loads(saved.read_text(encoding="utf-8")) if saved.is_file() else None
    return RunFolder(path, meta, None, metrics)


# --- judging one question -------------------------------------------------------------------


def _llm(meta: Mapping[str, Any]) -> bool:
    return not meta.get("no_llm")


def verdicts(record: Mapping[str, Any], llm: bool, min_support: float, answers: bool = True) -> dict[str, bool | None]:
    """Each criterion right (True), wrong (False) or not applicable (None) for one record of a
    run with the model (`llm`) or without it. The answer's criteria apply only with `answers`
    (both runs compared answered the same way)."""
    question, answer = record["question"], record.get("answer") if answers else None
    expected = list(question.get("expected_sources") or [])
    applies = {
        "retrieval": bool(question["answerable"] and expected),
        "keywords": bool(answers and question["answerable"] and question.get("expected_keywords")),
        "refusal": answers,
        "citations": False,
    }
    if record.get("error"):  # a question that could not be processed fails what it should have passed
        return {c: (False if applies[c] else None) for c in CRITERIA}
    out: dict[str, bool | None] = dict.fromkeys(CRITERIA)
    hybrid = (record.get("retrieval") or {}).get("hybrid")
    if applies["retrieval"] and hybrid is not None:
        rank = first_relevant_rank(hybrid["docs"], expected)
        out["retrieval"] = rank is not None and rank <= TOP
    if answer is not None:
        if applies["keywords"]:
            out["keywords"] = keywords_ok(record, no_llm=not llm)
        out["refusal"] = bool(answer["refused"]) != bool(question["answerable"])
        if llm:
            valid, _, total = citation_counts(answer.get("sentences") or [], len(answer.get("retrieved") or []), min_support)
        else:
            valid, total = extract_counts(answer)
        out["citations"] = None if total == 0 else valid == total
    return out


def _rank(record: Mapping[str, Any]) -> int | None:
    hybrid = (record.get("retrieval") or {}).get("hybrid")
    expected = record["question"].get("expected_sources") or []
    return None if hybrid is None or not expected else first_relevant_rank(hybrid["docs"], expected)


def shorten(text: str, size: int = ANSWER_CHARS) -> str:
    """One line of at most `size` characters."""
    text = " ".join(text.split())
    return text if len(text) <= size else text[: size - 1].rstrip() + "…"


def _answer(record: Mapping[str, Any]) -> str | None:
    if record.get("error"):
        return f"(erreur : {record['error']})"
    answer = record.get("answer")
    return None if answer is None else shorten(answer["text"])


# --- the comparison -------------------------------------------------------------------------


def compare_runs(old: RunFolder, new: RunFolder) -> Comparison:
    """Identity, figures and question-by-question changes from `old` to `new`."""
    figures = None if old.metrics is None or new.metrics is None else compare_metrics(new.metrics, old.metrics)
    result = Comparison(old, new, identity_changes(old.meta, new.meta), figures)
    if old.records is None or new.records is None:
        return result
    answers = _llm(old.meta) == _llm(new.meta)
    for qid, before in old.records.items():
        after = new.records.get(qid)
        if after is None:
            result.only_old.append((qid, before["question"]["question"]))
        elif after.get("question_sha") != before.get("question_sha"):
            result.modified.append((qid, before["question"]["question"], after["question"]["question"]))
        else:
            result.questions.append(
                QuestionChange(
                    id=qid,
                    question=after["question"]["question"],
                    lang=after.get("lang"),
                    before=verdicts(before, _llm(old.meta), float(old.meta.get("min_support", 0.5)), answers),
                    after=verdicts(after, _llm(new.meta), float(new.meta.get("min_support", 0.5)), answers),
                    rank_before=_rank(before),
                    rank_after=_rank(after),
                    answer_before=_answer(before),
                    answer_after=_answer(after),
                    refused_before=None if before.get("answer") is None else bool(before["answer"]["refused"]),
                    refused_after=None if after.get("answer") is None else bool(after["answer"]["refused"]),
                )
            )
    result.only_new = [(qid, r["question"]["question"]) for qid, r in new.records.items() if qid not in old.records]
    return result
