"""Chunking cleaned blocks along the document's own structure.

This module owns `chunk_blocks`: a chunk never spans two sections (a change of heading path
starts a new chunk); inside a section, text is split on paragraph, then line, then sentence
boundaries up to `max_chars`, with `overlap_chars` of overlap (LangChain's
RecursiveCharacterTextSplitter, used only here). A chunk cut right after a list's
introduction (« Le comité : ») starts the next chunk with that introduction again, so the
items are never indexed or quoted without what they complete (such a chunk may exceed
`max_chars` by up to `MAX_INTRO_CHARS`). Each chunk records its pages and its offsets
in the cleaned text, which is the cleaned blocks joined by a blank line (`document_text`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ingest.document import Block, ChunkDraft
from ingest.structure import BULLETS, match_marker

# Bump when a change here or in `ingest.cleaning` changes the chunks of unchanged documents:
# `sync` then reads and cuts them again. 3: rows of Word and HTML tables keep their own lines.
# 4: a sentence cut by blank lines (PDF conversions) is joined back across blocks. 5: the remainders
# of broken bullets are not counted as words (« • C onserver » → « • Conserver »). 6: a chunk
# starting inside a list has the list's introduction as its innermost heading (`_list_context`). 7: also
# when a sibling item with a sub-list of its own lies between them (« (c) … the following: (i) … (ii) … (d) »).
CHUNKING_VERSION = 7
BLOCK_SEPARATOR = "\n\n"
# A list introduction carried into the next chunk is at most this long.
MAX_INTRO_CHARS = 300
# A chunk starting with one of these is inside a list: « (d) AI systems… », « or (c) the core… », « - … ».
_IN_LIST = re.compile(rf"^(?:\(?[a-z]{{1,4}}\)\s|\(?[ivxlc]+\)\s|(?:or|and|ou|et)\s+\([a-z]{{1,4}}\)\s|[{re.escape(BULLETS)}]\s)")
# A numbered point whose title ends at a colon: « 5. Access to and enjoyment of essential… services: »,
# « 2. Critical infrastructure: AI systems intended… ».
_NUMBERED_TITLE = re.compile(r"^\d{1,2}\.\s+(?P<title>[^:]{3,200}):")
# How many lines back a list's introduction is looked for, and how long it may be as a heading.
_CONTEXT_LINES = 40
_CONTEXT_CHARS = 160
# Sections shorter than this may share a chunk with the next sibling section.
SMALL_SECTION_CHARS = 200
_SEPARATORS = ["\n\n", "\n", ". ", "? ", "! ", "; ", ": ", ", ", " ", ""]


@dataclass
class _Section:
    """Consecutive blocks under one heading path, as a span of the document text."""

    heading_path: list[str]
    start: int
    end: int
    spans: list[tuple[int, int, int | None]]  # (start, end, page) of each block


def signature(max_chars: int, overlap_chars: int) -> dict[str, int]:
    """How documents are cut (recorded in each index version; a different one means re-cut)."""
    return {"max_chars": max_chars, "overlap_chars": overlap_chars, "version": CHUNKING_VERSION}


def document_text(blocks: list[Block]) -> str:
    """The cleaned text that chunk offsets point into."""
    return BLOCK_SEPARATOR.join(block.text for block in blocks)


def chunk_blocks(blocks: list[Block], max_chars: int = 1200, overlap_chars: int = 150) -> list[ChunkDraft]:
    """Cut cleaned blocks into chunks that follow the document's structure.

    Every chunk's text equals `document_text(blocks)[char_start:char_end]` and is at most
    `max_chars` long, plus a list introduction carried from the chunk before (at most
    `MAX_INTRO_CHARS`).
    """
    if max_chars <= 0 or not 0 <= overlap_chars < max_chars:
        raise ValueError("need max_chars > 0 and 0 <= overlap_chars < max_chars")
    text = document_text(blocks)
    chunks: list[ChunkDraft] = []
    for section in _merge_small(_sections(blocks), max_chars):
        body = text[section.start : section.end]
        for offset, piece in _split(body, max_chars, overlap_chars):
            start = section.start + offset
            end = start + len(piece)
            pages = sorted({p for s, e, p in section.spans if p is not None and s < end and e > start})
            context = _list_context(body, offset, piece)
            chunks.append(
                ChunkDraft(
                    text=piece,
                    pages=pages,
                    heading_path=[*section.heading_path, context] if context else list(section.heading_path),
                    char_start=start,
                    char_end=end,
                )
            )
    return chunks


def _sections(blocks: list[Block]) -> list[_Section]:
    """Group consecutive blocks with the same heading path, with their offsets."""
    sections: list[_Section] = []
    position = 0
    for block in blocks:
        start, end = position, position + len(block.text)
        position = end + len(BLOCK_SEPARATOR)
        if sections and sections[-1].heading_path == block.heading_path:
            sections[-1].end = end
            sections[-1].spans.append((start, end, block.page))
        else:
            sections.append(_Section(list(block.heading_path), start, end, [(start, end, block.page)]))
    return sections


def _merge_small(sections: list[_Section], max_chars: int) -> list[_Section]:
    """Merge a very small section into the next sibling (same parent) when both fit one chunk.

    Legal units (an article, an annex, a fiche) are never merged: each must stay citable on its
    own. The merged chunk carries the parent's path.
    """
    out: list[_Section] = []
    for section in sections:
        prev = out[-1] if out else None
        if (
            prev is not None
            and prev.end - prev.start < SMALL_SECTION_CHARS
            and section.end - prev.start <= max_chars
            and len(prev.heading_path) == len(section.heading_path) >= 1
            and prev.heading_path[:-1] == section.heading_path[:-1]
            and not _is_legal_unit(prev.heading_path)
            and not _is_legal_unit(section.heading_path)
        ):
            prev.heading_path = prev.heading_path[:-1]
            prev.end = section.end
            prev.spans.extend(section.spans)
            continue
        out.append(section)
    return out


def _is_legal_unit(path: list[str]) -> bool:
    """True if the innermost heading is a structural marker ("Article 5 — ...")."""
    return bool(path) and match_marker(path[-1].split(" — ")[0], strict=False) is not None


def _split(body: str, max_chars: int, overlap_chars: int) -> list[tuple[int, str]]:
    """(offset, piece) pairs covering `body`, each piece an exact substring of it."""
    if len(body) <= max_chars:
        return [(0, body)]
    # LangChain stays inside this function (adapter habit): it only proposes the cut points.
    from langchain_text_splitters import RecursiveCharacterTextSplitter

    splitter = RecursiveCharacterTextSplitter(
        chunk_size=max_chars,
        chunk_overlap=overlap_chars,
        separators=_SEPARATORS,
        keep_separator="end",
        strip_whitespace=True,
    )
    pieces: list[tuple[int, str]] = []
    cursor = 0
    for piece in splitter.split_text(body):
        found = body.find(piece, cursor)
        if found < 0:  # cannot happen for exact substrings; keep the chunk anyway
            found = body.find(piece)
        pieces.append((found, piece))
        cursor = found + 1
    return _carry_list_intros(body, pieces)


def _carry_list_intros(body: str, pieces: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Extend a piece backwards to the introduction ending the piece before it (a last
    sentence or line ending with « : »), when the introduction is short and not already there."""
    out = list(pieces)
    for i in range(1, len(out)):
        prev_offset, prev = out[i - 1]
        offset, piece = out[i]
        tail = prev.rstrip()
        if not tail.endswith(":"):
            continue
        starts = [position + len(mark) for mark in ("\n", ". ", "? ", "! ") if (position := tail.rfind(mark)) >= 0]
        intro_start = prev_offset + max(starts, default=0)
        while intro_start < len(body) and body[intro_start].isspace():
            intro_start += 1
        if prev_offset + len(tail) - intro_start <= MAX_INTRO_CHARS and intro_start < offset:
            out[i] = (intro_start, body[intro_start : offset + len(piece)])
    return out


