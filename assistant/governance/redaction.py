"""Redaction of personal data before anything is logged: social-security numbers (NIR),
phone numbers, e-mails, dates of birth, patient and stay identifiers, postal addresses and
person names become typed placeholders such as `[NIR]` or `[NOM]`.

Rules are regular expressions plus small checks in Python (birth cues around a date, a
first-name list), tuned to leave regulatory references ("article 14 du règlement 2024/1689
du 13 juin 2024") untouched. Redaction errs on the side of removing too much.
"""

from __future__ import annotations

import re
from collections.abc import Callable

# Letters as they appear in French names (upper / lower, accented).
_UP = "A-ZÀÂÄÇÉÈÊËÎÏÔÖÙÛÜŸÆŒ"
_LOW = "a-zàâäçéèêëîïôöùûüÿæœß"
_APOS = "'’"
_SEP = r"[ .\-]?"

_DIGIT_RE = re.compile(r"\d")
EMAIL_RE = re.compile(r"[\w!#$%&'*+/=?^`{|}~.\-]+@[\w\-]+(?:\.[\w\-]+)+")

# NIR: sex (1, 2; 7, 8 temporary) yy mm dept(2 digits or 2A/2B) commune(3) order(3) [key(2)].
NIR_RE = re.compile(
    rf"[1278](?<!\w[1278]){_SEP}\d\d{_SEP}\d\d{_SEP}(?:\d\d|2[ABab]){_SEP}\d{{3}}{_SEP}\d{{3}}(?:{_SEP}\d\d)?(?![\w])"
)

# French phones: 0X XX XX XX XX, +33 X XX XX XX XX, 0033 …, +33 (0)X …, with spaces, dots or dashes.
PHONE_RE = re.compile(
    r"(?:\+33|0(?<![\w+]0)(?:033)?)(?:(?<=33)[ .\-]?(?:\(0\)[ .\-]?)?)?[1-9](?:[ .\-]?\d\d){4}(?!\d)"
)

# Patient (IPP, "dossier n°") and stay (IEP, NDA, "séjour n°") identifiers: a label, then a code holding a digit.
_NUMERO = r"(?:\s+n(?:°|o|um(?:éro|ero)?)\.?)?"
IDENTIFIER_RE = re.compile(
    rf"\b(?P<label>(?P<ipp>(?i:IPP|dossier(?:\s+patient)?{_NUMERO}))|(?i:IEP|NDA|s[ée]jour{_NUMERO}))"
    r"(?P<gap>\s*[:#]?\s*(?:n°\s*)?)(?P<code>(?=[A-Za-z\-/]*\d)[A-Za-z0-9][A-Za-z0-9\-/]{2,})"
)

# Dates, and the cues that make one a date of birth.
_MONTHS = "janvier|f[ée]vrier|mars|avril|mai|juin|juillet|ao[uû]t|septembre|octobre|novembre|d[ée]cembre"
DATE_RE = re.compile(
    rf"(?=\d)(?<!\w)(?:[0-3]?\d[/.\-][01]?\d[/.\-](?:\d{{4}}|\d\d)|\d{{4}}-[01]\d-[0-3]\d|(?:1er|[0-3]?\d)\s+(?:{_MONTHS})\s+\d{{4}})\b",
    re.IGNORECASE,
)
_STRONG_CUE = r"(?:\bDDN\b|\bD\.D\.N\b\.?|date\s+de\s+naissance|\bn[ée]e?s?\s+(?:\(e\)\s*)?(?:le|en)?|\bnaissance)"
CUE_BEFORE_RE = re.compile(rf"{_STRONG_CUE}[^.;!?\n]{{0,30}}$", re.IGNORECASE)
CUE_AFTER_RE = re.compile(r"^[\s,:;()\-]{0,5}(?:\(?\s*)?(?:DDN\b|D\.D\.N|date\s+de\s+naissance|naissance)", re.IGNORECASE)

