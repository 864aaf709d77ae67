"""Recognises requests to leave the role by resemblance, where the patterns of `role_guard`
miss a new phrasing: a question closer to the examples of such requests than to the staff
questions that look like them (`prompts/role-examples.jsonl`: 150 attempts and 150 look-alikes
written without the patterns in view, sets 1–3; 150 staff questions in the first person about
rosters, nights, breaks and overtime, set 4 — without these, staff questions about their own
working hours came out closer to the attempts about night-shift life; 60 off-topic personal
requests and chit-chat in a staff member's voice and 60 look-alikes, set 5) is refused like one
the patterns catch.

The decision is the margin between the mean similarity of the question to its 3 closest
attempts and to its 3 closest look-alikes. A margin means something only for the embedder it
was measured with, so it is kept per embedder (by weights hash, `CALIBRATED_MARGINS`); with
another embedder the check is off unless `answer.role_examples_margin` sets one.

Measured with USE. Chosen on the examples and the development set: holding out each of sets 1–3
in turn, the check caught 26 of the 43 attempts the patterns missed and flagged none of the 150
look-alikes; with every example, none of the 123 answerable development questions (the closest
scores −0.037, the margin is 0.02). Then, on a set written apart and never used as examples
(`evaluation/datasets/role-test.jsonl`): patterns alone refused 25 of 60 attempts, patterns and
resemblance 47, and none of the 80 staff questions was flagged by resemblance (closest −0.066).
With set 5 (written by a helper who saw neither test set, but whose brief named the kinds of
request role-test's misses were): role-test 56 of 60 (48 before), role-test-2 (written apart,
never read, `evaluation/datasets/role-test-2.jsonl`) 54 of 60 (53 before); no staff question of
either flagged (closest −0.066 and −0.039), nor any of the 440 answerable questions of the design
sets (closest −0.037, −0.016 before).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from pathlib import Path

import numpy as np

from assistant.prompts import PROMPTS_DIR

EXAMPLES_FILE = PROMPTS_DIR / "role-examples.jsonl"
NEIGHBOURS = 3
# Embedder weights SHA-256 → the margin measured with it.
CALIBRATED_MARGINS = {
    "0db566fd0af82cbf9f3a7eac3920ede5fb784a6882398563ca9b1bbd66fb37c9": 0.02,  # USE multilingual v3
}


def load_examples(path: Path = EXAMPLES_FILE) -> list[tuple[str, bool]]:
    """(question, is an attack) for each example of the file (JSON lines with `question` and
    `kind`, "attack" or "legit")."""
    rows = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [(row["question"], row["kind"] == "attack") for row in rows]


class RoleExamples:
    """The examples, embedded on first use (about 2 s for 450 with USE on 2 cores)."""

    def __init__(self, embed: Callable[[str], np.ndarray], examples: list[tuple[str, bool]], margin: float,
                 neighbours: int = NEIGHBOURS) -> None:
        if not any(attack for _, attack in examples) or all(attack for _, attack in examples):
            raise ValueError("The role examples need both attacks and look-alikes.")
        self._embed = embed
        self._examples = examples
        self.margin = margin
        self.neighbours = neighbours
        self._vectors: np.ndarray | None = None
        self._attack: np.ndarray | None = None
        self._lock = threading.Lock()

    def prepare(self) -> None:
        """Embed the examples now (a server does it at start, so the first question does not wait)."""
        self._ready()

    def _ready(self) -> tuple[np.ndarray, np.ndarray]:
        with self._lock:
            if self._vectors is None:
                self._vectors = np.array([self._embed(text) for text, _ in self._examples], dtype=np.float32)
                self._attack = np.array([attack for _, attack in self._examples])
        assert self._attack is not None
        return self._vectors, self._attack

    def score(self, query_vector: np.ndarray) -> float:
        """Mean similarity to the closest attacks minus mean similarity to the closest look-alikes."""
        vectors, attack = self._ready()
        sims = vectors @ np.asarray(query_vector, dtype=np.float32)
        closest_attacks = np.sort(sims[attack])[-self.neighbours :]
        closest_legit = np.sort(sims[~attack])[-self.neighbours :]
        return float(closest_attacks.mean() - closest_legit.mean())

    def leaves_role(self, query_vector: np.ndarray) -> bool:
        """True when the question is clearly closer to the attacks than to the look-alikes."""
        return self.score(query_vector) > self.margin
