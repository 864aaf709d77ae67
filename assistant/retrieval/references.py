"""Articles and annexes that a question names (« l'article 14 du règlement sur l'IA »,
"Annex III of the AI Act"), and numbered parts of our own documents, found by the heading path
of the indexed passages.

Semantic search handles these poorly: « article 14 » is two tokens among many, and the
question's other words pull in the recitals that discuss the same topic. So the retriever
looks a named article up by its heading and makes sure one of its passages is given to the
model; and when the named act is indexed but has no such article (« article 120 » of a
regulation that stops at 113), the answerer refuses instead of quoting whatever is close.

An act is recognised by its official number in a document title (« 2016/679 », « 2024/1689 »),
written in the question or reached through its common names (`ACT_NAMES`). A reference to an
act that no document is (« l'article 17 de la loi de bioéthique ») is neither looked up nor
refused: other documents may quote or discuss it.

Our own documents are numbered too: « le point 10 de la charte », « l'article 14 de la charte
IA », « la section 5 du PQ-IA-01 », « la fiche 24 du guide de la CNIL » (`find_parts`) name a
part by the number its heading starts with (« 10. Usages interdits », « FICHE 24 — … »), looked
up and refused the same way. Asked « Que dit le point 10 de la charte ? », the search alone gave
the CNIL guide's sheet 17 first and the charter's § 10 fourth. A part is refused as missing only
when the document's parts are numbered 1… N without a gap (ingest merges a very small section
into the next one, and its number then appears in no heading).

A question asking from when a named act, or a part of it, applies (« À partir de quand
s'applique l'article 6, paragraphe 1 ? », "From what date does the GDPR apply?") is answered
by the act's article on its entry into force and application (`asks_when_it_applies`,
`ReferenceTable.application_chunks`), which the question does not name: without the model, ten
design sets facts 458 → 460 of 564, answerable questions refused 16 → 15; the seven sets never
read 203 → 206 of 294; refusals the same on both.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

# Common names of acts → the official number their titles carry.
ACT_NAMES: dict[str, re.Pattern[str]] = {
    "2016/679": re.compile(r"\b(?:RGPD|GDPR|règlement général sur la protection des données|general data protection regulation)\b", re.I),
    "2024/1689": re.compile(
        r"\b(?:AI Act|RIA|IA Act|artificial intelligence act|AI Regulation|"
        r"règlement (?:européen |\(UE\) )?(?:sur l['’]intelligence artificielle|sur l['’]IA|relatif à l['’]IA|IA))\b",
        re.I,
    ),
}
_ACT_NUMBER = re.compile(r"\b(\d{4}/\d{2,4})\b")
# « de la loi… », « de la charte… », "of the Directive…": the reference belongs to another text,
# named right after it.
_OTHER_ACT = re.compile(
    r"^\s*(?:,\s*)?(?:de la |du |de l['’]|des |of the |of |in the )?(?:loi|code|décret|arrêté|ordonnance|directive|convention|constitution|law|act\b|decree|directive|treaty|traité|"
    r"charte|procédure|note|guide|règlement intérieur|contrat|charter|procedure|policy|contract)"
    r"|^\s*(?:,\s*)?of (?:the |our )?(?:[A-Za-z-]+ ){1,3}(?:law|act|decree|code|treaty|charter|policy)\b",  # "of the French bioethics law"
    re.I,
)
_ROMAN = "IVXLC"
_REFERENCE = re.compile(
    r"\b(?P<kind>articles?|art\.|annexes?|annex)\s*(?P<number>\d{1,3}|[IVXLC]{1,6})\b(?!\s*[/.]\d)",
    re.I,
)
# « articles 13 et 14 », "Articles 13, 14 and 15": the numbers after the first one.
_MORE_NUMBERS = re.compile(r"(?:\s*(?:,|et|and|ou|or)\s*(\d{1,3}|[IVXLC]{1,6})\b(?!\s*[/.]\d))+")
# A heading of the article giving an act's dates: "Article 113 — Entry into force and application".
_APPLICATION_HEADING = re.compile(r"\b(?:entry into force|entrée en vigueur)\b", re.I)
# A question asking when: « quand », « depuis quand », « à partir de quelle date », "when", "from what date".
_WHEN = re.compile(r"\b(?:quand|quelle date|when|what date|which date)\b", re.I)
# …a rule applies: « s'applique », « applicable », « entre en application », « en vigueur », "apply", "enter into force".
_APPLIES = re.compile(r"(?:\bs['’]appliqu|\bapplicab|\ben application\b|\ben vigueur\b|\bappl(?:y|ies|ied)\b|\binto force\b)", re.I)
_HEADING = re.compile(r"^\s*(?P<kind>article|annexe?)\s+(?P<number>\d{1,3}|[IVXLC]{1,6})\b", re.I)
# A numbered part of a document that is no act (« 10. Usages interdits »; not « 3.1 Comité », a
# subsection read with its part), or a guide's numbered sheet (« FICHE 17 — SAUVEGARDER »).
_PART_HEADING = re.compile(r"^\s*(?:(?P<sheet>fiche|factsheet|sheet)\s+(?:n[°o]\s*)?)?(?P<number>\d{1,2})(?:\.\s|\s*[—–-]\s)", re.I)
# What follows a reference and names its act: « (1) du règlement (UE) 2024/1689 », "of the Regulation".
_ACT_LEAD = r"\s*(?:\(\d+\)\s*)?(?:,\s*)?(?:du |de la |de l['’]|des |of the |of |in the |under the )?"
_ACT_AFTER = re.compile(_ACT_LEAD + r"(?:règlement|regulation|directive)?\s*(?:\((?:UE|EU)\)\s*)?(?:n°\s*)?(?:\d{4}/\d{2,4})?", re.I)
_ACT_LEAD_RE = re.compile(_ACT_LEAD, re.I)


@dataclass(frozen=True)
class Reference:
    """One article or annex named in a question; `act` is an official number, "" for
    "whichever act holds it", None for an act that no indexed document is."""

    kind: str  # "article" or "annex"
    number: str
    act: str | None
    label: str  # as written in the question

    @property
    def key(self) -> tuple[str, str]:
        """What a heading must match."""
        return self.kind, self.number


def _kind(word: str) -> str:
    return "annex" if word.lower().startswith("annex") else "article"


def _number(text: str, kind: str) -> str | None:
    """Arabic numbers for articles, Roman numerals for annexes; None for anything else."""
    if text.isdigit():
        return str(int(text)) if kind == "article" else None
    upper = text.upper()
    if kind == "annex" and text == upper and all(c in _ROMAN for c in upper):
        return upper
    return None


def acts_named(question: str) -> set[str]:
    """Official numbers of the acts a question names, by number or by common name."""
    found = set(_ACT_NUMBER.findall(question))
    found |= {number for number, pattern in ACT_NAMES.items() if pattern.search(question)}
    return found


def asks_when_it_applies(question: str) -> bool:
    """Whether the question asks from when a rule applies (« À partir de quand s'applique… ? »,
    "When do the obligations … start to apply?", "From what date does the GDPR apply?"); the
    retriever looks the date up only in an act the question names."""
    return bool(_WHEN.search(question) and _APPLIES.search(question))


# A numbered part of one of our own documents: « le point 10 de la charte », « l'article 14 de la
# charte IA », « la section 5 du PQ-IA-01 », "section 9 of the AI charter". The document is the
# charter when « charte » is not followed by another name (« la charte informatique » is another
# text), or the document whose title holds the code.
_PART = re.compile(
    r"(?<!\w)(?P<kind>articles?|art\.|sections?|points?|§|paragraphes?|chapitres?|parties?|rubriques?|chapters?|parts?|paragraphs?)"
    r"\s*(?:n[°o]\s*)?(?P<number>\d{1,2})\b(?![.,]\d|\s*/)"
    r"\s*(?:de la |du |de l['’]|of the |of our |in the |in our |de notre |in )?(?:"
    r"(?:AI |hospital['’]s (?:AI )?)?(?P<charter>charte|charter)"
    r"(?:\s+(?:IA|de l['’]IA|sur l['’]IA|d['’]utilisation de l['’](?:IA|intelligence artificielle)|de l['’]intelligence artificielle))?"
    r"(?=\s*(?:[?,.;:!)]|$|sur\b|de l['’]établissement|de l['’]hôpital|du CH|on\b|says?\b|states?\b|provides?\b|sets?\b|about\b))"
    r"|(?:(?:la )?procédure |(?:the )?procedure )?(?P<code>[A-Z]{2,5}-[A-Z]{2,5}-\d{2})\b)",
    re.I,
)
# « la fiche 24 du guide de la CNIL », "factsheet 24": a numbered sheet of a guide made of sheets.
_SHEET = re.compile(r"\b(?P<kind>fiches?|factsheets?|sheets?)\s*(?:n[°o]\s*)?(?P<number>\d{1,2})\b(?![.,]\d)", re.I)
CHARTER, SHEET = "charter", "sheet"
OWN_KINDS = ("part", "sheet")  # the kinds of reference `find_parts` gives


def find_parts(question: str) -> list[tuple[Reference, tuple[int, int]]]:
    """The numbered parts of our own documents a question names, each with where it is written:
    kind "part" with `act` the document it belongs to (`CHARTER`, or a document code such as
    "PQ-IA-01"), or kind "sheet" (`act` = `SHEET`) for a numbered sheet of whichever guide has them."""
    found: list[tuple[Reference, tuple[int, int]]] = []
    for match in _PART.finditer(question):
        document = CHARTER if match["charter"] else match["code"].upper()
        found.append((Reference("part", str(int(match["number"])), document, f"{match['kind']} {match['number']}"), match.span()))
    for match in _SHEET.finditer(question):
        found.append((Reference("sheet", str(int(match["number"])), SHEET, f"{match['kind']} {match['number']}"), match.span()))
    return found


def find_references(question: str) -> list[Reference]:
    """The articles and annexes a question names, then the numbered parts of our own documents
    (`find_parts`), in order, without repeats."""
    acts = acts_named(question)
    found: list[Reference] = []
    parts = find_parts(question)
    for match in _REFERENCE.finditer(question):
        if any(start <= match.start() < end for _, (start, end) in parts):
            continue
        kind = _kind(match["kind"])
        word = match["kind"][:-1] if match["kind"].lower().endswith("s") else match["kind"]
        more = _MORE_NUMBERS.match(question, match.end())
        numbers = [match["number"], *(re.findall(r"\d{1,3}|[IVXLC]{1,6}", more.group(0)) if more else [])]
        after = question[(more or match).end() : (more or match).end() + 80]
        after_acts = acts_named(after[:60])
        if after_acts:
            act: str | None = sorted(after_acts)[0]
        elif _OTHER_ACT.match(re.sub(r"^\s*(?:\(\d+\)|,?\s*(?:paragraphe|paragraph|point|§)\s*\d+\w?)", "", after)):
            act = None
        elif len(acts) == 1:
            act = next(iter(acts))
        else:
            act = ""
        for written in numbers:
            number = _number(written, kind)
            reference = Reference(kind, number, act, f"{word} {written}") if number else None
            if reference and reference not in found:
                found.append(reference)
    for match in _CODE_ARTICLE.finditer(question):
        reference = Reference("article", re.sub(r"[\s.]", "", match["number"]).upper(), None, match.group(0))
        if reference not in found:
            found.append(reference)
    found.extend(reference for reference, _ in parts if reference not in found)
    return found


# A paragraph of an article: « le paragraphe 13 de l'article 26 », « l'article 26, paragraphe 13 », "Article 26(13)".
_PARAGRAPH_FIRST = re.compile(r"\b(?P<word>paragraphe|paragraph|alinéa|§)\s*(?P<paragraph>\d{1,2})\s+(?:de l['’]|du |of |of the )?(?:article|art\.)\s*(?P<article>\d{1,3})\b",
                              re.I)
_ARTICLE_FIRST = re.compile(r"\b(?:article|art\.)\s*(?P<article>\d{1,3})(?:\s*,?\s*(?P<word>paragraphe|paragraph|alinéa|§|para\.)\s*|\()(?P<paragraph>\d{1,2})\)?",
                            re.I)
_PARAGRAPH_START = re.compile(r"(?m)^\s*(\d{1,2})\.\s")


@dataclass(frozen=True)
class ParagraphReference:
    """A numbered paragraph of an article named in a question."""

    article: Reference
    number: int
    label: str  # « article 26, paragraphe 13 », "Article 26, paragraph 13"


def find_paragraphs(question: str, references: list[Reference] | None = None) -> list[ParagraphReference]:
    """The numbered paragraphs of articles that a question names, with the article as
    `find_references` reads it (and so its act); `references`: what it returned, when the caller has it."""
    found_references = find_references(question) if references is None else references
    articles = {ref.number: ref for ref in found_references if ref.kind == "article"}
    found: list[ParagraphReference] = []
    for match in (*_PARAGRAPH_FIRST.finditer(question), *_ARTICLE_FIRST.finditer(question)):
        article = articles.get(str(int(match["article"])))
        if article is None:
            continue
        written = (match["word"] or "").lower()
        if written in ("paragraph", "para.", "§"):
            word = "§" if written == "§" else "paragraph"
        elif written:  # « paragraphe », « alinéa »
            word = "paragraphe"
        else:  # "Article 26(13)": the language of « Article » as written
            word = "paragraph" if article.label[:1].isupper() else "paragraphe"
        paragraph = ParagraphReference(article, int(match["paragraph"]), f"{article.label}, {word} {int(match['paragraph'])}")
        if paragraph not in found:
            found.append(paragraph)
    return found


def paragraph_numbers(texts: Iterable[str]) -> set[int]:
    """The numbers of the paragraphs that start a line in an article's passages (« 12. Les déployeurs… »)."""
    return {int(number) for text in texts for number in _PARAGRAPH_START.findall(text)}


