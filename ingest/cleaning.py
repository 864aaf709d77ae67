"""Cleaning extracted blocks into the text Garant stores, cites and chunks.

This module owns the repairs that the real sources need, applied by `clean_blocks` in order:

1. Unicode NFKC (ligature "ﬁ" -> "fi"), control and invisible characters out, spaces collapsed;
2. running headers and footers (lines repeated at the top or bottom of many pages) dropped;
3. the U+FFFD left by broken fi/ff/fl/ffi/ffl ligatures of raw PDF extraction restored from
   words seen intact in the same document (`repair_ligatures`);
4. drop-cap artefacts ("C onstituer", "L ’article") joined when the joined word is known;
5. structure: heading lines of plain text moved into heading paths (`ingest.structure`);
6. hyphenation at line ends undone and hard-wrapped lines joined into paragraphs, keeping list
   items, numbered points, table rows and headings on their own lines (`unwrap_lines`);
7. a sentence that a blank line cut in two (text converted from PDF often puts one between every
   line of a boxed quote: « un gain de temps » / « de plus de 75 % pour nos cadres. ») joined
   back across the blocks (`join_broken_sentences`).

Everything is a pure function of the blocks: no file, no state.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable
from dataclasses import replace

from ingest.document import Block
from ingest.structure import match_marker, split_structure

_LETTER = r"[^\W\d_]"
_WORD_RE = re.compile(rf"{_LETTER}+")
_HYPHENATED_RE = re.compile(rf"{_LETTER}+-{_LETTER}+")
_BROKEN_RE = re.compile(rf"(?:{_LETTER}|\ufffd)+(?:-\n(?:{_LETTER}|\ufffd)+)?")
_INVISIBLE_RE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")
_SPACES_RE = re.compile(r"[^\S\n]+")
_DIGITS_RE = re.compile(r"\d+")
_DROP_CAP_RE = re.compile(
    rf"^(?P<lead>(?:[•\-–—·▪●*]\s+|\d{{1,2}}[.)]\s+)?)(?P<cap>{_LETTER}) (?P<rest>{_LETTER}+|[’'])",
    re.MULTILINE,
)
_LIST_START_RE = re.compile(r"^(?:[-•*–—·▪●○►]\s|\(?[0-9]{1,3}[.)°]\s|\(?[a-zA-Z][.)]\s|\([ivxlcIVXLC]{1,6}\)\s|\|)")
_TERMINAL = (".", "!", "?", ":", ";", "»", "”")

LIGATURES = ("fi", "ff", "fl", "ffi", "ffl")
# Last resort when the document itself never shows the word intact.
FRENCH_LIGATURE_WORDS = frozenset(
    """afin affaire affaires affecter affectation affichage afficher affirmer bénéfice bénéfices
    bénéficier certifier certification chiffre chiffres chiffrage chiffrement coffre confiance
    confidentialité confidentiel confidentielle confier configuration conflit conflits définir
    défini définie définition définitions démystifier différence différences différent
    différente différents différentes difficile difficiles difficulté difficultés diffuser
    diffusion efficace efficaces efficacité efficience efficient efficiente effet effets
    effectif effective effectivement effectuer effectué fiabilité fiable fiables fichier
    fichiers fiche fiches fin final finale finalité finalités finance finances financement
    financer fins finesse flexible flexibilité fluide fluidité flux identifiant identifiants
    identification identifier identifié influence influencer influer justifier modification
    modifications modifier notification offre offres offrir officiel officielle planification
    profil profils qualification qualifier réflexion scientifique signifier significatif
    souffrance spécificité spécifique spécifiques suffire suffisant suffisante suffisamment
    superficiel trafic vérification vérifier artificiel artificielle artificiels artificielles
    classification clarifier simplifier unifier diversifier""".split()
)


def clean_blocks(blocks: list[Block], extra_vocabulary: Counter[str] | None = None) -> list[Block]:
    """Clean extracted blocks; the result is what gets chunked and stored.

    Heading lines of plain text leave the text for the heading path, so the number of blocks
    may change; empty blocks are dropped. `extra_vocabulary` (e.g. `word_counts` of the other
    documents of the corpus) helps restore broken ligatures of words the document never shows
    intact.
    """
    blocks = [replace(b, text=normalise_text(b.text)) for b in blocks]
    blocks = remove_running_lines(blocks)
    vocabulary = word_counts(b.text for b in blocks)
    # the remainder of a broken bullet is not a word of the document (« • C onserver » five times)
    vocabulary = vocabulary - Counter(m.group("rest").lower() for b in blocks for m in _DROP_CAP_RE.finditer(b.text)
                                      if m.group("lead") and m.group("cap").isupper())
    if extra_vocabulary:
        vocabulary = vocabulary + extra_vocabulary
    hyphenated = {m.lower() for b in blocks for m in _HYPHENATED_RE.findall(b.text)}
    blocks = [replace(b, text=fix_drop_caps(repair_ligatures(b.text, vocabulary), vocabulary)) for b in blocks]
    blocks = split_structure([b for b in blocks if b.text.strip()])
    blocks = [replace(b, text=unwrap_lines(b.text, vocabulary, hyphenated)) for b in blocks]
    return join_broken_sentences([b for b in blocks if b.text.strip()])


def join_broken_sentences(blocks: list[Block]) -> list[Block]:
    """Blocks joined where one ends mid-sentence and the next continues it: the first ends
    without sentence punctuation and the second starts with a lowercase letter, on the same page
    under the same headings, and neither is a list item, table row or heading line."""
    out: list[Block] = []
    for block in blocks:
        if out and _continues(out[-1], block):
            out[-1] = replace(out[-1], text=f"{out[-1].text} {block.text}")
        else:
            out.append(block)
    return out


def _continues(prev: Block, block: Block) -> bool:
    """True if `block` is the rest of the sentence `prev` leaves unfinished."""
    if prev.page != block.page or prev.heading_path != block.heading_path:
        return False
    last, first = prev.text.rsplit("\n", 1)[-1], block.text.split("\n", 1)[0]
    if last.endswith(_TERMINAL) or _CELL_SEPARATOR in last or _CELL_SEPARATOR in first or _keeps_break(last, first):
        return False
    return first[:1].islower()


def normalise_text(text: str) -> str:
    """NFKC, no control or invisible characters, single spaces, no blank-line runs."""
    text = unicodedata.normalize("NFKC", text)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\f", "\n")
    text = _INVISIBLE_RE.sub("", text).replace("\t", " ")
    text = _CONTROL_RE.sub("", text)
    lines = [_SPACES_RE.sub(" ", line).strip() for line in text.split("\n")]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip("\n")


def word_counts(texts: Iterable[str]) -> Counter[str]:
    """Lower-cased words of the texts (line-end hyphenation undone), without broken ones."""
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(w.lower() for w in _WORD_RE.findall(text.replace("-\n", "")))
    return counts


# --- running headers and footers -------------------------------------------------------------


def remove_running_lines(blocks: list[Block], min_share: float = 0.25) -> list[Block]:
    """Drop lines repeated at the top or bottom of at least `min_share` of the pages.

    Lines are compared with digits replaced ("60/144" ~ "61/144"). Structural headings
    ("Article 5") are never dropped. Long running lines are dropped wherever they appear;
    short ones ("FR", "3") only at a page's top or bottom.
    """
    pages: dict[int, list[tuple[int, int, str]]] = {}
    for bi, block in enumerate(blocks):
        if block.page is None:
            continue
        for li, line in enumerate(block.text.split("\n")):
            if line.strip():
                pages.setdefault(block.page, []).append((bi, li, _line_key(line)))
    if len(pages) < 6:
        return blocks
    edge_positions: set[tuple[int, int]] = set()
    seen: Counter[str] = Counter()
    for entries in pages.values():
        edges = entries[:4] + entries[-6:]
        edge_positions.update((bi, li) for bi, li, _ in edges)
        seen.update({key for _, _, key in edges})
    threshold = max(3, min_share * len(pages))
    running = {
        key for key, n in seen.items() if n >= threshold and len(key) <= 150 and match_marker(key.replace("#", "1"), strict=False) is None
    }
    if not running:
        return blocks
    out: list[Block] = []
    for bi, block in enumerate(blocks):
        kept = [
            line
            for li, line in enumerate(block.text.split("\n"))
            if not (_line_key(line) in running and (len(line.strip()) >= 10 or (bi, li) in edge_positions))
        ]
        out.append(replace(block, text="\n".join(kept).strip("\n")))
    return out


def _line_key(line: str) -> str:
    """A line compared across pages: digits as '#', spaces collapsed."""
    return _DIGITS_RE.sub("#", " ".join(line.split()))


# --- broken ligatures --------------------------------------------------------------------------


def repair_ligatures(text: str, vocabulary: Counter[str], fallback: frozenset[str] = FRENCH_LIGATURE_WORDS) -> str:
    """Replace each U+FFFD inside a word by the ligature that makes a known word.

    Tried in order: a word seen intact in the same document (most frequent wins), a word of
    `fallback`, the ligature most often seen between the same neighbouring letters, then "fi".
    A word cut by line-end hyphenation ("arti-\\n\ufffdcielle") is judged whole.
    """
    if "\ufffd" not in text:
        return text
    return _BROKEN_RE.sub(lambda m: _repair_word(m.group(0), vocabulary, fallback), text)


def choose_ligatures(word: str, vocabulary: Counter[str], fallback: frozenset[str] = FRENCH_LIGATURE_WORDS) -> tuple[tuple[str, ...], str]:
    """The ligatures for each U+FFFD of `word`, and which rule chose them.

    The rule is "document", "fallback", "context" or "default".
    """
    key = word.replace("-\n", "").lower()
    holes = key.count("\ufffd")
    if holes > 3:  # too many combinations to be a ligature problem
        return ("fi",) * holes, "default"
    options = list(itertools.product(LIGATURES, repeat=holes))
    spelled = [(_fill(key, opt), opt) for opt in options]
    known = [(vocabulary[w], opt) for w, opt in spelled if vocabulary[w] > 0]
    if known:
        return max(known)[1], "document"
    for w, opt in spelled:
        if w in fallback:
            return opt, "fallback"
    chosen: list[str] = []
    support_found = False
    for index in range(holes):
        best, support = _context_ligature(key, index, vocabulary, fallback)
        chosen.append(best)
        support_found = support_found or support > 0
    return tuple(chosen), "context" if support_found else "default"


def _repair_word(word: str, vocabulary: Counter[str], fallback: frozenset[str]) -> str:
    """`word` with each U+FFFD replaced by its chosen ligature, in the word's case."""
    if "\ufffd" not in word:
        return word
    ligatures, _ = choose_ligatures(word, vocabulary, fallback)
    parts = word.split("\ufffd")
    out = [parts[0]]
    for ligature, before, after in zip(ligatures, parts, parts[1:], strict=False):
        neighbours = (before[-1:] + after[:1]).replace("\n", "").replace("-", "")
        upper = bool(neighbours) and neighbours.isupper()
        out.append(ligature.upper() if upper else ligature)
        out.append(after)
    return "".join(out)


