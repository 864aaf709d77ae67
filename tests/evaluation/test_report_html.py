"""report.html: one self-contained page with the report's text, the run's identity and its
charts, where text from questions and answers is shown, never run."""

from __future__ import annotations

import base64
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.engines.chat_fake import FakeChatModel
from assistant.engines.embed_hash import HashEmbedder
from evaluation import report_html
from evaluation.markdown_html import to_html
from evaluation.report import interval, pct, write_report
from evaluation.runner import RESULTS, run

INJECTED = {
    "id": "q5",
    "question": "Quand se réunit le comité <script>alert('x')</script> <img src=http://evil.example/x.png> de pilotage IA ?",
    "lang": "fr",
    "answerable": True,
    "expected_sources": ["charte"],
    "expected_keywords": [["mensuel"]],
    "kind": "charte",
}
OUTSIDE = re.compile(r"""(?:src|href)\s*=\s*["']?\s*(?:https?:)?//""", re.IGNORECASE)


@pytest.fixture
def finished_run(tiny, corpus_indexed, tmp_path: Path) -> Path:  # type: ignore[no-untyped-def]
    """The tiny run plus a question carrying markup, reported."""
    dataset = tmp_path / "with-markup.jsonl"
    dataset.write_text("".join(json.dumps(q, ensure_ascii=False) + "\n" for q in [*tiny.questions, INJECTED]), encoding="utf-8")
    out = tmp_path / "eval"
    run(corpus_indexed, dataset, out, progress=False, chat_model=FakeChatModel(tiny.scripted), embedder=HashEmbedder())
    write_report(out)
    return out


def test_the_report_is_one_self_contained_page_with_embedded_charts(finished_run: Path) -> None:
    html = (finished_run / "report.html").read_text(encoding="utf-8")
    assert html.startswith("<!DOCTYPE html>") and '<html lang="fr">' in html
    tags = re.findall(r"<[a-zA-Z][^>]*>", html)  # real tags: text from questions has its < escaped
    assert not [tag for tag in tags if OUTSIDE.search(tag)], "the page must not load anything from outside"
    assert "<script" not in html.lower() and "<link" not in html.lower()
    images = re.findall(r'<img src="data:image/png;base64,([A-Za-z0-9+/=]+)"', html)
    assert len(images) == 5  # main rates, methods, by language, by kind, response times
    assert all(base64.b64decode(image).startswith(b"\x89PNG\r\n\x1a\n") for image in images)


def test_text_from_questions_is_escaped_not_run(finished_run: Path) -> None:
    html = (finished_run / "report.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert('x')&lt;/script&gt;" in html
    assert "&lt;img src=http://evil.example/x.png&gt;" in html
    assert "<script>" not in html and "<img src=http" not in html


def test_the_page_has_the_summary_identity_and_headline_figures_of_the_report(finished_run: Path) -> None:
    html = (finished_run / "report.html").read_text(encoding="utf-8")
    markdown = (finished_run / "report.md").read_text(encoding="utf-8")
    metrics = json.loads((finished_run / "metrics.json").read_text(encoding="utf-8"))
    run_meta = json.loads((finished_run / "run.json").read_text(encoding="utf-8"))
    # the summary first, then the identity, then the figures
    assert html.index("En bref") < html.index("Identité de l'évaluation") < html.index("Résultats principaux")
    for heading in re.findall(r"^## (.+)$", markdown, re.MULTILINE):
        assert f">{heading}</h2>" in html
    for name in ("keyword_accuracy", "refusal_recall", "citation_validity"):
        rate = metrics["answers"][name]
        assert pct(rate["value"]) in html and interval(rate) in html
    hit5 = metrics["retrieval"]["hybrid"]["hit@5"]
    assert f"{pct(hit5['value'])} ({hit5['k']}/{hit5['n']})" in html
    assert run_meta["settings_fingerprint"] in html and run_meta["prompt_versions"]["fr"] in html
    assert "Empreinte SHA-256 du modèle" in html and "fake (fake)" in html


def test_a_folder_without_per_question_results_gets_its_page_from_the_saved_figures(finished_run: Path) -> None:
    (finished_run / RESULTS).unlink()
    (finished_run / "report.html").unlink()
    saved = (finished_run / "metrics.json").read_bytes(), (finished_run / "report.md").read_bytes()
    _, page = write_report(finished_run)
    assert page == finished_run / "report.html" and page.is_file()
    assert ((finished_run / "metrics.json").read_bytes(), (finished_run / "report.md").read_bytes()) == saved
    html = page.read_text(encoding="utf-8")
    assert "n'ont pas été conservés" in html and html.count('<img src="data:image/png;base64,') == 5


def test_without_matplotlib_the_page_keeps_its_tables_and_says_why_charts_are_missing(
    finished_run: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(report_html.charts, "available", lambda: False)
    write_report(finished_run)
    html = (finished_run / "report.html").read_text(encoding="utf-8")
    assert "<img" not in html and "matplotlib n'est pas installé" in html and "<table" in html


def test_the_markdown_subset_becomes_escaped_html() -> None:
    html = to_html(
        "# Titre <b>\n\nUn **gras** et `code <x>` & fin.\n\n| A | B |\n|---|---|\n| 97,6 % | <i>x</i> |\n\n"
        "- **q1** (fr) — question  \n  détail <script>\n- deux\n"
    )
    assert '<h1 id="titre-b">Titre &lt;b&gt;</h1>' in html
    assert "<p>Un <strong>gras</strong> et <code>code &lt;x&gt;</code> &amp; fin.</p>" in html
    assert '<td class="n">97,6 %</td><td>&lt;i&gt;x&lt;/i&gt;</td>' in html
    assert "<li><strong>q1</strong> (fr) — question<br>détail &lt;script&gt;</li><li>deux</li>" in html


def test_importing_the_evaluation_does_not_import_matplotlib() -> None:
    code = "import sys, evaluation.cli, evaluation.report, evaluation.compare_report; print('matplotlib' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert result.stdout.strip() == "False"