def past_the_last(numbers: set[int], number: int) -> bool:
    """Whether `numbers` run 1, 2… N without a gap and `number` is past N: only then does its
    absence prove it missing (a numbering not read whole, or with a part merged away, proves nothing)."""
    return bool(numbers) and numbers == set(range(1, max(numbers) + 1)) and number > max(numbers)


# Asking for the wording itself (« le texte exact de l'article 17 de la loi… », « que dit exactement… tu
# peux me citer le texte ? », "the full text of…").
_WORDING = re.compile(
    r"\b(?:textes? (?:exacts?|int[ée]gral|int[ée]graux|complets?|officiels?|m[êe]mes?)|mot (?:pour|à) mot|recopie|"
    r"dit (?:exactement|pr[ée]cis[ée]ment)|pr[ée]voit (?:exactement|pr[ée]cis[ée]ment)|cit(?:er|e|ez)(?:-moi| moi)? (?:le|son) texte|"
    r"full text|exact (?:text|wording)|verbatim|word for word|says exactly|(?:says|states|provides) precisely|what exactly does|quote (?:me )?(?:the )?(?:text|wording))\b",
    re.I,
)
# An article of a French code (« l'article L1111-8 du code de la santé publique », « art. R. 4127-1 »): never
# one of an indexed regulation's articles, which are numbered 1, 2, 3…
_CODE_ARTICLE = re.compile(r"\b(?:articles?|art\.)\s*(?P<number>[LRD]\.?\s?\d{3,4}(?:-\d+)+)\b", re.I)


