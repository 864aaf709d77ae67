"""Every relative link of the guides and of the README points to a file that exists (and,
for a `#fragment`, to a heading of that file), so a reader never lands on nothing."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PAGES = sorted((REPO / "docs").glob("*.md")) + [REPO / "README.md"]
_LINK = re.compile(r"!?\[(?:[^\]\[]|\[[^\]]*\])*\]\((?P<target><[^>]+>|[^)\s]+)(?:\s+\"[^\"]*\")?\)")
_CODE = re.compile(r"^(`{3,}|~{3,}).*?^\1\s*$", re.MULTILINE | re.DOTALL)
_INLINE_CODE = re.compile(r"`[^`\n]*`")


def prose(path: Path) -> str:
    """The Markdown without code blocks and inline code (links there are not links)."""
    return _INLINE_CODE.sub("", _CODE.sub("", path.read_text(encoding="utf-8")))


def github_anchor(heading: str) -> str:
    """The id GitHub gives a heading: lower case, all but letters, marks, digits, `_`, spaces and
    hyphens dropped, spaces to hyphens."""
    text = re.sub(r"[`*]|<[^>]+>", "", heading).strip().lower()
    text = "".join(c for c in text if c in " -" or unicodedata.category(c)[0] in "LMN" or unicodedata.category(c) == "Pc")
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    """The heading anchors of a Markdown file (duplicates get -1, -2… as on GitHub)."""
    seen: dict[str, int] = {}
    out = set()
    for line in _CODE.sub("", path.read_text(encoding="utf-8")).splitlines():
        if (match := re.match(r"^#{1,6}\s+(.+?)\s*#*\s*$", line)) is not None:
            slug = github_anchor(match.group(1))
            out.add(slug if slug not in seen else f"{slug}-{seen[slug]}")
            seen[slug] = seen.get(slug, 0) + 1
    return out


def relative_links(path: Path) -> list[str]:
    targets = [m["target"].strip("<>") for m in _LINK.finditer(prose(path))]
    return [t for t in targets if not re.match(r"^[a-z][a-z0-9+.-]*:", t)]  # http:, https:, mailto:…


@pytest.mark.parametrize("page", PAGES, ids=[p.relative_to(REPO).as_posix() for p in PAGES])
def test_relative_links_point_to_existing_files_and_headings(page: Path) -> None:
    broken = []
    for target in relative_links(page):
        file_part, _, fragment = target.partition("#")
        destination = (page.parent / file_part).resolve() if file_part else page
        if not destination.exists():
            broken.append(f"{target} (no such file)")
        elif fragment and destination.suffix == ".md" and fragment not in anchors(destination):
            broken.append(f"{target} (no heading #{fragment} in {destination.name})")
    assert not broken, f"{page.name}: broken links: {broken}"


def test_the_link_checker_sees_links_and_anchors() -> None:
    assert github_anchor("5. L'évaluation (`garant-eval`)") == "5-lévaluation-garant-eval"
    assert github_anchor("10. Supervision : `GET /api/v1/health`") == "10-supervision--get-apiv1health"
    assert github_anchor("4. Le dossier de données `GARANT_HOME`") == "4-le-dossier-de-données-garant_home"
    readme_links = relative_links(REPO / "README.md")
    assert any(link.startswith("docs/") for link in readme_links), "the README links to the guides"