def _list_context(body: str, offset: int, piece: str) -> str | None:
    """The introduction of the list a chunk starts inside, as a heading for it: the nearest line
    before the chunk ending with « : » (« 1. The following AI practices shall be prohibited: »),
    or the title of the numbered point it is in (« 5. Access to and enjoyment of essential
    private services and essential public services and benefits »), when only list items lie
    between them. Cut after item (c), item (d) of Annex III point 5 of the AI Act (emergency
    triage) was indexed and quoted without the point it belongs to; the chunk's text stays the
    document's, the introduction goes into its heading path, which is embedded and searched with
    it and shown with the quote. None for a chunk that starts a section or outside a list."""
    first = _IN_LIST.match(piece.lstrip())
    if offset == 0 or not first:
        return None
    lines = body[:offset].rstrip().rsplit("\n", _CONTEXT_LINES)[-_CONTEXT_LINES:]  # only the lines looked at
    kind = _marker_kind(first.group(0))
    nested = False  # items of another kind seen between the chunk and the line looked at
    for line in reversed(lines):
        stripped = line.strip()
        if not stripped:
            continue
        if titled := _NUMBERED_TITLE.match(stripped):
            return _shortened(stripped[: titled.end("title")].strip())
        if stripped.endswith(":"):
            if _marker_kind(stripped) == kind:
                if nested:
                    nested = False  # « (c) … the following: » then « (i) », « (ii) »: a sibling item and its sub-list
                    continue
                return None  # « • Sécuriser les flux… : » opens its own sub-list, not the next « • »
            return _shortened(stripped[:-1].rstrip()) if len(stripped) <= MAX_INTRO_CHARS else None
        item = _IN_LIST.match(stripped)
        if not (item or stripped[0].islower()):
            return None  # a paragraph of its own: the chunk's list has no introduction here
        if item and _marker_kind(stripped) not in ("", kind):
            nested = True
    return None


def _marker_kind(line: str) -> str:
    """The kind of list marker a line starts with: a bullet, a letter in brackets, a roman numeral…"""
    line = line.lstrip()
    if re.match(r"(?:or|and|ou|et)\s", line):
        line = line.split(None, 1)[1]
    if re.match(r"\(?[ivxlc]+\)\s", line) and not re.match(r"\(?[a-h]\)\s", line):
        return "roman"
    if re.match(r"\(?[a-z]{1,4}\)\s", line):
        return "letter"
    return line[:1] if line[:1] in BULLETS else ""


def _shortened(context: str) -> str:
    """A list's introduction as a heading: at most `_CONTEXT_CHARS`, cut at a word."""
    if len(context) <= _CONTEXT_CHARS:
        return context
    return context[: context.rfind(" ", 0, _CONTEXT_CHARS)].rstrip(" ,;") + "…"
