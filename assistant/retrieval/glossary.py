"""The English–French glossary that lets an English question reach the establishment's documents,
which exist in French only.

An English question shares no word with a French procedure: BM25 and the statement signal
score only the English regulations, and the multilingual embedding alone rarely lifts the French
passage into the first five (« Which phone extension do I dial to reach the AI referent? »: the
charter's « joignable au poste 4100 » came 15th by cosine, unseen by BM25). This module owns the
glossary file (`prompts/glossary.en-fr.tsv`: one concept a line, French words, a tab, English
words, variants separated by « | ») and the one thing done with it: `Glossary.to_french(question)`,
the French words of the concepts an English question names, with its codes and numbers
(« MOD-PLAN-03 », « 4100 ») kept as written. The retriever searches the establishment's documents
with those words too (`HybridRetriever`), and the answerer reads their passages with them (the
value asked for, the sentences given to the model and quoted: `Answerer.translated_words`).

English phrases are matched on Snowball stems, longest first, each word of the question used by
one phrase at most: "shifts" matches "shift", "nurse manager" wins over "nurse" and "manager".

The other way, `Glossary.to_english(question)` gives the English words of the concepts a French
question names, for the acts indexed in English only: « Que dit le RGPD sur l'effacement des
données ? » shares no word with the GDPR's "Right to erasure" (`HybridRetriever._in_english`). A
French word is matched on its terms as `analyse` reads French, those with the most terms first,
each term of the question used by one word at most.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import snowballstemmer

from assistant.errors import ConfigError
from assistant.retrieval.analysis import analyse, tokenise
from assistant.retrieval.word_lists import data_lines

SHIPPED_GLOSSARY = Path(__file__).resolve().parents[2] / "prompts" / "glossary.en-fr.tsv"
_CODE_OR_NUMBER = re.compile(r"\b(?:[A-Z]{2,}(?:-[A-Z0-9]+)+|\d+)\b")  # « DR-PLAN », « MOD-PLAN-03 », « 4100 »


def _stems(text: str) -> tuple[str, ...]:
    stemmer = snowballstemmer.stemmer("english")
    return tuple(stemmer.stemWord(token) for token in tokenise(text))


@dataclass(frozen=True)
class Concept:
    """One English phrase of the glossary: its stems (how it is matched), its content terms (as
    `analyse` reads English), the French words it stands for, and the terms of each of those
    that has any (as `analyse` reads French)."""

    stems: tuple[str, ...]
    terms: frozenset[str]
    french: tuple[str, ...]
    french_terms: tuple[frozenset[str], ...]


@dataclass(frozen=True)
class Glossary:
    """English phrases (longest first) and the French words each stands for."""

    entries: tuple[Concept, ...]
    # each French word's terms and the English phrases of its line, the most terms first
    french_words: tuple[tuple[frozenset[str], tuple[str, ...]], ...] = ()

    @classmethod
    def load(cls, path: Path) -> Glossary:
        """Read a glossary file; a line that is not « french<TAB>english » is an error naming it."""
        entries: list[Concept] = []
        french_words: list[tuple[frozenset[str], tuple[str, ...]]] = []
        for number, line in data_lines(path, "le glossaire", "the glossary", "retrieval.glossary_path"):
            columns = line.split("\t")
            french = tuple(w.strip() for w in columns[0].split("|") if w.strip()) if len(columns) == 2 else ()
            english = [w.strip() for w in columns[1].split("|") if w.strip()] if len(columns) == 2 else []
            if not french or not english:
                raise ConfigError(
                    f"Glossaire {path}, ligne {number} : attendu « mots français<TAB>mots anglais » ; corrigez la ligne.",
                    f"Glossary {path}, line {number}: expected 'French words<TAB>English words'; fix the line.",
                )
            # "alert | alerts": one phrase once stemmed
            stemmed = {_stems(phrase): phrase for phrase in reversed(english)}
            french_terms = tuple(terms for word in french if (terms := frozenset(analyse(word, "fr"))))
            french_words += [(terms, tuple(english)) for terms in french_terms]
            entries += [Concept(stems, frozenset(analyse(phrase, "en")), french, french_terms)
                        for stems, phrase in reversed(stemmed.items()) if stems]
        entries.sort(key=lambda entry: -len(entry.stems))
        french_words.sort(key=lambda word: -len(word[0]))
        return cls(tuple(entries), tuple(french_words))

    def concepts(self, text: str) -> list[Concept]:
        """The concepts an English text names, longest phrases first, each word used by one at most."""
        words = _stems(text)
        used = [False] * len(words)
        found: list[Concept] = []
        for concept in self.entries:
            size = len(concept.stems)
            for start in range(len(words) - size + 1):
                if words[start : start + size] == concept.stems and not any(used[start : start + size]):
                    found.append(concept)
                    used[start : start + size] = [True] * size
                    break
        return found

    def to_french(self, question: str) -> str:
        """The French words of the concepts the English `question` names, then its codes and
        numbers; empty when it names none."""
        french = [word for concept in self.concepts(question) for word in concept.french]
        return " ".join(french + _CODE_OR_NUMBER.findall(question)) if french else ""

    def to_english(self, question: str) -> str:
        """The English words of the concepts the French `question` names, then its codes and
        numbers; empty when it names none."""
        terms = set(analyse(question, "fr"))
        used: set[str] = set()
        english: list[str] = []
        for word, phrases in self.french_words:
            if word <= terms and not word & used:
                used |= word
                english += phrases
        return " ".join([*dict.fromkeys(english), *_CODE_OR_NUMBER.findall(question)]) if english else ""

    def supported_in_french(self, sentence: str, french_terms: set[str]) -> set[str]:
        """The English content terms of `sentence` whose concept a French passage states: one of
        the concept's French words, all of its terms (as `analyse` reads French), is among
        `french_terms`. « Dial extension 4100 » and « joignable au poste 4100 »: {"extens"}."""
        return {term for concept in self.concepts(sentence)
                if any(terms <= french_terms for terms in concept.french_terms)
                for term in concept.terms}
