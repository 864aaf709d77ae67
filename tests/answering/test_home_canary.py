"""The installation's canary: secret, stable from run to run, one per data folder."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from assistant.errors import ConfigError
from assistant.prompts import CANARY_FILE, home_canary, load_prompt


def test_the_canary_is_stable_for_one_home_and_private(tmp_path: Path) -> None:
    first = home_canary(tmp_path / "a")
    assert home_canary(tmp_path / "a") == first
    assert home_canary(tmp_path / "b") != first
    assert stat.S_IMODE((tmp_path / "a" / CANARY_FILE).stat().st_mode) == 0o600
    prompt = load_prompt("answer", "fr", canary=first)
    assert prompt.system.rstrip().endswith(f"GARANT-{first}."), "at the end of the system message (prompt v4)"


def test_a_damaged_canary_file_is_a_clear_configuration_error(tmp_path: Path) -> None:
    (tmp_path / CANARY_FILE).write_text("not a canary", encoding="utf-8")
    with pytest.raises(ConfigError) as error:
        home_canary(tmp_path)
    assert CANARY_FILE in error.value.message("fr") and "delete" in error.value.message("en")


def test_the_answerer_uses_the_home_canary(fake_settings) -> None:  # type: ignore[no-untyped-def]
    from assistant.answering.service import Answerer

    answerer = Answerer(fake_settings, retriever=None, chat_model=lambda: None)  # type: ignore[arg-type]
    assert answerer.prompt("en").canary == home_canary(fake_settings.home)


def test_threads_creating_the_canary_at_once_all_read_the_same_whole_value(tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    for attempt in range(20):
        home = tmp_path / f"h{attempt}"
        with ThreadPoolExecutor(8) as pool:
            seen = set(pool.map(home_canary, [home] * 8))
        assert len(seen) == 1 and len(next(iter(seen))) == 16
        assert [p.name for p in home.iterdir()] == [CANARY_FILE]
