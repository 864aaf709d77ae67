"""The answer service: validate, retrieve, decide whether the evidence allows an answer,
generate from a short prompt, check every sentence against the passages, and fall back to
the passages themselves (degraded mode) when the model is unavailable.

`stream()` yields events as they happen (sources first, then text pieces, then the final
checked answer) so a page can show sources before the answer finishes.

Hardening: documents and the question reach the prompt as data (chat-template control
tokens removed, see `prompts.as_data`); what the model writes reaches the reader only
through `OutputGuard` (no links, images or markup; an output repeating the instructions is
withheld); generation is bounded by `llm.max_tokens` and `llm.timeout_s` whatever the
engine does, and any engine failure gives a degraded answer with the passages.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from assistant.answering.answer_types import asks_for_credential, asks_for_public_body_fine, lacks_the_value_asked, value_holder
from assistant.answering.citations import check_sentences, is_refusal, split_sentences
from assistant.answering.extracts import MAX_EXTRACT_CHARS, excerpt, key_extracts, passage_terms, readable_excerpt, statements_by_passage
from assistant.answering.follow_up import retrieval_query
from assistant.answering.language import detect_language
from assistant.answering.model import (
    CREDENTIAL_LABEL,
    DEGRADED_LABEL,
    EXTRACT_LABEL,
    LEADS_LABEL,
    MISSING_REFERENCE_LABEL,
    PUBLIC_BODY_FINE_LABEL,
    REFUSAL_LABEL,
    ROLE_REFUSAL,
    ROLE_RESEMBLANCE_REFUSAL,
    SMALL_TALK_REPLY,
    UNINDEXED_PUBLICATION_LABEL,
    UNINDEXED_WORDING_LABEL,
    UNKNOWN_IDENTIFIER_LABEL,
    WITHHELD_LABEL,
    Answer,
)
from assistant.answering.output_guard import LeakDetector, OutputGuard, neutralise
from assistant.answering.role_examples import CALIBRATED_MARGINS, RoleExamples, load_examples
from assistant.answering.role_guard import leaves_role, without_instructions
from assistant.answering.siblings import sibling_figures, states_a_sibling_figure
from assistant.answering.small_talk import is_small_talk
from assistant.answering.validation import clean_question
from assistant.engines.chat import ChatMessage, ChatModel, GenerationTimeout
from assistant.errors import GarantError
from assistant.prompts import PromptTemplate, as_data, home_canary, load_prompt
from assistant.retrieval.analysis import analyse
from assistant.retrieval.hybrid import HybridRetriever, Passage
from assistant.retrieval.identifiers import spelled_out
from assistant.retrieval.statements import ITEM_AFTER_LEAD, statements
from assistant.settings import Settings

log = logging.getLogger(__name__)

# Sentences quoted when no model text is shown: the passages' key sentences are the answer.
KEY_QUOTES = 3
# What a message answered before any search gets, by reason.
_WITHOUT_SEARCH = {"small_talk": SMALL_TALK_REPLY, "role": ROLE_REFUSAL, "role_resemblance": ROLE_RESEMBLANCE_REFUSAL}


def _in_sentence(label: str) -> str:
    """A reference as written in the question, inside a sentence: « Article 17 » → « article 17 »,
    the number left as written (« article L1111-8 »)."""
    return label[:1].lower() + label[1:]


def _after_none(label: str, lang: str) -> str:
    """A reference after « ne contient pas » / "has no": « d'article 120 », « de point 14 », "section 15"."""
    label = _in_sentence(label)
    if lang != "fr":
        return label
    return f"d'{label}" if label[:1].lower() in "aeéèêiîoôuyh" else f"de {label}"


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
        self._detector: LeakDetector | None = None
        self._role_examples: RoleExamples | None = None

    def prompt(self, lang: str) -> PromptTemplate:
        """The answer prompt for a language (read once)."""
        if lang not in self._prompts:
            self._prompts[lang] = load_prompt("answer", lang, canary=home_canary(self.settings.home))
        return self._prompts[lang]

    def role_examples(self) -> RoleExamples | None:
        """The resemblance check of role-leaving requests, when it is on and a margin is known
        for the embedder (built once; its examples are embedded on first use)."""
        cfg = self.settings.answer
        if not cfg.role_examples:
            return None
        if self._role_examples is None:
            margin = cfg.role_examples_margin
            if margin is None:
                margin = CALIBRATED_MARGINS.get(self.retriever.embedder.info.weights_sha256)
            if margin is None:
                return None
            self._role_examples = RoleExamples(self.retriever.embedder.embed_query, load_examples(), margin)
        return self._role_examples

    def _resembles_role_leaving(self, question: str, query: str) -> bool:
        """The question resembles the role-leaving examples, and so does it with the previous
        question of the conversation (`query`): « Et si je suis malade ce jour-là ? » after a
        question on the roster is a follow-up, not a request for medical advice."""
        examples = self.role_examples()
        if examples is None or not examples.leaves_role(self.retriever.query_vector(question)):
            return False
        return query == question or examples.leaves_role(self.retriever.query_vector(query))

    def answer(self, question: str, **kwargs: Any) -> Answer:
        """The final answer (consumes `stream`)."""
        final: Answer | None = None
        for event in self.stream(question, **kwargs):
            if event.kind == "final":
                final = event.data
        assert final is not None
        return final

    def leak_detector(self) -> LeakDetector:
        """Recognises the canary and runs of the system prompts of both languages (built once)."""
        if self._detector is None:
            prompts = [self.prompt(lang) for lang in ("fr", "en")]
            self._detector = LeakDetector(prompts[0].canary, [p.rules for p in prompts],
                                          example_texts=[e for p in prompts for e in p.examples])
        return self._detector

    def stream(self, question: str, lang: str | None = None, history: list[str] | None = None,
               kinds: list[str] | None = None, k: int | None = None, no_llm: bool = False) -> Iterator[Event]:
        """Events of one answer. Raises InputError (before any retrieval) on a bad question.
        `no_llm` forces degraded mode (passages only); `k` overrides retrieval.top_k.
        On every path the final answer's text and quotes are inert plain text (no link, image or markup)."""
        events = self._events(question, lang, history, kinds, k, no_llm)
        try:
            for event in events:
                if event.kind == "final":
                    answer = event.data
                    answer.extracts = [(number, neutralise(sentence, answer.lang)) for number, sentence in answer.extracts]
                    answer.text = neutralise(answer.text, answer.lang)
                yield event
        finally:
            events.close()  # a reader that leaves stops the model at once

    def _events(self, question: str, lang: str | None, history: list[str] | None, kinds: list[str] | None,
                k: int | None, no_llm: bool) -> Iterator[Event]:
        started = time.perf_counter()
        question = clean_question(question, self.settings.server.max_question_chars)
        lang = lang if lang in ("fr", "en") else detect_language(question, self.settings.language)
        meta = self.retriever.version.meta
        query = retrieval_query(question, history, self.settings.answer.history_turns, lang)
        if is_small_talk(question):
            reason: str | None = "small_talk"
        else:
            reason = "role" if leaves_role(question) else "role_resemblance" if self._resembles_role_leaving(question, query) else None
        if reason:
            answer = Answer(question=question, lang=lang, text=_WITHOUT_SEARCH[reason][lang], retrieved=[], refused=True,
                            refusal_reason=reason, index_version=self.retriever.version.version_id,
                            corpus_version=meta.get("corpus_sha256"), prompt_version=self.prompt(lang).version)
            answer.timings = {"retrieval_s": 0.0, "total_s": time.perf_counter() - started}
            yield Event("sources", [])
            yield Event("final", answer)
            return
        passages = self.retriever.search(query, k=k, kinds=kinds, lang=lang)
        answer = Answer(question=question, lang=lang, text="", retrieved=passages, corpus_version=meta.get("corpus_sha256"),
                        index_version=self.retriever.version.version_id, prompt_version=self.prompt(lang).version)
        self._judge(answer, question, passages, kinds, lang)
        if not answer.refused:
            passages = answer.retrieved = self._answering_passages(question, query, passages, kinds, k, lang)
        timings = {"retrieval_s": time.perf_counter() - started}  # the passages chosen: searched, judged, searched again
        yield Event("sources", passages)
        if answer.refused:
            answer.timings = {**answer.timings, **timings, "total_s": time.perf_counter() - started}
            yield Event("final", answer)
            return
        answer.extracts = (self._answer_quotes(question, passages, lang) if no_llm
                           else key_extracts(question, passages, lang, translated=self.translated_words(question, lang)))
        if no_llm:
            answer.degraded, answer.degraded_reason = True, "no_llm"
            answer.text = self._with_extracts(DEGRADED_LABEL[lang] + ".", answer)
            answer.timings = {**answer.timings, **timings, "total_s": time.perf_counter() - started}
            yield Event("final", answer)
            return
        yield from self._generate(answer, question, passages, lang, timings, started)

    def _judge(self, answer: Answer, question: str, passages: list[Passage], kinds: list[str] | None, lang: str) -> None:
        """Refuse, without the model, when the passages cannot hold the answer: a reference or code
        no document has, no passage close to the question, or no value of the kind asked."""
        # The refusal checks read the best passages only: those further down add facts, never a reason to answer.
        judged = passages[: self.settings.answer.evidence_passages]
        texts = [p.chunk.text for p in judged]
        if missing := self.retriever.missing_references(question, kinds):
            self._refuse(answer, "missing_reference", MISSING_REFERENCE_LABEL[lang].format(label=_after_none(missing[0], lang)))
        elif unindexed := self.retriever.unindexed_wording(question):
            self._refuse(answer, "missing_reference", UNINDEXED_WORDING_LABEL[lang].format(label=_in_sentence(unindexed)))
        elif publication := self.retriever.unindexed_publication(question):
            self._refuse(answer, "missing_reference", UNINDEXED_PUBLICATION_LABEL[lang].format(label=publication))
        elif unknown := [name for name in self.retriever.unknown_identifiers(question)
                         if not spelled_out(name, texts)]:
            self._refuse(answer, "missing_reference", UNKNOWN_IDENTIFIER_LABEL[lang].format(identifier=unknown[0]))
        elif not passages or not self._enough_evidence(question, passages, judged, lang, answer):
            self._refuse(answer, "no_evidence")
        elif (lacks_the_value_asked(question, texts, lang, self.value_words(question, lang))
              and not self.retriever.gives_application_dates(question, judged)):
            self._refuse(answer, "no_value", CREDENTIAL_LABEL[lang] if asks_for_credential(question)
                         else PUBLIC_BODY_FINE_LABEL[lang] if asks_for_public_body_fine(question) else "")

    def _answering_passages(self, question: str, query: str, passages: list[Passage], kinds: list[str] | None, k: int | None,
                            lang: str) -> list[Passage]:
        """The passages searched again once the question is judged answerable on those found
        plainly: favouring those that hold a value of the kind the question asks for
        (`answer_types.value_holder`, `retrieval.score_value_weight`), and reading deeper into an
        act the question names (`retrieval.named_act_max`). Judged on these passages instead, a
        value stated for something else would always be at hand (design sets without the model:
        8 fewer refusals of 191), and one answerable question was refused."""
        holder = value_holder(question, lang, self.value_words(question, lang)) if self.settings.retrieval.score_value_weight else None
        deeper = (self.settings.retrieval.named_act_max > self.settings.retrieval.per_document_max
                  and bool(self.retriever.named_acts(query)))
        if holder is None and not deeper:
            return passages
        found = self.retriever.search(query, k=k, kinds=kinds, lang=lang, favour=holder, deeper_in_named_acts=deeper)
        if [p.chunk.chunk_id for p in found] == [p.chunk.chunk_id for p in passages]:
            return passages  # already given their cosine similarity
        self._score_passages(question, found)
        return found

    def _answer_quotes(self, question: str, passages: list[Passage], lang: str) -> list[tuple[int, str]]:
        """When no model text is shown (degraded mode, or nothing the model wrote could be
        verified), the passages are the answer: an excerpt of each, around its sentence sharing
        the most of the question's words, weighted by their IDF as the retriever weighs them
        (`answer.passage_excerpt_chars`), on one line. The
        choice of a few sentences, not the search, was what most often lost the fact: the key
        sentences of the passages missed it where the passage around them held it. Weighting the
        shared words by IDF instead of counting them: facts in the answers 234 → 240 of the 320
        answerable questions of dev and the sets written apart, every set the same or better. With
        `passage_excerpt_chars = 0`, the three key sentences of all the passages (dev set: they
        hold the expected facts for 71 of 123 questions, the two best of the first two passages
        for 65, the best one for 59).

        A passage read in the question's language is also read with the documents' words for the
        staff's phrases the question uses (`documents_words`): "…tell the nurses and their union
        reps…" then quotes Article 26's sentence on "workers' representatives", not the one after
        it. Design sets without the model: facts 516 → 518 of 629, nothing lost; the twelve blind
        sets (totals only) 334 → 335 of 474; refusals the same on both."""
        translated = self.translated_words(question, lang)
        if chars := self.settings.answer.passage_excerpt_chars:
            quotes = []
            staff = self.documents_words(question, lang)
            for number, passage in enumerate(passages, start=1):
                terms, reading = passage_terms(question, passage, lang, translated)
                terms = terms | staff if reading == lang else terms
                text = readable_excerpt(passage.chunk.text, terms, chars, reading, self.retriever.lexical.term_weights(terms))
                quotes.append((number, without_instructions(text)))  # already on one line
            return quotes
        quotes = key_extracts(question, passages, lang, limit=KEY_QUOTES, within=len(passages), translated=translated)
        return self._with_other_language_quotes(question, passages, lang, quotes)

    def _with_other_language_quotes(self, question: str, passages: list[Passage], lang: str,
                                     quotes: list[tuple[int, str]]) -> list[tuple[int, str]]:
        """A passage written in another language than the question shares none of its words, so
        word overlap quotes nothing of it, or a sentence of another passage that happens to share
        a word (an English question about the French-only roster procedure got a sentence of the
        AI Act on airport hallways). When such a passage ranks before every quoted one, its
        sentence closest in meaning is quoted too (the embedder is multilingual), and the quotes
        then follow the passages' order."""
        first_quoted = min((number for number, _ in quotes), default=len(passages) + 1)
        picked: list[tuple[int, str]] = []
        query = None
        for number, passage in enumerate(passages[: first_quoted - 1], start=1):
            other = passage.document.lang and passage.document.lang != lang
            units = statements(passage.chunk.text) if other else []
            if not units:
                continue
            units = [excerpt(unit, set(), MAX_EXTRACT_CHARS, passage.document.lang) if len(unit) > MAX_EXTRACT_CHARS else unit
                     for unit in units]
            query = self.retriever.query_vector(question) if query is None else query
            vectors = self.retriever.embedder.embed_passages(units)
            picked.append((number, units[int(np.argmax(vectors @ query))]))
        if not picked:
            return quotes
        return sorted(picked + quotes, key=lambda quote: quote[0])[:KEY_QUOTES]

    @staticmethod
    def _with_extracts(text: str, answer: Answer) -> str:
        """Append the key sentences of the documents, quoted verbatim with their source and where
        in it they are (« Extrait du document (p. 55, Article 37 — …) : »): a quote read on its
        own, in the terminal or in the JSON, says which article or section it comes from."""
        quotes = []
        for number, sentence in answer.extracts:
            place = answer.place_of(number)
            label = EXTRACT_LABEL[answer.lang].format(place=f" ({place})" if place else "")
            quotes.append(f"{label} « {sentence} » [{number}]" if answer.lang == "fr" else f'{label} "{sentence}" [{number}]')
        return " ".join([text, *quotes])

    def _refuse_or_quote(self, answer: Answer, reason: str) -> None:
        """The model wrote nothing verifiable: when the evidence is strong (close passages that
        hold enough of the question's words), quote the key sentences of the documents,
        labelled as such; otherwise refuse."""
        cfg = self.settings.answer
        strong = (answer.timings.get("best_dense", -1.0) >= cfg.quote_min_dense
                  and answer.timings.get("coverage", 0.0) >= cfg.quote_min_coverage)
        if answer.extracts and cfg.quote_when_model_declines and strong:
            answer.quoted_only, answer.refusal_reason = True, reason
            answer.extracts = self._answer_quotes(answer.question, answer.retrieved, answer.lang)
            answer.text = self._with_extracts(answer.quote_label, answer)
            return
        self._refuse(answer, reason)

    @staticmethod
    def _refuse(answer: Answer, reason: str, detail: str = "") -> None:
        """The fixed refusal, then what was missing when known, then the nearest documents as leads."""
        answer.refused, answer.refusal_reason = True, reason
        leads = answer.leads
        colon = " :" if answer.lang == "fr" else ":"
        answer.text = " ".join(part for part in (
            REFUSAL_LABEL[answer.lang], detail, f"{LEADS_LABEL[answer.lang]}{colon} {' ; '.join(leads)}." if leads else "") if part)

    def _enough_evidence(self, question: str, passages: list[Passage], judged: list[Passage], lang: str, answer: Answer) -> bool:
        """Refuse without the model when none of the `judged` best passages is close to the
        question (each of `passages` gets its cosine similarity, shown with it) and they hold
        too few of its words. A word of a staff's phrase of the thesaurus counts as held when a
        passage states its idea in the documents' words (`Thesaurus.stated_terms`: « ChatGPT »
        and the charter's « agents conversationnels grand public »). With the public chatbots'
        names added to the thesaurus, design sets without the model: facts 453 → 458 of 564,
        answerable questions refused 19 → 16, refusals the same (240 of 257); the sets never read
        unchanged. The first passage stating the idea of such a phrase is evidence enough, however
        many other staff words the question holds (« …coller le compte rendu d'hospitalisation d'un
        patient dans ChatGPT sur mon téléphone pour qu'il me le résume ? » was refused with the
        charter's « Usages interdits » first): the thirteen design sets (fr-gdpr included) without the
        model, facts 523 → 525 of 661, answerable questions refused 14 → 12; the twelve blind sets
        331 → 332 of 474, 32 → 30;
        refusals the same on both (an amount asked in pounds sterling, let through, is now refused by
        `answer_types.asks_in_other_currency`)."""
        self._score_passages(question, passages)
        best_dense = max((p.dense_score or -1.0) for p in judged)
        terms = set(analyse(question, lang))
        held = [set(analyse(passage.chunk.text, lang)) for passage in judged]
        found = terms & set().union(*held)
        if self.retriever.thesaurus is not None:
            found |= self.retriever.thesaurus.stated_terms(question, lang, held)
        coverage = len(found) / len(terms) if terms else 0.0
        answer.timings["best_dense"] = best_dense
        answer.timings["coverage"] = coverage
        cfg = self.settings.answer
        thesaurus = self.retriever.thesaurus
        states_the_idea = thesaurus is not None and bool(thesaurus.stated_terms(question, lang, held[:1]))
        return best_dense >= cfg.refuse_below_dense or coverage >= cfg.refuse_below_coverage or states_the_idea

    def _score_passages(self, question: str, passages: list[Passage]) -> None:
        """Give each passage its cosine similarity to the question (BM25 found some without it)."""
        query_vector = self.retriever.query_vector(question)
        vectors = self.retriever.version.store.embeddings_for([p.chunk.chunk_id for p in passages])
        for passage in passages:
            vector = vectors.get(passage.chunk.chunk_id)
            passage.dense_score = float(np.dot(query_vector, vector)) if vector is not None else passage.dense_score

    def translated_words(self, question: str, lang: str) -> str:
        """The words of the concepts the question names in the other language (the retriever's
        glossary): French for an English question, English for a French one. A passage in that
        language is read with them (the value asked for, the sentences given to the model and
        quoted); else empty."""
        glossary = self.retriever.glossary
        if glossary is None:
            return ""
        return glossary.to_french(question) if lang == "en" else glossary.to_english(question) if lang == "fr" else ""

    def documents_words(self, question: str, lang: str) -> set[str]:
        """The index terms of the documents' words for the staff's phrases the question uses
        (the retriever's thesaurus: « union reps » → "workers' representatives"); empty without one."""
        thesaurus = self.retriever.thesaurus
        return set(analyse(thesaurus.expand(question, lang), lang)) if thesaurus is not None else set()

    def value_words(self, question: str, lang: str) -> str:
        """The translated words a value may be found near (`holds_value_near`): an English
        question's, and a French question's when it names an act indexed in English only (« le
        RGPD »). Other French questions are read with their own words only: with the English words
        of « congés annuels », an English passage's « days » answered a question on leave the
        documents do not give (two unanswerable design questions no longer refused)."""
        if lang == "fr" and not self.retriever.named_english_only_acts(question):
            return ""
        return self.translated_words(question, lang)

    def _read_by_model(self, passages: list[Passage]) -> list[Passage]:
        """The passages the model reads: the best `answer.model_passages` (the others are listed and quoted)."""
        return passages[: self.settings.answer.model_passages]

    def prompt_messages(self, question: str, passages: list[Passage], lang: str) -> list[ChatMessage]:
        """The system rules and the user turn: what the model reads of each of the best
        `answer.model_passages` passages (its key statements, or an excerpt), then the question.
        Public so the latency benchmark times bare llama.cpp on the very prompt an answer sends."""
        cfg = self.settings.answer
        passages = self._read_by_model(passages)
        if cfg.source_statements:
            shown = statements_by_passage(question, passages, lang, cfg.source_statements, self.translated_words(question, lang))
        else:
            terms = set(analyse(question, lang))
            budget = max(cfg.source_chars // len(passages), 200)
            shown = [excerpt(p.chunk.text, terms, budget, lang) for p in passages]
        # Documents and question go in as data: no chat-template token, no line posing as a turn.
        blocks = [
            as_data(f"[{i}] {p.document.title}{' — ' + p.location if p.location else ''}\n{text}")
            for i, (p, text) in enumerate(zip(passages, shown, strict=True), start=1)
        ]
        system, user = self.prompt(lang).render(sources="\n\n".join(blocks), question=as_data(question))
        return [ChatMessage("system", system), ChatMessage("user", user)]

    def _generate(self, answer: Answer, question: str, passages: list[Passage], lang: str,
                  timings: dict[str, float], started: float) -> Iterator[Event]:
        messages = self.prompt_messages(question, passages, lang)
        answer.model_read = len(self._read_by_model(passages))
        prompt = self.prompt(lang)
        # The reader sees only what the guard releases; the passages (whole, not only what the model
        # read of them) and the question may be repeated verbatim.
        allowed = [messages[-1].content, *(p.chunk.text for p in passages), prompt.refusal]
        guard = OutputGuard(lang, self.leak_detector(), allowed_texts=allowed)
        pieces: list[str] = []
        model_pieces = self._bounded_pieces(answer, messages)
        try:
            for piece in model_pieces:
                if not pieces:
                    timings["first_token_s"] = time.perf_counter() - started
                pieces.append(piece)
                released = guard.feed(piece)
                if released:
                    yield Event("token", released)
                if guard.withheld:
                    break  # leaving the loop stops the model
            tail = guard.finish()
        except Exception as exc:  # noqa: BLE001 - whatever the engine raises, the reader gets the passages
            if isinstance(exc, GarantError | OSError | RuntimeError):
                log.warning("chat model unavailable, answering in degraded mode: %s", exc)
            else:
                log.exception("chat model failed unexpectedly, answering in degraded mode")
            answer.degraded = True
            answer.degraded_reason = exc.message(lang) if isinstance(exc, GarantError) else type(exc).__name__
            answer.extracts = self._answer_quotes(question, passages, lang)
            answer.text = self._with_extracts(DEGRADED_LABEL[lang] + ".", answer)
            answer.timings = {**answer.timings, **timings, "total_s": time.perf_counter() - started}
            yield Event("final", answer)
            return
        finally:
            model_pieces.close()  # stops the engine at once (withheld answer, or a reader gone)
        if tail:
            yield Event("token", tail)
        timings["generation_s"] = time.perf_counter() - started - timings.get("first_token_s", 0.0)
        if guard.withheld:
            # Nothing of the output is shown or kept.
            if guard.leak == "example":
                # The small model sometimes answers with its prompt's worked example (« Le livret d'accueil
                # est remis… »): made-up passages, so nothing verifiable.
                log.warning("answer %s: the model's output copied an example of its instructions; not shown", answer.id)
                self._refuse_or_quote(answer, "unsupported")
            else:
                log.warning("answer %s withheld: the model's output repeated its instructions (canary or system prompt)", answer.id)
                answer.refused, answer.refusal_reason, answer.text = True, "withheld", WITHHELD_LABEL[lang]
            answer.timings = {**answer.timings, **timings, "total_s": time.perf_counter() - started}
            yield Event("final", answer)
            return
        answer.raw_model_output = "".join(pieces).strip()
        raw = neutralise(answer.raw_model_output, lang)
        # Instructions planted in a passage support nothing: repeating them is not answering.
        full_texts = [without_instructions(p.chunk.text) for p in passages]
        if is_refusal(raw, prompt.refusal):
            self._refuse_or_quote(answer, "model")
        else:
            cfg = self.settings.answer
            kept, dropped = check_sentences(raw, full_texts, lang, cfg.min_support, question, cfg.min_new_support,
                                            [p.document.lang for p in passages], self.retriever.glossary,
                                            [p.document.doc_id for p in passages], self.retriever.named_documents)
            # a figure of a list item or table row about another subject than the one asked (« 32 lits »
            # of the surgical unit for the beds of médecine polyvalente) is another subject's value; read on the
            # passages as written, whose lines make the lists and tables
            figures = sibling_figures(question, [p.chunk.text for p in passages], lang)
            elsewhere = [states_a_sibling_figure(s.text, figures) for s in kept]
            dropped += [s.text for s, other in zip(kept, elsewhere, strict=True) if other]
            kept = [s for s, other in zip(kept, elsewhere, strict=True) if not other]
            answer.sentences, answer.dropped = kept, dropped
            if not kept:
                self._refuse_or_quote(answer, "unsupported")
            else:
                written = " ".join(f"{s.text} {''.join(f'[{n}]' for n in s.sources)}" for s in kept)
                answer.extracts = self._with_key_quotes(self._extracts_from_cited(question, passages, kept, answer.extracts, lang,
                                                                                   self.translated_words(question, lang)),
                                                         question, passages, lang)
                answer.text = self._with_extracts(written, answer)
        answer.timings = {**answer.timings, **timings, "total_s": time.perf_counter() - started}
        yield Event("final", answer)

    def _with_key_quotes(self, first: list[tuple[int, str]], question: str, passages: list[Passage], lang: str) -> list[tuple[int, str]]:
        """Under a written answer, its quote from a cited passage, then the excerpts of the
        passages (`_answer_quotes`), `KEY_QUOTES` in all: the reader can check the answer against
        what the documents say, including what the small model left out (replayed on four question
        sets: 2 more answers holding their expected facts on each). An excerpt that holds a quote
        of its passage takes the quote's place: the page showed the charter's sentence, then the
        excerpt around it repeating it (57 of 125 written answers of heldout-4 to -7 replayed;
        in its place, facts 102 → 103; dropping the excerpt instead: 99)."""
        quotes = list(first)
        for number, text in self._answer_quotes(question, passages, lang):
            flat = " ".join(text.split())
            held = next((i for i, (n, quote) in enumerate(quotes) if n == number and " ".join(quote.split()) in flat), None)
            if held is not None:
                quotes[held] = (number, text)
            elif any(n == number and ITEM_AFTER_LEAD in quote and " ".join(quote.split(ITEM_AFTER_LEAD)[-1].split()) in flat
                     for n, quote in quotes):
                # a list item quoted after its introduction (« Sont interdits… : […] utiliser… ») is kept whole: its
                # excerpt, without the introduction, would read as a rule, not as one of the things forbidden
                continue
            elif all(text != quote for _, quote in quotes):
                quotes.append((number, text))
        return quotes[:KEY_QUOTES]

    @staticmethod
    def _extracts_from_cited(question: str, passages: list[Passage], kept: list[Any], extracts: list[tuple[int, str]],
                             lang: str, translated: str = "") -> list[tuple[int, str]]:
        """The quote shown under a written answer comes from a passage the answer cites, so the
        reader does not get a sentence about something else (« 12 mois » [3] quoted with « six mois » [2])."""
        cited = sorted({n for sentence in kept for n in sentence.sources})
        if not cited or any(number in cited for number, _ in extracts):
            return extracts
        ranked = key_extracts(question, [passages[n - 1] for n in cited], lang, limit=1, within=len(cited), translated=translated)
        return [(cited[i - 1], sentence) for i, sentence in ranked] or extracts

    def _bounded_pieces(self, answer: Answer, messages: list[ChatMessage]) -> Iterator[str]:
        """The model's text pieces, bounded whatever the engine does: at most `llm.max_tokens`
        pieces (a piece is one token for llama.cpp and OpenAI-style streams), and at most
        `llm.timeout_s` from the first piece on (GenerationTimeout past it; the engines also
        bound the wait and the prompt evaluation). The engine's stream is closed on every exit,
        which frees a llama.cpp context at once."""
        limits = self.settings.llm
        model = self._chat_model()
        answer.model = model.info.as_dict()
        stream = model.stream(messages, limits.max_tokens)
        written: list[str] = []
        deadline: float | None = None
        try:
            for piece in stream:
                now = time.monotonic()
                deadline = now + limits.timeout_s if deadline is None else deadline
                if now > deadline:
                    raise GenerationTimeout(limits.timeout_s, "".join(written))
                if not piece:
                    continue
                written.append(piece)
                yield piece
                if len(written) >= limits.max_tokens:
                    return
        finally:
            close = getattr(stream, "close", None)
            if callable(close):
                close()


__all__ = ["Answerer", "Event", "split_sentences"]
