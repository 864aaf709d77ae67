"""The stable HTTP API for the establishment's other systems, versioned under /api/v1.

Routes: `POST /ask` (JSON, or server-sent events), `POST /feedback`, `GET /documents`,
`GET /health` (no token, for monitors) and `GET /openapi.json` (this API's own schema).
This module owns what is particular to machine clients: bearer tokens (stored as SHA-256
in settings, none accepted until configured), a per-client rate limit, a body-size limit
checked before parsing, a bound on the questions in progress (503 'busy' beyond), and one
JSON error shape with stable codes: `{"error": {"code", "message_fr", "message_en"}}`.
Answering, validation and logging are the services' own, exactly as for the page and
`garant ask --json`.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import logging
import math
import os
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable, Generator, Iterator
from pathlib import Path
from typing import Any, ClassVar, Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse, StreamingResponse
from fastapi.routing import APIRoute
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException
from starlette.routing import Match

from assistant import __version__
from assistant.answering.service import Event
from assistant.errors import GarantError, IndexError_, InputError
from assistant.governance.migrations import FEEDBACK_CATEGORIES
from assistant.index.versions import age_seconds
from assistant.services import Services
from assistant.web.api_settings import ApiSettings, ApiToken  # noqa: F401 - re-exported

log = logging.getLogger(__name__)

PREFIX = "/api/v1"
BEARER: dict[str, Any] = {"security": [{"bearer": []}]}  # marks a route as protected, in the schema and at run time


class ApiError(Exception):
    """An error answered as the API's JSON error shape."""

    def __init__(self, status: int, code: str, message_fr: str, message_en: str, headers: dict[str, str] | None = None) -> None:
        super().__init__(message_en)
        self.status, self.code, self.message_fr, self.message_en = status, code, message_fr, message_en
        self.headers = headers or {}


# Stable codes of the refusals raised by the services (InputError carries no code yet): by message start.
_INPUT_CODES = (
    ("The question is empty", 400, "question_empty"),
    ("The question is too long", 400, "input_too_long"),
    ("The question contains control", 400, "invalid_characters"),
    ("The question contains no words", 400, "question_without_words"),
    ("The question must be text", 400, "invalid_question"),
    ("Empty feedback", 400, "feedback_empty"),
    ("Invalid rating", 400, "invalid_rating"),
    ("Unknown feedback category", 400, "invalid_category"),
    ("Unknown answer", 404, "not_found"),
)
_HTTP_CODES = {400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
               413: "payload_too_large", 415: "unsupported_media_type", 429: "rate_limited"}
INTERNAL = ("Une erreur interne est survenue ; elle a été journalisée. Réessayez ou contactez le support informatique.",
            "An internal error occurred; it was logged. Try again or contact IT support.")


def error_body(code: str, message_fr: str, message_en: str, **extra: Any) -> dict[str, Any]:
    """The one JSON shape of every API error."""
    return {"error": {"code": code, "message_fr": message_fr, "message_en": message_en, **extra}}


def _as_api_error(exc: Exception) -> ApiError:
    """Any exception as an ApiError: person-caused errors keep their message, the rest is 'internal'."""
    if isinstance(exc, ApiError):
        return exc
    if isinstance(exc, InputError):
        status, code = next(((s, c) for prefix, s, c in _INPUT_CODES if exc.message_en.startswith(prefix)), (400, "invalid_input"))
        code = getattr(exc, "code", None) or code
        return ApiError(status, code, exc.message_fr, exc.message_en)
    if isinstance(exc, IndexError_):
        return ApiError(503, "index_unavailable", exc.message_fr, exc.message_en)
    if isinstance(exc, GarantError):
        return ApiError(503, "service_unavailable", exc.message_fr, exc.message_en)
    if isinstance(exc, HTTPException):
        code = _HTTP_CODES.get(exc.status_code, "http_error")
        return ApiError(exc.status_code, code, f"Requête refusée ({exc.status_code}) : vérifiez la requête.",
                        f"Request refused ({exc.status_code}): {exc.detail}.", dict(exc.headers or {}))
    log.error("unexpected error in the API", exc_info=exc)
    return ApiError(500, "internal", *INTERNAL)