def _fill(key: str, ligatures: tuple[str, ...]) -> str:
    """`key` with its U+FFFD replaced by `ligatures` in order."""
    parts = key.split("\ufffd")
    return parts[0] + "".join(lig + part for lig, part in zip(ligatures, parts[1:], strict=True))


def _context_ligature(key: str, index: int, vocabulary: Counter[str], fallback: frozenset[str]) -> tuple[str, int]:
    """The ligature most often seen between the letters around hole `index`, and its support."""
    parts = key.split("\ufffd")
    left, right = parts[index][-2:], parts[index + 1][:2]
    best, best_support = "fi", 0
    for ligature in LIGATURES:
        probe = left + ligature + right
        support = sum(n for w, n in vocabulary.items() if probe in w)
        support += sum(1 for w in fallback if probe in w)
        if support > best_support:
            best, best_support = ligature, support
    return best, best_support


# --- drop caps ---------------------------------------------------------------------------------


def fix_drop_caps(text: str, vocabulary: Counter[str]) -> str:
    """Join a line-initial letter cut from its word ("C ontrôler", "L ’article").

    Only when the joined word is known in the document and more frequent than the rest alone
    (so "a new" or "A la" stay as they are), or, after a bullet, when a capital is cut from a
    remainder that is no word of the document ("• A jouter") or that makes a word of the document
    with it ("• A voir"). `vocabulary` should not count the
    remainders of broken bullets (`clean_blocks` takes them out): the CNIL guide has « • C onserver »
    five times and « conserver » thrice.
    """

    def join(m: re.Match[str]) -> str:
        cap, rest = m.group("cap"), m.group("rest")
        if rest in ("’", "'"):
            return m.group("lead") + cap + rest if cap in "LlDdJjNnSsCcMmTt" else m.group(0)
        joined = (cap + rest).lower()
        if vocabulary[joined] > 0 and vocabulary[joined] >= vocabulary[rest.lower()]:
            return m.group("lead") + cap + rest
        # "• A jouter": a capital cut from a remainder that is no word of the document.
        if m.group("lead") and cap.isupper() and len(rest) >= 3 and vocabulary[rest.lower()] == 0:
            return m.group("lead") + cap + rest
        # "• A voir", "• S e", "• I l": after a bullet, a capital and its remainder that make a word of the
        # document, however common the remainder is (« voir », « l' »); a bullet rarely starts with a
        # one-letter word, and « • A la… » stays (« ala » is no word of the document)
        if m.group("lead") and cap.isupper() and rest[0].islower() and vocabulary[joined] > 0:
            return m.group("lead") + cap + rest
        return m.group(0)

    return _DROP_CAP_RE.sub(join, text)