def wording_of_unindexed(question: str) -> str | None:
    """The label of an article (« article 17 ») whose very wording the question asks for, when it
    belongs to an act that no indexed document is (« la loi de bioéthique »): the documents may
    cite or discuss it, they do not hold its text."""
    if not _WORDING.search(question):
        return None
    return next((reference.label for reference in find_references(question) if reference.act is None), None)


# A publication of a body (« les recommandations de l'OMS de 2021 », "the WHO 2021 recommendations",
# « le rapport de la HAS »): cited by the guides, indexed only when a document is it.
_PUBLICATION_KIND = r"(?:recommandations?|rapports?|lignes directrices|référentiels?|recommendations?|guidelines?|reports?|guidance)"
_PUBLICATION = re.compile(
    rf"\b(?P<kind>{_PUBLICATION_KIND})\s+(?:\d{{4}}\s+)?(?:de l['’]|du |de la |des |of the |from the |by the |of |by )"
    r"(?P<body>[A-Z][\w-]{1,9}\b|Organisation mondiale de la santé|World Health Organi[sz]ation)"
    rf"|\b(?P<body_first>[A-Z]{{2,8}})(?:['’]s)?\s+(?:\d{{4}}\s+)?(?P<kind_after>{_PUBLICATION_KIND})\b",
)