def _error_response(exc: Exception) -> JSONResponse:
    if isinstance(exc, RequestValidationError):
        details = [{"loc": [str(part) for part in e.get("loc", ())], "msg": e.get("msg", ""), "type": e.get("type", "")}
                   for e in exc.errors()]
        return JSONResponse(error_body("invalid_request", "Requête invalide : corrigez les champs indiqués dans « details ».",
                                       "Invalid request: fix the fields listed in 'details'.", details=details), status_code=422)
    error = _as_api_error(exc)
    return JSONResponse(error_body(error.code, error.message_fr, error.message_en), status_code=error.status, headers=error.headers)


class RateLimiter:
    """At most `per_minute` requests per client key over any sliding minute (in memory, per process)."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute = per_minute
        self._clock = clock
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def wait_s(self, key: str) -> float:
        """0 and the request is counted, or the seconds to wait before the next one is allowed."""
        now = self._clock()
        with self._lock:
            if len(self._hits) > 10_000:  # forget idle clients so the table stays small
                self._hits = {k: q for k, q in self._hits.items() if q and q[-1] > now - 60}
            hits = self._hits.setdefault(key, deque())
            while hits and hits[0] <= now - 60:
                hits.popleft()
            if len(hits) >= self.per_minute:
                return hits[0] + 60 - now
            hits.append(now)
            return 0.0


class AnswerQueue:
    """Bounds the questions in progress on the API: the one being answered and up to
    `max_waiting` waiting for the model (settings.server.max_queue, as on the page). One more
    gets a 503 'busy' with Retry-After at once, instead of a wait that grows without limit."""

    def __init__(self, max_waiting: int, retry_after_s: int = 5) -> None:
        self.capacity = max_waiting + 1
        self.retry_after_s = retry_after_s
        self._in_progress = 0
        self._lock = threading.Lock()

    @property
    def in_progress(self) -> int:
        """Questions admitted and not finished yet."""
        return self._in_progress

    def enter(self) -> Callable[[], None]:
        """Take a place, or raise ApiError 503 'busy'; returns the function that gives the place
        back (safe to call more than once: only the first call counts)."""
        with self._lock:
            if self._in_progress >= self.capacity:
                raise ApiError(503, "busy",
                               f"Garant est très sollicité ({self.capacity} questions en cours) : réessayez dans {self.retry_after_s} s.",
                               f"Garant is very busy ({self.capacity} questions in progress): retry in {self.retry_after_s} s.",
                               {"Retry-After": str(self.retry_after_s)})
            self._in_progress += 1
        left = False

        def leave() -> None:
            nonlocal left
            with self._lock:
                if not left:
                    left = True
                    self._in_progress -= 1

        return leave


class _QueuedStream(StreamingResponse):
    """Server-sent events that give their place in the AnswerQueue back when the response ends,
    however it ends (finished, failed, or the client went away)."""

    def __init__(self, content: Iterator[str], leave: Callable[[], None], **kwargs: Any) -> None:
        super().__init__(content, **kwargs)
        self._leave = leave

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            self._leave()


class Guard:
    """Admission of a request to a protected route: rate limit, token, then body size."""

    def __init__(self, settings: ApiSettings) -> None:
        self.settings = settings
        self.limiter = RateLimiter(settings.rate_limit_per_minute)

    def token_name(self, request: Request) -> str | None:
        """The name of the configured token the request carries, if any."""
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return None
        digest = hashlib.sha256(token.strip().encode("utf-8", "surrogatepass")).hexdigest()
        found = None
        for known in self.settings.tokens:  # compare with all, in constant time each
            if hmac.compare_digest(digest, known.sha256):
                found = known.name
        return found

    async def admit(self, request: Request) -> Request:
        """The request with its body read (within the limit), or ApiError 429/403/401/413."""
        name = self.token_name(request)
        client = name or f"ip:{request.client.host if request.client else 'unknown'}"
        wait = self.limiter.wait_s(client)
        if wait > 0:
            raise ApiError(429, "rate_limited",
                           f"Trop de requêtes ({self.settings.rate_limit_per_minute} par minute) : réessayez dans {math.ceil(wait)} s.",
                           f"Too many requests ({self.settings.rate_limit_per_minute} per minute): retry in {math.ceil(wait)} s.",
                           {"Retry-After": str(math.ceil(wait))})
        if not self.settings.tokens:
            raise ApiError(403, "api_not_configured",
                           "L'API n'accepte encore aucun jeton : l'administrateur doit en déclarer dans la section [api] des réglages.",
                           "The API accepts no token yet: the administrator must declare some in the [api] section of the settings.")
        if name is None:
            raise ApiError(401, "unauthorized",
                           "Jeton absent ou invalide : envoyez l'en-tête « Authorization: Bearer <jeton> » fourni par l'administrateur.",
                           "Missing or invalid token: send the header 'Authorization: Bearer <token>' given by the administrator.",
                           {"WWW-Authenticate": "Bearer"})
        request.state.api_client = name
        body = await self._read_body(request)

        replayed = False

        async def replay() -> dict[str, Any]:
            """The body already read, once; then the connection's own messages (disconnect)."""
            nonlocal replayed
            if replayed:
                return dict(await request.receive())
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        return Request(request.scope, replay)

    async def _read_body(self, request: Request) -> bytes:
        limit = self.settings.max_body_bytes
        too_large = ApiError(413, "payload_too_large",
                             f"Requête trop volumineuse (maximum {limit} octets) : raccourcissez la question ou l'historique.",
                             f"Request too large (at most {limit} bytes): shorten the question or the history.")
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > limit:
            raise too_large
        body = bytearray()
        async for chunk in request.stream():
            body += chunk
            if len(body) > limit:
                raise too_large
        return bytes(body)