# Postal addresses: number + street type + name (optionally ", 75014 Paris"), or postcode + city.
_STREET_TYPES = (
    "rue|avenue|av\\.|boulevard|bd|chemin|place|all[ée]e|impasse|route|quai|cours|square|passage|r[ée]sidence"
    "|lotissement|lieu-dit|voie|faubourg|sentier|hameau|esplanade|parvis|rond-point|villa|cit[ée]"
)
_PARTICLE = rf"(?:de|du|des|la|le|les|l[{_APOS}]|d[{_APOS}]|aux|au|et|sur|sous|en|saint|sainte)"
_NAME_WORD = rf"(?:[{_UP}0-9][\w{_APOS}\-]*)"
_CITY = rf"\d{{5}}\s+[{_UP}][\w{_APOS}\-]*(?:[ \-](?:[{_UP}][\w{_APOS}\-]*|sur|sous|en|l[eè]s|le|la|de|du))*(?:\s+\d{{1,2}})?"
STREET_RE = re.compile(
    rf"\d(?<!\w\d)\d{{0,3}}(?:\s?(?i:bis|ter|quater|[A-D]))?,?\s+(?i:{_STREET_TYPES})\s+"
    rf"(?:(?i:{_PARTICLE})\s*)*{_NAME_WORD}(?:[ \-](?:(?i:{_PARTICLE})\s*)*{_NAME_WORD}){{0,5}}"
    rf"(?:,?\s+{_CITY})?"
)
POSTCODE_RE = re.compile(rf"(?=\d)(?<!\w)(?:0[1-9]|[1-8]\d|9[0-8])\d{{3}}\s+[{_UP}][\w{_APOS}\-]*(?:[ \-](?:[{_UP}][\w{_APOS}\-]*|sur|sous|en|l[eè]s))*")
_NOT_A_POSTCODE_BEFORE = re.compile(r"(?:ISO|IEC|NF|EN|CEI|n°|no\.?|art\.?|article|loi|d[ée]cret|arr[êe]t[ée]|version|v)\s*[/:\-]?\s*$", re.IGNORECASE)

# Person names: a title then capitalised words, or a known first name then a capitalised word.
TITLE_RE = re.compile(
    rf"\b(?:M\.|MM\.|Mr\.?|Mme\.?|Mmes\.?|Mlle\.?|Melle\.?|Madame|Monsieur|Mademoiselle|Dr\.?|Docteur|Pr\.?|Professeur)"
    rf"\s+(?P<names>(?:[{_UP}]\.\s*)?[{_UP}][\w{_APOS}\-]+(?:\s+(?:[{_UP}]\.\s*)?[{_UP}][\w{_APOS}\-]+){{0,2}})"
)
CAPITALISED_RE = re.compile(rf"\b[{_UP}][{_LOW}]+(?:-[{_UP}][{_LOW}]+)?\b")
SURNAME_AFTER_RE = re.compile(rf"\s+(?P<surname>[{_UP}][\w{_APOS}\-]+)")

# Capitalised words that follow a title or a first name without being a name.
NOT_NAMES = frozenset(
    """Le La Les L Un Une Des Du De Et Ou En Au Aux Pour Par Sur Sous Dans Avec Sans Selon Article Articles Comité
    Commission Conseil Règlement Reglement Directeur Directrice Direction Président Presidente Présidente President
    Chef Cadre Médecin Medecin Junior Senior Interne Praticien Code Loi Décret Decret Arrêté Arrete Charte Procédure
    Procedure Annexe Chapitre Section Titre Livre Service Pôle Pole Hôpital Hopital Centre Clinique Agence Haute
    Autorité Autorite Santé Sante Ministère Ministere État Etat République Republique Union Européenne Europeenne
    Qualité Qualite Sécurité Securite Gouvernance Pilotage Groupe Cellule Plan Programme Politique""".split()
)

