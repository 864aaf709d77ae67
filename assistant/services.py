"""The one place that wires Garant's services from the settings, for the page, the CLIs
and the evaluation runner alike. Models are loaded here, once, and shared."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from assistant.answering.model import Answer
from assistant.answering.service import Answerer
from assistant.engines.chat import ChatModel, build_chat_model
from assistant.engines.embedder import Embedder, build_embedder
from assistant.errors import ModelError
from assistant.governance.log import InteractionLog
from assistant.index.versions import IndexRepository, IndexVersion
from assistant.retrieval.hybrid import HybridRetriever
from assistant.settings import Settings


@dataclass
class ChatModelHolder:
    """Loads the chat model on first use, once; remembers a failure for `retry_s` so a
    missing model does not cost a hash of the file on every question (degraded mode).

    Once `retry_s` has passed after a failure, reading `available` (as the health check and
    the page do) starts one load attempt in the background, so a restored model file brings
    the service back without waiting for a question."""

    settings: Settings
    retry_s: float = 60.0
    _model: ChatModel | None = None
    _failure: ModelError | None = None
    _failed_at: float = 0.0
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _retrying: threading.Event = field(default_factory=threading.Event)

    def __call__(self) -> ChatModel:
        with self._lock:
            if self._model is not None:
                return self._model
            if self._failure is not None and time.monotonic() - self._failed_at < self.retry_s:
                raise self._failure
            try:
                self._model = build_chat_model(self.settings.llm, self.settings.models_dir)
            except ModelError as exc:
                self._failure, self._failed_at = exc, time.monotonic()
                raise
            return self._model

    @property
    def available(self) -> bool | None:
        """True once loaded, False after a failure, None before the first try."""
        if self._model is not None:
            return True
        if self._failure is None:
            return None
        if time.monotonic() - self._failed_at >= self.retry_s and not self._retrying.is_set():
            self._retrying.set()
            threading.Thread(target=self._retry, name="garant-model-retry", daemon=True).start()
        return False

    def _retry(self) -> None:
        """One background load attempt (its failure is remembered as usual)."""
        try:
            self()
        except ModelError:
            pass
        finally:
            self._retrying.clear()


@dataclass
class Services:
    """Everything an entry point needs to answer questions."""

    settings: Settings
    index: IndexVersion
    embedder: Embedder
    retriever: HybridRetriever
    chat: ChatModelHolder
    answerer: Answerer
    log: InteractionLog

    def record(self, answer: Answer, session_id: str) -> None:
        """Put a final answer in the governance log (never blocks, never raises)."""
        self.log.record(answer, session_id, self.settings.fingerprint(), self.index.meta.get("corpus_sha256"))

    def close(self) -> None:
        """Write what the log still holds, then release the index files."""
        self.log.stop()
        self.index.close()


def build_services(settings: Settings, chat_model: ChatModel | None = None, embedder: Embedder | None = None) -> Services:
    """Open the current index, load the embedder, and prepare (lazily) the chat model."""
    index = IndexRepository(settings.index_dir).open_current()
    embedder = embedder or build_embedder(settings.embedder)
    reranker = None
    if settings.retrieval.reranker_path is not None:
        from assistant.retrieval.rerank import CrossEncoderReranker

        reranker = CrossEncoderReranker(settings.retrieval.reranker_path, threads=settings.embedder.threads)
    retriever = HybridRetriever(index, embedder, settings.retrieval, reranker)
    holder = ChatModelHolder(settings)
    if chat_model is not None:
        holder._model = chat_model  # noqa: SLF001 - injection of a given model (tests, eval)
    answerer = Answerer(settings, retriever, holder)
    log = InteractionLog(settings.home, settings.governance)
    log.start()
    return Services(settings=settings, index=index, embedder=embedder, retriever=retriever, chat=holder, answerer=answerer, log=log)
