"""Codes and acronyms that a question names, and whether any indexed document mentions them.

Staff name things by their code: a procedure (« PQ-IA-02 », « PROT-HYG-02 »), a form
(« FEI-IA »), an article of a French code (« L1110-4 »), a body or a law by its acronym
(« HAS », "HIPAA"). When no indexed document mentions that code at all, the documents cannot
answer: the passages found are about something else that shares the question's other words
(a question on the hand-rub protocol PROT-HYG-02 finds the document-management procedure).
The answerer then refuses and says which code no document mentions, instead of quoting them.

An acronym counts only when written in capitals, five letters or more, and when the corpus
has it neither as an acronym nor as an ordinary word (« URGENT » written for emphasis is the
word « urgent »). Shorter ones are too often the initials of words the documents spell out
(« DRH » for « direction des ressources humaines »; "DPIA" for "data protection impact
assessment", which the regulation never abbreviates), and too many word runs of the corpus share
four initials for a search of the spelled-out form to tell (as many for made-up « SCPA » as for
"DPIA"); Roman numerals are left to `references` (« annexe XIV »), and the common
names of the indexed acts (GDPR, RGPD, AI Act) are not codes. A question written all in capitals
names no acronym. An acronym that the passages found for the question spell out (`spelled_out`)
is known after all.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from assistant.retrieval.analysis import fold_accents
from assistant.retrieval.references import ACT_NAMES

# « PQ-IA-02 », « FEI-IA », « COVID-19 »; articles of French codes: « L1110-4 », « R. 4127-4 ».
_CODE_ARTICLE = r"\b[LRD]\.?\s?\d{3,4}(?:-\d+)+\b"
_CODE = re.compile(rf"\b[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+\b|{_CODE_ARTICLE}")
_ACRONYM = re.compile(r"\b[A-Z][A-Z0-9]{4,}\b")
_CORPUS_ACRONYM = re.compile(r"\b[A-Z][A-Z0-9]{2,}\b")
_ROMAN = re.compile(r"^[IVXLC]+$")
_WORD = re.compile(r"\w+")


def _key(code: str) -> str:
    """One spelling per code: capitals, no dot or space, no leading zero (« R. 4127-4 » →
    « R4127-4 », « PQ-IA-02 » and « pq-ia-2 » → « PQ-IA-2 »)."""
    return re.sub(r"(?<=-)0+(?=\d)", "", re.sub(r"[\s.]", "", code).upper())


def _is_code(candidate: str) -> bool:
    """A document or form code (« PQ-IA-02 », « FEI-IA »), or an article of a French code (« L1110-4 »);
    not a name with a version or a number (« GPT-4 », « COVID-19 »), which a question may use for a
    thing the documents name otherwise (« agents conversationnels grand public »)."""
    if re.fullmatch(_CODE_ARTICLE, candidate):
        return True
    segments = candidate.split("-")
    return len(segments) >= 3 or all(segment.isalpha() for segment in segments)


def named_identifiers(text: str) -> list[str]:
    """The codes and acronyms `text` names, as written, in order, without repeats."""
    for pattern in ACT_NAMES.values():
        text = pattern.sub(" ", text)
    letters = [c for c in text if c.isalpha()]
    shouting = bool(letters) and sum(c.isupper() for c in letters) > len(letters) / 2
    hyphenated = [m.group() for m in _CODE.finditer(text)]
    found = [candidate for candidate in hyphenated if _is_code(candidate)]
    if not shouting:
        # the parts of a hyphenated name are not acronyms of their own (« COVID » of « COVID-19 »)
        covered = {piece for candidate in hyphenated for piece in re.split(r"[-\s.]", candidate)}
        found += [m.group() for m in _ACRONYM.finditer(text) if m.group() not in covered and not _ROMAN.match(m.group())]
    return list(dict.fromkeys(found))


# Short words skipped when reading initials (« comité de retour d'expérience » → C, R, EX).
_SKIPPED = frozenset("de du des d la le les l et en sur pour par a au aux of the and for on in to an".split())


def spelled_out(acronym: str, texts: Iterable[str]) -> bool:
    """True when a run of words of `texts` has the acronym's letters as initials, short words
    skipped and the last word giving up to three letters: « CREX », « comité de retour
    d'expérience »; "DPIA", "data protection impact assessment"; "GPAI", "general-purpose AI".
    Meant for the few passages found for a question (in a whole corpus, many word runs share
    four initials by chance); codes are never spelled out."""
    if not acronym.isalpha():
        return False
    letters = fold_accents(acronym.lower())
    for text in texts:
        words = [word for word in _WORD.findall(fold_accents(text.lower())) if word not in _SKIPPED]
        initials = "".join(word[0] for word in words)
        for last in (1, 2, 3):
            head, tail = letters[:-last], letters[-last:]
            if not head:
                break
            start = initials.find(head)
            while start != -1:
                following = start + len(head)
                if following < len(words) and words[following].startswith(tail):
                    return True
                start = initials.find(head, start + 1)
    return False


class IdentifierTable:
    """What the indexed texts mention: their codes and acronyms, and their words."""

    def __init__(self, texts: Iterable[str]) -> None:
        self._codes: set[str] = set()
        self._words: set[str] = set()
        for text in texts:
            self._codes.update(_key(m.group()) for m in _CODE.finditer(text))
            self._codes.update(m.group() for m in _CORPUS_ACRONYM.finditer(text))
            self._words.update(fold_accents(word.lower()) for word in _WORD.findall(text))

    def mentions(self, name: str) -> bool:
        """Whether an indexed text mentions `name` (a code, an acronym, a word), in any case."""
        return _key(name) in self._codes or fold_accents(name.lower()) in self._words

    def unknown(self, question: str) -> list[str]:
        """The codes and acronyms of `question` that no indexed text mentions."""
        missing = []
        for identifier in named_identifiers(question):
            if _key(identifier) in self._codes:
                continue
            if " " not in identifier and "-" not in identifier and fold_accents(identifier.lower()) in self._words:
                continue  # an acronym that is also a word of the corpus: not told apart
            missing.append(identifier)
        return missing
