"""A greeting, thanks or a request for help gets what Garant does and how to ask, not a refusal."""

from __future__ import annotations

import pytest

from assistant.answering.small_talk import is_small_talk


@pytest.mark.parametrize("message", [
    "Bonjour", "Bonsoir Garant !", "Merci beaucoup !", "Hello, can you help me?", "Bonjour, tu peux m’aider ?",
    "Qui es-tu ?", "What can you do?", "Comment ça marche ?", "thanks",
])
def test_greetings_thanks_and_requests_for_help(message: str) -> None:
    assert is_small_talk(message)


@pytest.mark.parametrize("message", [
    "Bonjour, dans quel délai faut-il signaler un incident ?",  # a question after the greeting
    "Merci pour la réponse sur le planning, et pour les nuits ?",
    "Who is the DPO?", "help me write a poem", "Aide au diagnostic : qui valide ?", "", "?!",
])
def test_a_message_with_anything_else_is_a_question(message: str) -> None:
    assert not is_small_talk(message)