# A document's code (« MO-SI-04 », « CHA-SI-01 ») and a question asking what it says or its steps.
_DOCUMENT_CODE = re.compile(r"\b[A-Z]{2,5}-[A-Z]{2,5}-\d{2}\b")
_CONTENT_ASKED = re.compile(
    r"\b(?:étapes|etapes|que dit|que disent|que prévoit|que prevoit|quelles règles|quelles regles|steps|what rules|which rules|"
    r"what does\b.{0,60}\b(?:say|provide|require))\b", re.I)


# A text named by its kind and a proper name (« la loi Informatique et Libertés », "the NIS2 directive",
# "the European Health Data Space regulation"), and a body named by its acronym as what requires or
# recommends ("what does the FDA require…"): what that text or body says is in the indexed documents
# only when one of them is it.
_NAME = r"(?:[A-Z][\w’'-]*|\d[\w-]*)(?:\s+(?:(?:et|and|de|du|des|of|on|for|sur)\s+)?(?:[A-Z][\w’'-]*|\d[\w-]*))*"
_TEXT_KIND_FR = r"(?:loi|directive|règlement|décret|arrêté|ordonnance|circulaire|plan|protocole|charte|politique|référentiel|stratégie)"
_TEXT_KIND_EN = r"(?:law|act|directive|regulation|decree|plan|protocol|policy|charter|guidance|framework|strategy)"
_NAMED_TEXT = (
    re.compile(rf"\b(?:la|le|les|du|de la|une?|l['’])\s*{_TEXT_KIND_FR}s?\s+(?:dite\s+)?(?P<name>{_NAME})"),
    re.compile(rf"(?P<name>{_NAME})\s+{_TEXT_KIND_EN}s?\b"),
)
_BODY_ASKED = re.compile(
    r"\b(?:the|la|le|l['’])\s*(?P<name>[A-Z]{2,6}\d?)\s+(?:requires?|recommends?|imposes?|says?|exige|recommande|impose|prévoit|dit)\b"
)
# Words of a name that tell no text apart: the question's own first words, and the Union, its
# Member States, France, the establishment and AI in general.
_NOT_A_NAME = frozenset(
    "what which how does do is are can could would should under in for our my this that these those the a an "
    "que quel quelle quels quelles comment est selon dans pour notre nos ce cette ces le la les un une "
    "eu ue union european européen européenne member state states national france french français française "
    "garant val-garant ia ai international public".split()
)


