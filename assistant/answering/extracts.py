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

# A statement ends with its sentence (or line): a clause after « ; » or « : » stays with what it
# completes (« il rend un avis écrit dans un délai de 15 jours ouvrés », « : objectif 90 % »).
_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[^\d])|\n+")
MAX_EXTRACT_CHARS = 600
# What the model reads of a passage none of whose statements shares a word with the question.
FALLBACK_EXCERPT_CHARS = 300
MAX_LIST_ITEMS = 12
MAX_HEADER_CELL = 40
_POINT = re.compile(r"\(?\d{1,3}[.)]")
_REFERS_BACK = re.compile(r"(?:Ce|Cet|Cette|Ces|That|This|These|Those|Such)\s+(?!qui\b|que\b|dont\b|Regulation\b|Directive\b|Decision\b)\w", re.UNICODE)
_ITEM = re.compile(r"^\s*(?:[-•*–]|\(?[a-z0-9]{1,3}[).])\s+")


def sentences_of(text: str) -> list[str]:
    """Sentences and table rows of a passage; a point's number stays with it (« 2. Vérification … »),
    and a sentence that refers back to the one before (« Ce délai peut être prolongé… », « That
    period may be extended… ») stays with it, since alone it does not say what it is about."""
    pieces: list[str] = []
    for piece in _SPLIT.split(text):
        if pieces and (_POINT.fullmatch(pieces[-1].strip()) or _REFERS_BACK.match(piece)):
            pieces[-1] = f"{pieces[-1].strip()} {piece}"
        else:
            pieces.append(piece)
    return [_balanced(s.strip(" -")) for s in pieces if len(s.strip()) > 15]


def _balanced(sentence: str) -> str:
    """A sentence without the half of a quotation that opens before it or closes after it
    (« Cette mise en place permet… » quoted from a longer quotation would show a lone « )."""
    for opening, closing in (("«", "»"), ("“", "”")):
        if sentence.startswith(opening) and closing not in sentence:
            sentence = sentence[len(opening):].lstrip()
        if sentence.endswith(closing) and opening not in sentence:
            sentence = sentence[: -len(closing)].rstrip()
    return sentence


def cells(line: str) -> list[str]:
    """The cells of a table row (« a | b | c », with or without outer pipes); [] for other lines."""
    if " | " not in line and not line.strip().startswith("|"):
        return []
    parts = [cell.strip() for cell in line.strip().strip("|").split("|")]
    return parts if len(parts) >= 2 else []


def _is_header(row: list[str]) -> bool:
    """A table's header row: short labels, no figures (« Étape | Acteur | Délai »)."""
    return all(0 < len(cell) <= MAX_HEADER_CELL for cell in row) and not any(re.search(r"\d", cell) for cell in row)


def _table_rows(lines: list[str], start: int, width: int) -> tuple[list[list[str]], int]:
    """(rows of `width` cells from `start` on, lines read), a Markdown rule line skipped."""
    rows: list[list[str]] = []
    read = 0
    for line in lines[start:]:
        row = cells(line)
        if len(row) != width:
            break
        read += 1
        if not all(re.fullmatch(r":?-{2,}:?", cell) for cell in row):
            rows.append(row)
    return rows, read


def _is_item(line: str) -> bool:
    """A list item after an introduction: a bullet or number, or (Word lists lose their bullets
    in the text) a line that starts in lowercase, continuing the introduction's sentence."""
    return bool(_ITEM.match(line)) or line.lstrip()[:1].islower()


