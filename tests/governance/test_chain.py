"""The hash chain and `verify`: a row deleted or edited behind the write path (interaction,
passage, feedback, review), a chain entry deleted or edited, a row slipped in, a rewritten log
— each is detected and named; a legitimate retention purge is not an alteration."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from log_records import Clock, passage

from assistant.answering.model import Answer, AnswerSentence
from assistant.errors import GarantError
from assistant.governance.log import InteractionLog
from assistant.governance.maintenance import purge_older_than, verify
from assistant.governance.migrations import MIGRATIONS, applied, connect, transaction
from assistant.governance.reviews import record_review
from assistant.governance.settings import GovernanceSettings

ENV = {"GARANT_LOG_SALT": "sel"}
T0 = datetime(2025, 1, 10, 9, 0, tzinfo=UTC)




def answer(question: str = "Qui préside le comité ?") -> Answer:
    return Answer(question=question, lang="fr", text="Le directeur. [1]", retrieved=[passage("charte", 1), passage("guide", 2)],
                  sentences=[AnswerSentence(text="Le directeur.", sources=[1], support=0.8, model_sources=[1], status="supported")],
                  prompt_version="p@1", model={"name": "fake"}, index_version="v1")


@pytest.fixture
def clock() -> Clock:
    return Clock(T0)


@pytest.fixture
def filled(garant_home: Path, clock: Clock) -> Iterator[tuple[InteractionLog, dict[str, str]]]:
    """A log with two answers (two passages each), feedback and a review, written and stopped."""
    log = InteractionLog(garant_home, env=ENV, clock=clock)
    with log:
        first, second = answer(), answer("Où est la charte ?")
        log.record(first, "s1", "h", "c")
        clock.now += timedelta(days=1)
        log.record(second, "s2", "h", "c")
        feedback = log.add_feedback(second.id, "s2", rating=-1, category="incorrect", comment="Faux")
        assert log.flush(5)
    review = record_review(log.path, second.id, "dr-qualite", "corrigé", "La charte dit le contraire.")
    yield log, {"first": first.id, "second": second.id, "feedback": feedback, "review": review}


def raw(path: Path) -> sqlite3.Connection:
    """A connection that goes around the write path, as someone editing the file would."""
    return sqlite3.connect(path, isolation_level=None)


def problems(path: Path) -> list[str]:
    result = verify(path)
    assert result.integrity_ok
    return result.problems("en")


def test_an_untouched_log_verifies_with_every_row_chained(filled) -> None:  # type: ignore[no-untyped-def]
    log, _ = filled
    result = verify(log.path)
    assert result.ok, result.problems("en")
    assert result.chain is not None
    # 2 answers + 4 passages + 1 feedback + 1 review, one entry each.
    assert (result.chain.entries, result.chain.rows, result.chain.purges) == (8, 8, 0)
    assert result.chain.head_seq == 8 and len(result.chain.head_hash) == 64


@pytest.mark.parametrize(("table", "where", "named"), [
    ("interactions", "id = '{first}'", "answer {first} deleted"),
    ("citations", "interaction_id = '{first}' AND number = 2", "retrieved passage {first}/2 deleted"),
    ("feedback", "id = '{feedback}'", "staff feedback {feedback} deleted"),
    ("reviews", "id = '{review}'", "review decision {review} deleted"),
])
def test_a_deleted_row_is_detected_and_named(filled, table: str, where: str, named: str) -> None:  # type: ignore[no-untyped-def]
    log, ids = filled
    db = raw(log.path)
    if table == "interactions":
        db.execute(f"DELETE FROM citations WHERE interaction_id = '{ids['first']}'")
    db.execute(f"DELETE FROM {table} WHERE {where.format(**ids)}")
    db.close()
    found = problems(log.path)
    assert any(named.format(**ids) in p for p in found), found


@pytest.mark.parametrize(("sql", "named"), [
    ("UPDATE interactions SET answer_redacted = 'Le DPO. [1]' WHERE id = '{second}'", "answer {second} modified"),
    ("UPDATE citations SET score = 0.99 WHERE interaction_id = '{second}' AND number = 1", "retrieved passage {second}/1 modified"),
    ("UPDATE feedback SET rating = 1, category = NULL WHERE id = '{feedback}'", "staff feedback {feedback} modified"),
    ("UPDATE reviews SET decision = 'validé' WHERE id = '{review}'", "review decision {review} modified"),
])
def test_an_edited_row_is_detected_and_named(filled, sql: str, named: str) -> None:  # type: ignore[no-untyped-def]
    log, ids = filled
    raw(log.path).execute(sql.format(**ids))
    found = problems(log.path)
    assert [p for p in found if named.format(**ids) in p], found


def test_a_deleted_or_edited_chain_entry_is_detected(filled) -> None:  # type: ignore[no-untyped-def]
    log, _ = filled
    db = raw(log.path)
    db.execute("DELETE FROM chain WHERE seq = 3")
    assert any("chain entries 3 to 3 deleted" in p for p in problems(log.path))
    db.execute("UPDATE chain SET digest = 'x' WHERE seq = 5")
    assert any("chain entry 5 modified" in p for p in problems(log.path))


def test_deleting_the_last_rows_with_their_chain_entries_is_detected(filled) -> None:  # type: ignore[no-untyped-def]
    log, ids = filled
    db = raw(log.path)
    db.execute("DELETE FROM reviews WHERE id = ?", (ids["review"],))
    db.execute("DELETE FROM chain WHERE seq = 8")
    assert any("last chain entries deleted" in p for p in problems(log.path))


def test_a_row_slipped_in_outside_the_write_path_is_detected(filled) -> None:  # type: ignore[no-untyped-def]
    log, ids = filled
    raw(log.path).execute("INSERT INTO reviews VALUES ('faux', ?, 'intrus', 'validé', NULL, NULL, '2025-01-12')", (ids["first"],))
    assert any("review decision faux added outside the write path" in p for p in problems(log.path))


def test_a_rewritten_chain_is_caught_by_the_head_recorded_earlier(filled) -> None:  # type: ignore[no-untyped-def]
    log, ids = filled
    before = verify(log.path).chain
    assert before is not None
    anchor = (before.head_seq, before.head_hash)
    assert verify(log.path, anchor).ok
    # Someone deletes the review and rebuilds a consistent chain from scratch.
    db = connect(log.path)
    with transaction(db):
        db.execute("DELETE FROM reviews WHERE id = ?", (ids["review"],))
        db.execute("DELETE FROM chain")
        db.execute("DELETE FROM sqlite_sequence WHERE name = 'chain'")
        from assistant.governance.chain import chain_existing

        chain_existing(db)
    db.close()
    assert verify(log.path).ok  # a plain chain cannot see it…
    assert any("recorded chain head" in p for p in verify(log.path, anchor).problems("en"))  # …the anchor does


def test_a_retention_purge_is_not_an_alteration(filled, clock: Clock) -> None:  # type: ignore[no-untyped-def]
    log, ids = filled
    # `garant log purge`: the first day goes (with its passages), the second stays.
    deleted = purge_older_than(log.path, 200, now=T0 + timedelta(days=200, hours=12))
    assert deleted == {"citations": 2, "feedback": 0, "reviews": 0, "interactions": 1}
    result = verify(log.path)
    assert result.ok, result.problems("en")
    assert result.chain is not None and result.chain.purges == 1
    # The running log's own daily purge, recorded the same way.
    clock.now = T0 + timedelta(days=400)
    with InteractionLog(log.home, GovernanceSettings(retention_days=365), env=ENV, clock=clock) as again:
        again.record(answer("Nouvelle question ?"), "s3", "h", "c")
        assert again.flush(5)
        assert [row["question_redacted"] for row in again.list()] == ["Nouvelle question ?"]
    result = verify(log.path)
    assert result.ok, result.problems("en")
    assert result.chain is not None and result.chain.purges == 2
    # A row deleted later, outside any purge, is still caught.
    raw(log.path).execute("DELETE FROM citations WHERE number = 2")
    assert any("deleted" in p and "without a retention purge" in p for p in problems(log.path))


def test_a_purge_does_not_excuse_rows_younger_than_its_cutoff(filled) -> None:  # type: ignore[no-untyped-def]
    log, ids = filled
    purge_older_than(log.path, 200, now=T0 + timedelta(days=200, hours=12))
    raw(log.path).execute("DELETE FROM feedback WHERE id = ?", (ids["feedback"],))
    assert any(f"staff feedback {ids['feedback']} deleted" in p for p in problems(log.path))


def test_the_migration_chains_the_rows_of_an_older_log(garant_home: Path, clock: Clock) -> None:
    path = garant_home / "governance.sqlite"
    db = connect(path)
    applied(db)  # creates the _migrations table
    for migration in MIGRATIONS[:4]:  # a log written before the chain existed
        with transaction(db):
            migration(db)
            db.execute("INSERT INTO _migrations VALUES (?, '2024-12-01')", (migration.__name__,))
    db.execute("INSERT INTO interactions (id, created_at, session_hash, lang) VALUES ('old', '2024-12-01T00:00:00.000+00:00', 'h', 'fr')")
    db.execute("INSERT INTO feedback (id, interaction_id, created_at, rating, session_hash) VALUES ('f', 'old', '2024-12-01', 1, 'h')")
    db.close()
    assert not verify(path).ok  # no chain yet: it cannot be attested
    assert "older than the integrity chain" in verify(path).problems("en")[0]
    with InteractionLog(garant_home, env=ENV, clock=clock) as log:
        assert log.flush(5)
    assert "m005_chain" in applied(sqlite3.connect(path))
    result = verify(path)
    assert result.ok and result.chain is not None and result.chain.rows == 2


def test_a_damaged_file_fails_verification_with_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "governance.sqlite"
    path.write_bytes(b"ceci n'est pas une base SQLite" * 100)
    result = verify(path)
    assert not result.ok and not result.integrity_ok
    error = result.error()
    assert isinstance(error, GarantError) and "NON intègre" in error.message("fr") and "NOT intact" in error.message("en")


def test_adding_the_refusal_reason_keeps_the_rows_of_an_older_log_verified(garant_home: Path, clock: Clock) -> None:
    path = garant_home / "governance.sqlite"
    db = connect(path)
    applied(db)
    for n, migration in enumerate(MIGRATIONS[:5]):  # a chained log written before the refusal reason was recorded
        if n == 4:
            db.execute("INSERT INTO interactions (id, created_at, session_hash, lang, refused) "
                       "VALUES ('old', '2025-01-01T00:00:00.000+00:00', 'h', 'fr', 1)")
        with transaction(db):
            migration(db)  # m005 chains the row above, without the column to come
            db.execute("INSERT INTO _migrations VALUES (?, '2025-01-01')", (migration.__name__,))
    db.close()
    assert verify(path).ok
    with InteractionLog(garant_home, env=ENV, clock=clock) as log:
        assert log.flush(5)
    db = sqlite3.connect(path)
    assert "m006_refusal_reason" in applied(db)
    assert db.execute("SELECT refusal_reason FROM interactions WHERE id = 'old'").fetchone() == (None,)
    db.close()
    assert verify(path).ok
