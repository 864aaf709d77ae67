"""The statements of a passage: its sentences and table rows, a list's introduction joined to
each of its items, a table's header labelling each cell of its rows. Both the retriever (how
much of a question one statement holds) and the answerer (which sentences to quote) read
passages this way.
"""

from __future__ import annotations

import re

# A statement ends with its sentence (or line): a clause after « ; » or « : » stays with what it
# completes (« il rend un avis écrit dans un délai de 15 jours ouvrés », « : objectif 90 % »).
_SPLIT = re.compile(r"(?<=[.!?])\s+(?=[^\d])|\n+")
MAX_LIST_ITEMS = 12
MAX_HEADER_CELL = 40
_POINT = re.compile(r"\(?\d{1,3}[.)]")
_REFERS_BACK = re.compile(r"(?:Ce|Cet|Cette|Ces|That|This|These|Those|Such)\s+(?!qui\b|que\b|dont\b|Regulation\b|Directive\b|Decision\b)\w", re.UNICODE)
_ITEM = re.compile(r"^\s*(?:[-•*–]|\(?[a-z0-9]{1,3}[).])\s+")

# Between a list's introduction and an item after the first, in the statement they make together.
ITEM_AFTER_LEAD = " […] "


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
    return [unit for group in statement_groups(text) for unit in group]


def readable_lines(text: str) -> list[tuple[str, bool]]:
    """The passage's lines as staff read them quoted, each with whether it is a table row: each
    Markdown table with a header (its header, rule and rows) becomes its rows as statements, one a
    line, ending with a full stop (« Étape : Déclaration ; Acteur : Professionnel ou cadre ; Délai :
    24 heures. »); every other line stays as it is. Quoted raw, a table reads « | Étape | Acteur |
    Délai | |---|---|---| | … »."""
    lines = text.split("\n")
    out: list[tuple[str, bool]] = []
    i = 0
    while i < len(lines):
        if table := _labelled_table(lines, i):
            rows, read = table
            out += [(row if row.endswith((".", "!", "?")) else row + ".", True) for row in rows]
            i += read
            continue
        out.append((lines[i], False))
        i += 1
    return out


def readable(text: str) -> str:
    """The passage as staff read it quoted (`readable_lines`), one line each."""
    return "\n".join(line for line, _ in readable_lines(text))


def _labelled_table(lines: list[str], i: int) -> tuple[list[str], int] | None:
    """When a table with a header starts at line `i`: its rows, each cell labelled by its header
    (« Étape : Vérification ; Délai : 15 jours ouvrés »), and the number of lines it takes."""
    header = cells(lines[i])
    if not header or not _is_header(header) or (i > 0 and cells(lines[i - 1])):
        return None
    rows, read = _table_rows(lines, i + 1, len(header))
    if not rows:
        return None
    return [" ; ".join(f"{label} : {cell}" for label, cell in zip(header, row, strict=True) if cell) for row in rows], 1 + read


def statement_groups(text: str) -> list[list[str]]:
    """`statements`, in groups of siblings: the items of one list (each joined to its
    introduction) or the rows of one table with its header are one group, and each says the
    same kind of thing about a different subject (« médecine polyvalente (28 lits) », « urgences
    adultes, organisées en postes de 12 heures »). Any other statement is a group of its own."""
    lines = [line for line in text.split("\n") if line.strip()]
    groups: list[list[str]] = []
    i = 0
    while i < len(lines):
        if table := _labelled_table(lines, i):
            rows, read = table
            groups.append(rows)
            i += read
            continue
        parts = sentences_of(lines[i])
        items: list[str] = []
        if lines[i].rstrip().endswith(":"):
            j = i + 1
            while j < len(lines) and _is_item(lines[j]) and len(items) < MAX_LIST_ITEMS:
                items.append(_ITEM.sub("", lines[j], count=1).strip())
                j += 1
        if not items:
            groups += [[part] for part in parts]
            i += 1
            continue
        # the introduction is the line's last sentence, however short (« Il y indique : »)
        pieces = [piece.strip(" -") for piece in _SPLIT.split(lines[i]) if piece.strip(" -")]
        lead = pieces[-1]
        groups += [[sentence] for sentence in sentences_of(" ".join(pieces[:-1]))]
        groups.append([f"{lead} {item}" if k == 0 else f"{lead}{ITEM_AFTER_LEAD}{item}" for k, item in enumerate(items)])
        i += len(items) + 1
    return groups
