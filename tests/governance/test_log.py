"""The governance log: schema and migrations, the single write path (redacted, pseudonymised,
never lost), feedback, and the read queries of the review and dashboard pages."""

from __future__ import annotations

import hashlib
import hmac
import json
import sqlite3
import stat
import time
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from log_records import Clock

from assistant.answering.model import REFUSAL_LABEL, Answer, AnswerSentence
from assistant.errors import InputError
from assistant.governance import log as log_module
from assistant.governance.log import InteractionLog
from assistant.governance.migrations import MIGRATIONS, connect, migrate
from assistant.governance.queries import normalise_question
from assistant.governance.settings import GovernanceSettings
from assistant.index.store import ChunkRecord, DocumentRecord
from assistant.retrieval.hybrid import Passage

SALT = "sel-de-test"
ENV = {"GARANT_LOG_SALT": SALT}
SESSION = "session-7f3a-CLAIR"


def passage(doc_id: str, n: int, score: float = 0.5) -> Passage:
    """A retrieved passage built from the real index records."""
    document = DocumentRecord(
        doc_id=doc_id, title=f"Titre {doc_id}", kind="procedure", version="2.0", effective_date="2024-01-01",
        status="en_vigueur", owner="Qualité", lang="fr", source_path=f"{doc_id}.md", content_sha256=f"sha-{doc_id}",
        size_bytes=100, page_count=1, chunk_count=3, ingested_at="2024-06-01T00:00:00+00:00",
    )
    chunk = ChunkRecord(chunk_id=f"{doc_id}-c{n}", doc_id=doc_id, ordinal=n, text=f"Texte {n} de {doc_id}.", pages=[1],
                        heading_path=["Section"], char_start=0, char_end=20, content_sha256=f"chunk-sha-{doc_id}-{n}")
    return Passage(chunk=chunk, document=document, score=score, rank=n)


def make_answer(question: str = "Qui préside le comité IA ?", text: str = "Le directeur général préside le comité. [1]",
                docs: tuple[str, ...] = ("charte", "procedure"), refused: bool = False, degraded: bool = False,
                lang: str = "fr", supports: tuple[float, ...] = (0.9, 0.6)) -> Answer:
    """An answer citing source 1 from the first document, with the others only retrieved."""
    retrieved = [passage(doc, i, score=1.0 / i) for i, doc in enumerate(docs, start=1)]
    sentences = [] if refused or degraded else [
        AnswerSentence(text=f"Phrase {i}.", sources=[1], support=s, model_sources=[1], status="supported")
        for i, s in enumerate(supports)
    ]
    return Answer(
        question=question, lang=lang, text=REFUSAL_LABEL[lang] if refused else text, retrieved=retrieved,
        sentences=sentences, dropped=["Phrase sans appui."] if sentences else [], refused=refused, degraded=degraded,
        prompt_version="answer-fr@3", model={"name": "qwen", "backend": "fake", "file_sha256": "abc123", "context_size": 4096},
        index_version="v0007", timings={"retrieval_s": 0.0123, "total_s": 1.5},
    )


@pytest.fixture
def clock() -> Clock:
    return Clock(datetime(2025, 3, 10, 9, 0, tzinfo=UTC))


@pytest.fixture
def glog(garant_home: Path, clock: Clock) -> Iterator[InteractionLog]:
    """A started log in the test's home."""
    log = InteractionLog(garant_home, env=ENV, clock=clock)
    log.start()
    yield log
    log.stop()


def record(log: InteractionLog, answer: Answer, session: str = SESSION) -> Answer:
    log.record(answer, session, settings_hash="cafe1234", corpus_version="corpus-42")
    return answer


# --- schema ---


def test_start_creates_the_schema_in_wal_mode_and_records_migrations(glog: InteractionLog) -> None:
    assert glog.flush(5)
    db = sqlite3.connect(glog.path)
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"_migrations", "interactions", "citations", "feedback", "reviews"} <= tables
    assert [r[0] for r in db.execute("SELECT name FROM _migrations ORDER BY rowid")] == [m.__name__ for m in MIGRATIONS]
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_migrations_are_idempotent(tmp_path: Path) -> None:
    db = connect(tmp_path / "g.sqlite")
    assert migrate(db) == [m.__name__ for m in MIGRATIONS]
    assert migrate(db) == []
    assert db.execute("SELECT COUNT(*) FROM _migrations").fetchone()[0] == len(MIGRATIONS)


