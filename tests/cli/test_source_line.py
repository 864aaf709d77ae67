"""How `garant ask` lists a source in the terminal."""

from __future__ import annotations

from types import SimpleNamespace

from assistant.cli import _source_line


def _passage(version: str | None) -> SimpleNamespace:
    document = SimpleNamespace(title="Regulation (EU) 2024/1689", kind="reglementation", version=version)
    return SimpleNamespace(document=document, location="p. 128, ANNEX III")


def test_a_source_line_names_the_version_as_the_page_does() -> None:
    assert _source_line(_passage("OJ L 2024/1689, 12.7.2024")) == (
        "Regulation (EU) 2024/1689 (reglementation, version OJ L 2024/1689, 12.7.2024) p. 128, ANNEX III")


def test_a_source_without_version_shows_no_empty_one() -> None:
    assert _source_line(_passage(None)) == "Regulation (EU) 2024/1689 (reglementation) p. 128, ANNEX III"
