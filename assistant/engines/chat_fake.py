"""A scripted chat model for tests and demos (`llm.backend = "fake"`): replays queued answers
word by word, records every conversation it received, and can be told to fail."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterator

from assistant.engines.chat import ChatMessage, ChatModel, ChatModelInfo, check_messages

DEFAULT_REPLY = "Réponse de test."
_PIECES = re.compile(r"\s*\S+")


class FakeChatModel(ChatModel):
    """Replays `replies` in order (the last one repeats), or calls `replies(messages)`.

    `fail`: raised (the same object each time) when a stream starts, to test degraded modes.
    `delay_s`: pause before each piece, to test timeouts and streaming displays.
    `calls`: the message lists received, in order.
    A "token" is a whitespace-separated word: `max_tokens` cuts the reply after that many words.
    """

    def __init__(
        self,
        replies: list[str] | Callable[[list[ChatMessage]], str] | None = None,
        fail: Exception | None = None,
        delay_s: float = 0,
    ) -> None:
        self._replies = replies if replies is not None else [DEFAULT_REPLY]
        self._next = 0
        self._lock = threading.Lock()
        self.fail = fail
        self.delay_s = delay_s
        self.calls: list[list[ChatMessage]] = []
        self.info = ChatModelInfo(name="fake", backend="fake", file_sha256=None, context_size=32768)

    def tokens(self, text: str) -> int:
        """Words in `text` (the fake's notion of a token)."""
        return len(text.split())

    def stream(self, messages: list[ChatMessage], max_tokens: int, stop: list[str] | None = None) -> Iterator[str]:
        """Yield the next scripted reply word by word (with its leading whitespace)."""
        check_messages(messages)
        # Record the call and pick the reply at call time, even if the stream is never read.
        reply = self._take(list(messages))
        return self._pieces(reply, max_tokens, stop)

    def _take(self, messages: list[ChatMessage]) -> str:
        with self._lock:
            self.calls.append(messages)
            if self.fail is not None:
                return ""
            if callable(self._replies):
                return self._replies(messages)
            if not self._replies:
                return DEFAULT_REPLY
            reply = self._replies[min(self._next, len(self._replies) - 1)]
            self._next += 1
            return reply

    def _pieces(self, reply: str, max_tokens: int, stop: list[str] | None) -> Iterator[str]:
        # Failures surface when the stream is read, as with a real engine.
        if self.fail is not None:
            raise self.fail
        # Cut at the first stop string, as the engines do.
        for marker in stop or []:
            if marker and marker in reply:
                reply = reply[: reply.index(marker)]
        for piece in _PIECES.findall(reply)[: max(0, max_tokens)]:
            if self.delay_s:
                time.sleep(self.delay_s)
            yield piece
