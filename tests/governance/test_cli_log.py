"""`garant log export|report|purge|backup|verify`: the committee and IT commands over the
governance log — formats, a self-contained report with the right figures, the six-month
retention floor, a hot backup that verifies and restores, and failures as clear exit codes."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import sqlite3
import threading
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from log_records import Clock
from log_records import passage as _passage

from assistant.answering.model import Answer, AnswerSentence
from assistant.cli import main
from assistant.cli_support import run
from assistant.governance.log import InteractionLog
from assistant.governance.maintenance import backup, verify
from assistant.governance.reviews import record_review
from assistant.intervals import wilson
from assistant.retrieval.hybrid import Passage

SALT = "sel-tres-secret-export"
ENV = {"GARANT_LOG_SALT": SALT}
SESSION = "session-en-clair-42"
DAY = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


def passage(doc_id: str, n: int) -> Passage:
    """The documents of these tests are at version 3 (the export shows it)."""
    return _passage(doc_id, n, version="3")




def answer(question: str, docs: tuple[str, ...] = ("charte",), refused: bool = False, degraded: bool = False) -> Answer:
    sentences = [] if refused or degraded else [
        AnswerSentence(text="Réponse.", sources=[1], support=0.8, model_sources=[1], status="supported")]
    return Answer(question=question, lang="fr", text="Je ne sais pas." if refused else "Réponse. [1]",
                  retrieved=[passage(d, i) for i, d in enumerate(docs, start=1)], sentences=sentences, refused=refused,
                  refusal_reason="no_evidence" if refused else None,
                  degraded=degraded, prompt_version="p@1", model={"name": "fake"}, index_version="v1")


@pytest.fixture
def seeded(garant_home: Path) -> dict[str, str]:
    """Six answers over three days: two refusals of the same question, one degraded, one
    flagged and reviewed, one flagged and awaiting review."""
    clock = Clock(DAY)
    log = InteractionLog(garant_home, env=ENV, clock=clock)
    ids: dict[str, str] = {}
    with log:
        for name, made in (("ok", answer("Qui préside le comité ?", ("charte", "guide"))),
                           ("wrong", answer("Quel est le délai ?", ("procedure",)))):
            log.record(made, SESSION, "h", "c")
            ids[name] = made.id
        clock.now = DAY + timedelta(days=1)
        for name, made in (("refused1", answer("Qui est le DPO ?", refused=True)),
                           ("refused2", answer("qui est le  DPO", refused=True)),
                           ("degraded", answer("Où est la charte ?", ("charte",), degraded=True))):
            log.record(made, SESSION, "h", "c")
            ids[name] = made.id
        clock.now = DAY + timedelta(days=2)
        late = answer("Combien de membres ?", ("charte",))
        log.record(late, SESSION, "h", "c")
        ids["late"] = late.id
        log.add_feedback(ids["ok"], SESSION, rating=1)
        log.add_feedback(ids["wrong"], SESSION, rating=-1, category="incorrect", comment="Le délai est de 48 h, appeler le 06 12 34 56 78")
        log.add_feedback(ids["late"], SESSION, category="incomplet")
        assert log.flush(5)
    record_review(log.path, ids["wrong"], "dr-qualite", "corrigé", "Le délai est de 48 h.", "Mettre à jour la procédure",
                  clock=lambda: DAY + timedelta(days=3))
    return ids


def garant(*argv: str) -> int:
    return run(main, list(argv))


# --- export ---


def test_export_jsonl_gives_each_answer_with_passages_feedback_and_decisions(seeded, capsys) -> None:  # type: ignore[no-untyped-def]
    assert garant("log", "export") == 0
    out = capsys.readouterr().out
    records = [json.loads(line) for line in out.splitlines()]
    assert {r["id"] for r in records[:2]} == {seeded["ok"], seeded["wrong"]} and len(records) == 6  # oldest first
    wrong = next(r for r in records if r["id"] == seeded["wrong"])
    assert [c["doc_id"] for c in wrong["citations"]] == ["procedure"]
    assert wrong["feedback"][0]["comment_redacted"] == "Le délai est de 48 h, appeler le [TEL]"
    assert (wrong["reviews"][0]["decision"], wrong["reviews"][0]["reviewer"]) == ("corrigé", "dr-qualite")
    assert SALT not in out and SESSION not in out and "06 12 34 56 78" not in out


def test_export_csv_has_one_row_per_answer_and_readable_summaries(seeded, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    target = tmp_path / "export" / "journal.csv"
    assert garant("log", "export", "--format", "csv", "--out", str(target), "--since", "2025-03-04") == 0
    assert "4 réponse(s) exportée(s)" in capsys.readouterr().err
    text = target.read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 4 and {r["id"] for r in rows} == {seeded[k] for k in ("refused1", "refused2", "degraded", "late")}
    late = next(r for r in rows if r["id"] == seeded["late"])
    assert (late["flagged"], late["feedback_summary"], late["cited_documents"], late["last_decision"]) == ("1", "incomplet", "charte v3", "")
    assert json.loads(late["citations"])[0]["chunk_id"] == "charte-c1"
    assert SALT not in text


def test_export_until_is_the_last_day_included(seeded, capsys) -> None:  # type: ignore[no-untyped-def]
    assert garant("log", "export", "--until", "2025-03-03") == 0
    assert len(capsys.readouterr().out.splitlines()) == 2
    assert garant("log", "export", "--since", "03/03/2025") == 65
    assert "AAAA-MM-JJ" in capsys.readouterr().err


# --- report ---


def test_the_report_is_self_contained_and_shows_the_figures(seeded, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "rapport"
    assert garant("log", "report", "--out", str(out), "--since", "2025-03-01", "--until", "2025-03-07") == 0
    html_path, md_path = out / "rapport-gouvernance-2025-03-01_2025-03-07.html", out / "rapport-gouvernance-2025-03-01_2025-03-07.md"
    assert str(html_path) in capsys.readouterr().out
    html, markdown = html_path.read_text(encoding="utf-8"), md_path.read_text(encoding="utf-8")
    # Self-contained: nothing fetched, no script.
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:)?//""", html, re.I)
    assert "<script" not in html.lower() and "@import" not in html and "<svg" in html
    for text in (html, markdown):
        assert "du 1er mars 2025 au 7 mars 2025 inclus (7 jours" in text
        assert "2 sur 6 (33,3 %" in text  # refusals
        assert "1 sur 6 (16,7 %" in text  # degraded
        assert "3 sur 6 (50,0 %" in text  # answers with feedback
        assert "1 sur 2 (50,0 %" in text  # negative among the ratings given
        low, high = wilson(2, 6) or (0, 0)
        assert f"IC 95 % : {low * 100:.1f}–{high * 100:.1f} %".replace(".", ",") in text
        assert "qui est le dpo" in text  # the unanswered question, counted twice
        assert "Quel est le délai ?" in text and "corrigée" in text and "dr-qualite" in text and "06/03/2025 09:00 UTC" in text
        assert "Combien de membres ?" in text and "en attente de revue" in text
        assert "vérifiée : aucune ligne supprimée" in text
        assert "aucun passage assez proche de la question : 2" in text  # why the two were refused
    assert "| qui est le dpo | 2 |" in markdown and "| charte | 2 |" in markdown and "| procedure | 1 |" in markdown
    assert "<title>05/03 : 1 question(s), 0 refus, 0 en mode dégradé</title>" in html
    assert "06 12 34 56 78" not in html and SALT not in html


