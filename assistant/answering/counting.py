"""Where a statement counts or measures the thing a question asks about.

« Combien de lits… » is answered by a number within a few words of « lits » (« 28 lits », « Lits :
28 »), not by a deadline, a year or an article number that happens to share its sentence; « combien
de jours de congés » by a number of a time unit next to « congés ». This module owns how numbers
and time units are written (`NUMBER`, `TIME_UNIT`, shared with the kinds of value of
`answer_types`) and these readings of one folded statement: `counting_parts`, `measures`,
`outer_parts`. `answer_types` decides when they are needed.
"""

from __future__ import annotations

import re

from assistant.retrieval.analysis import analyse

# The time units of a duration, in French and English (folded).
TIME_UNIT = (r"(?:secondes?|minutes?|min|heures?|h|jours?|j|semaines?|mois|ans?|annees?|trimestres?|semestres?|seconds?|hours?|days?|"
              r"weeks?|months?|years?|quarters?)")

NUMBER = re.compile(r"\b(?:\d+(?:[.,]\d+)?|deux|trois|quatre|cinq|six|sept|huit|neuf|dix|onze|douze|quinze|vingt|trente|quarante|"
                     r"cinquante|soixante|cent|mille|plusieurs|quelques|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
                     r"fifteen|twenty|thirty|forty|fifty|hundred|thousand|several)\b", re.IGNORECASE)

# Staff are counted in tables by their abbreviation (« nuit 1 IDE + 1 AS »): a count of nurses may be
# written with these. Keys are stems as `analyse` gives them (« infirmières » → « infirmi »), values
# folded words.
STAFF_ABBREVIATIONS = {
    "infirmi": ("ide", "iade", "ibode", "ipa"),
    "nurs": ("ide",),
    "soign": ("as",),
    "medecin": ("ph",),
}
_TOKEN = re.compile(r"\w+")
_YEAR_TOKEN = re.compile(r"(?:19|20)\d\d")
_UNIT_TOKEN = re.compile(TIME_UNIT, re.IGNORECASE)
# a number after these words names a text or a part, it counts nothing (« art. 50 », « version 2 », « fiche n° 24 »)
_REFERENCE_TOKEN = re.compile(r"art|article|articles|paragraphe|paragraph|point|points|annexe|annex|chapitre|chapter|section|titre|"
                              r"title|fiche|n|no|version|v|edition|etape|step|page|p", re.IGNORECASE)
_CLAUSE = re.compile(r"[;()\[\]]")
_LABELLED_DURATION = re.compile(rf"\s*{NUMBER.pattern}\s?{TIME_UNIT}\b", re.IGNORECASE)
_LABELLEDNUMBER = re.compile(rf"\s*(?!(?:19|20)\d\d\b)\d+\b(?!\s?{TIME_UNIT}\b)", re.IGNORECASE)


# How far (in words) a number may sit from the thing it counts: « 28 lits », « Lits : 28 », « cinq de ses membres ».
COUNT_WINDOW = 3


def counting_parts(folded: str, counted: list[set[str]], lang: str) -> list[str]:
    """The parts of a folded statement, between semicolons, that count the thing asked about
    (one of the `counted` ways of writing it, `_counts`): the items of a list, the cells of a
    table row as statements write them (« Règle contrôlée : Effectif minimal par poste ; Valeur :
    Médecine polyvalente : … ; nuit 1 IDE + 1 AS »). Design sets without the model: 4 more
    refusals of 191 (night staffing asked for the surgical unit, which the roster grid does not
    list), no fact lost, no answerable question refused; the sets written apart (heldout-10 to
    -12): 2 more of 66, no fact lost. The risk left: a question whose words are only in a table
    row's label cell, not in the cell holding the count."""
    parts = []
    for part in outer_parts(folded):
        words = set(analyse(part, lang)) | set(_TOKEN.findall(part.casefold()))  # an abbreviation may be a stop word (« AS »)
        if any(way <= words and _counts(part, way, lang) for way in counted):
            parts.append(part)
    return parts


def outer_parts(folded: str) -> list[str]:
    """The parts of a statement between semicolons outside brackets: « entropie de 50 bits (ex. : 8
    caractères ; 16 chiffres) … blocage du compte après 10 échecs » is one part, its example a
    detail of it."""
    parts, depth, start = [], 0, 0
    for i, char in enumerate(folded):
        depth += 1 if char in "([" else -1 if char in ")]" and depth else 0
        if char == ";" and not depth:
            parts.append(folded[start:i])
            start = i + 1
    return [*parts, folded[start:]]


def _names(token: str, counted: set[str], lang: str) -> bool:
    """Whether a word of a statement is a way of writing the thing counted (its stem, or an abbreviation as written)."""
    return bool(counted & {token.casefold(), *analyse(token, lang)})


def _counts(folded: str, counted: set[str], lang: str) -> bool:
    """True when a number in the folded statement sits within `COUNT_WINDOW` words of a word for
    the thing counted, in the same clause, and is not a year, a duration nor the number of a text
    or part (« signalement par FEI sous 48 heures » and « (art. 50) ; signalement » count no
    reports; the « 2025 » of a date does not either)."""
    for clause in _CLAUSE.split(folded):
        tokens = _TOKEN.findall(clause)
        numbers = [i for i, token in enumerate(tokens)
                   if NUMBER.fullmatch(token) and not _YEAR_TOKEN.fullmatch(token)
                   and not (i + 1 < len(tokens) and _UNIT_TOKEN.fullmatch(tokens[i + 1]))
                   and not (i > 0 and _REFERENCE_TOKEN.fullmatch(tokens[i - 1]))]
        things = [i for i, token in enumerate(tokens) if _names(token, counted, lang)]
        if any(abs(i - j) <= COUNT_WINDOW for i in numbers for j in things):
            return True
        # a label and its value: « Signalements FEI-IA déclarés en 2025 : 37 »
        if _labels_a_count(clause, counted, lang):
            return True
    return False


def measures(folded: str, noun: set[str], lang: str) -> bool:
    """True when a number of a time unit (« 25 jours ») sits within `COUNT_WINDOW` words of the
    thing measured (« congés ») in the same clause of the folded statement."""
    for clause in _CLAUSE.split(folded):
        tokens = _TOKEN.findall(clause)
        durations = [j for i, token in enumerate(tokens)  # the number and its unit, either close enough
                     if _UNIT_TOKEN.fullmatch(token) and i > 0 and NUMBER.fullmatch(tokens[i - 1]) for j in (i - 1, i)]
        things = [i for i, token in enumerate(tokens) if _names(token, noun, lang)]
        if any(abs(i - j) <= COUNT_WINDOW for i in durations for j in things):
            return True
        # a label and its value: « Congés annuels : 25 jours »
        parts = clause.split(":")
        for k in range(1, len(parts)):
            if _LABELLED_DURATION.match(parts[k]) and any(_names(token, noun, lang) for token in _TOKEN.findall(parts[k - 1])):
                return True
    return False


def _labels_a_count(clause: str, counted: set[str], lang: str) -> bool:
    """Whether the clause names the thing counted before a « : » that a number follows."""
    parts = clause.split(":")
    for k in range(1, len(parts)):
        if _LABELLEDNUMBER.match(parts[k]):
            label = " ".join(parts[:k])
            if any(_names(token, counted, lang) for token in _TOKEN.findall(label)):
                return True
    return False