def test_reviews_accept_only_the_committee_decisions(glog: InteractionLog) -> None:
    answer = record(glog, make_answer())
    assert glog.flush(5)
    db = sqlite3.connect(glog.path)
    db.execute("PRAGMA foreign_keys=ON")
    db.execute("INSERT INTO reviews VALUES ('r1', ?, 'dr-qualite', 'corrigé', 'ok', NULL, '2025-03-10')", (answer.id,))
    with pytest.raises(sqlite3.IntegrityError):
        db.execute("INSERT INTO reviews VALUES ('r2', ?, 'dr-qualite', 'peut-être', NULL, NULL, '2025-03-10')", (answer.id,))
    db.commit()
    assert [r["decision"] for r in glog.get(answer.id)["reviews"]] == ["corrigé"]


# --- the write path ---


def test_record_then_get_round_trips_with_citations(glog: InteractionLog) -> None:
    answer = record(glog, make_answer())
    assert glog.flush(5)
    got = glog.get(answer.id)
    assert got["question_redacted"] == answer.question and got["answer_redacted"] == answer.text
    assert got["created_at"] == "2025-03-10T09:00:00.000+00:00"
    assert (got["lang"], got["refused"], got["degraded"], got["redaction_failed"]) == ("fr", False, False, False)
    assert (got["prompt_version"], got["model_name"], got["model_sha256"]) == ("answer-fr@3", "qwen", "abc123")
    assert (got["settings_hash"], got["index_version"], got["corpus_version"]) == ("cafe1234", "v0007", "corpus-42")
    assert got["timings"] == {"retrieval_s": 0.0123, "total_s": 1.5}
    assert got["support_min"] == 0.6 and got["n_dropped_sentences"] == 1
    assert [(c["number"], c["doc_id"], c["chunk_id"], c["cited"], c["support"]) for c in got["citations"]] == [
        (1, "charte", "charte-c1", True, 0.9), (2, "procedure", "procedure-c2", False, None)]
    first = got["citations"][0]
    assert (first["doc_version"], first["document_sha256"], first["chunk_sha256"], first["score"]) == (
        "2.0", "sha-charte", "chunk-sha-charte-1", 1.0)
    assert got["feedback"] == [] and got["reviews"] == []


def test_the_session_id_is_never_stored_in_clear(glog: InteractionLog, garant_home: Path) -> None:
    answer = record(glog, make_answer())
    glog.add_feedback(answer.id, SESSION, rating=1)
    assert glog.flush(5)
    expected = hmac.new(SALT.encode(), SESSION.encode(), hashlib.sha256).hexdigest()
    got = glog.get(answer.id)
    assert got["session_hash"] == expected and got["feedback"][0]["session_hash"] == expected
    glog.stop()
    for path in garant_home.rglob("*"):
        if path.is_file():
            assert SESSION.encode() not in path.read_bytes(), path


def test_without_the_salt_variable_a_private_salt_file_is_created_once(garant_home: Path) -> None:
    first = InteractionLog(garant_home, env={})
    hashed = first.session_hash(SESSION)
    salt_file = garant_home / ".log-salt"
    assert stat.S_IMODE(salt_file.stat().st_mode) == 0o600
    assert InteractionLog(garant_home, env={}).session_hash(SESSION) == hashed
    assert InteractionLog(garant_home, env=ENV).session_hash(SESSION) != hashed