# ~200 common French first names (a first name followed by a capitalised word is taken as a name).
# Left out on purpose: first names that are also ordinary words (France, Victoire, Aurore, Constance, Rose…).
FIRST_NAMES = frozenset(
    """Jean Pierre Michel André Philippe Alain Bernard Jacques Daniel Patrick Christian Nicolas Éric Eric Frédéric
    Laurent Stéphane Christophe David Olivier Thierry Pascal Julien Sébastien Sebastien Guillaume Thomas Alexandre
    Antoine François Francois Louis Paul Marc Luc Vincent Bruno Didier Gérard Gerard Serge Yves Claude Henri Robert
    Roger René Rene Georges Marcel Maurice Lucien Joseph Emmanuel Mathieu Matthieu Maxime Romain Hugo Lucas Léo Leo
    Gabriel Raphaël Raphael Arthur Jules Adam Enzo Nathan Théo Theo Benjamin Clément Clement Quentin Florian Kevin
    Kévin Anthony Jérôme Jerome Fabrice Franck Cédric Cedric Damien Jonathan Ludovic Arnaud Mickaël Mickael Sylvain
    Gilles Hervé Herve Denis Dominique Joël Joel Rémi Remi Samuel Simon Victor Martin Baptiste Valentin Adrien Loïc
    Loic Yann Mohamed Ahmed Karim Mehdi Marie Nathalie Isabelle Sylvie Catherine Françoise Francoise Christine Monique
    Valérie Valerie Sandrine Véronique Veronique Sophie Nicole Anne Martine Céline Celine Stéphanie Stephanie Julie
    Camille Laura Sarah Emma Léa Lea Chloé Chloe Manon Inès Ines Jade Louise Alice Lina Juliette Zoé Zoe Léna Lena
    Mathilde Pauline Marion Aurélie Aurelie Émilie Emilie Caroline Virginie Audrey Élodie Elodie Mélanie Melanie
    Laetitia Vanessa Hélène Helene Agnès Agnes Brigitte Chantal Danielle Jacqueline Josiane Annie Corinne Patricia
    Florence Laurence Karine Delphine Séverine Severine Claire Charlotte Lucie Margaux Océane Oceane Clara Anaïs Anais
    Marine Justine Elise Élise Amandine Estelle Fanny Gaëlle Gaelle Mireille Odile Ginette Simone Suzanne Yvette
    Denise Colette Paulette Madeleine Jeanne Marguerite Geneviève Genevieve Thérèse Therese Béatrice Beatrice Fatima
    Aïcha Aicha Khadija Nadia Samia Leïla Leila Yasmine Myriam Sabrina Jessica Cindy Marina Nadine Evelyne Éveline
    Michèle Michele Micheline Pascale Fabienne Murielle Muriel Christelle Solène Solene Morgane Alexandra Alexia""".split()
)

PLACEHOLDERS = {
    "EMAIL": "[EMAIL]", "NIR": "[NIR]", "IPP": "[IPP]", "IEP": "[IEP]", "TEL": "[TEL]",
    "DATE_NAISSANCE": "[DATE_NAISSANCE]", "ADRESSE": "[ADRESSE]", "NOM": "[NOM]",
}


def nir_key(nir13: str) -> int:
    """The control key of a 13-character NIR: 97 - (n mod 97), with 2A read as 19 and 2B as 18."""
    digits = nir13.upper().replace("2A", "19").replace("2B", "18")
    return 97 - int(digits) % 97


def is_valid_nir(nir: str) -> bool:
    """True for a 15-character NIR (separators allowed) whose key matches its first 13 characters."""
    compact = re.sub(r"[ .\-]", "", nir)
    if not re.fullmatch(r"[1278]\d{4}(?:\d\d|2[ABab])\d{6}\d\d", compact):
        return False
    return nir_key(compact[:13]) == int(compact[13:])


