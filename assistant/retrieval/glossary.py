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
value asked for, the sentences given to the model and quoted: `Answerer.french_words`).

English phrases are matched on Snowball stems, longest first, each word of the question used by
one phrase at most: "shifts" matches "shift", "nurse manager" wins over "nurse" and "manager".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import snowballstemmer

from assistant.errors import ConfigError
from assistant.retrieval.analysis import tokenise

SHIPPED_GLOSSARY = Path(__file__).resolve().parents[2] / "prompts" / "glossary.en-fr.tsv"
_CODE_OR_NUMBER = re.compile(r"\b(?:[A-Z]{2,}(?:-[A-Z0-9]+)+|\d+)\b")  # « DR-PLAN », « MOD-PLAN-03 », « 4100 »


def _stems(text: str) -> tuple[str, ...]:
    stemmer = snowballstemmer.stemmer("english")
    return tuple(stemmer.stemWord(token) for token in tokenise(text))


@dataclass(frozen=True)
class Glossary:
    """English phrases (as stems, longest first) and the French words each stands for."""

    entries: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...]

    @classmethod
    def load(cls, path: Path) -> Glossary:
        """Read a glossary file; a line that is not « french<TAB>english » is an error naming it."""
        try:
            lines = path.read_text(encoding="utf-8").splitlines()
        except OSError as exc:
            raise ConfigError(
                f"Glossaire illisible ({path}) : {exc.strerror or exc}. Corrigez retrieval.glossary_path ou videz-le pour le glossaire fourni.",
                f"Cannot read the glossary ({path}): {exc.strerror or exc}. Fix retrieval.glossary_path or empty it for the shipped glossary.",
            ) from exc
        entries: list[tuple[tuple[str, ...], tuple[str, ...]]] = []
        for number, line in enumerate(lines, start=1):
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            columns = line.split("\t")
            french = tuple(w.strip() for w in columns[0].split("|") if w.strip()) if len(columns) == 2 else ()
            english = [w.strip() for w in columns[1].split("|") if w.strip()] if len(columns) == 2 else []
            if not french or not english:
                raise ConfigError(
                    f"Glossaire {path}, ligne {number} : attendu « mots français<TAB>mots anglais » ; corrigez la ligne.",
                    f"Glossary {path}, line {number}: expected 'French words<TAB>English words'; fix the line.",
                )
            # "alert | alerts": one phrase once stemmed
            entries += [(stems, french) for stems in dict.fromkeys(_stems(phrase) for phrase in english) if stems]
        entries.sort(key=lambda entry: -len(entry[0]))
        return cls(tuple(entries))

    def to_french(self, question: str) -> str:
        """The French words of the concepts the English `question` names, then its codes and
        numbers; empty when it names none."""
        words = _stems(question)
        used = [False] * len(words)
        french: list[str] = []
        for phrase, translation in self.entries:
            size = len(phrase)
            for start in range(len(words) - size + 1):
                if words[start : start + size] == phrase and not any(used[start : start + size]):
                    french += translation
                    used[start : start + size] = [True] * size
                    break
        return " ".join(french + _CODE_OR_NUMBER.findall(question)) if french else ""
