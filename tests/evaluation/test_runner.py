"""The evaluation run end to end on a tiny corpus, with the fake embedder and chat model."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from assistant.cli_support import run as run_cli
from assistant.engines.chat import ChatMessage
from assistant.engines.chat_fake import FakeChatModel
from assistant.engines.embed_hash import HashEmbedder
from evaluation.cli import main
from evaluation.dataset import EvaluationError
from evaluation.report import write_report
from evaluation.runner import RESULTS, read_results, run
from ingest.pipeline import Ingestor

DOCS = {
    "charte.md": """---
title: Charte IA de test
kind: charte
version: "2.0"
status: en_vigueur
---

# Gouvernance

Le comité de pilotage IA et numérique se réunit une fois par trimestre, sous la présidence du directeur général.

# Signalement

Tout dysfonctionnement d'un système d'IA est signalé dans les 24 heures au moyen de la fiche FEI-IA.
""",
    "policy-en.md": """---
title: AI governance policy
kind: note
version: "1"
status: en_vigueur
lang: en
---

# Governance

The AI steering committee meets once per quarter and reports to the board.
""",
    "mots-de-passe.md": """---
title: Guide des mots de passe
kind: guide
version: "1"
status: en_vigueur
---

# Mots de passe

Un mot de passe compte au moins douze caractères, mêlant majuscules, minuscules, chiffres et caractères spéciaux.
""",
}

QUESTIONS = [
    {
        "id": "q1",
        "question": "Quand se réunit le comité de pilotage IA ?",
        "lang": "fr",
        "answerable": True,
        "expected_sources": ["charte"],
        "expected_keywords": [["trimestre"]],
        "kind": "charte",
    },
    {
        "id": "q2",
        "question": "How often does the AI steering committee meet?",
        "lang": "en",
        "answerable": True,
        "expected_sources": ["policy-en"],
        "expected_keywords": [["once per quarter", "quarterly"]],
        "kind": "note",
    },
    {"id": "q3", "question": "Quelle est la recette du gâteau basque à la cerise noire ?", "lang": "fr", "answerable": False},
    {
        "id": "q4",
        "question": "Combien de caractères doit compter un mot de passe ?",
        "lang": "fr",
        "answerable": True,
        "expected_sources": ["mots-de-passe"],
        "expected_keywords": [["douze", "12"]],
        "kind": "guide",
    },
]

_BLOCK = re.compile(r"^\[(\d+)\] ", re.MULTILINE)


def _number_of(user: str, needle: str) -> int:
    """The source number whose block in the prompt contains `needle`."""
    starts = [(m.start(), int(m.group(1))) for m in _BLOCK.finditer(user)]
    for (start, number), (end, _) in zip(starts, [*starts[1:], (len(user), 0)], strict=True):
        if needle in user[start:end]:
            return number
    raise AssertionError(f"{needle!r} not in the prompt")


def scripted(messages: list[ChatMessage]) -> str:
    """Right answers for q1 and q2 (citing the right passage), a wrong refusal for q4."""
    user = messages[-1].content
    if QUESTIONS[1]["question"] in user:
        return f"The AI steering committee meets once per quarter [{_number_of(user, 'once per quarter')}]."
    if QUESTIONS[0]["question"] in user:
        return f"Le comité de pilotage IA et numérique se réunit une fois par trimestre [{_number_of(user, 'trimestre')}]."
    return "Les documents disponibles ne permettent pas de répondre à cette question."


def _questions_seen(model: FakeChatModel) -> list[str]:
    ids = []
    for call in model.calls:
        user = call[-1].content
        ids += [q["id"] for q in QUESTIONS if q["question"] in user]
    return ids


@pytest.fixture
def corpus_indexed(fake_settings, tmp_path: Path):  # type: ignore[no-untyped-def]
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, text in DOCS.items():
        (corpus / name).write_text(text, encoding="utf-8")
    Ingestor(fake_settings, HashEmbedder).sync(corpus)
    # these tests count refusals of the scripted model: keep the plain refusal, not the quoted passage
    fake_settings.answer.quote_when_model_declines = False
    return fake_settings


@pytest.fixture
def dataset(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.jsonl"
    path.write_text("".join(json.dumps(q, ensure_ascii=False) + "\n" for q in QUESTIONS), encoding="utf-8")
    return path


def test_full_run_writes_results_metrics_and_a_french_report(corpus_indexed, dataset: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "eval"
    model = FakeChatModel(scripted)
    summary = run(corpus_indexed, dataset, out, progress=False, chat_model=model, embedder=HashEmbedder())
    assert (summary.computed, summary.skipped) == (4, 0)
    # q3 is far from every document: refused before the model is called
    assert _questions_seen(model) == ["q1", "q2", "q4"]

    write_report(out)
    metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    assert (metrics["questions"], metrics["answerable"], metrics["unanswerable"], metrics["errors"]) == (4, 3, 1, 0)
    assert set(metrics["retrieval"]) == {"lexical", "dense", "hybrid"}  # no reranker configured
    for mode in ("lexical", "hybrid"):
        assert metrics["retrieval"][mode]["hit@1"] == {"k": 3, "n": 3, "value": 1.0, "low": 0.4385, "high": 1.0}
    answers = metrics["answers"]
    assert answers["keyword_accuracy"] == {"k": 2, "n": 3, "value": 0.6667, "low": 0.2077, "high": 0.9385}
    assert (answers["refusal_recall"]["k"], answers["refusal_recall"]["n"]) == (1, 1)
    assert (answers["refusal_precision"]["k"], answers["refusal_precision"]["n"]) == (1, 2)
    assert (answers["wrong_refusal_share"]["k"], answers["wrong_refusal_share"]["n"]) == (1, 3)
    assert (answers["citation_validity"]["k"], answers["citation_validity"]["n"]) == (2, 2)
    assert answers["reattached_share"]["k"] == 0
    assert answers["notice_share"]["value"] == 1.0 and answers["degraded_share"]["value"] == 0.0
    assert answers["latency_s"]["first_token"]["n"] == 3 and answers["latency_s"]["total"]["n"] == 4
    assert set(metrics["by_lang"]) == {"fr", "en"} and set(metrics["by_kind"]) == {"charte", "note", "guide", "(non précisé)"}
    assert [x["id"] for x in metrics["failures"]["wrong_refusals"]] == ["q4"]
    assert metrics["run"]["complete"] and metrics["run"]["model"]["name"] == "fake"

    run_json = json.loads((out / "run.json").read_text(encoding="utf-8"))
    assert run_json["dataset"]["questions"] == 4 and len(run_json["dataset"]["sha256"]) == 64
    assert run_json["settings_fingerprint"] == corpus_indexed.fingerprint()
    assert run_json["embedder"]["name"] == "hash-fake" and run_json["prompt_versions"]["fr"]
    assert run_json["machine"]["cores"] and run_json["finished_at"]

    report = (out / "report.md").read_text(encoding="utf-8")
    assert report.startswith("# Évaluation de Garant")
    assert "| Réponses contenant les éléments attendus | 66,7 % | [20,8 % ; 93,9 %] | 3 |" in report
    assert "## Méthodes de recherche comparées" in report and "Hybride (défaut)" in report
    assert "## Résultats par langue" in report and "## Résultats par type de document attendu" in report
    assert "### Refus à tort (les documents contenaient la réponse) (1)" in report
    assert "**q4** (fr) — Combien de caractères" in report
    assert "## Comment lire un intervalle de confiance" in report


def test_no_llm_mode_measures_retrieval_only_and_never_calls_the_model(corpus_indexed, dataset: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "eval"
    model = FakeChatModel(scripted)
    run(corpus_indexed, dataset, out, no_llm=True, progress=False, chat_model=model, embedder=HashEmbedder())
    write_report(out)
    assert model.calls == []
    metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["answers"] is None and metrics["retrieval"]["hybrid"]["hit@5"]["k"] == 3
    assert all(r["answer"] is None for r in read_results(out / RESULTS).values())
    assert "non mesurées (évaluation lancée avec `--no-llm`" in (out / "report.md").read_text(encoding="utf-8")


def test_an_interrupted_run_continues_without_recomputing_finished_questions(corpus_indexed, dataset: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "eval"
    first = FakeChatModel(scripted)
    run(corpus_indexed, dataset, out, limit=2, progress=False, chat_model=first, embedder=HashEmbedder())
    assert _questions_seen(first) == ["q1", "q2"]
    write_report(out)
    assert "évaluation incomplète" not in (out / "report.md").read_text(encoding="utf-8")  # the limit selects 2 questions

    second = FakeChatModel(scripted)
    summary = run(corpus_indexed, dataset, out, progress=False, chat_model=second, embedder=HashEmbedder())
    assert (summary.skipped, summary.computed) == (2, 2)
    assert _questions_seen(second) == ["q4"]
    lines = (out / RESULTS).read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["id"] for line in lines] == ["q1", "q2", "q3", "q4"]


def test_a_last_line_cut_by_an_interruption_is_dropped_and_recomputed(corpus_indexed, dataset: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "eval"
    run(corpus_indexed, dataset, out, limit=1, progress=False, chat_model=FakeChatModel(scripted), embedder=HashEmbedder())
    with open(out / RESULTS, "a", encoding="utf-8") as handle:
        handle.write('{"id": "q2", "retrie')
    model = FakeChatModel(scripted)
    run(corpus_indexed, dataset, out, progress=False, chat_model=model, embedder=HashEmbedder())
    assert _questions_seen(model) == ["q2", "q4"]
    assert list(read_results(out / RESULTS)) == ["q1", "q2", "q3", "q4"]


def test_a_changed_question_is_recomputed_on_resume(corpus_indexed, dataset: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "eval"
    run(corpus_indexed, dataset, out, limit=2, progress=False, chat_model=FakeChatModel(scripted), embedder=HashEmbedder())
    changed = [{**QUESTIONS[0], "expected_keywords": [["trimestriel", "trimestre"]]}, *QUESTIONS[1:2]]
    dataset.write_text("".join(json.dumps(q, ensure_ascii=False) + "\n" for q in changed), encoding="utf-8")
    model = FakeChatModel(scripted)
    run(corpus_indexed, dataset, out, progress=False, chat_model=model, embedder=HashEmbedder())
    assert _questions_seen(model) == ["q1"]
    assert read_results(out / RESULTS)["q1"]["question"]["expected_keywords"] == [["trimestriel", "trimestre"]]


def test_resuming_with_another_configuration_is_refused(corpus_indexed, dataset: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "eval"
    run(corpus_indexed, dataset, out, limit=1, no_llm=True, progress=False, chat_model=FakeChatModel(scripted), embedder=HashEmbedder())
    with pytest.raises(EvaluationError, match="autre réglage.*no_llm"):
        run(corpus_indexed, dataset, out, progress=False, chat_model=FakeChatModel(scripted), embedder=HashEmbedder())


def test_comparison_with_a_previous_run_appears_in_the_report(corpus_indexed, dataset: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    before, after = tmp_path / "before", tmp_path / "after"
    run(corpus_indexed, dataset, before, progress=False, chat_model=FakeChatModel(scripted), embedder=HashEmbedder())
    write_report(before)
    run(
        corpus_indexed,
        dataset,
        after,
        progress=False,
        chat_model=FakeChatModel(["Les documents ne permettent pas de répondre."]),
        embedder=HashEmbedder(),
    )
    write_report(after, compare_dir=before)
    report = (after / "report.md").read_text(encoding="utf-8")
    assert "## Comparaison avec l'évaluation précédente" in report
    assert "| Réponses contenant les éléments attendus | 66,7 % | 0,0 % | -66,7 pts | non |" in report


def _config(tmp_path: Path) -> Path:
    path = tmp_path / "garant.toml"
    path.write_text('[embedder]\nkind = "hash"\n\n[llm]\nbackend = "fake"\n', encoding="utf-8")
    return path


def test_cli_runs_without_the_model_and_regenerates_the_report(corpus_indexed, dataset: Path, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    out, config = tmp_path / "eval", _config(tmp_path)
    assert run_cli(main, ["--config", str(config), "run", "--dataset", str(dataset), "--out", str(out), "--no-llm"]) == 0
    assert "4 question(s) évaluée(s)" in capsys.readouterr().out
    (out / "report.md").unlink()
    assert run_cli(main, ["report", "--out", str(out)]) == 0
    assert (out / "report.md").is_file() and (out / "metrics.json").is_file()


def test_cli_reports_a_bad_dataset_in_one_clear_message(corpus_indexed, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    bad = tmp_path / "bad.jsonl"
    bad.write_text('{"id": "q1", "question": "x"}\n', encoding="utf-8")
    code = run_cli(main, ["--config", str(_config(tmp_path)), "run", "--dataset", str(bad), "--out", str(tmp_path / "eval")])
    assert code == 65
    err = capsys.readouterr().err
    assert "ligne 1 : « answerable » manque" in err and "Traceback" not in err


def test_cli_report_without_a_run_says_what_to_do(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    assert run_cli(main, ["report", "--out", str(tmp_path / "nothing")]) == 2
    assert "lancez d'abord `garant-eval run" in capsys.readouterr().err