# --- hyphenation and hard wraps ----------------------------------------------------------------


def unwrap_lines(text: str, vocabulary: Counter[str] | None = None, hyphenated: set[str] | None = None) -> str:
    """Join hard-wrapped lines into paragraphs and undo line-end hyphenation.

    "déve-" + "loppeurs" gives "développeurs" (only before a lowercase letter, and not when the
    document writes the hyphenated compound elsewhere, e.g. "decision-making"). List items,
    numbered points ("1.", "(a)"), table rows and structural lines keep their own line; a short
    line ending a sentence ends its paragraph (a blank line follows).
    """
    vocabulary = vocabulary or Counter()
    hyphenated = hyphenated or set()
    paragraphs = []
    for paragraph in re.split(r"\n\s*\n", text):
        lines = [line.strip() for line in paragraph.split("\n") if line.strip()]
        if lines:
            paragraphs.append(_unwrap_paragraph(lines, vocabulary, hyphenated))
    return "\n\n".join(paragraphs)


def _unwrap_paragraph(lines: list[str], vocabulary: Counter[str], hyphenated: set[str]) -> str:
    """One paragraph's lines joined; kept breaks as newlines, paragraph ends as blank lines."""
    width = max(len(line) for line in lines)
    out = lines[0]
    for prev, line in zip(lines, lines[1:], strict=False):
        if _keeps_break(prev, line):
            out += "\n" + line
        elif prev.endswith("-") and len(prev) > 1 and prev[-2].isalpha():
            out = _join_hyphenated(out, line, vocabulary, hyphenated)
        elif _ends_paragraph(prev, width) and line[0].isupper():
            out += "\n\n" + line
        else:
            out += " " + line
    return out


