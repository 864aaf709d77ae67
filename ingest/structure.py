"""Document structure: which lines are headings, and the heading path above each block.

This module owns the recognition of legal and guide structure (``Article 14``, ``CHAPITRE III``,
``SECTION 2``, ``ANNEXE IV``, ``FICHE 12 - ...``, their English forms) and the merging of a
marker with the title line right after it ("Article 14" + "Contrôle humain" gives
"Article 14 — Contrôle humain"). The same `HeadingTracker` serves the Markdown, DOCX and HTML
extractors (explicit headings) and `split_structure` (plain text from PDFs and .txt files, where
headings are only lines).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.document import Block

# Rank of each legal marker: lower ranks contain higher ones.
_RANKS = {
    "part": 0,
    "partie": 0,
    "annex": 0,
    "annexe": 0,
    "fiche": 0,
    "title": 1,
    "titre": 1,
    "chapter": 2,
    "chapitre": 2,
    "section": 3,
    "article": 4,
}
_NUM = r"(?:premier|1er|\d+(?:\s?(?:bis|ter|quater))?|[IVXLC]+(?:\s?bis)?)"
_INLINE_TITLE = r"(?:\s*[-–—:.]\s*(?P<title>\S.*))?"
# Plain lines: only the forms the Official Journal and the CNIL guide actually print.
_STRICT_RE = re.compile(
    rf"^(?P<kind>Article|CHAPITRE|CHAPTER|SECTION|Section|ANNEXE|ANNEX|TITRE|TITLE|PARTIE|PART)"
    rf"(?:\s+(?P<num>{_NUM}))?{_INLINE_TITLE}$"
    rf"|^(?P<fkind>FICHE)\s+(?:N°\s*)?(?P<fnum>\d+)\s*(?:[-–—:]\s*(?P<ftitle>\S.*))?$"
)
# Explicit headings (Markdown, DOCX, HTML): any case.
_LOOSE_RE = re.compile(_STRICT_RE.pattern, re.IGNORECASE)
_TERMINAL = (".", ";", ":", "!", "?", "»", ")", "”", '"')
# The characters that start a bulleted list item (followed by a space).
BULLETS = "-•*–—·▪●○"
_LIST_START_RE = re.compile(rf"^(?:[{re.escape(BULLETS)}]\s|\(?[0-9a-zA-Z]{{1,4}}[.)]\s|\([ivxlc]+\)\s)")
_DASHES_RE = re.compile(r"\s+[-–—]\s+")


@dataclass(frozen=True)
class Marker:
    """A recognised structural heading: its kind ("article"...), label and inline title."""

    kind: str
    label: str
    title: str | None


def match_marker(text: str, strict: bool = True) -> Marker | None:
    """The structural marker `text` is, if any ("Article 14", "CHAPITRE III", "FICHE 2 - X")."""
    text = text.strip()
    if not text or len(text) > 200:
        return None
    m = (_STRICT_RE if strict else _LOOSE_RE).match(text)
    if not m:
        return None
    if m.group("fkind"):
        kind, num, title = "fiche", m.group("fnum"), m.group("ftitle")
        word = m.group("fkind")
    else:
        word, num, title = m.group("kind"), m.group("num"), m.group("title")
        kind = word.lower()
        # "ANNEX" may stand alone; the others need a number ("Article" alone is prose).
        if num is None and kind not in ("annex", "annexe"):
            return None
        if title is not None and strict and kind == "article":
            return None  # "Article 5 - x" on a plain line is more likely prose than a heading
    label = f"{word} {num}" if num else word
    return Marker(kind=kind, label=label, title=_tidy_title(title) if title else None)


def looks_like_title(text: str) -> bool:
    """True if `text` can be the title line that follows a marker ("Contrôle humain")."""
    text = text.strip()
    if not text or "\n" in text or len(text) > 200:
        return False
    if text.endswith((".", ",", ";", ":")) or _LIST_START_RE.match(text):
        return False
    if match_marker(text, strict=False):
        return False
    first = text[0]
    return first.isupper() or first in "«\"“‘'"


def is_caps_heading(text: str) -> bool:
    """True for a short all-capitals line of two words or more ("LA TRANSPARENCE COMME PRIORITÉ")."""
    text = text.strip()
    letters = [c for c in text if c.isalpha()]
    if not (4 <= len(text) <= 90) or len(letters) < 4 or len(text.split()) < 2:
        return False
    if text.endswith((",", ";", ".")):
        return False
    return all(c.isupper() for c in letters)


def ends_sentence(line: str) -> bool:
    """True if `line` ends like the end of a sentence or a list item."""
    return line.rstrip().endswith(_TERMINAL)


def _continues_caps_title(text: str) -> bool:
    """True for a short capitals line that carries on a capitals title ("L’EXTÉRIEUR")."""
    letters = [c for c in text if c.isalpha()]
    return (
        len(text) <= 60
        and len(letters) >= 2
        and all(c.isupper() for c in letters)
        and not text.endswith((".", ",", ";"))
        and match_marker(text, strict=False) is None
    )


def _tidy_title(title: str) -> str:
    """Collapse spaces and normalise the dash separators inside a heading title."""
    return re.sub(r"\s+", " ", title).strip()


class HeadingTracker:
    """The chain of headings above the current position, fed headings and paragraphs in order.

    Explicit headings carry a Markdown-like `level` (1-6); structural markers are ranked among
    themselves (ANNEXE > CHAPITRE > SECTION > Article) and nest under explicit headings of a
    lower level. A marker without an inline title waits for the next heading or short paragraph
    to be its title.
    """

    def __init__(self) -> None:
        self._stack: list[tuple[int, str]] = []
        self._pending = False  # the top of the stack is a marker waiting for its title
        self._caps_title = False  # the top's title is in capitals and may continue on the next line

    @property
    def path(self) -> list[str]:
        """The current heading path, outermost first."""
        return [text for _, text in self._stack]

    def heading(self, text: str, level: int | None = None) -> None:
        """Feed an explicit heading (`level` 1-6) or a structural line (`level` None)."""
        text = _tidy_title(text)
        marker = match_marker(text, strict=level is None)
        if marker:
            rank = _RANKS[marker.kind]
            self._push((level or 0) * 10 + 1 + rank, marker.label)
            self._pending = marker.title is None
            if marker.title:
                self._set_title(marker.title)
            return
        if self._pending and looks_like_title(text):
            self._set_title(text)
            return
        # Plain headings sit below the markers of their own level: in a converted regulation
        # every heading is "##", and "## 1. Introduction" belongs inside "## ANNEXE IV".
        self._push((level or 1) * 10 + 6, text)
        self._pending = False
        self._caps_title = is_caps_heading(text)

    def paragraph(self, text: str) -> bool:
        """Feed a paragraph; True if it was taken as the title of the marker above it."""
        text = text.strip()
        if text.count("\n") <= 2:
            text = " ".join(text.split())  # a title wrapped over two or three lines
        if self._pending and looks_like_title(text):
            self._set_title(_tidy_title(text))
            return True
        if self._caps_title and _continues_caps_title(text):
            _, top = self._stack[-1]
            self._stack[-1] = (self._stack[-1][0], f"{top} {_tidy_title(text)}")
            return True
        self._pending = False
        self._caps_title = False
        return False

    def _push(self, key: int, text: str) -> None:
        """Close the headings at the same or a deeper level, then open `text`."""
        while self._stack and self._stack[-1][0] >= key:
            self._stack.pop()
        self._stack.append((key, text))

    def _set_title(self, title: str) -> None:
        """Attach `title` to the marker on top of the stack: "Article 14 — Contrôle humain"."""
        key, label = self._stack[-1]
        self._stack[-1] = (key, f"{label} — {_DASHES_RE.sub(' — ', title)}")
        self._pending = False
        self._caps_title = is_caps_heading(title)


def split_structure(blocks: list[Block]) -> list[Block]:
    """Split plain-text blocks at structural lines and give each piece its heading path.

    Only used when no block has a heading path yet (PDF pages, .txt paragraphs, a Markdown file
    whose headings are only page markers). Heading lines leave the text and go into the path.
    Documents without any legal marker get their all-capitals lines as headings instead.
    """
    if not blocks or any(b.heading_path for b in blocks):
        return blocks
    legal = any(_is_marker_line(line, None) for b in blocks for line in b.text.split("\n"))
    tracker = HeadingTracker()
    out: list[Block] = []
    for block in blocks:
        lines = block.text.split("\n")
        current: list[str] = []
        prev: str | None = None  # previous non-empty line of this block, None at its start
        after_heading = False
        for line in lines:
            stripped = line.strip()
            if not stripped:
                current.append(line)
                continue
            may_start = prev is None or after_heading or ends_sentence(prev) or not current
            if after_heading and tracker.paragraph(stripped):
                prev = stripped
                continue  # title (or continued title) of the heading just above
            if may_start and _is_marker_line(stripped, prev):
                _flush(out, current, block.page, tracker.path)
                current = []
                tracker.heading(stripped, None)
                prev, after_heading = stripped, True
                continue
            if not legal and _starts_caps_heading(current, prev, stripped):
                _flush(out, current, block.page, tracker.path)
                current = []
                tracker.heading(stripped, 1)
                prev, after_heading = stripped, True
                continue
            after_heading = False
            current.append(line)
            prev = stripped
        _flush(out, current, block.page, tracker.path)
    return out


def _is_marker_line(line: str, prev: str | None) -> bool:
    """True if a plain line is a structural heading on its own."""
    marker = match_marker(line, strict=True)
    if marker is None:
        return False
    # A TOC line "FICHE N° 3 Impliquer ... 11" never matches; an all-caps inline title must be caps.
    return marker.title is None or marker.kind == "fiche"


def _starts_caps_heading(current: list[str], prev: str | None, line: str) -> bool:
    """True if an all-capitals line opens a new section in a document without legal markers."""
    at_paragraph_start = prev is None or not current or not current[-1].strip()
    return at_paragraph_start and is_caps_heading(line)


def _flush(out: list[Block], lines: list[str], page: int | None, path: list[str]) -> None:
    """Append the collected lines as a block, if they hold any text."""
    text = "\n".join(lines).strip("\n")
    if text.strip():
        out.append(Block(text=text, page=page, heading_path=list(path)))
