"""Checks what the model wrote against the passages it was given, whatever `[n]` it used.

Each sentence is tied to the passage that best supports it (share of the sentence's
content words found in the passage, with every number in the sentence required to appear
in that passage). A citation can only point inside the retrieved set; a mis-numbered one
is re-attached to the supporting passage — as is one whose passage supports the sentence
clearly less than another passage does (the reader should be sent to the passage that says
it); a sentence no passage supports is dropped.

Word overlap alone lets a sentence through that restates the question and adds an invented
answer (« l'outil est fourni par <un éditeur> » over a passage naming no editor): most of its
words are the question's, and the passage holds those. So what the sentence adds to the
question (its content words the question lacks) must be found in the same passage too, in
the share `min_new_support`. The answer's polarity and modal words (oui, non, peut, doit…)
are not facts a passage states and do not count as new. A sentence that adds nothing to the
question (« Oui, on risque une sanction si on signale une erreur », « Les domaines listés à
l'annexe III sont ceux de l'annexe III ») restates it, whatever its polarity: it is dropped,
and the reader gets the passage quoted instead of an unverifiable yes or no. What repeats the
question inside a sentence (« Il faut combien de soignants la nuit ? 1 IDE + 1 AS. ») is cut
before the sentence is checked (`without_echo`).

An English answer drawn from a French passage (the establishment's documents exist in French
only) shares few words with it: there, the glossary's concepts count too — an English word is
found in the French passage when its concept's French word is (« extension » and « poste »,
`Glossary.supported_in_french`) — and a number's unit may be written in the other language
(« 72 hours » for « 72 heures »). Every number must still be in the passage.

A sentence that names a document (« le RGPD », "the CNIL security guide", « l'Anap »,
`HybridRetriever.named_documents`) says where its fact comes from: only a passage of that
document, or one that names it too (a procedure quoting « l'article 33 du RGPD », the charter
saying « la CNIL est notifiée »), can support it. "The CNIL security guide recommends technical
redundancy [3]" over the AI Act's Article 15 shares its words with [3] but puts them in the wrong
mouth: it is re-attached to a passage of the guide that supports it, or dropped. Replayed on the
1,100 verified sentences of every evaluation report written with the model: 19 named another
document than the one they cited; 14 put in its mouth what it does not say (« le délai prévu par
le règlement sur l'IA est de 24 heures » over the charter's internal deadline, "under the GDPR, the
reporting deadline is 15 days" over the AI Act's Article 73), 5 named it beside a true statement
of the passage (the CNIL for the GDPR's "supervisory authority"), which the passage does not say
either.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from assistant.answering.language import fold
from assistant.answering.model import AnswerSentence
from assistant.retrieval.analysis import analyse
from assistant.retrieval.glossary import Glossary

_MARK = re.compile(r"\s*\[(\d+(?:\s*[,;]\s*\d+)*)\]")
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+(?=[A-ZÀ-ÖØ-Ý«\"(])|\n+")
_NUMBER = re.compile(r"(?<![\w.,])(\d+(?:[.,]\d+)?)(?:\s*(%|€|[a-zà-ÿ]+))?")
# words that make a number a quantity: "3 mois" must be in the passage, not just "3"
_UNITS = {
    "h", "heure", "heures", "hour", "hours", "jour", "jours", "day", "days", "semaine", "semaines", "week", "weeks",
    "mois", "month", "months", "an", "ans", "année", "années", "year", "years", "minute", "minutes", "min",
    "%", "€", "euros", "eur", "fois", "times", "ouvrés", "ouvrables", "mo", "go", "km", "lits", "beds",
}


# The same unit in French and English: « 72 hours » is supported by « 72 heures ».
_SAME_UNIT = [{"h", "heure", "heures", "hour", "hours"}, {"jour", "jours", "day", "days"}, {"semaine", "semaines", "week", "weeks"},
              {"mois", "month", "months"}, {"an", "ans", "année", "années", "year", "years"}, {"minute", "minutes", "min"},
              {"€", "euros", "eur"}, {"fois", "times"}, {"lits", "beds"}]


def _unit_pattern(unit: str) -> str:
    same = next((group for group in _SAME_UNIT if unit in group), {unit})
    return "(?:" + "|".join(re.escape(fold(u)) for u in sorted(same, key=len, reverse=True)) + ")"


# A cited passage is kept when its support is within this of the best passage's.
CLOSE_TO_BEST = 0.2
# Words an answer adds that are not facts (stems, as `analyse` gives them).
NOT_NEW = {
    "fr": {"oui", "non", "pouv", "pourr", "doit", "doivent", "dev", "devr", "faut", "fait", "effet", "ains"},
    "en": {"yes", "must", "may", "need", "inde", "therefor", "thus"},
}


# Where a clause may start: after a comma, semicolon or colon.
_CLAUSE_START = re.compile(r"[,;:]\s*")
# Share of a clause's content words that the question has, for the clause to be the question repeated.
ECHO_SHARE = 0.75
_POLARITY = re.compile(r"(?i)^(?:oui|non|yes|no)\b[\s,;:]*")


def without_echo(sentence: str, question_terms: set[str], lang: str) -> str:
    """The sentence without what repeats the user's question: the small model sometimes
    starts by restating it (« Il faut combien de soignants minimum la nuit ? 1 IDE + 1 AS. »)
    or ends with part of it (« …dure 1 h 30, et tous les combien faut-il le repasser ? »).
    The words up to a « ? », from the sentence's start or else from the earliest comma,
    semicolon or colon where they can start, are the question repeated when at least
    `ECHO_SHARE` of their content words (two or more) are the question's; a question the
    documents themselves ask (the ANAP's « Quels sont les principes… ? » to put to a vendor)
    shares fewer and stays. Empty when the sentence is nothing but the question (a « Oui, »
    before it included)."""
    if "?" not in sentence or not question_terms:
        return sentence

    def echoed(words: str) -> bool:
        terms = set(analyse(words, lang))
        return len(terms) >= 2 and len(terms & question_terms) >= ECHO_SHARE * len(terms)

    text, start = sentence.strip(), 0
    while (mark := text.find("?", start)) >= 0:
        starts = [start, *(m.end() for m in _CLAUSE_START.finditer(text, start, mark))]
        cut = next((at for at in starts if echoed(text[at:mark])), None)
        if cut is None:
            start = mark + 1
            continue
        text = (text[:cut].rstrip(" ,;:") + " " + text[mark + 1:].lstrip()).strip()
        start = cut
    if text == sentence.strip():
        return sentence
    if not re.search(r"\w", _POLARITY.sub("", text)):
        return ""
    text = text.rstrip(" ,;:")
    return text if text[-1] in ".!?…" else text + "."


def split_sentences(text: str) -> list[str]:
    """Sentences of a short answer (citation marks stay attached to their sentence)."""
    parts = [p.strip() for p in _SENTENCE_END.split(text.strip())]
    return [p for p in parts if p and re.search(r"\w", p)]


def model_numbers(sentence: str) -> list[int]:
    """The `[n]` numbers the model wrote in a sentence."""
    found: list[int] = []
    for group in _MARK.findall(sentence):
        found.extend(int(n) for n in re.split(r"[,;]", group) if n.strip())
    return found


def strip_marks(sentence: str) -> str:
    """The sentence without its `[n]` marks."""
    return _MARK.sub("", sentence).strip()


def support(sentence: str, passage_terms: set[str], passage_text: str, lang: str) -> float:
    """Share of the sentence's content terms found in the passage; 0 if a number is missing."""
    terms = set(analyse(sentence, lang))
    if not terms:
        return 0.0
    if not numbers_supported(sentence, passage_text):
        return 0.0
    return len(terms & passage_terms) / len(terms)


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", fold(text.lower()).replace("\u202f", " ").replace("\xa0", " "))


def numbers_supported(sentence: str, passage_text: str) -> bool:
    """Every number of the sentence occurs in the passage as a number (not inside another
    one), and with its unit when it has one ("3 mois" needs "3 mois", not any "3")."""
    passage = _squash(passage_text)
    for number, unit in _NUMBER.findall(_squash(sentence)):
        variants = {number, number.replace(",", "."), number.replace(".", ",")}
        unit = unit if unit in _UNITS else ""
        found = False
        for variant in variants:
            pattern = rf"(?<![\d.,]){re.escape(variant)}(?![\d])" + (rf"\s?{_unit_pattern(unit)}" if unit else "")
            if re.search(pattern, passage):
                found = True
                break
        if not found:
            return False
    return True


def new_terms(sentence: str, question_terms: set[str], lang: str) -> set[str]:
    """What the sentence adds to the question: its content words the question lacks, polarity
    and modal words aside."""
    return set(analyse(sentence, lang)) - question_terms - NOT_NEW.get(lang, set())


def new_support(new: set[str], passage_terms: set[str]) -> float:
    """Share of what a sentence adds to the question (`new_terms`) found in the passage; 1.0 when it adds none."""
    return len(new & passage_terms) / len(new) if new else 1.0


def check_sentences(answer_text: str, passages: list[str], lang: str, min_support: float, question: str = "",
                    min_new_support: float = 0.0, passage_langs: list[str | None] | None = None,
                    glossary: Glossary | None = None, passage_docs: list[str] | None = None,
                    names: Callable[[str], set[str]] | None = None) -> tuple[list[AnswerSentence], list[str]]:
    """(kept sentences with verified sources, dropped sentences). A passage supports a
    sentence when it holds `min_support` of its content words (and every number) and
    `min_new_support` of the words it adds to `question`; with `min_new_support` > 0, a
    sentence that adds no word to the question is dropped. With `glossary`, a French passage
    (`passage_langs`) under an answer in another language also holds the words whose concept
    it states in French. With `names` (the documents a text names) and `passage_docs` (each
    passage's document), a sentence naming documents is supported only by a passage of one of
    them or naming one of them."""
    passage_terms = [set(analyse(p, lang)) for p in passages]
    french_terms = [set(analyse(p, "fr")) if glossary is not None and lang != "fr" and passage_langs and passage_langs[i] == "fr"
                    else None for i, p in enumerate(passages)]
    question_terms = set(analyse(question, lang))
    passage_names: list[set[str]] | None = None
    kept: list[AnswerSentence] = []
    dropped: list[str] = []
    for raw in split_sentences(answer_text):
        claimed = [n for n in model_numbers(raw)]
        text = strip_marks(raw)
        if not text:
            continue
        if not (answered := without_echo(text, question_terms, lang)):
            dropped.append(text)  # nothing but the question asked again
            continue
        text = answered
        new = new_terms(text, question_terms, lang)
        if question_terms and min_new_support > 0 and not new:
            dropped.append(text)  # it only restates the question (« Oui, on risque une sanction si… »): not an answer
            continue
        held = [terms | glossary.supported_in_french(text, french) if glossary is not None and french is not None else terms
                for terms, french in zip(passage_terms, french_terms, strict=True)]
        scores = [
            support(text, terms, passages[i], lang) if new_support(new, terms) >= min_new_support else 0.0
            for i, terms in enumerate(held)
        ]
        if names is not None and passage_docs is not None and (named := names(text)):
            if passage_names is None:
                passage_names = [names(p) for p in passages]
            scores = [score if passage_docs[i] in named or passage_names[i] & named else 0.0 for i, score in enumerate(scores)]
        best = max(range(len(scores)), key=scores.__getitem__) if scores else -1
        if best < 0 or scores[best] < min_support:
            dropped.append(text)
            continue
        floor = max(min_support, scores[best] - CLOSE_TO_BEST)
        valid_claims = [n for n in claimed if 1 <= n <= len(passages) and scores[n - 1] >= floor]
        if valid_claims:
            kept.append(AnswerSentence(text, valid_claims, max(scores[n - 1] for n in valid_claims), claimed, "supported"))
        else:
            kept.append(AnswerSentence(text, [best + 1], scores[best], claimed, "reattached"))
    return kept, dropped


def is_refusal(text: str, refusal: str) -> bool:
    """Whether the model replied with the refusal sentence (or an obvious paraphrase of it)."""
    folded = fold(text.lower())
    if fold(refusal.lower())[:40] in folded:
        return True
    cues = ("ne permettent pas de repondre", "ne contiennent pas", "do not answer", "do not contain", "not contain the answer")
    return any(cue in folded for cue in cues) and len(folded) < 300
