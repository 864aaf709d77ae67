"""Markdown → HTML for the subset the evaluation's reports use, with every character of text
escaped (questions and answers come from users and documents, never trusted as markup).

Supported: `#`–`####` headings, paragraphs, `**bold**`, `` `code` ``, pipe tables (header
row, `|---|` separator, rows), `- ` lists whose items may continue on indented lines, and a
line ending in two spaces as a line break. Links, images and raw HTML are not: they stay
visible text. `sections` splits a document at its `## ` headings so callers can place a
chart after a given section.
"""

from __future__ import annotations

import re
from html import escape

_HEADING = re.compile(r"^(#{1,4}) +(.*)$")
_BULLET = re.compile(r"^[-*] +(.*)$")
_SEPARATOR = re.compile(r"^\|?(\s*:?-+:?\s*\|)+\s*:?-*:?\s*$")
_CODE = re.compile(r"`([^`]+)`")
_BOLD = re.compile(r"\*\*(.+?)\*\*")


def inline(text: str) -> str:
    """One line of Markdown text as escaped HTML: code spans first (left as written), then bold."""
    parts = []
    position = 0
    for match in _CODE.finditer(text):
        parts.append(_BOLD.sub(r"<strong>\1</strong>", escape(text[position : match.start()], quote=False)))
        parts.append(f"<code>{escape(match.group(1), quote=False)}</code>")
        position = match.end()
    parts.append(_BOLD.sub(r"<strong>\1</strong>", escape(text[position:], quote=False)))
    return "".join(parts)


def _lines_html(lines: list[str]) -> str:
    """Lines of one paragraph or list item: a line ending in two spaces breaks, others join."""
    out = []
    for number, line in enumerate(lines):
        out.append(inline(line.strip()))
        if number < len(lines) - 1:
            out.append("<br>" if line.endswith("  ") else " ")
    return "".join(out)


def _cells(row: str) -> list[str]:
    row = row.strip()
    row = row[1:] if row.startswith("|") else row
    row = row[:-1] if row.endswith("|") else row
    return [cell.strip() for cell in row.split("|")]


def _cell(text: str) -> str:
    """A body cell; a figure ('97,6 %', '+7,3 pts', '[87,4 % ; 99,6 %]') is kept on one line."""
    figure = len(text) <= 24 and text[:1] in set("0123456789+-[—")
    return f'<td class="n">{inline(text)}</td>' if figure else f"<td>{inline(text)}</td>"


def _table(rows: list[str]) -> str:
    header, body = _cells(rows[0]), [_cells(r) for r in rows[2:]]
    head = "".join(f"<th>{inline(c)}</th>" for c in header)
    lines = "".join("<tr>" + "".join(_cell(c) for c in cells) + "</tr>" for cells in body)
    return f'<div class="table"><table><thead><tr>{head}</tr></thead><tbody>{lines}</tbody></table></div>'


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-") or "section"


def to_html(markdown: str) -> str:
    """The HTML fragment of a Markdown document (block by block)."""
    lines = markdown.splitlines()
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.strip():
            i += 1
            continue
        heading = _HEADING.match(line)
        if heading:
            level, text = len(heading.group(1)), heading.group(2).strip()
            out.append(f'<h{level} id="{_slug(text)}">{inline(text)}</h{level}>')
            i += 1
            continue
        # a table: a row of cells followed by the |---| separator
        if line.lstrip().startswith("|") and i + 1 < len(lines) and _SEPARATOR.match(lines[i + 1].strip()):
            end = i + 2
            while end < len(lines) and lines[end].lstrip().startswith("|"):
                end += 1
            out.append(_table(lines[i:end]))
            i = end
            continue
        if _BULLET.match(line):
            items: list[list[str]] = []
            while i < len(lines) and (_BULLET.match(lines[i]) or (items and lines[i].startswith("  ") and lines[i].strip())):
                bullet = _BULLET.match(lines[i])
                if bullet:
                    items.append([bullet.group(1)])
                else:
                    items[-1].append(lines[i])
                i += 1
            out.append("<ul>" + "".join(f"<li>{_lines_html(item)}</li>" for item in items) + "</ul>")
            continue
        # a paragraph: consecutive lines that start no other block
        paragraph = []
        while i < len(lines) and lines[i].strip() and not _HEADING.match(lines[i]) and not _BULLET.match(lines[i]):
            if lines[i].lstrip().startswith("|") and i + 1 < len(lines) and _SEPARATOR.match(lines[i + 1].strip()):
                break
            paragraph.append(lines[i])
            i += 1
        out.append(f"<p>{_lines_html(paragraph)}</p>")
    return "\n".join(out)


def sections(markdown: str) -> list[tuple[str, str]]:
    """(title of the `## ` heading, Markdown of the section including its heading); the text
    before the first `## ` heading comes first, with an empty title."""
    out: list[tuple[str, list[str]]] = [("", [])]
    for line in markdown.splitlines():
        if line.startswith("## "):
            out.append((line[3:].strip(), []))
        out[-1][1].append(line)
    return [(title, "\n".join(body)) for title, body in out if title or "".join(body).strip()]
