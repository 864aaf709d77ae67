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


def test_no_llm_mode_records_the_answers_without_the_model_and_never_calls_it(tiny, corpus_indexed, dataset: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "eval"
    model = FakeChatModel(tiny.scripted)
    run(corpus_indexed, dataset, out, no_llm=True, progress=False, chat_model=model, embedder=HashEmbedder())
    write_report(out)
    assert model.calls == []
    records = read_results(out / RESULTS)
    for qid, expected in (("q1", "trimestre"), ("q2", "once per quarter"), ("q4", "douze")):
        answer = records[qid]["answer"]
        # what `garant ask --no-llm` returns: the fixed label, then an excerpt of each passage with its [n]
        assert answer["degraded"] and answer["degraded_reason"] == "no_llm" and not answer["refused"]
        assert answer["text"].startswith(("Mode dégradé : aucune synthèse IA", "Degraded mode: no AI summary"))
        assert any(expected in e["text"] and f"[{e['n']}]" in answer["text"] for e in answer["extracts"])
        assert answer["first_token_s"] is None and answer["total_s"] >= 0
    assert records["q3"]["answer"]["refused"] and not records["q3"]["answer"]["degraded"]

    metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    answers = metrics["answers"]
    assert metrics["retrieval"]["hybrid"]["hit@5"]["k"] == 3
    assert (answers["keyword_accuracy"]["k"], answers["keyword_accuracy"]["n"]) == (3, 3)
    assert (answers["refusal_recall"]["k"], answers["refusal_recall"]["n"]) == (1, 1)
    assert (answers["wrong_refusal_share"]["k"], answers["wrong_refusal_share"]["n"]) == (0, 3)
    assert (answers["citation_validity"]["k"], answers["citation_validity"]["n"]) == (9, 9)  # an excerpt of each of the 3 passages
    assert (answers["quoted_source_hit"]["k"], answers["quoted_source_hit"]["n"]) == (3, 3)
    assert answers["notice_share"]["value"] == 1.0
    assert "degraded_share" not in answers and "reattached_share" not in answers  # no model to fail or to correct


def test_the_report_of_a_no_llm_run_names_the_answers_without_the_model(tiny, corpus_indexed, dataset: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "eval"
    run(corpus_indexed, dataset, out, no_llm=True, progress=False, embedder=HashEmbedder())
    write_report(out)
    report = (out / "report.md").read_text(encoding="utf-8")
    assert "- **Réponses sans le modèle de langue (« mode dégradé »)** : l'évaluation a été lancée avec `--no-llm`" in report
    assert "recopie mot pour mot jusqu'à trois phrases clés des passages retrouvés" in report  # as many as `garant ask` quotes
    assert "| Réponses sans modèle (passages recopiés) contenant les éléments attendus | 100,0 % | [43,9 % ; 100,0 %] | 3 |" in report
    assert "| Questions hors documents correctement refusées | 100,0 % | [20,7 % ; 100,0 %] | 1 |" in report
    assert "| Refus à tort (les documents contenaient la réponse) | 0,0 % | [0,0 % ; 56,2 %] | 3 |" in report
    assert "| Réponses portant la mention IA | 100,0 % | [51,0 % ; 100,0 %] | 4 |" in report
    assert "elles contiennent les éléments attendus dans 100 % des cas (3 sur 3)" in report  # the summary
    assert "Les réponses rédigées par le modèle de langue n'ont pas été évaluées ici" in report
    assert "### Passages recopiés sans les éléments attendus (0)" in report
    # no longer: answers not evaluated, a model said unavailable, or answers said written by the model
    for stale in ("non mesurées (évaluation lancée avec `--no-llm`", "n'ont pas été évaluées (`--no-llm`)", "modèle était indisponible"):
        assert stale not in report
    assert "| Réponses contenant les éléments attendus |" not in report and "Premier mot affiché" not in report
    html = (out / "report.html").read_text(encoding="utf-8")
    assert "Réponses sans modèle (passages recopiés) contenant les éléments attendus" in html


def test_a_no_llm_answer_without_the_expected_facts_is_listed(tiny, corpus_indexed, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    dataset = tmp_path / "facts.jsonl"
    question = {**tiny.questions[3], "expected_keywords": [["douze"], ["seize"]]}
    dataset.write_text(json.dumps(question, ensure_ascii=False) + "\n", encoding="utf-8")
    out = tmp_path / "eval"
    run(corpus_indexed, dataset, out, no_llm=True, progress=False, embedder=HashEmbedder())
    write_report(out)
    metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    assert (metrics["answers"]["keyword_accuracy"]["k"], metrics["answers"]["keyword_accuracy"]["n"]) == (0, 1)
    assert [(x["id"], x["missing"]) for x in metrics["failures"]["keywords_missed"]] == [("q4", [["seize"]])]
    report = (out / "report.md").read_text(encoding="utf-8")
    # the quotes themselves, not the fixed label, fill the excerpt
    assert "### Passages recopiés sans les éléments attendus (1)" in report
    assert "manque : seize — passages recopiés : « Un mot de passe compte au moins douze caractères" in report


def test_a_record_without_answer_gets_one_on_resume(tiny, corpus_indexed, dataset: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "eval"
    run(corpus_indexed, dataset, out, no_llm=True, progress=False, embedder=HashEmbedder())
    lines = [json.loads(line) for line in (out / RESULTS).read_text(encoding="utf-8").splitlines()]
    lines[0]["answer"] = None  # as `--no-llm` wrote it before answers were recorded
    (out / RESULTS).write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in lines), encoding="utf-8")
    summary = run(corpus_indexed, dataset, out, no_llm=True, progress=False, embedder=HashEmbedder())
    assert (summary.skipped, summary.computed) == (3, 1)
    assert read_results(out / RESULTS)["q1"]["answer"]["degraded_reason"] == "no_llm"


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
