"""The answer service: validate, retrieve, decide whether the evidence allows an answer,
generate from a short prompt, check every sentence against the passages, and fall back to
the passages themselves (degraded mode) when the model is unavailable.

`stream()` yields events as they happen (sources first, then text pieces, then the final
checked answer) so a page can show sources before the answer finishes.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from assistant.answering.citations import check_sentences, is_refusal, split_sentences
from assistant.answering.extracts import excerpt, key_extracts
from assistant.answering.language import detect_language
from assistant.answering.model import DEGRADED_LABEL, EXTRACT_LABEL, LEADS_LABEL, QUOTE_ONLY_LABEL, REFUSAL_LABEL, ROLE_REFUSAL, Answer
from assistant.answering.role_guard import leaves_role
from assistant.answering.validation import clean_question
from assistant.engines.chat import ChatMessage, ChatModel
from assistant.errors import GarantError
from assistant.prompts import PromptTemplate, load_prompt
from assistant.retrieval.analysis import analyse
from assistant.retrieval.hybrid import HybridRetriever, Passage
from assistant.settings import Settings

log = logging.getLogger(__name__)


@dataclass
class Event:
    """One step of a streamed answer: kind is 'sources', 'token' or 'final'."""

    kind: str
    data: Any


class Answerer:
    """Answers questions from one index version with one chat model."""

    def __init__(self, settings: Settings, retriever: HybridRetriever, chat_model: Callable[[], ChatModel]) -> None:
        self.settings = settings
        self.retriever = retriever
        self._chat_model = chat_model
        self._prompts: dict[str, PromptTemplate] = {}

    def prompt(self, lang: str) -> PromptTemplate:
        """The answer prompt for a language (read once)."""
        if lang not in self._prompts:
            self._prompts[lang] = load_prompt("answer", lang)
        return self._prompts[lang]

    def answer(self, question: str, **kwargs: Any) -> Answer:
        """The final answer (consumes `stream`)."""
        final: Answer | None = None
        for event in self.stream(question, **kwargs):
            if event.kind == "final":
                final = event.data
        assert final is not None
        return final

    def stream(self, question: str, lang: str | None = None, history: list[str] | None = None,
               kinds: list[str] | None = None, k: int | None = None, no_llm: bool = False) -> Iterator[Event]:
        """Events of one answer. Raises InputError (before any retrieval) on a bad question.
        `no_llm` forces degraded mode (passages only); `k` overrides retrieval.top_k."""
        started = time.perf_counter()
        question = clean_question(question, self.settings.server.max_question_chars)
        lang = lang if lang in ("fr", "en") else detect_language(question, self.settings.language)
        meta = self.retriever.version.meta
        if leaves_role(question):
            answer = Answer(question=question, lang=lang, text=ROLE_REFUSAL[lang], retrieved=[], refused=True,
                            refusal_reason="role", index_version=self.retriever.version.version_id,
                            corpus_version=meta.get("corpus_sha256"), prompt_version=self.prompt(lang).version)
            answer.timings = {"retrieval_s": 0.0, "total_s": time.perf_counter() - started}
            yield Event("sources", [])
            yield Event("final", answer)
            return
        query = " ".join([*(history or [])[-self.settings.answer.history_turns :], question]) if self.settings.answer.history_turns else question
        passages = self.retriever.search(query, k=k, kinds=kinds, lang=lang)
        timings = {"retrieval_s": time.perf_counter() - started}
        answer = Answer(question=question, lang=lang, text="", retrieved=passages, corpus_version=meta.get("corpus_sha256"),
                        index_version=self.retriever.version.version_id, prompt_version=self.prompt(lang).version)
        yield Event("sources", passages)
        if not passages or not self._enough_evidence(question, passages, lang, answer):
            self._refuse(answer, "no_evidence")
            answer.timings = {**answer.timings, **timings, "total_s": time.perf_counter() - started}
            yield Event("final", answer)
            return
        answer.extracts = key_extracts(question, passages, lang, limit=2 if no_llm else 1)
        if no_llm:
            answer.degraded, answer.degraded_reason = True, "no_llm"
            answer.text = self._with_extracts(DEGRADED_LABEL[lang] + ".", answer)
            answer.timings = {**answer.timings, **timings, "total_s": time.perf_counter() - started}
            yield Event("final", answer)
            return
        yield from self._generate(answer, question, passages, lang, timings, started)

    @staticmethod
    def _with_extracts(text: str, answer: Answer) -> str:
        """Append the key sentences of the documents, quoted verbatim with their source."""
        label = EXTRACT_LABEL[answer.lang]
        quotes = [f"{label} « {sentence} » [{number}]" if answer.lang == "fr" else f'{label} "{sentence}" [{number}]'
                  for number, sentence in answer.extracts]
        return " ".join([text, *quotes])

    def _refuse_or_quote(self, answer: Answer, reason: str) -> None:
        """The model wrote nothing verifiable: when the evidence is strong (close passages that
        hold most of the question's words), quote the key sentence of the documents, labelled
        as such; otherwise refuse."""
        cfg = self.settings.answer
        strong = (answer.timings.get("best_dense", -1.0) >= cfg.quote_min_dense
                  and answer.timings.get("coverage", 0.0) >= cfg.quote_min_coverage)
        if answer.extracts and cfg.quote_when_model_declines and strong:
            answer.quoted_only, answer.refusal_reason = True, reason
            answer.text = self._with_extracts(QUOTE_ONLY_LABEL[answer.lang], answer)
            return
        self._refuse(answer, reason)

    @staticmethod
    def _refuse(answer: Answer, reason: str) -> None:
        """The fixed refusal, with the nearest documents as leads."""
        answer.refused, answer.refusal_reason = True, reason
        leads = answer.leads
        colon = " :" if answer.lang == "fr" else ":"
        answer.text = REFUSAL_LABEL[answer.lang] + (f" {LEADS_LABEL[answer.lang]}{colon} {' ; '.join(leads)}." if leads else "")

    def _enough_evidence(self, question: str, passages: list[Passage], lang: str, answer: Answer) -> bool:
        """Refuse without the model when no passage is close to the question."""
        query_vector = self.retriever.query_vector(question)
        vectors = self.retriever.version.store.embeddings_for([p.chunk.chunk_id for p in passages])
        for passage in passages:
            vector = vectors.get(passage.chunk.chunk_id)
            passage.dense_score = float(np.dot(query_vector, vector)) if vector is not None else passage.dense_score
        best_dense = max((p.dense_score or -1.0) for p in passages)
        terms = set(analyse(question, lang))
        found: set[str] = set()
        for passage in passages:
            found |= terms & set(analyse(passage.chunk.text, lang))
        coverage = len(found) / len(terms) if terms else 0.0
        answer.timings["best_dense"] = best_dense
        answer.timings["coverage"] = coverage
        cfg = self.settings.answer
        return best_dense >= cfg.refuse_below_dense or coverage >= cfg.refuse_below_coverage

    def _messages(self, question: str, passages: list[Passage], lang: str) -> tuple[list[ChatMessage], list[str]]:
        terms = set(analyse(question, lang))
        budget = max(self.settings.answer.source_chars // len(passages), 200)
        shown = [excerpt(p.chunk.text, terms, budget, lang) for p in passages]
        blocks = [
            f"[{i}] {p.document.title}{' — ' + p.location if p.location else ''}\n{text}"
            for i, (p, text) in enumerate(zip(passages, shown, strict=True), start=1)
        ]
        system, user = self.prompt(lang).render(sources="\n\n".join(blocks), question=question)
        return [ChatMessage("system", system), ChatMessage("user", user)], shown

    def _generate(self, answer: Answer, question: str, passages: list[Passage], lang: str,
                  timings: dict[str, float], started: float) -> Iterator[Event]:
        messages, shown = self._messages(question, passages, lang)
        pieces: list[str] = []
        try:
            model = self._chat_model()
            answer.model = model.info.as_dict()
            for piece in model.stream(messages, self.settings.llm.max_tokens):
                if not pieces:
                    timings["first_token_s"] = time.perf_counter() - started
                pieces.append(piece)
                yield Event("token", piece)
        except (GarantError, OSError, RuntimeError) as exc:
            log.warning("chat model unavailable, answering in degraded mode: %s", exc)
            answer.degraded = True
            answer.degraded_reason = exc.message(lang) if isinstance(exc, GarantError) else type(exc).__name__
            answer.extracts = key_extracts(question, passages, lang, limit=2)
            answer.text = self._with_extracts(DEGRADED_LABEL[lang] + ".", answer)
            answer.timings = {**answer.timings, **timings, "total_s": time.perf_counter() - started}
            yield Event("final", answer)
            return
        raw = "".join(pieces).strip()
        answer.raw_model_output = raw
        timings["generation_s"] = time.perf_counter() - started - timings.get("first_token_s", 0.0)
        prompt = self.prompt(lang)
        full_texts = [p.chunk.text for p in passages]
        if is_refusal(raw, prompt.refusal):
            self._refuse_or_quote(answer, "model")
        else:
            kept, dropped = check_sentences(raw, full_texts, lang, self.settings.answer.min_support)
            answer.sentences, answer.dropped = kept, dropped
            if not kept:
                self._refuse_or_quote(answer, "unsupported")
            else:
                written = " ".join(f"{s.text} {''.join(f'[{n}]' for n in s.sources)}" for s in kept)
                answer.text = self._with_extracts(written, answer)
        answer.timings = {**answer.timings, **timings, "total_s": time.perf_counter() - started}
        yield Event("final", answer)


__all__ = ["Answerer", "Event", "split_sentences"]
