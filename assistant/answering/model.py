"""The shapes of an answer: sentences tied to sources, flags, provenance and timings."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any, Literal

from assistant.retrieval.hybrid import Passage

NOTICE = {"fr": "Réponse générée par IA — à vérifier", "en": "AI-generated answer — to be verified"}
DEGRADED_LABEL = {
    "fr": "Mode dégradé : le modèle de langue est indisponible. Voici les passages les plus pertinents des documents, sans réponse rédigée.",
    "en": "Degraded mode: the language model is unavailable. Here are the most relevant passages of the documents, without a written answer.",
}
REFUSAL_LABEL = {
    "fr": "Les documents disponibles ne permettent pas de répondre à cette question.",
    "en": "The available documents do not answer this question.",
}

SentenceStatus = Literal["supported", "reattached", "unsupported"]


@dataclass
class AnswerSentence:
    """One sentence of the answer and the sources that support it (numbers into Answer.retrieved)."""

    text: str
    sources: list[int]
    support: float
    model_sources: list[int]
    status: SentenceStatus

    def as_dict(self) -> dict[str, Any]:
        """JSON-friendly form."""
        return {"text": self.text, "sources": self.sources, "support": round(self.support, 3),
                "model_sources": self.model_sources, "status": self.status}


@dataclass
class Answer:
    """What a question gets: a checked answer, a refusal, or passages in degraded mode."""

    question: str
    lang: str
    text: str
    retrieved: list[Passage]
    sentences: list[AnswerSentence] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    refused: bool = False
    degraded: bool = False
    degraded_reason: str | None = None
    raw_model_output: str = ""
    prompt_version: str | None = None
    model: dict[str, Any] | None = None
    index_version: str | None = None
    timings: dict[str, float] = field(default_factory=dict)
    id: str = field(default_factory=lambda: uuid.uuid4().hex)

    @property
    def notice(self) -> str:
        """The AI notice, always shown with the answer."""
        return NOTICE[self.lang]

    @property
    def cited(self) -> list[int]:
        """Source numbers cited by at least one kept sentence, in order."""
        seen: list[int] = []
        for sentence in self.sentences:
            for number in sentence.sources:
                if number not in seen:
                    seen.append(number)
        return sorted(seen)

    def as_dict(self) -> dict[str, Any]:
        """The JSON of `garant ask --json` (and of the API)."""
        return {
            "id": self.id, "question": self.question, "lang": self.lang, "answer": self.text, "notice": self.notice,
            "refused": self.refused, "degraded": self.degraded, "degraded_reason": self.degraded_reason,
            "sentences": [s.as_dict() for s in self.sentences], "dropped_sentences": self.dropped,
            "citations": [self.retrieved[n - 1].as_dict() | {"number": n} for n in self.cited],
            "retrieved": [p.as_dict() | {"number": i} for i, p in enumerate(self.retrieved, start=1)],
            "prompt_version": self.prompt_version, "model": self.model, "index_version": self.index_version,
            "timings": {k: round(v, 3) for k, v in self.timings.items()},
        }
