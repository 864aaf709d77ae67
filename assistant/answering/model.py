"""The shapes of an answer: sentences tied to sources, flags, provenance and timings."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any, Literal

from assistant.retrieval.hybrid import Passage

NOTICE = {
    "fr": "Réponse générée par IA à partir des documents cités — à vérifier avant toute décision",
    "en": "AI-generated answer from the cited documents — to be checked before any decision",
}
DEGRADED_LABEL = {
    "fr": "Mode dégradé : aucune synthèse IA, voici les passages les plus pertinents",
    "en": "Degraded mode: no AI summary, here are the most relevant passages",
}
REFUSAL_LABEL = {
    "fr": "Je ne trouve pas cette information dans les documents indexés.",
    "en": "I cannot find this information in the indexed documents.",
}
# Added to the refusal when the question names an article that the act it names does not have.
MISSING_REFERENCE_LABEL = {
    "fr": "Le texte cité, tel qu'il est indexé, ne contient pas {label}.",  # « d'article 120 », « de point 14 »
    "en": "The text cited, as indexed, has no {label}.",
}
UNINDEXED_WORDING_LABEL = {
    "fr": "L'{label} cité n'est pas indexé : les documents indexés peuvent le mentionner, pas en donner le texte.",
    "en": "The {label} cited is not indexed: the indexed documents may mention it, not give its text.",
}
UNINDEXED_PUBLICATION_LABEL = {
    "fr": "Le document cité (« {label} ») n'est pas indexé : les documents indexés peuvent le mentionner, pas en donner le contenu.",
    "en": 'The document cited ("{label}") is not indexed: the indexed documents may mention it, not give its content.',
}
UNKNOWN_IDENTIFIER_LABEL = {
    "fr": "Aucun document indexé ne mentionne « {identifier} » ; si c'est un sigle, écrivez-le en toutes lettres.",
    "en": 'No indexed document mentions "{identifier}"; if it is an acronym, spell it out.',
}
CREDENTIAL_LABEL = {
    "fr": "Garant ne communique ni mot de passe ni code d'accès : demandez-les au service informatique.",
    "en": "Garant gives out no password or access code: ask the IT department.",
}
PUBLIC_BODY_FINE_LABEL = {
    "fr": "Aucun des passages trouvés ne donne de montant d'amende pour un organisme public (le RGPD et le règlement sur "
          "l'IA en laissent le régime au droit de chaque État membre).",
    "en": "None of the passages found gives a fine amount for a public body (the GDPR and the AI Act leave that to each "
          "Member State's law).",
}
QUOTE_ONLY_LABEL = {
    "fr": "Le modèle n'a pas rédigé de réponse vérifiable ; voici les passages des documents les plus proches de la question, à lire avant de conclure.",
    "en": "The model wrote no verifiable answer; here are the passages of the documents closest to the question, to read before concluding.",
}
MODEL_DECLINED_LABEL = {
    "fr": "Selon le modèle, les documents ne répondent pas à cette question ; voici leurs passages les plus proches, à lire avant de conclure.",
    "en": "According to the model, the documents do not answer this question; here are their closest passages, to read before concluding.",
}
WITHHELD_LABEL = {
    "fr": "Réponse retenue : le texte produit reprenait les consignes internes de l'assistant et n'est pas affiché. Posez une question sur le contenu des documents.",
    "en": "Answer withheld: the text produced repeated the assistant's internal instructions and is not shown. Ask a question about the content of the documents.",
}
EXTRACT_LABEL = {"fr": "Extrait du document{place} :", "en": "Document excerpt{place}:"}  # place: « (p. 55, Article 37 — …) » or ""
LEADS_LABEL = {"fr": "Documents les plus proches, à consulter", "en": "Closest documents, to consult"}
# A question that only resembles the role-leaving examples may be a staff question the documents do
# not cover (« Combien de lits compte le service de pédiatrie ? »): the refusal says what it is not
# sure of, and how to ask again, instead of telling the person they tried to leave the role.
ROLE_RESEMBLANCE_REFUSAL = {
    "fr": "Cette question ne semble pas porter sur les documents de l'établissement : je ne peux répondre qu'à partir "
          "d'eux. Si elle porte sur eux, reformulez-la en nommant le document ou le sujet (procédure, charte, règlement).",
    "en": "This question does not seem to be about the establishment's documents: I can only answer from them. If it is, "
          "rephrase it naming the document or the topic (procedure, charter, regulation).",
}
SMALL_TALK_REPLY = {
    "fr": "Je suis Garant, un assistant d'IA qui répond aux questions sur les documents de l'établissement (charte IA, "
          "procédures qualité, réglementation), uniquement à partir de ces documents et en citant mes sources. Posez une "
          "question précise, par exemple : « Dans quel délai faut-il signaler un dysfonctionnement d'un outil d'IA ? » "
          "Mes réponses sont à vérifier avant toute décision.",
    "en": "I am Garant, an AI assistant that answers questions about the establishment's documents (AI charter, quality "
          "procedures, regulations), only from those documents and citing my sources. Ask a precise question, for example: "
          "\"What must deployers of high-risk AI systems do under the AI Act?\" My answers must be checked before any decision.",
}
ROLE_REFUSAL = {
    "fr": "Je ne peux que répondre à des questions sur les documents de l'établissement, à partir de ces documents.",
    "en": "I can only answer questions about the establishment's documents, from those documents.",
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
    extracts: list[tuple[int, str]] = field(default_factory=list)
    refused: bool = False
    quoted_only: bool = False
    refusal_reason: str | None = None
    degraded: bool = False
    degraded_reason: str | None = None
    raw_model_output: str = ""
    model_read: int = 0  # how many of the first retrieved passages were given to the model (0: no model call)
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
    def quote_label(self) -> str:
        """What heads the quotes of an answer the model did not write: its judgment that the
        documents do not answer, or that it wrote nothing verifiable."""
        return (MODEL_DECLINED_LABEL if self.refusal_reason == "model" else QUOTE_ONLY_LABEL)[self.lang]

    def place_of(self, number: int) -> str:
        """Where in its document source `number` is (« p. 55, Section 4 › Article 37 — … »); "" when
        the passage has no page or heading, or the number points outside the retrieved set."""
        return self.retrieved[number - 1].location if 1 <= number <= len(self.retrieved) else ""

    @property
    def cited(self) -> list[int]:
        """Source numbers cited by at least one kept sentence, in order."""
        seen: set[int] = {number for sentence in self.sentences for number in sentence.sources}
        seen |= {number for number, _ in self.extracts}
        return sorted(seen)

    corpus_version: str | None = None

    @property
    def leads(self) -> list[str]:
        """Titles of the closest documents, offered with a refusal."""
        titles: list[str] = []
        for passage in self.retrieved:
            if passage.document.title not in titles:
                titles.append(passage.document.title)
        return titles[:3]

    def as_dict(self) -> dict[str, Any]:
        """The JSON of `garant ask --json` (and of the API)."""

        def ms(key: str) -> float | None:
            return round(self.timings[key] * 1000, 1) if key in self.timings else None

        model = self.model or {}
        return {
            "id": self.id, "question": self.question, "answer": self.text, "language": self.lang,
            "refused": self.refused, "refusal_reason": self.refusal_reason, "quoted_only": self.quoted_only, "degraded": self.degraded,
            "degraded_reason": self.degraded_reason, "notice": self.notice,
            "citations": [self.retrieved[n - 1].as_dict() | {"n": n} for n in self.cited],
            "retrieved": [p.as_dict() | {"n": i} for i, p in enumerate(self.retrieved, start=1)],
            "model_read": self.model_read,
            "leads": self.leads if self.refused else [],
            "sentences": [s.as_dict() for s in self.sentences], "dropped_sentences": self.dropped,
            "extracts": [{"n": number, "text": text} for number, text in self.extracts],
            "timings_ms": {"retrieval": ms("retrieval_s"), "first_token": ms("first_token_s"),
                           "generation": ms("generation_s"), "total": ms("total_s")},
            "model": {"name": model.get("name"), "sha256": model.get("file_sha256"), "backend": model.get("backend")} if self.model else {"name": None, "sha256": None},
            "prompt_version": self.prompt_version, "corpus_version": self.corpus_version, "index_version": self.index_version,
            "evidence": {k: round(v, 4) for k, v in self.timings.items() if k in ("best_dense", "coverage")},
        }
