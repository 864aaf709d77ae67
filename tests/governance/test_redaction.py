"""Redaction of personal data before logging: examples for each type, and properties
showing that generated identifiers never survive while regulatory references are kept."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from assistant.governance.redaction import is_valid_nir, nir_key, redact

# --- examples, one type at a time ---


@pytest.mark.parametrize("text", [
    "Le patient 1 85 05 78 006 084 36 est sorti.",
    "NIR : 185057800608436",
    "NIR provisoire 7 85 05 78 006 084 99",  # wrong key, still NIR-shaped
    "numéro 2 69 05 2A 123 456",  # Corsica, no key
    "sécu 1.85.05.78.006.084.36",
])
def test_nir_is_redacted_with_or_without_spaces_and_key(text: str) -> None:
    out, counts = redact(text)
    assert "[NIR]" in out and counts == {"NIR": 1}
    assert not any(c.isdigit() for c in out)


def test_nir_key_follows_the_official_rule_including_corsica() -> None:
    assert nir_key("2550814168025") == 38  # the textbook example
    assert is_valid_nir("2 55 08 14 168 025 38")
    assert not is_valid_nir("2 55 08 14 168 025 39")
    assert nir_key("269052A123456") == 97 - int("2690519123456") % 97
    assert nir_key("269052B123456") == 97 - int("2690518123456") % 97


@pytest.mark.parametrize("phone", [
    "06 12 34 56 78", "06.12.34.56.78", "06-12-34-56-78", "0612345678",
    "+33 6 12 34 56 78", "+33612345678", "+33 (0)1 23 45 67 89", "0033 1 23 45 67 89",
])
def test_french_phone_numbers_are_redacted(phone: str) -> None:
    out, counts = redact(f"Appelez le {phone} avant midi.")
    assert out == "Appelez le [TEL] avant midi." and counts == {"TEL": 1}


def test_emails_are_redacted_before_a_final_dot() -> None:
    out, counts = redact("Écrire à jean-marc.dupont+qualite@chu-exemple.fr.")
    assert out == "Écrire à [EMAIL]." and counts == {"EMAIL": 1}


@pytest.mark.parametrize(("text", "expected"), [
    ("Patient né le 12/03/1985, vu hier.", "Patient né le [DATE_NAISSANCE], vu hier."),
    ("patiente née le 1er mars 1950", "patiente née le [DATE_NAISSANCE]"),
    ("DDN : 03.04.1990", "DDN : [DATE_NAISSANCE]"),
    ("date de naissance du patient : 12-03-85", "date de naissance du patient : [DATE_NAISSANCE]"),
    ("12/03/1985 (DDN)", "[DATE_NAISSANCE] (DDN)"),
])
def test_dates_of_birth_are_redacted(text: str, expected: str) -> None:
    assert redact(text) == (expected, {"DATE_NAISSANCE": 1})


def test_dates_without_birth_context_are_kept() -> None:
    text = "La note du 12.7.2024 remplace celle du 03/01/2023 et l'arrêté du 6 avril 2011."
    assert redact(text) == (text, {})


@pytest.mark.parametrize(("text", "expected", "kind"), [
    ("IPP 12345678", "IPP [IPP]", "IPP"),
    ("ipp: A1234567", "ipp: [IPP]", "IPP"),
    ("dossier n° 88AB12", "dossier n° [IPP]", "IPP"),
    ("IEP : 2024A00123", "IEP : [IEP]", "IEP"),
    ("NDA 240001234", "NDA [IEP]", "IEP"),
    ("séjour n° 123456", "séjour n° [IEP]", "IEP"),
])
def test_patient_and_stay_identifiers_are_redacted(text: str, expected: str, kind: str) -> None:
    assert redact(text) == (expected, {kind: 1})


def test_identifier_words_without_a_code_are_kept() -> None:
    text = "Quelle est la procédure de création d'un IPP en cas de doublon ?"
    assert redact(text) == (text, {})


@pytest.mark.parametrize(("text", "expected"), [
    ("Il habite 12 rue de la Paix, 75002 Paris.", "Il habite [ADRESSE]."),
    ("au 3 bis avenue Jean Jaurès", "au [ADRESSE]"),
    ("1 allée des Tilleuls", "[ADRESSE]"),
    ("domicile : 69003 Lyon", "domicile : [ADRESSE]"),
])
def test_postal_addresses_are_redacted(text: str, expected: str) -> None:
    out, counts = redact(text)
    assert out == expected and counts == {"ADRESSE": 1}


def test_standard_numbers_are_not_taken_for_postcodes() -> None:
    text = "La norme ISO 13485 Dispositifs médicaux et la loi n° 2002-303 du 4 mars 2002."
    assert redact(text) == (text, {})


@pytest.mark.parametrize(("text", "expected", "n"), [
    ("Mme Durand a appelé.", "[NOM] a appelé.", 1),
    ("Le Dr Lefèvre et le Pr J. Martin", "Le [NOM] et le [NOM]", 2),
    ("Monsieur Jean-Paul Girard", "[NOM]", 1),
    ("Jean-Pierre Martin et Marie Curie", "[NOM] et [NOM]", 2),
    ("signalé par Nathalie DUPONT", "signalé par [NOM]", 1),
])
def test_person_names_are_redacted(text: str, expected: str, n: int) -> None:
    assert redact(text) == (expected, {"NOM": n})


def test_capitalised_governance_words_are_not_names() -> None:
    text = "Monsieur le Président du Comité. Article 3 du Règlement intérieur. Madame la Directrice. Louis Comité."
    assert redact(text) == (text, {})


@pytest.mark.parametrize("question", [
    "Que dit l'article 14 du règlement 2024/1689 du 13 juin 2024 ?",
    "Quelles obligations fixe le décret n° 2016-1606 du 25 novembre 2016 ?",
    "La circulaire DGOS/PF2/2011/416 du 18 novembre 2011 s'applique-t-elle au Comité de pilotage ?",
    "Article L. 1111-7 du Code de la santé publique : délai de 8 jours ?",
    "Que prévoit la procédure PR-QUA-012 version 3 pour les 24 heures ?",
    "Le critère 2.3-11 de la certification HAS V2020 concerne-t-il l'IA ?",
])
def test_regulatory_questions_are_left_unchanged(question: str) -> None:
    assert redact(question) == (question, {})


def test_counts_cover_every_type_found() -> None:
    text = ("Mme Durand, née le 12/03/1985, NIR 1 85 05 78 006 084 36, IPP 123456, tél 06 12 34 56 78, "
            "mail a.durand@exemple.fr, 12 rue de la Paix 75002 Paris.")
    out, counts = redact(text)
    assert counts == {"NOM": 1, "DATE_NAISSANCE": 1, "NIR": 1, "IPP": 1, "TEL": 1, "EMAIL": 1, "ADRESSE": 1}
    assert not any(c.isdigit() for c in out) and "@" not in out


# --- properties ---

WORDS = ("le", "la", "patient", "comité", "procédure", "signalement", "dossier", "service", "urgence", "Hôpital",
         "médecin", "réunion", "règlement", "Article", "qualité", "à", "d'après", "été", "où", "Pôle", "Comité", "suivi")
FILLER_TEXT = st.text(alphabet="abcdefghijklmnopqrstuvwxyzéèêàçùôîABCDEFGHIJKLMNOPQRSTUVWXYZÉÀ ,;:!?'’()«»-", max_size=30)
FRENCH_TEXT = st.lists(st.one_of(st.sampled_from(WORDS), FILLER_TEXT), max_size=8).map(" ".join)
WRAPS = st.sampled_from([("", ""), ("(", ")"), ("", ","), ("", "."), ("« ", " »"), ("n°", ""), ("tél:", "")])


@st.composite
def nirs(draw: st.DrawFn) -> str:
    """A NIR with a valid key, in one of the usual layouts."""
    parts = [
        draw(st.sampled_from("1278")), f"{draw(st.integers(0, 99)):02d}", f"{draw(st.integers(1, 12)):02d}",
        draw(st.one_of(st.integers(1, 95).map(lambda n: f"{n:02d}"), st.sampled_from(["2A", "2B"]))),
        f"{draw(st.integers(1, 999)):03d}", f"{draw(st.integers(1, 999)):03d}",
    ]
    parts.append(f"{nir_key(''.join(parts)):02d}")
    layout = draw(st.sampled_from(["", " ", ".", "-", "key"]))
    nir = "".join(parts[:-1]) + " " + parts[-1] if layout == "key" else layout.join(parts)
    assert is_valid_nir(nir)
    return nir


@st.composite
def phones(draw: st.DrawFn) -> str:
    """A French phone number: 0X or +33 / 0033, grouped by pairs with spaces, dots, dashes or nothing."""
    digits = str(draw(st.integers(1, 9))) + "".join(str(d) for d in draw(st.lists(st.integers(0, 9), min_size=8, max_size=8)))
    sep = draw(st.sampled_from(["", " ", ".", "-"]))
    body = sep.join([digits[0], *(digits[i : i + 2] for i in range(1, 9, 2))])
    prefix = draw(st.sampled_from(["0", "+33 ", "+33", "0033 ", "+33 (0)"]))
    if prefix == "0":
        body = sep.join([f"0{digits[0]}", *(digits[i : i + 2] for i in range(1, 9, 2))])
        return body
    return prefix + body


@given(before=FRENCH_TEXT, after=FRENCH_TEXT, nir=nirs(), wrap=WRAPS)
@settings(max_examples=300, deadline=None)
def test_generated_nirs_never_survive(before: str, after: str, nir: str, wrap: tuple[str, str]) -> None:
    out, _ = redact(f"{before} {wrap[0]}{nir}{wrap[1]} {after}")
    assert not any(c.isdigit() for c in out), out


@given(before=FRENCH_TEXT, after=FRENCH_TEXT, phone=phones(), wrap=WRAPS)
@settings(max_examples=300, deadline=None)
def test_generated_phone_numbers_never_survive(before: str, after: str, phone: str, wrap: tuple[str, str]) -> None:
    out, _ = redact(f"{before} {wrap[0]}{phone}{wrap[1]} {after}")
    assert not any(c.isdigit() for c in out), out


@given(before=FRENCH_TEXT, after=FRENCH_TEXT, email=st.emails(), wrap=WRAPS)
@settings(max_examples=300, deadline=None)
def test_generated_emails_never_survive(before: str, after: str, email: str, wrap: tuple[str, str]) -> None:
    out, _ = redact(f"{before} {wrap[0]}{email}{wrap[1]} {after}")
    assert email not in out and "@" not in out, out


MONTHS = ["janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre", "octobre", "novembre", "décembre"]


@st.composite
def regulatory_questions(draw: st.DrawFn) -> str:
    """Questions citing articles, texts and plain dates, with no personal data."""
    year = draw(st.integers(1990, 2030))
    day, month = draw(st.integers(1, 28)), draw(st.integers(1, 12))
    date = draw(st.sampled_from([f"{day} {MONTHS[month - 1]} {year}", f"{day}.{month}.{year}", f"{day:02d}/{month:02d}/{year}"]))
    template = draw(st.sampled_from([
        "Que dit l'article {a} du règlement {y}/{n} du {d} ?",
        "Le décret n° {y}-{n} du {d} modifie-t-il l'article R. {a}-{b} du Code de la santé publique ?",
        "Quelles sont les obligations prévues à l'article {a} de la loi du {d} pour le Comité de pilotage ?",
        "La procédure mise à jour le {d} s'applique-t-elle aux {a} services ?",
    ]))
    return template.format(a=draw(st.integers(1, 200)), b=draw(st.integers(1, 99)), y=year, n=draw(st.integers(1, 9999)), d=date)


@given(question=regulatory_questions())
@settings(max_examples=300, deadline=None)
def test_regulatory_questions_are_never_changed(question: str) -> None:
    assert redact(question) == (question, {})


@given(text=st.text(max_size=500))
@settings(max_examples=500, deadline=None)
def test_redact_never_raises_and_returns_counts(text: str) -> None:
    out, counts = redact(text)
    assert isinstance(out, str) and all(isinstance(n, int) and n > 0 for n in counts.values())
