"""Folding text for the checks: accents and compatibility forms away, apostrophes plain, nothing else changed."""

from __future__ import annotations

import unicodedata

import pytest

from assistant.answering.language import fold


def _one_by_one(text: str) -> str:
    """The definition: NFKD, then every combining mark left out and every typographic apostrophe plain."""
    return "".join("'" if c in "\u2019\u2018\u02bc\u2032" else c
                   for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


@pytest.mark.parametrize("text", [
    "Combien coûte la licence ? « Délai » — 15 jours ouvrés, l’œuvre, ﬁche",
    "How long are logs kept?",
    "".join(chr(code) for code in range(0x20, 0x3000)),  # Latin, Greek, Cyrillic, Hebrew, Arabic… and their marks
    "e\u0301\u0327\u20d7 \U0001d165\U0001d166",  # marks after a letter, and musical combining marks beyond the BMP
])
def test_folding_drops_accents_and_marks_and_plains_apostrophes_only(text: str) -> None:
    assert fold(text) == _one_by_one(text)


def test_folding_examples() -> None:
    assert fold("Référent IA, coûte, naïve, ﬁche") == "Referent IA, coute, naive, fiche"
    assert fold("« guillemets » et l’apostrophe, ‘quoted’") == "« guillemets » et l'apostrophe, 'quoted'"