def named_texts(question: str) -> list[tuple[str, str]]:
    """The texts a question names by their kind and a proper name (« la loi Informatique et
    Libertés », "the NIS2 directive"), as written, with the name's words that tell it apart:
    [(label, name), …]."""
    found = []
    for pattern in _NAMED_TEXT:
        for match in pattern.finditer(question):
            words = [word for word in re.findall(r"[\w’'-]+", match["name"]) if word.lower() not in _NOT_A_NAME]
            if words and any(len(word) >= 2 for word in words):
                found.append((match.group(0).strip(), " ".join(words)))
    return found


def _among(name: str, indexed: str) -> bool:
    """Whether `name` stands as whole words in `indexed`, a lowercase text (the names or titles of the indexed documents)."""
    return re.search(rf"\b{re.escape(name.lower())}\b", indexed) is not None


def unindexed_publication(question: str, indexed: str, mentioned: Callable[[str], bool] = lambda name: True) -> str | None:
    """A publication of a body that the question asks about (« les recommandations de l'OMS »),
    when no indexed document is by that body, or the content of a document that the question
    names by its code when no indexed document is that one (« les étapes du mode opératoire
    MO-SI-04 »: the quality procedure gives it as an example of a code), or a text named by its
    kind and a proper name that no indexed document is (`named_texts`: « la loi Informatique et
    Libertés », "the NIS2 directive"), or what a body requires that `mentioned` (an acronym →
    whether an indexed text mentions it; by default every one is) says no text mentions ("what does
    the FDA require").
    Fresh open questions (45 unanswerable, written apart): 4 → 9 refused, none of their 35
    answerable neighbours; sets never read: 173 → 176 of 229, facts the same. `indexed` is the
    titles and paths of the indexed documents and the codes they give themselves, lowercase. A question that also
    names an indexed act or body (« la note de l'ANAP cite-t-elle les recommandations de l'OMS
    ? ») asks about what that one says."""
    if _CONTENT_ASKED.search(question):
        for code in _DOCUMENT_CODE.findall(question):
            if code.lower() not in indexed:
                return code
    if acts_named(question):
        return None
    words = set(re.findall(r"[\w-]+", question))
    if any(len(word) >= 3 and word.isupper() and _among(word, indexed) for word in words):
        return None
    for match in _PUBLICATION.finditer(question):
        body = match["body"] or match["body_first"]
        if body.lower() in {"article", "annex", "annexe", "union", "garant"} or _among(body, indexed):
            continue
        return match.group(0)
    for label, name in named_texts(question):
        if not _among(name, indexed):
            return label
    for match in _BODY_ASKED.finditer(question):
        if not mentioned(match["name"]) and not _among(match["name"], indexed):
            return match["name"]
    return None