class GuardedRoute(APIRoute):
    """A route whose errors all become the JSON error shape; protected routes (those whose
    `openapi_extra` declares `security`) pass the guard before their body is read."""

    guard: ClassVar[Guard]

    def get_route_handler(self) -> Callable[[Request], Awaitable[Response]]:
        handler = super().get_route_handler()
        protected = bool((self.openapi_extra or {}).get("security"))
        guard = self.guard

        async def guarded(request: Request) -> Response:
            try:
                if protected:
                    request = await guard.admit(request)
                return await handler(request)
            except Exception as exc:  # noqa: BLE001 - no traceback ever reaches a client
                return _error_response(exc)

        return guarded


# --- request bodies ---


class AskRequest(BaseModel):
    """A question, as `garant ask` takes it."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"question": "À quelle fréquence se réunit le comité de pilotage IA ?", "lang": "fr"},
        {"question": "Who validates a new AI tool?", "lang": "en", "kinds": ["charte"]}]})

    question: str = Field(description="The question (checked like on the page: not empty, not too long, plain text).")
    lang: Literal["fr", "en"] | None = Field(None, description="Language of the answer; detected from the question when absent.")
    history: list[str] | None = Field(None, max_length=20, description="Previous questions of the conversation, oldest first (helps follow-up questions).")
    kinds: list[str] | None = Field(None, max_length=20, description="Restrict to these document kinds (e.g. 'charte', 'procedure').")


class FeedbackRequest(BaseModel):
    """Feedback of a client system on an answer it received."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [
        {"answer_id": "3f0c2a9e5b7d4e1f8a6c0b2d4e6f8a0c", "rating": -1, "category": "incorrect", "comment": "La fréquence citée est ancienne."}]})

    answer_id: str = Field(max_length=64, description="The `id` of the answer, as returned by /ask.")
    rating: Literal[1, -1] | None = Field(None, description="+1 useful, -1 not useful.")
    category: Literal[FEEDBACK_CATEGORIES] | None = Field(None, description="Kind of error reported.")  # type: ignore[valid-type]
    comment: str | None = Field(None, max_length=2000, description="Free comment (no names or patient data; redacted before storage).")


