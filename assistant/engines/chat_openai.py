"""A chat model served over HTTP by any OpenAI-compatible server (llama.cpp's server,
llama-cpp-python's server, vLLM, …): `POST {base_url}/chat/completions` with `stream: true`,
read as server-sent events.

`llm.base_url` may point anywhere the hospital runs its model server (usually an internal
host); nothing here restricts it to loopback, so whoever sets it decides where the questions
and passages go. If the environment variable named by `llm.api_key_env` is set, its value is
sent as a bearer token.

Limits: `llm.timeout_s` bounds the whole answer (checked at every line received, keep-alive
comments included; a server that sends nothing for `timeout_s` is dropped). Past it
`GenerationTimeout` carries the text received. A server that ignores `max_tokens` is cut
after that many pieces.
The server's real context size is not asked for: `info.context_size` is `llm.n_ctx`, and
`tokens()` is an upper estimate (no tokenizer on this side).
"""

from __future__ import annotations

import json
import math
import os
import time
from collections.abc import Iterator
from typing import Any

import httpx

from assistant.engines.chat import ChatMessage, ChatModel, ChatModelInfo, GenerationTimeout, check_messages
from assistant.errors import GenerationError
from assistant.settings import LLMSettings

CONNECT_TIMEOUT_S = 10.0
CHARS_PER_TOKEN_LOW = 3.0  # French text runs ~3.5-4.5 characters per token with BPE vocabularies


class OpenAIChatModel(ChatModel):
    """Client of an OpenAI-compatible `/chat/completions` endpoint, streaming."""

    def __init__(self, settings: LLMSettings, client: httpx.Client | None = None) -> None:
        self._settings = settings
        self._url = settings.base_url.rstrip("/") + "/chat/completions"
        # No connection is made here; `client` lets tests inject a transport.
        self._client = client or httpx.Client(
            timeout=httpx.Timeout(settings.timeout_s, connect=min(CONNECT_TIMEOUT_S, settings.timeout_s)),
        )
        self.info = ChatModelInfo(name=settings.api_model, backend="openai", file_sha256=None, context_size=settings.n_ctx)

    def reachable(self, timeout_s: float = 2.0) -> bool:
        """Whether the server answers `GET {base_url}/models` (for the health check)."""
        try:
            response = self._client.get(self._settings.base_url.rstrip("/") + "/models", timeout=timeout_s)
        except httpx.HTTPError:
            return False
        return response.status_code < 500

    def tokens(self, text: str) -> int:
        """Upper estimate of the tokens of `text` (one per three characters)."""
        return math.ceil(len(text) / CHARS_PER_TOKEN_LOW)

    def stream(self, messages: list[ChatMessage], max_tokens: int, stop: list[str] | None = None) -> Iterator[str]:
        """Yield the answer's pieces as the server sends them."""
        check_messages(messages)
        body: dict[str, Any] = {
            "model": self._settings.api_model,
            "messages": [message.as_dict() for message in messages],
            "stream": True,
            "max_tokens": max(1, min(max_tokens, self._settings.max_tokens)),
            "temperature": self._settings.temperature,
        }
        if stop:
            body["stop"] = list(stop)
        headers = {"Accept": "text/event-stream"}
        api_key = os.environ.get(self._settings.api_key_env) if self._settings.api_key_env else None
        if api_key:
            headers["Authorization"] = f"Bearer {api_key}"
        return self._stream(body, headers)

    def _stream(self, body: dict[str, Any], headers: dict[str, str]) -> Iterator[str]:
        timeout_s = self._settings.timeout_s
        deadline = time.monotonic() + timeout_s
        written: list[str] = []

        def in_time(lines: Iterator[str]) -> Iterator[str]:
            # Every line counts, so a server trickling keep-alives cannot hold the answer open.
            for line in lines:
                if time.monotonic() > deadline:
                    raise GenerationTimeout(timeout_s, "".join(written))
                yield line

        try:
            with self._client.stream("POST", self._url, json=body, headers=headers) as response:
                # A refusal comes back as a plain (non-streamed) error body.
                if response.status_code != 200:
                    response.read()
                    raise self._http_error(response)
                for data in _sse_data(in_time(response.iter_lines())):
                    if data.strip() == "[DONE]":
                        return
                    piece = _delta_content(data)
                    if piece:
                        written.append(piece)
                        yield piece
                    if time.monotonic() > deadline:
                        raise GenerationTimeout(timeout_s, "".join(written))
                    if len(written) >= body["max_tokens"]:
                        return
        except httpx.TimeoutException as exc:
            if isinstance(exc, httpx.ConnectTimeout | httpx.PoolTimeout):
                raise self._unreachable(exc) from exc
            raise GenerationTimeout(timeout_s, "".join(written)) from exc
        except httpx.ConnectError as exc:
            raise self._unreachable(exc) from exc
        except httpx.HTTPError as exc:
            raise GenerationError(
                f"La connexion au serveur de modèle ({self._settings.base_url}) a été interrompue pendant la réponse ({exc}) : réessayez.",
                f"The connection to the model server ({self._settings.base_url}) broke during the answer ({exc}): try again.",
            ) from exc

    def close(self) -> None:
        """Close the HTTP connections."""
        self._client.close()

    def _unreachable(self, exc: Exception) -> GenerationError:
        url = self._settings.base_url
        return GenerationError(
            f"Le serveur de modèle est injoignable ({url}) : vérifiez qu'il est démarré et que llm.base_url est correct ({exc}).",
            f"The model server is unreachable ({url}): check that it is running and that llm.base_url is right ({exc}).",
        )

    def _http_error(self, response: httpx.Response) -> GenerationError:
        status = response.status_code
        detail = _error_detail(response.text)
        if status in (401, 403):
            env = self._settings.api_key_env
            return GenerationError(
                f"Le serveur de modèle a refusé l'accès (HTTP {status}) : vérifiez la clé dans la variable d'environnement {env}.",
                f"The model server refused access (HTTP {status}): check the key in the environment variable {env}.",
            )
        return GenerationError(
            f"Le serveur de modèle a répondu par une erreur (HTTP {status} : {detail}) : vérifiez llm.base_url et llm.api_model, puis le journal du serveur.",
            f"The model server answered with an error (HTTP {status}: {detail}): check llm.base_url and llm.api_model, then the server's log.",
        )