def _sub(pattern: re.Pattern[str], kind: str, text: str, counts: dict[str, int],
         keep: Callable[[re.Match[str]], str | None] | None = None) -> str:
    """Replace every match of `pattern` with the placeholder of `kind`; `keep` may veto a match
    (returning None) or return what to put instead of the placeholder."""

    def replace(match: re.Match[str]) -> str:
        out = PLACEHOLDERS[kind] if keep is None else keep(match)
        if out is None:
            return match.group(0)
        counts[kind] = counts.get(kind, 0) + 1
        return out

    return pattern.sub(replace, text)


def _birth_date(text: str) -> Callable[[re.Match[str]], str | None]:
    """A date is a date of birth when a birth cue stands just before or just after it."""

    def check(match: re.Match[str]) -> str | None:
        before = text[max(0, match.start() - 45) : match.start()]
        after = text[match.end() : match.end() + 30]
        if CUE_BEFORE_RE.search(before) or CUE_AFTER_RE.search(after):
            return PLACEHOLDERS["DATE_NAISSANCE"]
        return None

    return check


def _identifiers(text: str, counts: dict[str, int]) -> str:
    """Patient and stay identifiers: keep the label ("IPP", "dossier n°"), replace the code."""

    def replace(match: re.Match[str]) -> str:
        kind = "IPP" if match.group("ipp") else "IEP"
        counts[kind] = counts.get(kind, 0) + 1
        return f"{match.group('label')}{match.group('gap')}{PLACEHOLDERS[kind]}"

    return IDENTIFIER_RE.sub(replace, text)


def _postcode(text: str) -> Callable[[re.Match[str]], str | None]:
    """A 5-digit number and a capitalised word, unless it is a standard or a text number (ISO 13485 …)."""
    return lambda m: None if _NOT_A_POSTCODE_BEFORE.search(text[max(0, m.start() - 12) : m.start()]) else PLACEHOLDERS["ADRESSE"]


def _titled_name(match: re.Match[str]) -> str | None:
    """Mme Dupont → [NOM]; Monsieur Le Président is left alone."""
    first = match.group("names").split()[0].rstrip(".")
    return None if first in NOT_NAMES else PLACEHOLDERS["NOM"]


def _first_names(text: str, counts: dict[str, int]) -> str:
    """Replace "<known first name> <Capitalised word>" with [NOM]."""
    pieces: list[str] = []
    last = 0
    for match in CAPITALISED_RE.finditer(text):
        if match.start() < last:
            continue
        word = match.group(0)
        if word not in FIRST_NAMES and word.split("-")[0] not in FIRST_NAMES:
            continue
        after = SURNAME_AFTER_RE.match(text, match.end())
        if after is None or after.group("surname") in NOT_NAMES:
            continue
        pieces.append(text[last : match.start()])
        pieces.append(PLACEHOLDERS["NOM"])
        counts["NOM"] = counts.get("NOM", 0) + 1
        last = after.end()
    if not pieces:
        return text
    pieces.append(text[last:])
    return "".join(pieces)


def redact(text: str) -> tuple[str, dict[str, int]]:
    """`text` with personal data replaced by typed placeholders, and how many of each type
    were replaced (only types found appear). Never raises on a str."""
    counts: dict[str, int] = {}
    if not text:
        return text, counts
    # E-mails first: their local part may hold digits that look like phones.
    if "@" in text:
        text = _sub(EMAIL_RE, "EMAIL", text, counts)
    # Everything but names needs a digit; most texts have none worth a scan.
    if _DIGIT_RE.search(text):
        text = _sub(NIR_RE, "NIR", text, counts)
        # phones before identifiers: "dossier 0033 1…" must not lose the phone's prefix to the IPP code
        text = _sub(PHONE_RE, "TEL", text, counts)
        text = _identifiers(text, counts)
        text = _sub(DATE_RE, "DATE_NAISSANCE", text, counts, _birth_date(text))
        text = _sub(STREET_RE, "ADRESSE", text, counts)
        text = _sub(POSTCODE_RE, "ADRESSE", text, counts, _postcode(text))
    text = _sub(TITLE_RE, "NOM", text, counts, _titled_name)
    text = _first_names(text, counts)
    return text, counts
