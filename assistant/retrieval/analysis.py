"""Text analysis for lexical search: French or English text in, index terms out.

This module owns how a chunk or a question becomes the list of terms BM25 counts. The steps:

1. Apostrophes unified (’ ‘ ʼ ` → '), Unicode NFKC (PDF ligatures such as "ﬁ" become "fi",
   non-breaking spaces become spaces), lowercase.
2. Split on anything that is not a letter or digit (apostrophes included), except that
   references, percentages and decimals stay whole, spelled one way: "2024/1689", "75 %" → "75%",
   "2,5 %" → "2.5%", "12.7.2024", "3,5" → "3.5". French elisions and English contractions thus become
   tokens of their own that step 5 drops: "l'intelligence" → "l", "intelligence" → "intelligence"
   (likewise d' qu' j' n' s' c' m' t' jusqu' lorsqu' puisqu' quoiqu' presqu' quelqu'), and
   "provider's" → "provider", "don't" → "don" (an English stop word).
3. Article references also give a compound token: "article 14" → "article", "14" and "art14";
   "articles 16 et 114" → ... "art16", "art114"; "art. 5" → "art5". A question naming an article
   thus matches the passages citing that exact article, not any passage with the number 14.
4. Stop words dropped (compact French and English lists below, compared accent-insensitively),
   along with single letters and tokens longer than 64 characters (hashes, base64 noise).
   Numbers are kept and never stemmed.
5. Each remaining word stemmed with the Snowball stemmer of the text's language (given, or
   guessed per text by counting stop words of each language; French on a tie), THEN its accents
   folded ("contrôles" → "contrôl" → "control"). Stemming first matters: the French stemmer
   reads accents ("données" → "don", "sécurité" → "sécur").

Because stemming reads accents, an unaccented word does not always give the same term as the
accented one ("securite" → "securit" but "sécurité" → "secur"). `analyse` alone cannot repair
that; the BM25 index does, by mapping an unaccented query word to the term its accented form
has in the indexed text (see `assistant.retrieval.lexical`).

Bump `ANALYSIS_VERSION` whenever a change here changes the terms produced: a saved index built
with another version is refused.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable

import snowballstemmer

ANALYSIS_VERSION = "1"
LANGUAGES = ("fr", "en")
DEFAULT_LANGUAGE = "fr"
MAX_TOKEN_LENGTH = 64

_FRENCH_STOP_WORDS = """
    à a ai aie aient aies ait alors as au aucun aucune aujourd auquel aura aurai auraient aurais
    aurait auras aurez auriez aurons auront aussi autre autres aux auxquelles auxquels avaient avais
    avait avant avec avez aviez avions avoir avons ayant ayez ayons c ça ce ceci cela celle celles
    celui ces cet cette ceux chaque chez comme d dans de des donc dont du duquel elle elles en
    entre es est et étaient étais était étant été êtes étiez étions être eu eue eues eûmes eurent
    eus eusse eut eux fûmes furent fus fut hui il ils j je jusqu l la laquelle le lequel les
    lesquelles lesquels leur leurs lorsqu lorsque lui m ma mais me même mêmes mes moi mon n ne ni
    nos notre nous on ont ou où par parce pas peu peut peuvent plus pour pourquoi presqu puis puisqu
    puisque qu quand que quel quelle quelles quelqu quels qui quoi quoiqu s sa sans se sera serai seraient serais
    serait seras serez seriez serons seront ses si soi soient sois soit sommes son sont sous soyez
    soyons suis sur t ta te tel telle telles tels tes toi ton tous tout toute toutes très tu un
    une unes uns vers via vos votre vous y
"""

_ENGLISH_STOP_WORDS = """
    a about above after again against all am an and any are aren as at be because been before
    being below between both but by can cannot could couldn did didn do does doesn doing don down
    during each few for from further had hadn has hasn have haven having he her here hers herself
    him himself his how i if in into is isn it its itself just ll me more most my myself no nor not
    of off on once only or other our ours ourselves out over own re same shall she should shouldn so
    some such than that the their theirs them themselves then there these they this those through
    to too under until up upon ve very was wasn we were weren what when where which while who whom
    why will with won would wouldn you your yours yourself yourselves
