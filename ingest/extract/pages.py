"""Page markers left in text converted from PDF, and the page number of every line.

This module owns recognising the page markers that PDF-to-Markdown converters leave behind and
removing them from the text:

- opening markers: ``# guide_securite__12`` (a heading naming page 12) or ``--- Page 12 ---``;
- closing footers: a line holding "N/M" beside a short label, e.g.
  ``ELI: http://data.europa.eu/eli/reg/2024/1689/oj     60/144``, which closes page N.

It also drops the printed page number that ends a page (a lone number just before an opening
marker) and the horizontal rule converters put after a marker.
"""

from __future__ import annotations

import re
from collections import Counter

_NAMED_RE = re.compile(r"^#{1,6}\s*\S*?__(\d{1,4})\s*$")
_PAGE_RE = re.compile(r"^\s*-{2,}\s*Page\s+(\d{1,4})\s*-{2,}\s*$", re.IGNORECASE)
_FOOTER_RE = re.compile(
    r"^\s*(?P<n1>\d{1,4})\s*/\s*(?P<m1>\d{1,4})\s{2,}(?P<l1>\S.{0,150}?)\s*$"
    r"|^\s*(?P<l2>\S.{0,150}?)\s{2,}(?P<n2>\d{1,4})\s*/\s*(?P<m2>\d{1,4})\s*$"
)
_RULE_RE = re.compile(r"^\s*([-*_])(\s*\1){2,}\s*$")
_LONE_NUMBER_RE = re.compile(r"^\s*\d{1,4}\s*$")


def assign_pages(lines: list[str]) -> tuple[list[tuple[int | None, str]], int | None]:
    """Pair each content line with its page number and drop the marker lines.

    Returns the (page, line) pairs and the page count, or pages of None and a count of None
    when the text has no page markers.
    """
    named = [_match_int(_NAMED_RE, line) for line in lines]
    if sum(n is not None for n in named) >= 2:
        return _opening(lines, named, drop=_PAGE_RE)
    numbered = [_match_int(_PAGE_RE, line) for line in lines]
    if sum(n is not None for n in numbered) >= 2:
        return _opening(lines, numbered, drop=None)
    footers = _closing_footers(lines)
    if footers:
        return _closing(lines, footers)
    return [(None, line) for line in lines], None


def _match_int(pattern: re.Pattern[str], line: str) -> int | None:
    """The first group of `pattern` in `line` as an int, or None."""
    m = pattern.match(line)
    return int(m.group(1)) if m else None


def _opening(lines: list[str], markers: list[int | None], drop: re.Pattern[str] | None) -> tuple[list[tuple[int | None, str]], int | None]:
    """Pages opened by marker lines; the text before the first marker has no page."""
    out: list[tuple[int | None, str]] = []
    page: int | None = None
    just_opened = False
    for line, marker in zip(lines, markers, strict=True):
        if marker is not None:
            _drop_trailing_page_number(out)
            page, just_opened = marker, True
            continue
        if just_opened and (_RULE_RE.match(line) or (drop and drop.match(line))):
            continue  # "---" and "--- Page 1 ---" right under the marker
        if line.strip():
            just_opened = False
        out.append((page, line))
    _drop_trailing_page_number(out)
    pages = [m for m in markers if m is not None]
    return out, max(pages) if pages else None


def _drop_trailing_page_number(out: list[tuple[int | None, str]]) -> None:
    """Remove the printed page number that ends the page collected so far."""
    i = len(out) - 1
    while i >= 0 and not out[i][1].strip():
        i -= 1
    if i >= 0 and _LONE_NUMBER_RE.match(out[i][1]):
        del out[i]


def _closing_footers(lines: list[str]) -> dict[int, int]:
    """Line index -> page number for the footer lines "label  N/M" (M the same throughout)."""
    found: list[tuple[int, int, int]] = []
    for index, line in enumerate(lines):
        m = _FOOTER_RE.match(line)
        if not m:
            continue
        label = m.group("l1") or m.group("l2")
        if len(label) > 80 and "http" not in label:
            continue
        number = int(m.group("n1") or m.group("n2"))
        total = int(m.group("m1") or m.group("m2"))
        found.append((index, number, total))
    if len(found) < 3:
        return {}
    total, count = Counter(t for _, _, t in found).most_common(1)[0]
    if count < 3:
        return {}
    return {index: number for index, number, t in found if t == total and number <= total}


def _closing(lines: list[str], footers: dict[int, int]) -> tuple[list[tuple[int | None, str]], int | None]:
    """Pages closed by footer lines: a footer "N/M" ends page N; the next line starts page N+1."""
    out: list[tuple[int | None, str]] = []
    page = 1
    last = max(footers.values())
    for index, line in enumerate(lines):
        if index in footers:
            page = footers[index] + 1
            continue
        out.append((min(page, last), line))
    return out, last
