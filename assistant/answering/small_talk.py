"""Recognises a message that is only a greeting, thanks or a request for help (« Bonjour »,
« Merci ! », "Hello, can you help me?"), so Garant answers it with what it does and how to ask,
instead of the refusal for an off-topic request (« Bonjour » resembled the role-leaving
examples) or passages that share no word with it (the AI Act's sandboxes for "Hello, can you
help me?"). A message with anything else in it is a question and goes the usual way.
"""

from __future__ import annotations

import re

from assistant.answering.language import fold

# Each alternative is a whole part of the message; parts are separated by punctuation.
_PART = re.compile(
    r"(?:bonjour|bonsoir|salut|coucou|hello|hi|hey|good (?:morning|afternoon|evening)|"
    r"merci(?: beaucoup| bien| a vous| a toi)?|thanks?(?: a lot| you(?: very much)?)?|thank you(?: very much)?|"
    r"(?:tu peux|vous pouvez|pouvez-vous|peux-tu|peux tu|est-ce que tu peux|est-ce que vous pouvez) m'aider|"
    r"(?:can|could) you help(?: me)?|aide(?:-moi| moi)?|help(?: me)?|au secours|"
    r"(?:que|qu'est-ce que) (?:sais-tu|tu sais|savez-vous|vous savez) faire|"
    r"what can you do|how does (?:it|this) work|comment (?:ca|cela) (?:marche|fonctionne)|"
    r"(?:tu es|vous etes|t'es) (?:qui|quoi)|qui es-tu|qui etes-vous|who are you|what are you)"
    r"(?: garant)?",
)


def is_small_talk(question: str) -> bool:
    """True when every part of the message is a greeting, thanks or a request for help."""
    text = fold(question).lower().replace("’", "'")
    parts = [part.strip(" \t\"«»()-") for part in re.split(r"[,;:.!?…\n]+", text)]
    parts = [part for part in parts if part]
    return bool(parts) and all(_PART.fullmatch(part) for part in parts)