# --- response shapes (they document the JSON; the answer itself is Answer.as_dict(), unchanged) ---


class _Doc(BaseModel):
    """Shapes that document JSON built elsewhere: fields added later pass through."""

    model_config = ConfigDict(extra="allow")


class ErrorDetail(_Doc):
    """What went wrong, with a stable code."""

    code: str = Field(description="Stable code: input_too_long, question_empty, unauthorized, api_not_configured, rate_limited, "
                                  "payload_too_large, invalid_request, not_found, method_not_allowed, busy, index_unavailable, internal…")
    message_fr: str
    message_en: str


class ErrorResponse(_Doc):
    """Every error of the API."""

    error: ErrorDetail


class PassageOut(_Doc):
    """A retrieved passage; `n` is what the answer's [n] refer to."""

    n: int
    rank: int
    chunk_id: str
    chunk_sha256: str
    doc_id: str
    title: str
    path: str | None = None
    kind: str
    version: str
    status: str
    effective_date: str | None = None
    document_sha256: str
    page: int | None = None
    pages: list[int]
    section: str | None = None
    heading_path: list[str]
    location: str
    snippet: str | None = None
    text: str
    score: float
    dense_score: float | None = None
    lexical_score: float | None = None


class SentenceOut(_Doc):
    """A sentence of the answer and the passages that support it."""

    text: str
    sources: list[int]
    support: float
    model_sources: list[int]
    status: Literal["supported", "reattached", "unsupported"]


class AnswerOut(_Doc):
    """The JSON of `garant ask --json` (Answer.as_dict())."""

    id: str = Field(description="Answer id, for /feedback.")
    question: str
    answer: str = Field(description="The checked answer with [n] citations, or the refusal / degraded-mode label.")
    language: Literal["fr", "en"]
    refused: bool
    refusal_reason: str | None = Field(None, description="Why it was refused: role (a pattern of a role-leaving request), role_resemblance (closer to the examples of such requests than to staff questions), missing_reference (the question names an article or a paragraph that the act it names does not have, or a code or acronym no indexed document mentions, or the very wording of an article of an act no indexed document is, or what a publication of a body that no indexed document is by says), no_evidence, no_value (the question asks for a kind of value, such as an amount of money, a person's name, a duration, a date, a phone number, a count or a vendor's name, that no passage states about what is asked, or an average, a year's figure, a figure actually reached or a fine actually imposed that no passage gives, or a password or an access code, never given), model, unsupported (nothing the model wrote was supported by the passages, or it copied an example of its instructions), withheld (the output repeated the assistant's instructions), small_talk (a greeting, thanks or a request for help: the reply says what Garant does and how to ask).")
    degraded: bool = Field(description="True when no AI summary was written: `answer` is a label, `retrieved` the passages.")
    degraded_reason: str | None = None
    notice: str = Field(description="The AI notice: show it with the answer.")
    citations: list[PassageOut]
    retrieved: list[PassageOut]
    leads: list[str] = Field(default_factory=list, description="With a refusal: titles of the closest documents.")
    sentences: list[SentenceOut]
    dropped_sentences: list[str]
    timings_ms: dict[str, float | None]
    model: dict[str, Any] | None = None
    prompt_version: str | None = None
    corpus_version: str | None = None
    index_version: str | None = None
    evidence: dict[str, float] = Field(default_factory=dict)


class FeedbackAccepted(_Doc):
    """Feedback queued for the governance log."""

    feedback_id: str
    answer_id: str
    status: Literal["accepted"] = "accepted"


class Document(BaseModel):
    """One indexed document (the fields other systems need; no server path)."""

    doc_id: str
    title: str
    kind: str
    version: str
    status: str
    effective_date: str | None = None
    ingested_at: str
    chunk_count: int
    page_count: int | None = None