def without_references(question: str) -> str:
    """The question without the articles and annexes it names and the act named right after
    them: what it asks about, for choosing the sentences to quote (« biais d'automatisation »,
    not « article 14 du règlement », which every sentence citing the article shares)."""
    pieces: list[str] = []
    position = 0
    for match in _REFERENCE.finditer(question):
        if match.start() < position:
            continue
        pieces.append(question[position : match.start()])
        more = _MORE_NUMBERS.match(question, match.end())
        end = more.end() if more else match.end()
        # both patterns match the empty string at worst
        lead = _ACT_LEAD_RE.match(question, end).end()  # type: ignore[union-attr]
        named = [m.end() for m in (pattern.match(question, lead) for pattern in ACT_NAMES.values()) if m]
        position = max(named) if named else _ACT_AFTER.match(question, end).end()  # type: ignore[union-attr]
    pieces.append(question[position:])
    return re.sub(r"\s+", " ", "".join(pieces)).strip()


class ReferenceTable:
    """Which passages each document's articles and annexes span, read from heading paths."""

    def __init__(self, titles: dict[str, str], headings: Iterable[tuple[str, str, list[str]]]) -> None:
        """`titles`: doc_id → title; `headings`: (chunk_id, doc_id, heading_path) for every passage."""
        self.act_of = {doc_id: (_ACT_NUMBER.findall(title) or [None])[0] for doc_id, title in titles.items()}
        self._titles = {doc_id: title.casefold() for doc_id, title in titles.items()}
        self._chunks: dict[tuple[str, str, str], list[str]] = {}
        self._application: dict[str, list[str]] = {}
        for chunk_id, doc_id, path in headings:
            if any(_APPLICATION_HEADING.search(heading) for heading in path):
                self._application.setdefault(doc_id, []).append(chunk_id)
            for heading in path:
                match = _HEADING.match(heading)
                if match is None:
                    if self.act_of.get(doc_id) is None and (part := _PART_HEADING.match(heading)):
                        kind = "sheet" if part["sheet"] else "part"
                        self._chunks.setdefault((doc_id, kind, str(int(part["number"]))), []).append(chunk_id)
                    continue
                kind = _kind(match["kind"])
                number = _number(match["number"], kind)
                if number is not None:
                    self._chunks.setdefault((doc_id, kind, number), []).append(chunk_id)

    def application_chunks(self, documents: Iterable[str]) -> list[str]:
        """The passages of the documents' article on their entry into force and application."""
        return [cid for doc in documents for cid in self._application.get(doc, [])]

    def documents_for(self, reference: Reference, allowed: set[str]) -> list[str]:
        """The allowed documents the reference may point into: those of its act, or, for a
        reference to no act in particular, those with headings of that kind."""
        if reference.act is None:
            return []
        if reference.kind in OWN_KINDS:
            return self._own_documents(reference, allowed)
        if reference.act:
            return sorted(d for d in allowed if self.act_of.get(d) == reference.act)
        return sorted({doc for doc, kind, _ in self._chunks if kind == reference.kind and doc in allowed})

    def _own_documents(self, reference: Reference, allowed: set[str]) -> list[str]:
        """The allowed documents a numbered part or sheet may be in: those with numbered parts
        (sheets) that are the charter (a title beginning « Charte ») or carry the code named."""
        numbered = {doc for doc, kind, _ in self._chunks if kind == reference.kind and doc in allowed}
        if reference.act == CHARTER:
            return sorted(doc for doc in numbered if self._titles[doc].startswith(("charte", "charter")))
        if reference.act == SHEET:
            return sorted(numbered)
        return sorted(doc for doc in numbered if _among(str(reference.act), self._titles[doc]))

    def chunks(self, reference: Reference, allowed: set[str]) -> list[str] | None:
        """The passages of the referenced article or annex in the allowed documents; None when
        the question does not say which of our documents it means (nothing to check)."""
        documents = self.documents_for(reference, allowed)
        if not documents:
            return None
        found = [cid for doc in documents for cid in self._chunks.get((doc, *reference.key), [])]
        if not found and reference.kind in OWN_KINDS and not all(self._past_the_last(doc, reference) for doc in documents):
            return None  # a small part merged into the next one at ingest leaves a gap: absence proves nothing
        return found

    def _past_the_last(self, doc: str, reference: Reference) -> bool:
        """Whether the document's parts are numbered 1, 2… N without a gap and the reference's number is past N."""
        return past_the_last({int(number) for d, kind, number in self._chunks if d == doc and kind == reference.kind},
                             int(reference.number))
