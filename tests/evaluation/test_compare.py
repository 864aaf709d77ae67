"""`garant-eval compare OLD NEW`: what changed in the system, the figures, and exactly which
questions were fixed and which were broken between two runs of the tiny evaluation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.cli_support import run as run_cli
from assistant.engines.chat import ChatMessage
from assistant.engines.chat_fake import FakeChatModel
from assistant.engines.embed_hash import HashEmbedder
from evaluation.cli import main
from evaluation.compare import compare_runs, load_folder
from evaluation.compare_report import render_comparison
from evaluation.dataset import EvaluationError
from evaluation.runner import run

# refusals (Garant would otherwise append the cited passage, which holds the expected keywords)
WRONG_EN = "The documents do not contain the answer to this question."
WRONG_FR = "Les documents disponibles ne permettent pas de répondre à cette question."
NEW_QUESTION = {
    "id": "q5",
    "question": "Qui préside le comité de pilotage IA ?",
    "lang": "fr",
    "answerable": True,
    "expected_sources": ["charte"],
    "expected_keywords": [["directeur général"]],
    "kind": "charte",
}


def _write(path: Path, questions: list[dict]) -> Path:
    path.write_text("".join(json.dumps(q, ensure_ascii=False) + "\n" for q in questions), encoding="utf-8")
    return path


@pytest.fixture
def two_runs(tiny, corpus_indexed, tmp_path: Path) -> tuple[Path, Path]:  # type: ignore[no-untyped-def]
    """Before: q1 right, q2 wrongly refused. Now: q1 wrongly refused, q2 right; q3 dropped, q4 rewritten, q5 added,
    and one setting changed."""
    q1, q2, q3, q4 = (q["question"] for q in tiny.questions)

    def before_model(messages: list[ChatMessage]) -> str:
        return WRONG_EN if q2 in messages[-1].content else tiny.scripted(messages)

    def now_model(messages: list[ChatMessage]) -> str:
        return WRONG_FR if q1 in messages[-1].content else tiny.scripted(messages)

    old, new = tmp_path / "before", tmp_path / "now"
    run(
        corpus_indexed,
        _write(tmp_path / "old.jsonl", tiny.questions),
        old,
        progress=False,
        chat_model=FakeChatModel(before_model),
        embedder=HashEmbedder(),
    )
    rewritten = {**tiny.questions[3], "expected_keywords": [["douze caractères"]]}
    corpus_indexed.llm.temperature = 0.3
    run(
        corpus_indexed,
        _write(tmp_path / "new.jsonl", [*tiny.questions[:2], rewritten, NEW_QUESTION]),
        new,
        progress=False,
        chat_model=FakeChatModel(now_model),
        embedder=HashEmbedder(),
    )
    return old, new


def test_the_question_fixed_and_the_question_broken_are_listed_exactly(two_runs: tuple[Path, Path]) -> None:
    comparison = compare_runs(load_folder(two_runs[0]), load_folder(two_runs[1]))
    assert [q.id for q in comparison.with_status("fixed")] == ["q2"]
    assert [q.id for q in comparison.with_status("broken")] == ["q1"]
    assert [m[0] for m in comparison.modified] == ["q4"]
    assert [q[0] for q in comparison.only_old] == ["q3"] and [q[0] for q in comparison.only_new] == ["q5"]
    fixed = comparison.with_status("fixed")[0]
    assert fixed.changed() == ["keywords", "refusal"] and fixed.answer_before.startswith("I cannot find this information")


def test_the_comparison_text_shows_both_answers_and_what_changed_in_the_system(two_runs: tuple[Path, Path]) -> None:
    text = render_comparison(compare_runs(load_folder(two_runs[0]), load_folder(two_runs[1])))
    assert text.startswith("# Comparaison de deux évaluations de Garant")
    fixed = text[text.index("### Questions corrigées (1)") : text.index("### Questions cassées (1)")]
    assert "**q2** (en) — How often does the AI steering committee meet?" in fixed
    assert (
        "avant : « I cannot find this information" in fixed and "maintenant : « The AI steering committee meets once per quarter" in fixed
    )
    assert "éléments attendus dans la réponse : manquants → présents ; refus à bon escient : refus à tort → correct" in fixed
    broken = text[text.index("### Questions cassées (1)") : text.index("### Toujours en échec")]
    assert "**q1** (fr)" in broken and "maintenant : « Je ne trouve pas cette information" in broken
    assert "**1 corrigée(s)**" in text and "**1 cassée(s)**" in text
    assert "| Empreinte des réglages |" in text and "| Modèle de langue | fake (fake) | fake (fake) | non |" in text
    assert "Ce qui a changé : empreinte des réglages, jeu de questions." in text
    assert "- seulement avant (1) : q3" in text and "- seulement maintenant (1) : q5" in text
    assert (
        "### Questions modifiées entre les deux jeux (1)" in text
        and "**q4** — Combien de caractères doit compter un mot de passe ? (même texte" in text
    )
    assert "| Réponses contenant les éléments attendus |" in text  # figure by figure


def test_a_run_without_answers_is_compared_on_retrieval_alone(tiny, corpus_indexed, dataset: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    search_only, full = tmp_path / "search", tmp_path / "full"
    run(corpus_indexed, dataset, search_only, no_llm=True, progress=False, embedder=HashEmbedder())
    run(corpus_indexed, dataset, full, progress=False, chat_model=FakeChatModel(tiny.scripted), embedder=HashEmbedder())
    comparison = compare_runs(load_folder(search_only), load_folder(full))
    assert {q.id: q.compared for q in comparison.questions} == {"q1": ["retrieval"], "q2": ["retrieval"], "q3": [], "q4": ["retrieval"]}
    assert not comparison.with_status("fixed") and not comparison.with_status("broken")  # q4's wrong refusal is not a regression
    # the answers without the model and the model's answers are not the same system: their figures are not set side by side
    assert comparison.figures and all(row["measure"].startswith("retrieval.") for row in comparison.figures)
    text = render_comparison(comparison)
    assert "l'évaluation de référence (avant) a répondu sans le modèle de langue (`--no-llm`" in text
    assert "seuls les chiffres de la recherche des passages sont comparés" in text
    assert "| Réponses contenant les éléments attendus |" not in text


def test_two_runs_without_the_model_compare_their_answers(tiny, corpus_indexed, dataset: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    before, now = tmp_path / "before", tmp_path / "now"
    run(corpus_indexed, dataset, before, no_llm=True, progress=False, embedder=HashEmbedder())
    changed = [{**q, "expected_keywords": [["douze"], ["seize"]]} if q["id"] == "q4" else q for q in tiny.questions]
    run(corpus_indexed, _write(tmp_path / "changed.jsonl", changed), now, no_llm=True, progress=False, embedder=HashEmbedder())
    comparison = compare_runs(load_folder(before), load_folder(now))
    assert {q.id: q.compared for q in comparison.questions}["q1"] == ["retrieval", "keywords", "refusal", "citations"]
    assert {q.id: q.after["refusal"] for q in comparison.questions} == {"q1": True, "q2": True, "q3": True}  # q4 was modified
    text = render_comparison(comparison)
    assert "| Réponses sans modèle (passages recopiés) contenant les éléments attendus | 100,0 % | 66,7 % |" in text
    assert "sans le modèle de langue" not in text.split("## Les chiffres")[0]  # like with like: no warning


def test_cli_prints_the_comparison_and_writes_a_self_contained_page(two_runs: tuple[Path, Path], tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    page = tmp_path / "comparaison.html"
    assert run_cli(main, ["compare", str(two_runs[0]), str(two_runs[1]), "--out", str(page)]) == 0
    assert capsys.readouterr().out.startswith("# Comparaison de deux évaluations de Garant")
    html = page.read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and "<script" not in html and "Questions corrigées (1)" in html


def test_a_folder_that_is_not_a_run_gets_one_clear_message_in_the_users_language(
    two_runs: tuple[Path, Path],
    tmp_path: Path,
    capsys,
    monkeypatch: pytest.MonkeyPatch,  # type: ignore[no-untyped-def]
) -> None:
    stray = tmp_path / "pas-une-evaluation"
    stray.mkdir()
    assert run_cli(main, ["compare", str(stray), str(two_runs[1])]) == 2
    err = capsys.readouterr().err
    assert f"{stray} n'est pas le dossier d'une évaluation (pas de run.json)" in err and "Traceback" not in err
    monkeypatch.setenv("GARANT_LANG", "en")
    assert run_cli(main, ["compare", str(two_runs[0]), str(tmp_path / "missing")]) == 2
    assert "is not an evaluation folder (no run.json)" in capsys.readouterr().err
    with pytest.raises(EvaluationError, match="fichier .md ou .html"):
        main(["compare", str(two_runs[0]), str(two_runs[1]), "--out", str(tmp_path / "x.txt")])