def test_the_report_says_when_the_log_is_altered(seeded, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    db = sqlite3.connect(sqlite_path())
    db.execute("UPDATE reviews SET decision = 'validé'")
    db.commit()
    assert garant("log", "report", "--out", str(tmp_path / "r"), "--since", "2025-03-01", "--until", "2025-03-07") == 0
    html = next((tmp_path / "r").glob("*.html")).read_text(encoding="utf-8")
    assert "ANOMALIES" in html and "modifiée après son enregistrement" in html


def test_report_periods_are_checked(seeded, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    assert garant("log", "report", "--out", str(tmp_path), "--days", "7", "--since", "2025-03-01") == 65
    assert garant("log", "report", "--out", str(tmp_path), "--since", "2025-03-07", "--until", "2025-03-01") == 65
    assert "Période vide" in capsys.readouterr().err


# --- purge ---


def test_purge_below_six_months_is_refused_and_says_why(seeded, capsys, monkeypatch: pytest.MonkeyPatch) -> None:  # type: ignore[no-untyped-def]
    assert garant("log", "purge", "--older-than", "30") == 65
    err = capsys.readouterr().err
    assert "six mois" in err and "art. 26(6)" in err and "--force" in err
    monkeypatch.setenv("GARANT_LANG", "en")
    assert garant("log", "purge", "--older-than", "179") == 65
    assert "six months" in capsys.readouterr().err
    # Nothing was touched.
    assert sqlite3.connect(sqlite_path()).execute("SELECT COUNT(*) FROM interactions").fetchone()[0] == 6
    result = verify(Path(sqlite_path()))
    assert result.ok and result.chain is not None and result.chain.purges == 0


def sqlite_path() -> str:
    return os.path.join(os.environ["GARANT_HOME"], "governance.sqlite")


def test_purge_with_force_deletes_and_reports_the_count(seeded, capsys) -> None:  # type: ignore[no-untyped-def]
    # The seeded answers are from March 2025: far more than 30 days before today.
    assert garant("log", "purge", "--older-than", "30", "--force") == 0
    out = capsys.readouterr().out
    assert "Purge effectuée : 6 réponse(s)" in out and "7 passage(s), 3 retour(s) du personnel et 1 décision(s)" in out
    db = sqlite3.connect(sqlite_path())
    assert db.execute("SELECT COUNT(*) FROM interactions").fetchone()[0] == 0
    assert garant("log", "verify") == 0
    assert "1 purge(s)" in capsys.readouterr().out
    assert garant("log", "purge", "--older-than", "400") == 0
    assert "Rien à purger" in capsys.readouterr().out


# --- verify, backup, restore ---


def test_verify_fails_with_a_non_zero_exit_and_names_the_row(seeded, capsys) -> None:  # type: ignore[no-untyped-def]
    assert garant("log", "verify") == 0
    head = re.search(r"Tête de chaîne : (\d+:[0-9a-f]{64})", capsys.readouterr().out)
    assert head
    assert garant("log", "verify", "--anchor", head.group(1)) == 0
    db = sqlite3.connect(sqlite_path())
    db.execute("DELETE FROM feedback WHERE category = 'incomplet'")
    db.commit()
    assert garant("log", "verify") == 1
    captured = capsys.readouterr()
    assert "retour du personnel" in captured.out and "supprimée" in captured.out
    assert "NON intègre" in captured.err and "sauvegarde" in captured.err
    assert garant("log", "verify", "--anchor", "12:abc") == 65


def test_verify_of_a_missing_log_is_a_clear_error(tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    assert garant("log", "verify", "--db", str(tmp_path / "absent.sqlite")) == 65
    assert "Aucun journal" in capsys.readouterr().err


def test_a_backup_taken_while_the_server_writes_verifies_and_restores(garant_home: Path, tmp_path: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    log = InteractionLog(garant_home, env=ENV)
    log.start()
    stop = threading.Event()
    written: list[str] = []

    def writer() -> None:
        n = 0
        while not stop.is_set():
            made = answer(f"Question {n} ?", ("charte", "guide"))
            log.record(made, f"s{n % 7}", "h", "c")
            if n % 5 == 0:
                log.add_feedback(made.id, "s", rating=-1)
            written.append(made.id)
            n += 1
            time.sleep(0.002)

    def stored() -> int:
        with log.reader() as db:
            return 0 if db is None else int(db.execute("SELECT COUNT(*) FROM interactions").fetchone()[0])

    thread = threading.Thread(target=writer)
    thread.start()
    try:
        backups = []
        for i in range(3):
            before = list(written)
            deadline = time.monotonic() + 30
            while stored() < len(before):  # rows are written in order
                assert time.monotonic() < deadline, "the writer does not keep up"
                time.sleep(0.01)
            target = backup(log.path, tmp_path / f"copie-{i}.sqlite")  # the writer thread goes on meanwhile
            result = verify(target)
            assert result.ok, result.problems("en")
            copied = {row[0] for row in sqlite3.connect(target).execute("SELECT id FROM interactions")}
            assert set(before) <= copied  # every row written before the copy is in it
            backups.append((target, len(copied)))
            assert stored() > 0 and not stop.is_set()
        # The CLI does the same and says how to restore.
        assert garant("log", "backup", str(tmp_path)) == 0
        assert "Pour la restaurer" in capsys.readouterr().out
    finally:
        stop.set()
        thread.join()
        log.stop()
    assert not (tmp_path / "copie-0.sqlite-wal").exists()
    assert oct((tmp_path / "copie-0.sqlite").stat().st_mode & 0o777) == "0o600"
    assert garant("log", "backup", str(backups[0][0])) == 65  # never overwrites a backup
    # Restore as documented: server stopped, -wal/-shm removed, copy over the log, start again.
    source, count = backups[-1]
    for suffix in ("-wal", "-shm"):
        Path(f"{log.path}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(source, log.path)
    with InteractionLog(garant_home, env=ENV) as restored:
        assert restored.flush(10)
        assert len(restored.list(limit=10**6)) == count
        restored.record(answer("Après restauration ?"), "s", "h", "c")
        assert restored.flush(10)
    assert garant("log", "verify") == 0
    assert "intègre" in capsys.readouterr().out
    # And the restored file passes `verify --db` too.
    assert garant("log", "verify", "--db", str(source)) == 0


def test_report_dates_are_utc_days() -> None:
    from assistant.governance.cli_log import period

    assert period("2025-03-01", "2025-03-07", None, date(2025, 4, 1)) == (date(2025, 3, 1), date(2025, 3, 8))
    assert period(None, None, 7, date(2025, 4, 1)) == (date(2025, 3, 26), date(2025, 4, 2))
    assert period(None, None, None, date(2025, 4, 1)) == (date(2025, 3, 3), date(2025, 4, 2))


def test_a_damaged_log_is_reported_without_a_traceback(garant_home: Path, capsys) -> None:  # type: ignore[no-untyped-def]
    garant_home.mkdir(parents=True)
    (garant_home / "governance.sqlite").write_bytes(b"pas une base" * 500)
    for argv in (["log", "export"], ["log", "list"], ["log", "verify"]):
        assert garant(*argv) == 1
        err = capsys.readouterr().err
        assert ("illisible" in err or "NON intègre" in err) and "Traceback" not in err