"""

# Typographic apostrophes and look-alikes, unified before anything else.
_APOSTROPHES = ("\u2019", "\u2018", "\u02bc", "`", "\u00b4", "\u2032")
# Letters that Unicode does not decompose into a base letter plus accent.
_LIGATURES = str.maketrans({"œ": "oe", "æ": "ae", "ß": "ss", "ø": "o", "ł": "l", "đ": "d", "ı": "i"})

_TOKEN = re.compile(
    r"""
    \d+(?:/\d+)+                # references: 2024/1689, 2016/679
    | \d+(?:[.,]\d+)?\s?%       # percentages: 75 %, 2,5%
    | \d+(?:[.,]\d+)+           # decimals, dates, section numbers: 3,5  12.7.2024  4.2.1
    | [^\W_]+                   # words and plain numbers (letters and digits, no underscore)
    """,
    re.VERBOSE,
)
# "article 14", "articles 16 et 114", "art. 5"; a number followed by %, / or a decimal part is no article.
_ARTICLE_NUMBER = r"\d+\b(?!\s?%|/|[.,]\d)"
_ARTICLE_REFERENCE = re.compile(rf"\b(?:articles?\s+|art\.\s*|art\s+)({_ARTICLE_NUMBER}(?:\s*(?:,|et|and|ou|or)\s*{_ARTICLE_NUMBER})*)")
_NUMBER = re.compile(r"\d+")


def normalise_language(lang: str | None) -> str | None:
    """The language code analysis uses: "fr", "en" or None (guess). Accepts "FR", "fr-FR", "en_GB"."""
    if lang is None or not lang.strip():
        return None
    code = lang.strip().lower().replace("_", "-").split("-")[0]
    if code not in LANGUAGES:
        raise ValueError(f"Unsupported language {lang!r} for text analysis; expected one of {', '.join(LANGUAGES)} or None.")
    return code


def fold_accents(text: str) -> str:
    """Text without accents or ligatures: "Contrôlé" → "Controle", "cœur" → "coeur"."""
    if text.isascii():
        return text
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).translate(_LIGATURES)


def tokenise(text: str) -> list[str]:
    """Normalised surface tokens of a text, before stop words and stemming (steps 1 to 3)."""
    # Unify apostrophes (str.replace is much faster than str.translate), then Unicode
    # compatibility forms and case.
    for apostrophe in _APOSTROPHES:
        if apostrophe in text:
            text = text.replace(apostrophe, "'")
    text = unicodedata.normalize("NFKC", text).lower()
    # Split, keeping references, percentages and decimals whole and spelled one way. Apostrophes
    # split words: an elision ("l'", "qu'") or contraction ("'s", "'re") becomes a token of its own,
    # a single letter or a stop word, dropped later.
    tokens = [_clean_number(t) if t[0].isdigit() else t for t in _TOKEN.findall(text)]
    # Add a compound token per article cited.
    if "art" in text:
        for numbers in _ARTICLE_REFERENCE.findall(text):
            tokens.extend("art" + n for n in _NUMBER.findall(numbers))
    return tokens


def guess_language(tokens: Iterable[str]) -> str:
    """The language whose own stop words occur more often, "fr" or "en"; French on a tie."""
    french, english = _language_markers()
    french_hits = english_hits = 0
    for token in tokens:
        if token in french:
            french_hits += 1
        elif token in english:
            english_hits += 1
    return "en" if english_hits > french_hits else "fr"


@functools.lru_cache(maxsize=1 << 18)
def term(token: str, lang: str) -> str | None:
    """The index term of one surface token in a language ("fr"/"en"), or None if it is dropped."""
    if len(token) > MAX_TOKEN_LENGTH:
        return None
    folded = fold_accents(token)
    # Numbers, references and article tokens are kept as they are.
    if any(c.isdigit() for c in token):
        return folded
    if len(token) < 2 or folded in _stop_words(lang):
        return None
    # Stem the accented word, then fold accents of the stem. A stemmer is cheap to build (under
    # a microsecond) and holds state while stemming, so each call gets its own: thread-safe.
    stemmer = snowballstemmer.stemmer("french" if lang == "fr" else "english")
    return fold_accents(stemmer.stemWord(token))


def analyse(text: str, lang: str | None = None) -> list[str]:
    """The index terms of a text, in order; `lang` is "fr", "en" or None to guess it from the text."""
    tokens = tokenise(text)
    code = normalise_language(lang) or guess_language(tokens)
    terms = [term(t, code) for t in tokens]
    return [t for t in terms if t is not None]


def _clean_number(token: str) -> str:
    """One spelling per number: no inner space, decimal point rather than comma."""
    return token.replace(" ", "").replace(",", ".")


@functools.cache
def _stop_words(lang: str) -> frozenset[str]:
    """Stop words of a language, accent-folded (tokens are folded before the lookup)."""
    words = _FRENCH_STOP_WORDS if lang == "fr" else _ENGLISH_STOP_WORDS
    return frozenset(fold_accents(w) for w in words.split())


@functools.cache
def _language_markers() -> tuple[frozenset[str], frozenset[str]]:
    """Stop words of two letters or more that belong to one language only: French, English.

    French words are included as written and accent-folded; single letters are left out, since
    "s" or "t" may be an English contraction as well as a French elision.
    """
    french = {w for w in frozenset(_FRENCH_STOP_WORDS.split()) | _stop_words("fr") if len(w) > 1}
    english = {w for w in _ENGLISH_STOP_WORDS.split() if len(w) > 1}
    return frozenset(french - english), frozenset(english - french)
    return french - english, english - french
