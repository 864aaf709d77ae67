"""The chat-model interface and the factory that picks an adapter from settings.

Every engine that writes text (a local GGUF through llama.cpp, an OpenAI-compatible server,
the scripted fake) sits behind `ChatModel`: it streams text pieces for a list of messages
and names itself with a `ChatModelInfo` that the governance log records. Adapters raise
only `ModelError` (file missing, wrong hash, cannot load) and `GenerationError` (failure or
timeout while writing); `GenerationTimeout` carries what was written before the limit.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Literal, Protocol

from assistant.errors import GenerationError
from assistant.settings import LLMSettings

Role = Literal["system", "user", "assistant"]
ROLES: frozenset[str] = frozenset({"system", "user", "assistant"})


@dataclass(frozen=True)
class ChatMessage:
    """One turn of a conversation: who speaks (`system`, `user`, `assistant`) and what."""

    role: Role
    content: str

    def __post_init__(self) -> None:
        if self.role not in ROLES:
            raise ValueError(f"Unknown chat role {self.role!r}; expected one of {sorted(ROLES)}.")

    def as_dict(self) -> dict[str, str]:
        """The OpenAI / llama.cpp wire form."""
        return {"role": self.role, "content": self.content}


@dataclass(frozen=True)
class ChatModelInfo:
    """Identity of a chat model, recorded with every answer."""

    name: str
    backend: str
    file_sha256: str | None
    context_size: int

    def as_dict(self) -> dict[str, object]:
        """JSON-friendly form."""
        return {"name": self.name, "backend": self.backend, "file_sha256": self.file_sha256, "context_size": self.context_size}


class GenerationTimeout(GenerationError):
    """The generation passed `llm.timeout_s`; `partial` holds the text written before it stopped."""

    def __init__(self, timeout_s: float, partial: str = "") -> None:
        super().__init__(
            f"Le modèle n'a pas terminé sa réponse en {timeout_s:g} s : raccourcissez la question ou réessayez plus tard.",
            f"The model did not finish its answer within {timeout_s:g} s: shorten the question or try again later.",
        )
        self.timeout_s = timeout_s
        self.partial = partial


class ChatModel(Protocol):
    """Writes an answer to a list of messages, piece by piece.

    Adapters subclass this protocol explicitly to inherit `complete`.
    """

    info: ChatModelInfo

    def stream(self, messages: list[ChatMessage], max_tokens: int, stop: list[str] | None = None) -> Iterator[str]:
        """Yield the answer as text pieces. At most `max_tokens` tokens (also capped by
        `llm.max_tokens`); generation ends early at any string of `stop` (not included).
        Raises GenerationError on failure, GenerationTimeout past `llm.timeout_s`."""
        ...

    def tokens(self, text: str) -> int:
        """Number of tokens `text` costs in the prompt (exact for llama.cpp, an upper estimate otherwise)."""
        ...

    def complete(self, messages: list[ChatMessage], max_tokens: int, stop: list[str] | None = None) -> str:
        """The whole answer as one string (the pieces of `stream`, joined)."""
        return "".join(self.stream(messages, max_tokens, stop))


def check_messages(messages: list[ChatMessage]) -> None:
    """Refuse an empty conversation or one that is not made of ChatMessage (a programming error)."""
    if not messages:
        raise ValueError("A chat request needs at least one message.")
    for message in messages:
        if not isinstance(message, ChatMessage):
            raise TypeError(f"Expected ChatMessage, got {type(message).__name__}.")


def build_chat_model(settings: LLMSettings, models_dir: Path) -> ChatModel:
    """The chat model named by `settings.backend`; each adapter imports its engine lazily.

    For `llama-cpp` this verifies the file's SHA-256 and loads the weights (seconds): call it
    once, where the services are wired, and share the object.
    """
    # The fake needs nothing installed.
    if settings.backend == "fake":
        from assistant.engines.chat_fake import FakeChatModel

        return FakeChatModel()
    # The HTTP client only needs httpx.
    if settings.backend == "openai":
        from assistant.engines.chat_openai import OpenAIChatModel

        return OpenAIChatModel(settings)
    # The local engine: llama-cpp-python is imported inside the adapter.
    from assistant.engines.chat_llamacpp import LlamaCppChatModel

    return LlamaCppChatModel(settings, models_dir)