_CELL_SEPARATOR = " | "


def _keeps_break(prev: str, line: str) -> bool:
    """True if `line` must start on its own line (list item, table row, heading...)."""
    if _LIST_START_RE.match(line) or prev.startswith("|") or line.startswith("#"):
        return True
    if _CELL_SEPARATOR in prev and _CELL_SEPARATOR in line:
        return True  # two table rows (Word and HTML tables: cells joined by " | ", no leading pipe)
    return match_marker(prev) is not None or match_marker(line) is not None


def _ends_paragraph(line: str, width: int) -> bool:
    """True if `line` ends a sentence well short of the text width: a paragraph's last line."""
    return width >= 40 and line.endswith(_TERMINAL) and len(line) < 0.8 * width


def _join_hyphenated(out: str, line: str, vocabulary: Counter[str], hyphenated: set[str]) -> str:
    """Append `line` to `out`, which ends with a hyphen, dropping it if it only split a word."""
    head = _WORD_RE.findall(out[-60:])
    tail = _WORD_RE.match(line)
    if not line[0].islower() or not head or not tail:
        return out + line  # "Wi-" + "Fi": a real hyphen, no space
    first, second = head[-1].lower(), tail.group(0).lower()
    compound = f"{first}-{second}"
    if compound in hyphenated and vocabulary[first + second] == 0:
        return out + line  # "decision-" + "making"
    return out[:-1] + line