def _sse_data(lines: Iterator[str]) -> Iterator[str]:
    """The `data` payload of each server-sent event (multi-line data joined by newlines)."""
    data: list[str] = []
    for line in lines:
        # A blank line ends an event.
        if not line:
            if data:
                yield "\n".join(data)
                data = []
            continue
        # Comments (keep-alives) and other fields (event, id, retry) carry no text.
        if line.startswith("data:"):
            value = line[5:]
            data.append(value[1:] if value.startswith(" ") else value)
    if data:
        yield "\n".join(data)


def _delta_content(data: str) -> str:
    """The text of one streamed chunk; raises GenerationError on an error event or unreadable JSON."""
    try:
        chunk = json.loads(data)
    except ValueError as exc:
        raise GenerationError(
            f"Le serveur de modèle a envoyé une réponse illisible ({data[:80]!r}) : vérifiez qu'il est compatible OpenAI.",
            f"The model server sent an unreadable response ({data[:80]!r}): check that it is OpenAI-compatible.",
        ) from exc
    if not isinstance(chunk, dict):
        return ""
    if chunk.get("error"):
        detail = _error_detail(json.dumps(chunk))
        raise GenerationError(
            f"Le serveur de modèle a échoué pendant la réponse ({detail}) : réessayez ; si cela persiste, consultez le journal du serveur.",
            f"The model server failed during the answer ({detail}): try again; if it persists, check the server's log.",
        )
    choices = chunk.get("choices") or []
    if not choices:
        return ""
    delta = choices[0].get("delta") or {}
    return delta.get("content") or ""


def _error_detail(text: str) -> str:
    """The error message of an OpenAI-style error body, else the start of the body."""
    try:
        error = json.loads(text).get("error")
    except (ValueError, AttributeError):
        return text.strip()[:200] or "réponse vide / empty response"
    if isinstance(error, dict):
        return str(error.get("message") or error)[:200]
    return str(error)[:200]
