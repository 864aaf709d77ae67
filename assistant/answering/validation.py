"""Checks a question before anything else runs: empty, too long, binary (lone surrogates,
non-characters) or control characters are refused with one clear sentence, and never reach
retrieval or the model."""

from __future__ import annotations

import re

from assistant.errors import InputError

# Control characters but tab and line breaks, lone surrogates (bytes decoded with
# `surrogateescape`), and Unicode non-characters (U+FDD0..U+FDEF, U+xFFFE and U+xFFFF of every plane).
_BINARY_RE = re.compile(
    r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufdd0-\ufdef"
    + "".join(chr(plane << 16 | 0xFFFE) + chr(plane << 16 | 0xFFFF) for plane in range(17))
    + "]"
)


def clean_question(text: object, max_chars: int) -> str:
    """The question, whitespace-normalised, or InputError saying what to change."""
    if not isinstance(text, str):
        raise InputError("La question doit être du texte.", "The question must be text.")
    if _BINARY_RE.search(text):
        raise InputError(
            "La question contient des caractères de contrôle ou binaires : retapez-la en texte simple.",
            "The question contains control or binary characters: type it again as plain text.",
        )
    question = " ".join(text.split())
    if not question:
        raise InputError("La question est vide : écrivez votre question.", "The question is empty: type your question.")
    if len(question) > max_chars:
        raise InputError(
            f"La question est trop longue ({len(question)} caractères, maximum {max_chars}) : raccourcissez-la.",
            f"The question is too long ({len(question)} characters, maximum {max_chars}): shorten it.",
        )
    if sum(c.isalnum() for c in question) < 2:
        raise InputError("La question ne contient pas de mots : reformulez-la.", "The question contains no words: rephrase it.")
    return question