def test_processes_creating_the_salt_at_once_never_get_an_empty_or_different_one(tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    from assistant.governance.salt import load_salt
    from assistant.governance.settings import GovernanceSettings

    for attempt in range(20):
        home = tmp_path / f"h{attempt}"
        with ThreadPoolExecutor(8) as pool:
            salts = set(pool.map(lambda h: load_salt(GovernanceSettings(), h, env={}), [home] * 8))
        assert len(salts) == 1 and len(next(iter(salts))) == 64


def test_question_answer_and_comment_are_redacted(glog: InteractionLog) -> None:
    answer = record(glog, make_answer(
        question="Mme Durand, née le 12/03/1985, NIR 1 85 05 78 006 084 36 : que faire ?",
        text="Appelez le 06 12 34 56 78 ou écrivez à dpo@chu-exemple.fr. [1]"))
    glog.add_feedback(answer.id, SESSION, rating=-1, category="incorrect", comment="Voir avec M. Lefèvre, IPP 12345678")
    assert glog.flush(5)
    got = glog.get(answer.id)
    assert got["question_redacted"] == "[NOM], née le [DATE_NAISSANCE], NIR [NIR] : que faire ?"
    assert got["answer_redacted"] == "Appelez le [TEL] ou écrivez à [EMAIL]. [1]"
    assert got["redaction_counts"] == {"DATE_NAISSANCE": 1, "EMAIL": 1, "NIR": 1, "NOM": 1, "TEL": 1}
    assert got["feedback"][0]["comment_redacted"] == "Voir avec [NOM], IPP [IPP]"


def test_store_text_false_keeps_no_text_at_all(garant_home: Path) -> None:
    with InteractionLog(garant_home, GovernanceSettings(store_text=False), env=ENV) as glog:
        answer = record(glog, make_answer())
        glog.add_feedback(answer.id, SESSION, rating=-1, comment="Mme Durand dit que c'est faux")
        assert glog.flush(5)
        got = glog.get(answer.id)
    assert got["question_redacted"] is None and got["answer_redacted"] is None
    assert got["feedback"][0]["comment_redacted"] is None and got["redaction_failed"] is False
    assert len(got["citations"]) == 2


def test_a_redaction_failure_stores_the_row_without_texts(glog: InteractionLog, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(text: str) -> tuple[str, dict[str, int]]:
        raise RuntimeError("bug")

    monkeypatch.setattr(log_module, "redact", broken)
    answer = record(glog, make_answer())
    assert glog.flush(5)
    got = glog.get(answer.id)
    assert got["redaction_failed"] is True
    assert got["question_redacted"] is None and got["answer_redacted"] is None


def test_feedback_is_attached_even_before_the_answer_is_written(glog: InteractionLog) -> None:
    answer = record(glog, make_answer())
    first = glog.add_feedback(answer.id, "autre-session", rating=-1, category="source_erronee")
    second = glog.add_feedback(answer.id, SESSION, comment="Il manque l'annexe.")
    assert glog.flush(5)
    feedback = glog.get(answer.id)["feedback"]
    assert [f["id"] for f in feedback] == [first, second]
    assert (feedback[0]["rating"], feedback[0]["category"]) == (-1, "source_erronee")
    assert feedback[1]["comment_redacted"] == "Il manque l'annexe."


@pytest.mark.parametrize(("kwargs", "fragment"), [
    ({"rating": 1, "category": "faux"}, "Unknown feedback category"),
    ({"rating": 5}, "Invalid rating"),
    ({"rating": True}, "Invalid rating"),
    ({}, "Empty feedback"),
])
def test_invalid_feedback_is_refused_with_a_clear_message(glog: InteractionLog, kwargs: dict, fragment: str) -> None:
    answer = record(glog, make_answer())
    with pytest.raises(InputError) as caught:
        glog.add_feedback(answer.id, SESSION, **kwargs)
    assert fragment in caught.value.message("en") and caught.value.message("fr") != caught.value.message("en")


def test_feedback_on_an_unknown_answer_is_refused(glog: InteractionLog) -> None:
    with pytest.raises(InputError) as caught:
        glog.add_feedback("pas-un-id", SESSION, rating=1)
    assert "Unknown answer" in caught.value.message("en") and "Réponse inconnue" in caught.value.message("fr")
    with pytest.raises(InputError):
        glog.get("pas-un-id")


# --- failures: retried, spilled, replayed ---


@pytest.fixture
def fast_log(garant_home: Path, clock: Clock) -> Iterator[InteractionLog]:
    """A started log that gives up on a lock quickly and retries often."""
    log = InteractionLog(garant_home, env=ENV, clock=clock, busy_timeout_s=0.02, retry_max_s=0.05)
    log.start()
    assert log.flush(5)
    yield log
    log.stop()


def lock(path: Path) -> sqlite3.Connection:
    """Another connection holding the write lock."""
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("BEGIN EXCLUSIVE")
    return db


def wait_for(condition, timeout: float = 5.0) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.01)
    return False


def test_a_failing_write_is_retried_and_not_lost_while_answering_goes_on(fast_log: InteractionLog) -> None:
    blocker = lock(fast_log.path)
    started = time.perf_counter()
    answer = record(fast_log, make_answer())
    assert time.perf_counter() - started < 1.0  # record never waits for the locked database (its busy timeout is longer)
    assert wait_for(lambda: fast_log.write_errors >= 2)
    assert not fast_log.flush(0.05)
    blocker.execute("ROLLBACK")
    blocker.close()
    assert fast_log.flush(5)
    assert fast_log.get(answer.id)["question_redacted"] == answer.question


def test_rows_pending_at_stop_are_spilled_then_replayed_on_restart(fast_log: InteractionLog, garant_home: Path, clock: Clock) -> None:
    blocker = lock(fast_log.path)
    answer = record(fast_log, make_answer())
    assert wait_for(lambda: fast_log.write_errors >= 1)
    feedback_id = fast_log.add_feedback(answer.id, SESSION, rating=-1)
    fast_log.stop(timeout=2)
    late = record(fast_log, make_answer(question="Enregistrée après l'arrêt ?"))
    blocker.execute("ROLLBACK")
    blocker.close()
    spill = garant_home / "governance-pending.jsonl"
    lines = [json.loads(line) for line in spill.read_text(encoding="utf-8").splitlines()]
    assert [item["kind"] for item in lines] == ["interaction", "feedback", "interaction"]
    assert stat.S_IMODE(spill.stat().st_mode) == 0o600
    assert SESSION not in spill.read_text(encoding="utf-8")
    with InteractionLog(garant_home, env=ENV, clock=clock) as again:
        assert again.flush(5)
        assert again.get(answer.id)["feedback"][0]["id"] == feedback_id
        assert again.get(late.id)["question_redacted"] == "Enregistrée après l'arrêt ?"
    assert not spill.exists() and not spill.with_name(spill.name + ".replaying").exists()


def test_a_replay_interrupted_by_a_crash_is_not_lost_nor_duplicated(garant_home: Path, clock: Clock) -> None:
    with InteractionLog(garant_home, env=ENV, clock=clock) as first:
        answer = record(first, make_answer())
        assert first.flush(5)
    item = {"kind": "interaction", "row": first.get(answer.id), "citations": []}
    for key in ("citations", "feedback", "reviews"):
        item["row"].pop(key)
    item["row"]["timings"] = json.dumps(item["row"]["timings"])
    item["row"]["redaction_counts"] = json.dumps(item["row"]["redaction_counts"])
    # A crash left the same row in both pending files.
    (garant_home / "governance-pending.jsonl.replaying").write_text(json.dumps(item) + "\n", encoding="utf-8")
    (garant_home / "governance-pending.jsonl").write_text(json.dumps(item) + "\nnot json\n", encoding="utf-8")
    with InteractionLog(garant_home, env=ENV, clock=clock) as again:
        assert again.flush(5)
        assert len(again.list()) == 1
        assert len(again.get(answer.id)["citations"]) == 2


def test_a_row_the_database_refuses_is_set_aside_not_dropped(glog: InteractionLog, garant_home: Path) -> None:
    answer = record(glog, make_answer())
    assert glog.flush(5)
    glog._put({"kind": "feedback", "row": {"id": "f1", "interaction_id": answer.id, "created_at": "x",
                                           "rating": 7, "category": None, "comment_redacted": None, "session_hash": "h"}})
    assert glog.flush(5)
    rejected = (garant_home / "governance-rejected.jsonl").read_text(encoding="utf-8")
    assert json.loads(rejected)["row"]["rating"] == 7
    assert glog.get(answer.id)["feedback"] == []


def test_expired_interactions_are_purged_at_start(garant_home: Path, clock: Clock) -> None:
    with InteractionLog(garant_home, GovernanceSettings(retention_days=180), env=ENV, clock=clock) as glog:
        old = record(glog, make_answer())
        glog.add_feedback(old.id, SESSION, rating=1)
        clock.now += timedelta(days=179)
        recent = record(glog, make_answer())
        assert glog.flush(5)
    clock.now += timedelta(days=2)
    with InteractionLog(garant_home, GovernanceSettings(retention_days=180), env=ENV, clock=clock) as glog:
        assert glog.flush(5)
        assert [r["id"] for r in glog.list()] == [recent.id]
    db = sqlite3.connect(glog.path)
    assert db.execute("SELECT COUNT(*) FROM citations WHERE interaction_id = ?", (old.id,)).fetchone()[0] == 0
    assert db.execute("SELECT COUNT(*) FROM feedback").fetchone()[0] == 0


# --- reads ---


@pytest.fixture
def synthetic(glog: InteractionLog, clock: Clock) -> dict[str, Answer]:
    """Six interactions over three days: answered, refused (twice the same question), degraded, English."""
    clock.now = datetime(2025, 3, 8, 10, 0, tzinfo=UTC)
    made = {"ok": record(glog, make_answer(supports=(0.9, 0.8)))}
    made["weak"] = record(glog, make_answer(docs=("procedure", "charte"), supports=(0.55,)))
    clock.now = datetime(2025, 3, 9, 10, 0, tzinfo=UTC)
    made["refused1"] = record(glog, make_answer(question="Qui est le DPO ?", refused=True))
    made["refused2"] = record(glog, make_answer(question="qui est le  DPO", refused=True))
    clock.now = datetime(2025, 3, 10, 10, 0, tzinfo=UTC)
    made["degraded"] = record(glog, make_answer(degraded=True, docs=("guide",)))
    made["english"] = record(glog, make_answer(question="Who chairs the AI committee?", text="The director. [1]", lang="en"))
    glog.add_feedback(made["ok"].id, SESSION, rating=1)
    glog.add_feedback(made["weak"].id, SESSION, rating=-1, category="incomplet")
    glog.add_feedback(made["weak"].id, "s2", category="source_erronee")
    glog.add_feedback(made["english"].id, SESSION, comment="Merci")
    assert glog.flush(5)
    return made


def test_list_filters_interactions(glog: InteractionLog, synthetic: dict[str, Answer]) -> None:
    def ids(**filters: object) -> list[str]:
        return [row["id"] for row in glog.list(**filters)]  # type: ignore[arg-type]

    newest_first = [row["created_at"] for row in glog.list()]
    assert len(newest_first) == 6 and newest_first == sorted(newest_first, reverse=True)
    assert ids(flagged=True) == [synthetic["weak"].id]
    assert set(ids(refused=True)) == {synthetic["refused1"].id, synthetic["refused2"].id}
    assert ids(degraded=True) == [synthetic["degraded"].id]
    assert ids(low_support=0.6) == [synthetic["weak"].id]
    assert ids(doc_id="guide") == [synthetic["degraded"].id]
    assert ids(lang="en") == [synthetic["english"].id]
    assert set(ids(since=date(2025, 3, 9), until=date(2025, 3, 10))) == {synthetic["refused1"].id, synthetic["refused2"].id}
    assert len(ids(since=datetime(2025, 3, 10, 0, 0))) == 2
    assert len(ids(limit=4)) == 4 and len(ids(limit=4, offset=4)) == 2
    weak = glog.list(flagged=True)[0]
    assert (weak["flagged"], weak["n_feedback"], weak["n_cited"]) == (True, 2, 1)


def test_stats_figures_on_a_small_synthetic_log(glog: InteractionLog, synthetic: dict[str, Answer]) -> None:
    stats = glog.stats(days=7)
    assert stats["questions"] == 6 and stats["refused"] == 2 and stats["degraded"] == 1
    assert stats["refusal_rate"] == pytest.approx(2 / 6) and stats["degraded_rate"] == pytest.approx(1 / 6)
    per_day = {d["day"]: d["questions"] for d in stats["per_day"]}
    assert len(per_day) == 7 and per_day["2025-03-08"] == 2 and per_day["2025-03-09"] == 2 and per_day["2025-03-10"] == 2
    assert per_day["2025-03-04"] == 0
    assert stats["feedback"] == {
        "interactions_with_feedback": 3, "feedback_rate": 0.5, "positive": 1, "negative": 1, "negative_rate": 0.5,
        "by_category": {"incomplet": 1, "source_erronee": 1},
    }
    assert stats["most_cited_documents"] == [{"doc_id": "charte", "count": 2}, {"doc_id": "procedure", "count": 1}]
    assert stats["top_refused_questions"] == [{"question": "qui est le dpo", "count": 2}]
    assert glog.stats(days=1)["questions"] == 2
    greeting = make_answer(question="Bonjour", refused=True)
    greeting.refusal_reason = "small_talk"
    record(glog, greeting)
    assert glog.flush(5)
    stats = glog.stats(days=7)  # a greeting is counted, but is not a question the documents lack
    assert stats["refusals_by_reason"].get("small_talk") == 1
    assert stats["top_refused_questions"] == [{"question": "qui est le dpo", "count": 2}]


def test_a_retention_below_the_ai_act_six_months_is_refused_by_the_settings() -> None:
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="180"):
        GovernanceSettings(retention_days=90)


def test_reads_on_a_log_not_yet_created_are_empty(garant_home: Path) -> None:
    glog = InteractionLog(garant_home, env=ENV)
    assert glog.list() == [] and glog.stats()["questions"] == 0
    assert not glog.path.exists()


def test_normalised_questions_ignore_case_accents_spaces_and_punctuation() -> None:
    assert normalise_question("  Qui  préside le Comité ?") == normalise_question("qui preside le comite")
    assert normalise_question("L’IA ?") == "l'ia"


def test_why_an_answer_was_refused_is_logged_and_counted(glog: InteractionLog) -> None:
    reasons = ["no_evidence", "role_resemblance", "no_evidence"]
    answers = []
    for reason in reasons:
        answer = make_answer(question=f"Question {len(answers)} ?", refused=True)
        answer.refusal_reason = reason
        answers.append(record(glog, answer))
    record(glog, make_answer())
    assert glog.flush(5)
    assert glog.get(answers[1].id)["refusal_reason"] == "role_resemblance"
    assert glog.stats(days=1)["refusals_by_reason"] == {"no_evidence": 2, "role_resemblance": 1}