class Documents(BaseModel):
    """The corpus inventory of the index version in service."""

    index_version: str
    count: int
    documents: list[Document]


class Health(_Doc):
    """State of the service, for monitors."""

    status: Literal["ok", "degraded", "down"]
    model: Literal["loaded", "unavailable", "not_loaded", "file_missing", "unreachable"]
    index_version: str
    index_age_seconds: float | None = None
    documents: int
    log_writable: bool
    log_pending: int
    version: str


def _error_example(status: int, code: str, fr: str, en: str) -> dict[str, Any]:
    return {"model": ErrorResponse, "description": code,
            "content": {"application/json": {"example": error_body(code, fr, en)}}}


_PASSAGE_EXAMPLE = {
    "rank": 1, "chunk_id": "c-5e1f", "chunk_sha256": "9b1d…", "doc_id": "d-charte-ia", "title": "Charte IA", "path": "charte-ia.pdf",
    "kind": "charte", "version": "2.0", "status": "en_vigueur", "effective_date": "2025-01-01", "document_sha256": "41aa…",
    "page": 3, "pages": [3], "section": "Gouvernance", "heading_path": ["Gouvernance"], "location": "p. 3, Gouvernance",
    "snippet": "Le comité de pilotage IA et numérique se réunit une fois par trimestre.",
    "text": "Le comité de pilotage IA et numérique se réunit une fois par trimestre.", "score": 0.03279,
    "dense_score": 0.8123, "lexical_score": 7.41, "n": 1}
_ANSWER_EXAMPLE = {
    "id": "3f0c2a9e5b7d4e1f8a6c0b2d4e6f8a0c", "question": "À quelle fréquence se réunit le comité de pilotage IA ?",
    "answer": "Le comité de pilotage IA et numérique se réunit une fois par trimestre. [1]", "language": "fr",
    "refused": False, "degraded": False, "notice": "Réponse générée par IA à partir des documents cités — à vérifier avant toute décision",
    "citations": [_PASSAGE_EXAMPLE], "retrieved": [_PASSAGE_EXAMPLE], "model_read": 1, "leads": [],
    "sentences": [{"text": "Le comité de pilotage IA et numérique se réunit une fois par trimestre.", "sources": [1],
                   "support": 0.92, "model_sources": [1], "status": "supported"}],
    "dropped_sentences": [], "timings_ms": {"retrieval": 41.0, "first_token": 1200.0, "generation": 3500.0, "total": 4800.0},
    "model": {"name": "qwen2.5-1.5b-instruct-q4_k_m.gguf", "sha256": "cc32…", "backend": "llama_cpp"},
    "prompt_version": "answer-fr-v2", "corpus_version": "77ab…", "index_version": "v-20250101T120000-1a2b3c",
    "evidence": {"best_dense": 0.8123, "coverage": 1.0}}
_UNAUTHORIZED = _error_example(401, "unauthorized", "Jeton absent ou invalide : …", "Missing or invalid token: …")
_NOT_CONFIGURED = _error_example(403, "api_not_configured", "L'API n'accepte encore aucun jeton : …", "The API accepts no token yet: …")
_TOO_LARGE = _error_example(413, "payload_too_large", "Requête trop volumineuse (maximum 16384 octets) : …",
                            "Request too large (at most 16384 bytes): …")
_INVALID = _error_example(422, "invalid_request", "Requête invalide : …", "Invalid request: …")
_LIMITED = _error_example(429, "rate_limited", "Trop de requêtes (30 par minute) : réessayez dans 12 s.",
                          "Too many requests (30 per minute): retry in 12 s.")
_LIMITED["headers"] = {"Retry-After": {"description": "Seconds to wait.", "schema": {"type": "integer"}}}
_GUARDED = {401: _UNAUTHORIZED, 403: _NOT_CONFIGURED, 413: _TOO_LARGE, 422: _INVALID, 429: _LIMITED}
_BUSY = _error_example(503, "busy", "Garant est très sollicité (17 questions en cours) : réessayez dans 5 s.",
                       "Garant is very busy (17 questions in progress): retry in 5 s.")
