"""Choosing text inside passages: the part of a passage worth showing the model (within a
character budget), and the key sentences quoted verbatim with an answer.

Quoting the document's own sentence next to the model's wording lets staff check the
answer at a glance, and keeps the facts exact when the small model paraphrases loosely.
"""

from __future__ import annotations

import re

from assistant.retrieval.analysis import analyse
from assistant.retrieval.hybrid import Passage
from assistant.retrieval.references import without_references
from assistant.retrieval.statements import readable_lines, statements

MAX_EXTRACT_CHARS = 600
# What the model reads of a passage none of whose statements shares a word with the question.
FALLBACK_EXCERPT_CHARS = 300


_SENTENCE_END = re.compile(r"(?<=[.;:!?])\s+")


def excerpt(text: str, query_terms: set[str], budget: int, lang: str, weights: dict[str, float] | None = None,
            sentences: list[str] | None = None) -> str:
    """The part of a passage most related to the question, within `budget` characters: around
    the sentence sharing the most of `query_terms`, each counted as its weight when `weights`
    (term → weight) is given, else as 1. `sentences`: the text already cut into the units to
    grow from (`readable_excerpt`), instead of cutting it after each « . ; : ! ? »."""
    if len(text) <= budget:
        return text
    sentences = sentences or _SENTENCE_END.split(text)
    weight = weights or {}
    scores = [sum(weight.get(t, 1.0) for t in set(analyse(s, lang)) & query_terms) for s in sentences]
    best = max(range(len(sentences)), key=scores.__getitem__)
    start = end = best
    size = len(sentences[best])
    if sentences[best].rstrip().endswith(":") and best + 1 < len(sentences):
        end, size = best + 1, size + 1 + len(sentences[best + 1])  # an introduction comes with what it introduces
    while size < budget:
        grown = False
        if end + 1 < len(sentences) and size + len(sentences[end + 1]) + 1 <= budget:
            end += 1
            size += len(sentences[end]) + 1
            grown = True
        if start > 0 and size + len(sentences[start - 1]) + 1 <= budget:
            start -= 1
            size += len(sentences[start]) + 1
            grown = True
        if not grown:
            break
    return " ".join(sentences[start : end + 1])[:budget]


def readable_excerpt(text: str, query_terms: set[str], budget: int, lang: str, weights: dict[str, float] | None = None) -> str:
    """`excerpt` of the passage as staff read it quoted (`statements.readable_lines`): a table's
    rows as statements, each row a unit kept whole, on one line."""
    lines = readable_lines(text)  # read once: the text and its units both come from it
    units = [piece for line, row in lines for piece in ([line] if row else _SENTENCE_END.split(line)) if piece.strip()]
    return " ".join(excerpt("\n".join(line for line, _ in lines), query_terms, budget, lang, weights, units).split())


def quote_terms(question: str, lang: str) -> set[str]:
    """The question's words that a quoted sentence should share: without the articles and acts
    it names when anything is left (every sentence citing « l'article 14 du règlement » shares
    those; the pinned article's sentence on « biais d'automatisation » shares what is asked)."""
    asked = set(analyse(without_references(question), lang))
    return asked or set(analyse(question, lang))


def passage_terms(question: str, passage: Passage, lang: str, translated: str = "") -> tuple[set[str], str]:
    """The terms a passage's sentences should share, and the language to read them in: the
    question's (`quote_terms`), or, for a passage in the other language (French under an English
    question, English under a French one) when the glossary gives the words of the question's
    concepts in that language (`translated`), those words, read in it (« Which phone
    extension…? » shares no word with « joignable au poste 4100 », « l'effacement de ses données »
    none with "the right to obtain … the erasure of personal data")."""
    if translated and (other := passage.document.lang) in ("fr", "en") and lang in ("fr", "en") and other != lang:
        return set(analyse(translated, other)), other
    return quote_terms(question, lang), lang


def _scored(question: str, passages: list[Passage], lang: str, translated: str = "") -> list[tuple[float, int, int, str]]:
    """(score, source number, place in its passage, sentence) of every statement of `passages`
    sharing a content word with the question (`passage_terms`), best first (stable: ties keep
    the reading order)."""
    units = [(number, statements(passage.chunk.text)) for number, passage in enumerate(passages, start=1)]
    # a list introduction that ends one passage and leads its items in another is quoted with them only
    joined = {unit for _, found in units for unit in found if ": " in unit}
    scored: list[tuple[float, int, int, str]] = []
    for number, found in units:
        terms, reading = passage_terms(question, passages[number - 1], lang, translated)
        for place, sentence in enumerate(found):
            if sentence.endswith(":") and any(unit.startswith(sentence + " ") for unit in joined):
                continue
            if len(sentence) > MAX_EXTRACT_CHARS:
                sentence = excerpt(sentence, terms, MAX_EXTRACT_CHARS, reading)
            shared = len(terms & set(analyse(sentence, reading)))
            if shared:
                # earlier passages win ties; a small bonus for sentences holding figures
                scored.append((shared + (0.5 if re.search(r"\d", sentence) else 0) - 0.1 * (number - 1), number, place, sentence))
    scored.sort(key=lambda item: -item[0])
    return scored


def _best(scored: list[tuple[float, int, int, str]], limit: int) -> list[tuple[float, int, int, str]]:
    """The first `limit` of `scored` with distinct sentences."""
    chosen: list[tuple[float, int, int, str]] = []
    for item in scored:
        if len(chosen) == limit:
            break
        if all(item[3] != other[3] for other in chosen):
            chosen.append(item)
    return chosen


def key_extracts(question: str, passages: list[Passage], lang: str, limit: int = 1, within: int = 2,
                 translated: str = "") -> list[tuple[int, str]]:
    """(source number, sentence) of the sentences of the first `within` passages that share the
    most content words with the question, best first; nothing when no sentence shares any."""
    return [(number, sentence) for _, number, _, sentence in _best(_scored(question, passages[:within], lang, translated), limit)]


def statements_by_passage(question: str, passages: list[Passage], lang: str, limit: int, translated: str = "") -> list[str]:
    """What the model reads of each passage when it reads statements: the `limit` key statements
    of all the passages (see `key_extracts`), at least the best one of each passage, in the
    passage's reading order, one per line."""
    scored = _scored(question, passages, lang, translated)
    chosen = _best(scored, limit)
    for number in range(1, len(passages) + 1):
        if not any(item[1] == number for item in chosen):
            chosen += [item for item in scored if item[1] == number][:1]
    shown: list[str] = []
    for number, passage in enumerate(passages, start=1):
        units = sorted((place, sentence) for _, n, place, sentence in chosen if n == number)
        terms, reading = passage_terms(question, passage, lang, translated)
        shown.append("\n".join(sentence for _, sentence in units) if units
                     else excerpt(passage.chunk.text, terms, FALLBACK_EXCERPT_CHARS, reading))
    return shown
