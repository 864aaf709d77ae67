"""Markdown files to blocks: front matter, headings as heading paths, paragraphs as blocks.

This module owns reading Markdown (.md, .markdown): the YAML front matter between ``---`` lines
at the very top, ATX headings (``#`` to ``######``) turned into heading paths through
`ingest.structure.HeadingTracker`, fenced code kept verbatim, and page markers of converted PDFs
(see `ingest.extract.pages`), raw <script>/<iframe>-like HTML dropped as the HTML reader drops it.
Files converted from PDF with a blank line after every line
("double-spaced") are recognised, and only two blank lines or more separate paragraphs there.
"""

from __future__ import annotations

import bisect
import re
from pathlib import Path
from typing import Any

import yaml

from ingest.document import Block, Extracted
from ingest.extract.errors import ExtractionError
from ingest.extract.pages import assign_pages
from ingest.extract.text import decode_bytes
from ingest.structure import HeadingTracker

_HEADING_RE = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_FENCE_RE = re.compile(r"^\s*(```|~~~)")
_RULE_RE = re.compile(r"^\s*([-*_])(\s*\1){2,}\s*$")
_LINK_RE = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_EMPHASIS_RE = re.compile(r"(\*\*|__)(?=\S)(.+?)(?<=\S)\1")
# Raw HTML that Markdown would render as active or invisible content: dropped with what it holds,
# as the HTML reader drops it. Found by a linear scan (no backtracking regex over the whole text).
_ACTIVE_TAG_RE = re.compile(r"<(/?)(script|style|iframe|object|embed|noscript|template|svg|frame|frameset|applet)\b", re.IGNORECASE)
# Headings a converter writes that say nothing about the document.
_CONVERTER_HEADINGS = {"pdf content"}


def extract_markdown(path: Path) -> Extracted:
    """Read a Markdown file into blocks with heading paths and, if marked, page numbers."""
    text, warnings = decode_bytes(path.read_bytes())
    front_matter, body = split_front_matter(text)
    body = drop_active_html(body)
    paged, page_count = assign_pages(body.splitlines())
    blocks = _blocks(paged, double_spaced=_is_double_spaced([line for _, line in paged]))
    return Extracted(blocks=blocks, page_count=page_count, front_matter=front_matter, warnings=warnings)


def split_front_matter(text: str) -> tuple[dict[str, Any], str]:
    """Split YAML front matter (between `---` lines at the very top) from the body."""
    lines = text.splitlines(keepends=True)
    if not lines or lines[0].strip() != "---":
        return {}, text
    for end in range(1, len(lines)):
        if lines[end].strip() in ("---", "..."):
            break
    else:
        return {}, text
    raw = "".join(lines[1:end])
    try:
        data = yaml.safe_load(raw) if raw.strip() else {}
    except (yaml.YAMLError, RecursionError) as exc:  # RecursionError: "[[[[…" nested beyond the stack
        raise ExtractionError(
            "L'en-tête YAML (entre les lignes ---) de ce fichier Markdown est mal formé ; "
            f"corrigez-le ou supprimez-le ({_first_line(exc)}).",
            f"The YAML front matter (between the --- lines) of this Markdown file is malformed; fix or remove it ({_first_line(exc)}).",
        ) from exc
    if not isinstance(data, dict):
        return {}, text  # a leading "---" rule, not front matter
    return data, "".join(lines[end + 1 :])


def drop_active_html(text: str) -> str:
    """`text` without raw <script>, <style>, <iframe>… elements and their content (a tag never
    closed is dropped alone); line breaks inside a dropped element are kept so paragraphs and page
    markers stay where they were. O(n log n) on any input."""
    tags = list(_ACTIVE_TAG_RE.finditer(text)) if "<" in text else []
    if not tags:
        return text
    ends = [m.start() for m in re.finditer(">", text)]
    closers: dict[str, list[int]] = {}
    for index, tag in enumerate(tags):
        if tag.group(1):
            closers.setdefault(tag.group(2).lower(), []).append(index)

    def tag_end(tag: re.Match[str]) -> int:
        """Just past the tag's '>' (or past its name if it has none)."""
        k = bisect.bisect_left(ends, tag.end())
        return ends[k] + 1 if k < len(ends) else tag.end()

    out: list[str] = []
    position = 0
    for index, tag in enumerate(tags):
        if tag.start() < position:
            continue  # inside an element already dropped
        out.append(text[position : tag.start()])
        end = tag_end(tag)
        if not tag.group(1) and not text[tag.start() : end].endswith("/>"):
            later = closers.get(tag.group(2).lower(), [])
            k = bisect.bisect_right(later, index)
            if k < len(later):
                end = max(end, tag_end(tags[later[k]]))
        out.append("\n" * text.count("\n", tag.start(), end))
        position = end
    out.append(text[position:])
    return "".join(out)


def _first_line(exc: Exception) -> str:
    """The first line of an exception message."""
    return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def _is_double_spaced(lines: list[str]) -> bool:
    """True if most text lines are followed by exactly one blank line (PDF conversion style)."""
    text_lines = single = 0
    for i, line in enumerate(lines[:-2]):
        if not line.strip() or _HEADING_RE.match(line):
            continue
        text_lines += 1
        if not lines[i + 1].strip() and lines[i + 2].strip():
            single += 1
    return text_lines >= 20 and single / text_lines > 0.6


def _blocks(paged: list[tuple[int | None, str]], double_spaced: bool) -> list[Block]:
    """Group the (page, line) pairs into paragraph blocks under their headings."""
    tracker = HeadingTracker()
    blocks: list[Block] = []
    para: list[str] = []
    para_page: int | None = None
    blank_run = 0
    in_fence = False

    def flush() -> None:
        nonlocal para
        text = "\n".join(para).strip("\n")
        para = []
        if text.strip() and not tracker.paragraph(text):
            blocks.append(Block(text=text, page=para_page, heading_path=tracker.path))

    for page, line in paged:
        if _FENCE_RE.match(line):
            in_fence = not in_fence
        if in_fence or _FENCE_RE.match(line):
            if not para:
                para_page = page
            para.append(line)
            continue
        if not line.strip():
            blank_run += 1
            if blank_run >= (2 if double_spaced else 1):
                flush()
            continue
        blank_run = 0
        if para and page != para_page:
            flush()  # a paragraph never spans a page marker
        heading = _HEADING_RE.match(line)
        if heading and _is_real_heading(heading.group(2)):
            flush()
            title = heading.group(2).strip()
            if title.lower() not in _CONVERTER_HEADINGS:
                tracker.heading(_inline(title), len(heading.group(1)))
            continue
        if _RULE_RE.match(line):
            flush()
            continue
        if not para:
            para_page = page
        para.append(_inline(heading.group(2) if heading else line))
    flush()
    return blocks


def _is_real_heading(title: str) -> bool:
    """False for heading lines that a converter made out of a wrapped line or a date line."""
    title = title.strip()
    if not title:
        return False
    if title.count("(") > title.count(")") or title.endswith((",", ";")):
        return False
    if title[0].islower():
        return False
    visible = [c for c in title if not c.isspace()]
    return sum(c.isalpha() for c in visible) >= 0.5 * len(visible)


def _inline(text: str) -> str:
    """Strip inline Markdown that only formats: links keep their text, bold loses its stars."""
    return _EMPHASIS_RE.sub(r"\2", _LINK_RE.sub(r"\1", text))