_BUSY["description"] = ("busy: more questions in progress than server.max_queue + 1 (retry after Retry-After); "
                        "service_unavailable, index_unavailable: the model or the index cannot be used.")
_BUSY["headers"] = {"Retry-After": {"description": "Seconds to wait (with `busy`).", "schema": {"type": "integer"}}}

API_SUMMARY = "Garant's answers from the establishment's documents, for its other systems."
API_DESCRIPTION = (
    "Every route but /health needs `Authorization: Bearer <token>` (tokens are declared by the administrator, as SHA-256, "
    "in the `[api]` settings; none is accepted until then). Errors are always "
    "`{\"error\": {\"code\", \"message_fr\", \"message_en\"}}` with a stable `code`. Answers are AI-generated: show `notice` "
    "with them.")
SECURITY_SCHEMES = {"bearer": {"type": "http", "scheme": "bearer", "description": "A token given by the administrator."}}
ASK_DESCRIPTION = (
    "Answers a question from the indexed documents: the same JSON as `garant ask --json`, logged in the governance log "
    "under the session `api:<token name>`. With `Accept: text/event-stream` or `?stream=true`, the answer comes as "
    "server-sent events, each `data` one line of JSON: `sources` (the passages), `token` (a piece of text, repeated), "
    "then `final` (the answer JSON above); `error` (the error JSON) replaces `final` if generation fails midway. A refused "
    "question is a 400 before any retrieval, with a code such as `question_empty` or `input_too_long`.")
_SSE_EVENT = {  # one event of the stream (the OpenAPI 3.2 reading of a text/event-stream schema)
    "type": "object", "required": ["event", "data"],
    "properties": {"event": {"type": "string", "enum": ["sources", "token", "final", "error"]},
                   "data": {"type": "string", "description": "One line of JSON: passages, a text piece, the answer, or the error."}}}
ASK_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"model": AnswerOut, "description": "The answer (JSON), or its events (text/event-stream).",
          "content": {"application/json": {"example": _ANSWER_EXAMPLE},
                      "text/event-stream": {"schema": _SSE_EVENT, "example": {"event": "token", "data": '" comité"'}}}},
    400: _error_example(400, "input_too_long", "La question est trop longue (10000 caractères, maximum 2000) : raccourcissez-la.",
                        "The question is too long (10000 characters, maximum 2000): shorten it."),
    **_GUARDED,
    503: _BUSY,
}
FEEDBACK_RESPONSES: dict[int | str, dict[str, Any]] = {
    202: {"content": {"application/json": {"example": {"feedback_id": "b7e1…", "answer_id": "3f0c…", "status": "accepted"}}}},
    400: _error_example(400, "feedback_empty", "Retour vide : donnez une note, une catégorie ou un commentaire.",
                        "Empty feedback: give a rating, a category or a comment."),
    404: _error_example(404, "not_found", "Réponse inconnue « 3f0c… » : …", "Unknown answer '3f0c…': …"),
    **_GUARDED,
}
DOCUMENTS_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/json": {"example": {"index_version": "v-20250101T120000-1a2b3c", "count": 1, "documents": [
        {"doc_id": "d-charte-ia", "title": "Charte IA", "kind": "charte", "version": "2.0", "status": "en_vigueur",
         "effective_date": "2025-01-01", "ingested_at": "2025-01-01T12:00:00+00:00", "chunk_count": 14, "page_count": 6}]}}}},
    **{k: v for k, v in _GUARDED.items() if k not in (413, 422)},
}
_HEALTH_EXAMPLE = {"status": "ok", "model": "loaded", "index_version": "v-20250101T120000-1a2b3c", "index_age_seconds": 86400.0,
                   "documents": 42, "log_writable": True, "log_pending": 0, "version": __version__}
