"""Staff wording → the documents' wording, for lexical search.

Staff ask in their own words ("the data leaked", "can we wipe her file", « une amende », « se
fier aveuglément à l'IA »); the regulations and guides use theirs ("personal data breach",
"erasure", « sanctions », « biais d'automatisation »). BM25 scores only the words a question
shares with a passage, and the multilingual embedding alone rarely lifts the article into the
first passages (« …patient data leaked… how long do we have to report it? »: GDPR Article 33 came
66th for BM25, 5th by cosine, and was not among the five passages given).

This module owns the thesaurus file (`prompts/thesaurus.tsv`: one line per idea, its language
« fr » or « en », a tab, the staff's phrases separated by « | », a tab, the documents' words) and
the two things done with it: `Thesaurus.expand(question, lang)`, the documents' words for the
phrases the question uses, which the retriever adds to the BM25 query; and
`Thesaurus.stated_terms(question, lang, passage_terms)`, the question's words whose idea a passage
states in the documents' words, which the evidence gate counts as found. The answerer also reads
a passage with the documents' words when it chooses which part of it to quote
(`Answerer.documents_words`). The dense search, the statement signal and the other refusal checks
read the question as written, so a phrase matched wrongly can at worst bring a passage forward, let
the model read it or quote another part of a passage found, never put words in the answer.

Phrases are matched on the index terms of their words in order (Snowball stems, accents folded),
stop words kept: "leaks" matches "leak", « fuité » matches « fuite », "not allowed" needs both
words, side by side.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from assistant.errors import ConfigError
from assistant.retrieval.analysis import LANGUAGES, analyse, fold_accents, term, tokenise
from assistant.retrieval.word_lists import data_lines

SHIPPED_THESAURUS = Path(__file__).resolve().parents[2] / "prompts" / "thesaurus.tsv"


def _phrase(text: str, lang: str) -> tuple[str, ...]:
    """The words of a text as phrases are matched: index terms, stop words kept folded."""
    return tuple(term(token, lang) or fold_accents(token) for token in tokenise(text))


@dataclass(frozen=True)
class Entry:
    """One idea: the language it is written in, the staff's phrases (as matched) and the documents' words."""

    lang: str
    phrases: tuple[tuple[str, ...], ...]
    documents_words: str


@dataclass(frozen=True)
class Thesaurus:
    """The thesaurus's ideas, in file order."""

    entries: tuple[Entry, ...]

    @classmethod
    def load(cls, path: Path) -> Thesaurus:
        """Read a thesaurus file; a line that is not « lang<TAB>phrases<TAB>words » is an error naming it."""
        entries: list[Entry] = []
        for number, line in data_lines(path, "le thésaurus", "the thesaurus", "retrieval.thesaurus_path"):
            columns = [column.strip() for column in line.split("\t")]
            lang = columns[0] if len(columns) == 3 else ""
            phrases = tuple(p for p in (_phrase(v, lang) for v in columns[1].split("|")) if p) if lang in LANGUAGES else ()
            if not phrases or not columns[2]:
                raise ConfigError(
                    f"Thésaurus {path}, ligne {number} : attendu « fr ou en<TAB>mots des agents<TAB>mots des documents » ; corrigez la ligne.",
                    f"Thesaurus {path}, line {number}: expected 'fr or en<TAB>staff's phrases<TAB>documents' words'; fix the line.",
                )
            entries.append(Entry(lang, phrases, columns[2]))
        return cls(tuple(entries))

    def expand(self, question: str, lang: str | None) -> str:
        """The documents' words of the ideas the question names in its language (both when
        `lang` is None), in file order; empty when it names none."""
        words: dict[str, tuple[str, ...]] = {}
        found: list[str] = []
        for entry in self.entries:
            if lang and entry.lang != lang:
                continue
            said = words.setdefault(entry.lang, _phrase(question, entry.lang))
            if any(_contains(said, phrase) for phrase in entry.phrases):
                found.append(entry.documents_words)
        return " ".join(found)

    def stated_terms(self, question: str, lang: str, passage_terms: list[set[str]]) -> set[str]:
        """The question's index terms (`analyse`) of the staff's phrases it uses whose idea one
        of the passages states: at least half of the idea's documents' words (as `analyse` reads
        them) among that passage's `passage_terms`. « copier le compte rendu dans ChatGPT » over
        the charter's « saisir dans un outil non inscrit au registre (agents conversationnels
        grand public…) »: {"chatgpt"}."""
        said = _phrase(question, lang)
        stated: set[str] = set()
        for entry in self.entries:
            if entry.lang != lang or not (used := [phrase for phrase in entry.phrases if _contains(said, phrase)]):
                continue
            words = set(analyse(entry.documents_words, lang))
            if words and any(len(words & terms) * 2 >= len(words) for terms in passage_terms):
                stated.update(word for phrase in used for word in phrase)
        return stated & set(analyse(question, lang))


def _contains(words: tuple[str, ...], phrase: tuple[str, ...]) -> bool:
    size = len(phrase)
    return any(words[start : start + size] == phrase for start in range(len(words) - size + 1))