def statements(text: str) -> list[str]:
    """The units worth quoting: sentences and table rows, where a line that introduces a list
    (« Le comité : ») is joined to each of its items (« Le comité : se réunit une fois par
    trimestre ; »; later items after « […] »), since alone it states nothing. A list
    introduction whose items are not in the passage stays as it is. Likewise a table's header
    row, when the passage holds it, labels each cell of the rows below (« Étape : Vérification ;
    Délai : 15 jours ouvrés ») instead of being quoted alone."""
    lines = [line for line in text.split("\n") if line.strip()]
    units: list[str] = []
    i = 0
    while i < len(lines):
        header = cells(lines[i])
        if header and _is_header(header) and (i == 0 or not cells(lines[i - 1])):
            rows, read = _table_rows(lines, i + 1, len(header))
            if rows:
                units += [" ; ".join(f"{label} : {cell}" for label, cell in zip(header, row, strict=True) if cell) for row in rows]
                i += 1 + read
                continue
        parts = sentences_of(lines[i])
        items: list[str] = []
        if lines[i].rstrip().endswith(":"):
            j = i + 1
            while j < len(lines) and _is_item(lines[j]) and len(items) < MAX_LIST_ITEMS:
                items.append(_ITEM.sub("", lines[j], count=1).strip())
                j += 1
        if not items:
            units += parts
            i += 1
            continue
        # the introduction is the line's last sentence, however short (« Il y indique : »)
        pieces = [piece.strip(" -") for piece in _SPLIT.split(lines[i]) if piece.strip(" -")]
        lead = pieces[-1]
        units += sentences_of(" ".join(pieces[:-1]))
        units += [f"{lead} {item}" if k == 0 else f"{lead} […] {item}" for k, item in enumerate(items)]
        i += len(items) + 1
    return units


def excerpt(text: str, query_terms: set[str], budget: int, lang: str) -> str:
    """The part of a passage most related to the question, within `budget` characters."""
    if len(text) <= budget:
        return text
    sentences = re.split(r"(?<=[.;:!?])\s+", text)
    scores = [len(set(analyse(s, lang)) & query_terms) for s in sentences]
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


def quote_terms(question: str, lang: str) -> set[str]:
    """The question's words that a quoted sentence should share: without the articles and acts
    it names when anything is left (every sentence citing « l'article 14 du règlement » shares
    those; the pinned article's sentence on « biais d'automatisation » shares what is asked)."""
    asked = set(analyse(without_references(question), lang))
    return asked or set(analyse(question, lang))


def _scored(question: str, passages: list[Passage], lang: str) -> list[tuple[float, int, int, str]]:
    """(score, source number, place in its passage, sentence) of every statement of `passages`
    sharing a content word with the question, best first (stable: ties keep the reading order)."""
    terms = quote_terms(question, lang)
    units = [(number, statements(passage.chunk.text)) for number, passage in enumerate(passages, start=1)]
    # a list introduction that ends one passage and leads its items in another is quoted with them only
    joined = {unit for _, found in units for unit in found if ": " in unit}
    scored: list[tuple[float, int, int, str]] = []
    for number, found in units:
        for place, sentence in enumerate(found):
            if sentence.endswith(":") and any(unit.startswith(sentence + " ") for unit in joined):
                continue
            if len(sentence) > MAX_EXTRACT_CHARS:
                sentence = excerpt(sentence, terms, MAX_EXTRACT_CHARS, lang)
            shared = len(terms & set(analyse(sentence, lang)))
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


def key_extracts(question: str, passages: list[Passage], lang: str, limit: int = 1, within: int = 2) -> list[tuple[int, str]]:
    """(source number, sentence) of the sentences of the first `within` passages that share the
    most content words with the question, best first; nothing when no sentence shares any."""
    return [(number, sentence) for _, number, _, sentence in _best(_scored(question, passages[:within], lang), limit)]


def statements_by_passage(question: str, passages: list[Passage], lang: str, limit: int) -> list[str]:
    """What the model reads of each passage when it reads statements: the `limit` key statements
    of all the passages (see `key_extracts`), at least the best one of each passage, in the
    passage's reading order, one per line."""
    scored = _scored(question, passages, lang)
    chosen = _best(scored, limit)
    for number in range(1, len(passages) + 1):
        if not any(item[1] == number for item in chosen):
            chosen += [item for item in scored if item[1] == number][:1]
    terms = quote_terms(question, lang)
    shown: list[str] = []
    for number, passage in enumerate(passages, start=1):
        units = sorted((place, sentence) for _, n, place, sentence in chosen if n == number)
        shown.append("\n".join(sentence for _, sentence in units) if units
                     else excerpt(passage.chunk.text, terms, FALLBACK_EXCERPT_CHARS, lang))
    return shown
