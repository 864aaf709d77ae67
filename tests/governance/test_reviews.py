"""Reviews and review accounts: the committee's decisions are validated, written at once with
the reviewer and the UTC time, and read back by the log; passwords are hashed and checked in
constant time; production never starts with default credentials."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from assistant.answering.model import Answer, AnswerSentence
from assistant.errors import ConfigError, InputError
from assistant.governance import accounts as accounts_module
from assistant.governance.accounts import (
    Account,
    Accounts,
    account_entry,
    hash_password,
    load_accounts,
    one_time_account,
    verify_password,
)
from assistant.governance.log import InteractionLog
from assistant.governance.reviews import record_review
from assistant.governance.settings import GovernanceSettings
from assistant.settings import load_settings

FAST = 1_000  # PBKDF2 iterations in tests (the default is deliberately slow)
NOW = datetime(2025, 3, 10, 9, 30, tzinfo=UTC)


def seed(log: InteractionLog, question: str = "Qui préside le comité IA ?", **flags: bool) -> Answer:
    """Record one answer (no passages) and wait until it is written."""
    answer = Answer(
        question=question,
        lang="fr",
        text="Le directeur général.",
        retrieved=[],
        sentences=[AnswerSentence(text="Le directeur général.", sources=[], support=0.8, model_sources=[], status="supported")],
        prompt_version="answer-fr@3",
        model={"name": "qwen", "file_sha256": "abc"},
        index_version="v1",
        **flags,
    )
    log.record(answer, "session", settings_hash="cafe", corpus_version="c1")
    assert log.flush(5)
    return answer


@pytest.fixture
def glog(garant_home: Path) -> Iterator[InteractionLog]:
    log = InteractionLog(garant_home, env={"GARANT_LOG_SALT": "sel"})
    log.start()
    yield log
    log.stop()


# --- the write path ---


def test_a_review_is_stored_with_reviewer_and_utc_time_and_shown_by_get(glog: InteractionLog) -> None:
    answer = seed(glog)
    review_id = record_review(
        glog, answer.id, "dr-qualite", "corrigé", "Le comité est présidé par le DG. ", "Mettre à jour la charte", clock=lambda: NOW
    )
    [review] = glog.get(answer.id)["reviews"]
    assert review["id"] == review_id
    assert (review["reviewer"], review["decision"], review["comment"], review["corpus_fix"]) == (
        "dr-qualite",
        "corrigé",
        "Le comité est présidé par le DG.",
        "Mettre à jour la charte",
    )
    assert review["created_at"] == "2025-03-10T09:30:00.000+00:00"


def test_a_review_is_written_at_once_through_a_path_too(glog: InteractionLog) -> None:
    answer = seed(glog)
    record_review(glog.path, answer.id, "relecteur", "validé", None)
    assert sqlite3.connect(glog.path).execute("SELECT decision FROM reviews").fetchall() == [("validé",)]


@pytest.mark.parametrize("decision", ["peut-être", "valide", "", "VALIDÉ"])
def test_an_unknown_decision_is_refused_in_both_languages(glog: InteractionLog, decision: str) -> None:
    answer = seed(glog)
    with pytest.raises(InputError) as refused:
        record_review(glog, answer.id, "relecteur", decision, "commentaire")
    assert "Décision inconnue" in refused.value.message("fr") and "Unknown decision" in refused.value.message("en")
    assert glog.get(answer.id)["reviews"] == []


def test_a_review_of_an_unknown_answer_is_refused_and_nothing_is_written(glog: InteractionLog) -> None:
    seed(glog)
    with pytest.raises(InputError, match="Réponse inconnue"):
        record_review(glog, "inexistant", "relecteur", "validé", None)
    assert sqlite3.connect(glog.path).execute("SELECT COUNT(*) FROM reviews").fetchone()[0] == 0


def test_a_review_before_any_log_exists_is_refused_without_creating_it(tmp_path: Path) -> None:
    with pytest.raises(InputError):
        record_review(tmp_path / "absent.sqlite", "x", "relecteur", "validé", None)
    assert not (tmp_path / "absent.sqlite").exists()


def test_a_correction_or_rejection_needs_a_comment_and_a_reviewer(glog: InteractionLog) -> None:
    answer = seed(glog)
    for decision in ("corrigé", "rejeté"):
        with pytest.raises(InputError, match="commentaire"):
            record_review(glog, answer.id, "relecteur", decision, "   ")
    with pytest.raises(InputError, match="Relecteur"):
        record_review(glog, answer.id, " ", "validé", None)


def test_a_reviewer_amends_their_own_decision_but_only_an_admin_overturns_another_members(glog: InteractionLog) -> None:
    answer = seed(glog)
    record_review(glog, answer.id, "relecteur-a", "validé", None)
    record_review(glog, answer.id, "relecteur-a", "corrigé", "Le délai est de 24 heures, pas 48.")
    with pytest.raises(InputError) as refused:
        record_review(glog, answer.id, "relecteur-b", "validé", None)
    assert "relecteur-a" in refused.value.message("fr") and "admin" in refused.value.message("en")
    record_review(glog, answer.id, "dr-admin", "rejeté", "Source archivée citée.", role="admin")
    decisions = [(r["reviewer"], r["decision"]) for r in glog.get(answer.id)["reviews"]]
    assert sorted(decisions) == sorted([("relecteur-a", "validé"), ("relecteur-a", "corrigé"), ("dr-admin", "rejeté")])


def test_review_comments_are_redacted(glog: InteractionLog) -> None:
    answer = seed(glog)
    record_review(glog, answer.id, "relecteur", "rejeté", "Appeler le 06 12 34 56 78 pour ce cas.")
    comment = glog.get(answer.id)["reviews"][0]["comment"]
    assert "06 12 34 56 78" not in comment and "[" in comment


# --- passwords and accounts ---


def test_a_password_hash_is_salted_pbkdf2_and_verifies_only_the_right_password() -> None:
    first, second = hash_password("correct horse battery", iterations=FAST), hash_password("correct horse battery", iterations=FAST)
    assert first.startswith(f"pbkdf2_sha256${FAST}$") and first != second
    assert verify_password("correct horse battery", first) and verify_password("correct horse battery", second)
    assert not verify_password("correct horse batterY", first)
    assert not verify_password("x", "not-a-hash")


def test_a_legacy_sha256_hash_still_verifies() -> None:
    import hashlib

    assert verify_password("mot-de-passe", hashlib.sha256(b"mot-de-passe").hexdigest())
    assert not verify_password("autre", hashlib.sha256(b"mot-de-passe").hexdigest())


def test_accounts_check_name_password_and_give_the_role() -> None:
    accounts = Accounts([Account("dr-qualite", "admin", hash_password("secret-de-test", iterations=FAST))])
    assert accounts("dr-qualite", "secret-de-test")
    assert not accounts("dr-qualite", "faux") and not accounts("inconnu", "secret-de-test")
    assert accounts.role("dr-qualite") == "admin" and accounts.role("inconnu") is None and accounts.role(None) is None


def test_repeated_failures_lock_a_name_out_for_a_while(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [1000.0]
    accounts = Accounts([Account("a", "reviewer", hash_password("bon-mot-de-passe", iterations=FAST))], clock=lambda: now[0])
    for _ in range(accounts_module.MAX_FAILURES):
        assert not accounts("a", "mauvais")
    assert not accounts("a", "bon-mot-de-passe")  # locked out
    now[0] += accounts_module.LOCKOUT_S + 1
    assert accounts("a", "bon-mot-de-passe")


def test_production_without_accounts_refuses_to_start_in_both_languages() -> None:
    with pytest.raises(ConfigError) as refused:
        load_accounts(GovernanceSettings(production=True), announce=pytest.fail)
    assert "production" in refused.value.message("fr") and "review-passwd" in refused.value.message("en")


def test_outside_production_a_one_time_random_password_is_announced(monkeypatch: pytest.MonkeyPatch) -> None:
    said: list[str] = []
    accounts = load_accounts(GovernanceSettings(), announce=said.append)
    [message] = said
    password = message.split("mot de passe à usage unique ")[1].split(" ")[0]
    assert accounts("admin", password) and accounts.role("admin") == "admin"
    assert "one-time password" in message
    (_, first), (_, second) = one_time_account(), one_time_account()
    assert first != second and len(first) >= 16


def test_configured_accounts_are_read_from_garant_toml(tmp_path: Path) -> None:
    entry = account_entry("dr-qualite", "admin", "un-long-secret", "un-long-secret", iterations=FAST)
    config = tmp_path / "garant.toml"
    config.write_text(f"[governance]\nproduction = true\nreview_port = 7999\n\n{entry}\n", encoding="utf-8")
    settings = load_settings(config, env={})
    accounts = load_accounts(settings.governance, announce=pytest.fail)
    assert settings.governance.review_port == 7999 and accounts("dr-qualite", "un-long-secret")
    assert "accounts" not in settings.governance.model_dump()  # kept out of the settings hash


def test_account_entry_refuses_mismatch_short_password_and_bad_names() -> None:
    with pytest.raises(InputError, match="diffèrent"):
        account_entry("a", "reviewer", "un-long-secret", "un-autre-secret", iterations=FAST)
    with pytest.raises(InputError, match="court"):
        account_entry("a", "reviewer", "court", "court", iterations=FAST)
    with pytest.raises(InputError, match="invalide"):
        account_entry('a" = 1\n[x', "reviewer", "un-long-secret", "un-long-secret", iterations=FAST)


def test_a_hash_that_is_not_one_is_refused_by_the_settings() -> None:
    with pytest.raises(ValueError, match="review-passwd"):
        GovernanceSettings(accounts=[{"username": "a", "password_hash": "motdepasse-en-clair"}])
