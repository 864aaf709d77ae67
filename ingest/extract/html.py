"""HTML files (.html, .htm) to blocks with BeautifulSoup: parsed as data, never executed.

This module owns reading HTML: script, style, nav and other non-content elements are dropped,
h1-h6 become heading paths (through `ingest.structure.HeadingTracker`), paragraphs, list items,
table rows and preformatted text become blocks. The <title> goes to front_matter["title"].
"""

from __future__ import annotations

from pathlib import Path

from bs4 import BeautifulSoup, FeatureNotFound, Tag

from ingest.document import Block, Extracted
from ingest.extract.text import decode_bytes
from ingest.structure import HeadingTracker

_DROP = ("script", "style", "nav", "noscript", "template", "iframe", "object", "embed", "svg")
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_BLOCKS = ("p", "li", "pre", "blockquote", "tr", "dt", "dd", "caption", "figcaption", "address")


def extract_html(path: Path) -> Extracted:
    """Read an HTML file into blocks under their headings."""
    text, warnings = decode_bytes(path.read_bytes())
    soup = _parse(text)
    for tag in soup.find_all(_DROP):
        tag.decompose()
    front_matter = {}
    if soup.title and soup.title.get_text(strip=True):
        front_matter["title"] = soup.title.get_text(" ", strip=True)
    root = soup.body or soup
    tracker = HeadingTracker()
    blocks: list[Block] = []
    wanted = _HEADINGS + _BLOCKS
    for tag in root.find_all(wanted):
        if _inside(tag, wanted):
            continue  # its text is already part of an enclosing block
        if tag.name in _HEADINGS:
            heading = tag.get_text(" ", strip=True)
            if heading:
                tracker.heading(heading, int(tag.name[1]))
            continue
        content = _block_text(tag)
        if content and not tracker.paragraph(content):
            blocks.append(Block(text=content, heading_path=tracker.path))
    if not blocks:
        # Text outside any block element (bare <div>s): keep it rather than lose it.
        loose = root.get_text("\n", strip=True)
        if loose:
            blocks.append(Block(text=loose, heading_path=tracker.path))
    return Extracted(blocks=blocks, front_matter=front_matter, warnings=warnings)


def _parse(text: str) -> BeautifulSoup:
    """Parse with lxml when available, else with the standard library parser."""
    try:
        return BeautifulSoup(text, "lxml")
    except FeatureNotFound:
        return BeautifulSoup(text, "html.parser")


def _inside(tag: Tag, names: tuple[str, ...]) -> bool:
    """True if one of `tag`'s ancestors is itself one of `names`."""
    return any(parent.name in names for parent in tag.parents)


def _block_text(tag: Tag) -> str:
    """The text of a block element: table cells joined by " | ", <pre> kept as is."""
    if tag.name == "pre":
        return tag.get_text().strip("\n")
    if tag.name == "tr":
        cells = [c.get_text(" ", strip=True) for c in tag.find_all(["td", "th"])]
        return " | ".join(cells)
    return tag.get_text(" ", strip=True)