HEALTH_DESCRIPTION = (
    "No token needed. HTTP 200 when `status` is `ok`; HTTP 503 when it is `degraded` (the chat model is unavailable, so "
    "answers are passages only, or the governance log cannot be written) or `down` (no document is indexed, or the index files cannot be read). `model` "
    "is `not_loaded` until the first question when the model is loaded lazily; that is still `ok`. `file_missing`: the "
    "local model file was removed (the copy in memory still answers, a restart would not); `unreachable`: the "
    "OpenAI-compatible inference server does not answer; both are `degraded`.")
HEALTH_RESPONSES: dict[int | str, dict[str, Any]] = {
    200: {"content": {"application/json": {"example": _HEALTH_EXAMPLE}}},
    503: {"model": Health, "description": "Degraded or down (same body).",
          "content": {"application/json": {"example": _HEALTH_EXAMPLE | {"status": "degraded", "model": "unavailable"}}}},
}


# --- the router ---


def api_settings(services: Services) -> ApiSettings:
    """`settings.api` once it exists, else the defaults (no token accepted)."""
    return getattr(services.settings, "api", None) or ApiSettings()


def _wants_events(request: Request, stream: bool) -> bool:
    accept = request.headers.get("accept", "")
    return stream or any(part.split(";")[0].strip() == "text/event-stream" for part in accept.split(","))


def _frame(event: str, data: Any) -> str:
    """One server-sent event; data is one line of JSON."""
    return f"event: {event}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


def _event_stream(first: Event | None, events: Iterator[Event], services: Services, session: str) -> Iterator[str]:
    """sources → token… → final (or error); the final answer is logged like any other."""
    try:
        for event in itertools.chain([first] if first else [], events):
            if event.kind == "sources":
                yield _frame("sources", [p.as_dict() | {"n": i} for i, p in enumerate(event.data, start=1)])  # as in `retrieved`
            elif event.kind == "token":
                yield _frame("token", event.data)
            else:
                services.record(event.data, session)
                yield _frame("final", event.data.as_dict())
    except Exception as exc:  # noqa: BLE001 - the response has started: end it with an error event
        error = _as_api_error(exc)
        yield _frame("error", error_body(error.code, error.message_fr, error.message_en))
    finally:
        if isinstance(events, Generator):
            events.close()  # releases the model at once if the client went away


def _log_writable(path: Path) -> bool:
    """The governance log (or the folder it will be created in) can be written."""
    target = path if path.exists() else path.parent
    while not target.exists() and target != target.parent:
        target = target.parent
    return os.access(target, os.W_OK)


def health_report(services: Services) -> dict[str, Any]:
    """What a monitor needs; 'down' when no document can be searched (none indexed, or the index
    files cannot be read), 'degraded' when the model is unavailable (answers are passages only)
    or the governance log cannot be written."""
    model = {True: "loaded", False: "unavailable", None: "not_loaded"}.get(services.chat.available, "unavailable")
    if model == "loaded" and (engine := services.chat.engine_state()) != "ok":
        model = engine  # file_missing or unreachable
    meta = services.index.meta
    try:
        age: float | None = round(age_seconds(meta), 1)
    except (KeyError, TypeError, ValueError):
        age = None
    documents = len(services.retriever.documents)
    try:
        writable = _log_writable(services.log.path)
    except OSError:
        writable = False
    status = "down" if documents == 0 or not services.index.store.readable() else "degraded" if model in ("unavailable", "file_missing", "unreachable") or not writable else "ok"
    return {"status": status, "model": model, "index_version": meta.get("version_id", services.index.version_id),
            "index_age_seconds": age, "documents": documents, "log_writable": writable,
            "log_pending": services.log.pending, "version": __version__}


