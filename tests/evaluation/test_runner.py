"""The evaluation run end to end on a tiny corpus, with the fake embedder and chat model."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.cli_support import run as run_cli
from assistant.engines.chat_fake import FakeChatModel
from assistant.engines.embed_hash import HashEmbedder
from evaluation.cli import main
from evaluation.dataset import EvaluationError
from evaluation.report import write_report
from evaluation.runner import RESULTS, read_results, run


def test_full_run_writes_results_metrics_and_a_french_report(tiny, corpus_indexed, dataset: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "eval"
    model = FakeChatModel(tiny.scripted)
    summary = run(corpus_indexed, dataset, out, progress=False, chat_model=model, embedder=HashEmbedder())
    assert (summary.computed, summary.skipped) == (4, 0)
    # q3 is far from every document: refused before the model is called
    assert tiny.seen(model) == ["q1", "q2", "q4"]

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


def test_no_llm_mode_measures_retrieval_only_and_never_calls_the_model(tiny, corpus_indexed, dataset: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "eval"
    model = FakeChatModel(tiny.scripted)
    run(corpus_indexed, dataset, out, no_llm=True, progress=False, chat_model=model, embedder=HashEmbedder())
    write_report(out)
    assert model.calls == []
    metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["answers"] is None and metrics["retrieval"]["hybrid"]["hit@5"]["k"] == 3
    assert all(r["answer"] is None for r in read_results(out / RESULTS).values())
    assert "non mesurées (évaluation lancée avec `--no-llm`" in (out / "report.md").read_text(encoding="utf-8")


def test_an_interrupted_run_continues_without_recomputing_finished_questions(tiny, corpus_indexed, dataset: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "eval"
    first = FakeChatModel(tiny.scripted)
    run(corpus_indexed, dataset, out, limit=2, progress=False, chat_model=first, embedder=HashEmbedder())
    assert tiny.seen(first) == ["q1", "q2"]
    write_report(out)
    assert "évaluation incomplète" not in (out / "report.md").read_text(encoding="utf-8")  # the limit selects 2 questions

    second = FakeChatModel(tiny.scripted)
    summary = run(corpus_indexed, dataset, out, progress=False, chat_model=second, embedder=HashEmbedder())
    assert (summary.skipped, summary.computed) == (2, 2)
    assert tiny.seen(second) == ["q4"]
    lines = (out / RESULTS).read_text(encoding="utf-8").splitlines()
    assert [json.loads(line)["id"] for line in lines] == ["q1", "q2", "q3", "q4"]


def test_a_last_line_cut_by_an_interruption_is_dropped_and_recomputed(tiny, corpus_indexed, dataset: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "eval"
    run(corpus_indexed, dataset, out, limit=1, progress=False, chat_model=FakeChatModel(tiny.scripted), embedder=HashEmbedder())
    with open(out / RESULTS, "a", encoding="utf-8") as handle:
        handle.write('{"id": "q2", "retrie')
    model = FakeChatModel(tiny.scripted)
    run(corpus_indexed, dataset, out, progress=False, chat_model=model, embedder=HashEmbedder())
    assert tiny.seen(model) == ["q2", "q4"]
    assert list(read_results(out / RESULTS)) == ["q1", "q2", "q3", "q4"]


def test_a_changed_question_is_recomputed_on_resume(tiny, corpus_indexed, dataset: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "eval"
    run(corpus_indexed, dataset, out, limit=2, progress=False, chat_model=FakeChatModel(tiny.scripted), embedder=HashEmbedder())
    changed = [{**tiny.questions[0], "expected_keywords": [["trimestriel", "trimestre"]]}, *tiny.questions[1:2]]
    dataset.write_text("".join(json.dumps(q, ensure_ascii=False) + "\n" for q in changed), encoding="utf-8")
    model = FakeChatModel(tiny.scripted)
    run(corpus_indexed, dataset, out, progress=False, chat_model=model, embedder=HashEmbedder())
    assert tiny.seen(model) == ["q1"]
    assert read_results(out / RESULTS)["q1"]["question"]["expected_keywords"] == [["trimestriel", "trimestre"]]


def test_resuming_with_another_configuration_is_refused(tiny, corpus_indexed, dataset: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "eval"
    run(corpus_indexed, dataset, out, limit=1, no_llm=True, progress=False, chat_model=FakeChatModel(tiny.scripted), embedder=HashEmbedder())
    with pytest.raises(EvaluationError, match="autre réglage.*no_llm"):
        run(corpus_indexed, dataset, out, progress=False, chat_model=FakeChatModel(tiny.scripted), embedder=HashEmbedder())


def test_comparison_with_a_previous_run_appears_in_the_report(tiny, corpus_indexed, dataset: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    before, after = tmp_path / "before", tmp_path / "after"
    run(corpus_indexed, dataset, before, progress=False, chat_model=FakeChatModel(tiny.scripted), embedder=HashEmbedder())
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
