"""Questions are checked before anything runs."""

from __future__ import annotations

import pytest

from assistant.answering.validation import clean_question
from assistant.errors import InputError


@pytest.mark.parametrize("bad", ["", "   \n\t ", "???", "\x00abc", "abc\x07def", b"bytes"])
def test_empty_binary_or_control_questions_are_refused_with_a_message_in_both_languages(bad: object) -> None:
    with pytest.raises(InputError) as caught:
        clean_question(bad, 2000)
    assert caught.value.message("fr") and caught.value.message("en")
    assert caught.value.message("fr") != caught.value.message("en")


def test_a_10000_character_question_is_refused_as_too_long() -> None:
    with pytest.raises(InputError) as caught:
        clean_question("pourquoi " * 1200, 2000)
    assert "trop longue" in caught.value.message("fr") and "2000" in caught.value.message("fr")


def test_a_normal_question_is_kept_with_normalised_whitespace() -> None:
    assert clean_question("  Qui valide\n le planning ?  ", 2000) == "Qui valide le planning ?"
