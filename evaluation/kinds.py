"""How many questions of a labelled phrasing set are recognised as asking for the kind of value
they ask for (`garant-eval kinds`).

A phrasing set (`evaluation/datasets/kind-phrasings*.jsonl`) holds questions written to name a
value in as many ways as staff would (« Donne-moi le délai… », « Le budget, c'est combien ? »,
"Email of the security officer?"), each labelled with the kind it asks for: those of
`assistant.answering.answer_types.kinds_asked`, `money`, `person`, or `none` for a question that
asks for no single value. The refusal of an answer lacking the value asked only works on questions
whose kind is recognised; this measures it without the index or a model.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from assistant.answering.answer_types import asks_for_money, asks_for_person_name, kinds_asked
from evaluation.dataset import DatasetError

NONE = "none"


@dataclass
class KindScore:
    """Per kind: questions labelled with it, and those recognised; `flagged`: `none` questions given a kind."""

    total: Counter[str] = field(default_factory=Counter)
    recognised: Counter[str] = field(default_factory=Counter)
    flagged: int = 0

    def render(self) -> str:
        """A plain-text table, one kind a line, then the totals."""
        kinds = sorted(kind for kind in self.total if kind != NONE)
        lines = [f"{kind:<14} {self.recognised[kind]:>4} / {self.total[kind]}" for kind in kinds]
        asked = sum(self.total[kind] for kind in kinds)
        found = sum(self.recognised[kind] for kind in kinds)
        lines.append(f"{'recognised':<14} {found:>4} / {asked}")
        lines.append(f"{'none flagged':<14} {self.flagged:>4} / {self.total[NONE]}")
        return "\n".join(lines) + "\n"


def recognised_kinds(question: str) -> set[str]:
    """The kinds of value the answer checks take `question` to ask for."""
    kinds = set(kinds_asked(question))
    if asks_for_money(question):
        kinds.add("money")
    if asks_for_person_name(question):
        kinds.add("person")
    return kinds


def score_file(path: Path) -> KindScore:
    """Read a phrasing set (one JSON object a line with `question` and `kind`) and count."""
    score = KindScore()
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise DatasetError(f"Impossible de lire le jeu de formulations {path} ({exc}) : vérifiez le chemin.",
                           f"Cannot read the phrasing set {path} ({exc}): check the path.") from exc
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
            question, kind = str(row["question"]), str(row["kind"])
        except (ValueError, KeyError, TypeError) as exc:
            raise DatasetError(f"Ligne {number} de {path} illisible ({exc}) : il faut un objet JSON avec « question » et « kind ».",
                               f"Line {number} of {path} is unreadable ({exc}): each line must be a JSON object with question and kind.") from exc
        found = recognised_kinds(question)
        score.total[kind] += 1
        if kind == NONE:
            score.flagged += bool(found)
        elif kind in found:
            score.recognised[kind] += 1
    return score