def build_api_router(services: Services) -> APIRouter:
    """The /api/v1 routes over the services; include it in the app before the page's mount."""
    guard = Guard(api_settings(services))
    queue = AnswerQueue(services.settings.server.max_queue)
    router = APIRouter(prefix=PREFIX, route_class=type("ApiRoute", (GuardedRoute,), {"guard": guard}))
    document: dict[str, Any] = {}

    @router.post("/ask", openapi_extra=BEARER, summary="Ask a question", responses=ASK_RESPONSES,
                 response_class=JSONResponse, description=ASK_DESCRIPTION)
    async def ask(body: AskRequest, request: Request,
                  stream: bool = Query(False, description="Answer as server-sent events (same as `Accept: text/event-stream`).")) -> Response:
        session = f"api:{request.state.api_client}"
        leave = queue.enter()  # beyond the queue: a 503 'busy' at once, before any work
        try:
            if not _wants_events(request, stream):

                def answer_and_leave() -> Any:
                    try:
                        return services.answerer.answer(body.question, lang=body.lang, history=body.history, kinds=body.kinds)
                    finally:
                        leave()  # when the work ends, even if the client stopped waiting

                # Generation blocks: run it in the threadpool. Refused questions raise before retrieval.
                answer = await run_in_threadpool(answer_and_leave)
                services.record(answer, session)
                return JSONResponse(answer.as_dict())
            events = services.answerer.stream(body.question, lang=body.lang, history=body.history, kinds=body.kinds)
            # The first step runs before the response starts, so a refused question is still a 400 JSON error.
            first = await run_in_threadpool(next, events, None)
        except BaseException:
            leave()
            raise
        return _QueuedStream(_event_stream(first, events, services, session), leave, media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})

    @router.post("/feedback", openapi_extra=BEARER, status_code=202, summary="Give feedback on an answer",
                 responses=FEEDBACK_RESPONSES, response_model=FeedbackAccepted)
    def feedback(body: FeedbackRequest, request: Request) -> FeedbackAccepted:
        feedback_id = services.log.add_feedback(body.answer_id, f"api:{request.state.api_client}", rating=body.rating,
                                                category=body.category, comment=body.comment)
        return FeedbackAccepted(feedback_id=feedback_id, answer_id=body.answer_id)

    @router.get("/documents", openapi_extra=BEARER, summary="Inventory of the indexed documents",
                responses=DOCUMENTS_RESPONSES, response_model=Documents)
    async def documents() -> Documents:  # in memory: no thread needed
        docs = sorted(services.retriever.documents.values(), key=lambda d: (d.kind, d.title, d.doc_id))
        return Documents(index_version=services.index.version_id, count=len(docs),
                         documents=[Document.model_validate(d.as_dict()) for d in docs])

    @router.get("/health", summary="Health for monitors (no token)", responses=HEALTH_RESPONSES,
                response_model=Health, description=HEALTH_DESCRIPTION)
    async def health() -> JSONResponse:  # no thread: answers even when all threads wait on the model
        report = health_report(services)
        return JSONResponse(report, status_code=200 if report["status"] == "ok" else 503)

    @router.get("/openapi.json", include_in_schema=False)
    async def openapi() -> JSONResponse:
        if not document:
            document.update(get_openapi(title="Garant API", version="1", summary=API_SUMMARY,
                                        description=API_DESCRIPTION, routes=router.routes))
            document.setdefault("components", {})["securitySchemes"] = SECURITY_SCHEMES
        return JSONResponse(document)

    @router.api_route("/{rest:path}", methods=["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"], include_in_schema=False)
    async def not_found(request: Request, rest: str) -> None:
        allowed = sorted({m for r in router.routes if isinstance(r, APIRoute) and r.path != f"{PREFIX}/{{rest:path}}"
                          and r.matches(request.scope)[0] == Match.PARTIAL for m in r.methods or ()})
        if allowed:
            raise ApiError(405, "method_not_allowed", "Méthode non permise sur ce chemin : voir /api/v1/openapi.json.",
                           "Method not allowed on this path: see /api/v1/openapi.json.", {"Allow": ", ".join(allowed)})
        raise ApiError(404, "not_found", "Chemin inconnu dans l'API : voir /api/v1/openapi.json.",
                       "Unknown API path: see /api/v1/openapi.json.")

    return router


__all__ = ["ApiError", "ApiSettings", "ApiToken", "PREFIX", "build_api_router", "health_report"]
