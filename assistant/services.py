"""The one place that wires Garant's services from the settings, for the page, the CLIs
and the evaluation runner alike. Models are loaded here, once, and shared.

A long-running server follows the index: `watch_index` checks `CURRENT` in the background
and, when an ingest has published a new version, opens it and switches the retriever to it
without a restart (the version it leaves is closed at the next switch, once no search can
still be using it)."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from assistant.answering.model import Answer
from assistant.answering.service import Answerer
from assistant.engines.chat import ChatModel, build_chat_model
from assistant.engines.embedder import Embedder, build_embedder
from assistant.errors import IndexError_, ModelError
from assistant.governance.log import InteractionLog
from assistant.index.versions import IndexRepository, IndexVersion
from assistant.retrieval.glossary import SHIPPED_GLOSSARY, Glossary
from assistant.retrieval.hybrid import HybridRetriever
from assistant.retrieval.thesaurus import SHIPPED_THESAURUS, Thesaurus
from assistant.settings import Settings

log = logging.getLogger(__name__)


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
    probe_s: float = 15.0
    _reachable: bool = True
    _probed_at: float = float("-inf")
    _probing: threading.Event = field(default_factory=threading.Event)

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

    def engine_state(self) -> str:
        """'ok', or why the loaded model could not serve after a restart or at all: 'file_missing'
        (the llama.cpp file was removed; the copy in memory still answers) or 'unreachable' (the
        OpenAI-compatible server does not answer; probed in the background at most every
        `probe_s`, the last result is returned so a health check never waits on the network)."""
        model = self._model
        path = getattr(model, "path", None)
        if path is not None:
            return "ok" if Path(path).is_file() else "file_missing"
        if hasattr(model, "reachable"):
            if time.monotonic() - self._probed_at >= self.probe_s and not self._probing.is_set():
                self._probing.set()
                threading.Thread(target=self._probe, args=(model,), name="garant-model-probe", daemon=True).start()
            return "ok" if self._reachable else "unreachable"
        return "ok"

    def _probe(self, model: ChatModel) -> None:
        try:
            self._reachable = bool(model.reachable())  # type: ignore[attr-defined]
        except Exception:  # noqa: BLE001 - a failing probe means unreachable
            self._reachable = False
        finally:
            self._probed_at = time.monotonic()
            self._probing.clear()

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

    def warm_up(self) -> None:
        """Do now what the first question would otherwise wait for: embed the role-leaving
        examples and read the corpus's codes (about 2 s here)."""
        examples = self.answerer.role_examples()
        if examples is not None:
            examples.prepare()
        _ = self.retriever.identifiers

    _retired: list[IndexVersion] = field(default_factory=list)
    _swap_lock: threading.Lock = field(default_factory=threading.Lock)
    _stop_watch: threading.Event = field(default_factory=threading.Event)
    _watcher: threading.Thread | None = None

    def refresh_index(self) -> bool:
        """Switch to the version `CURRENT` names if an ingest published a new one; True when
        switched. A version that cannot be opened (damaged, other embedder) is logged and the
        open one kept, so the page goes on answering."""
        with self._swap_lock:
            repo = IndexRepository(self.settings.index_dir)
            try:
                current = repo.current_id()
                if current is None or current == self.index.version_id:
                    return False
                index = repo.open_current()
            except IndexError_ as exc:
                log.error("index not switched, still serving %s: %s", self.index.version_id, exc.message_en)
                return False
            try:
                retriever = HybridRetriever(index, self.embedder, self.settings.retrieval, self.retriever.reranker, self.retriever.glossary,
                                            self.retriever.thesaurus)
            except IndexError_ as exc:
                index.close()
                log.error("index %s not switched to: %s", index.version_id, exc.message_en)
                return False
            for old in self._retired:  # left at the previous switch: no search runs on it any more
                _close_quietly(old)
            self._retired = [self.index]
            log.info("index switched from %s to %s", self.index.version_id, index.version_id)
            self.index, self.retriever = index, retriever
            self.answerer.retriever = retriever
            return True

    def watch_index(self, every_s: float) -> None:
        """Check for a newly published index every `every_s` seconds in a background thread
        (0: never; a server then serves the version it opened until restarted)."""
        if every_s <= 0 or self._watcher is not None:
            return

        def loop() -> None:
            while not self._stop_watch.wait(every_s):
                try:
                    self.refresh_index()
                except Exception:  # noqa: BLE001 - the watcher must outlive one bad check
                    log.exception("index check failed")

        self._watcher = threading.Thread(target=loop, name="garant-index-watch", daemon=True)
        self._watcher.start()

    def close(self) -> None:
        """Stop following the index, write what the log still holds, release the index files."""
        self._stop_watch.set()
        if self._watcher is not None:
            self._watcher.join(timeout=5)
        self.log.stop()
        for old in self._retired:
            _close_quietly(old)
        self.index.close()


def _close_quietly(version: IndexVersion) -> None:
    try:
        version.close()
    except Exception as exc:  # noqa: BLE001 - its folder may already be gone (cleanup)
        log.warning("closing index %s: %s", version.version_id, exc)


def build_services(settings: Settings, chat_model: ChatModel | None = None, embedder: Embedder | None = None) -> Services:
    """Open the current index, load the embedder, and prepare (lazily) the chat model."""
    index = IndexRepository(settings.index_dir).open_current()
    embedder = embedder or build_embedder(settings.embedder)
    reranker = None
    if settings.retrieval.reranker_path is not None:
        from assistant.retrieval.rerank import CrossEncoderReranker

        reranker = CrossEncoderReranker(settings.retrieval.reranker_path, threads=settings.embedder.threads)
    glossary = Glossary.load(settings.retrieval.glossary_path or SHIPPED_GLOSSARY) if settings.retrieval.glossary else None
    thesaurus = Thesaurus.load(settings.retrieval.thesaurus_path or SHIPPED_THESAURUS) if settings.retrieval.thesaurus else None
    retriever = HybridRetriever(index, embedder, settings.retrieval, reranker, glossary, thesaurus)
    holder = ChatModelHolder(settings)
    if chat_model is not None:
        holder._model = chat_model  # noqa: SLF001 - injection of a given model (tests, eval)
    answerer = Answerer(settings, retriever, holder)
    log = InteractionLog(settings.home, settings.governance)
    log.start()
    return Services(settings=settings, index=index, embedder=embedder, retriever=retriever, chat=holder, answerer=answerer, log=log)
