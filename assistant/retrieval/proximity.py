"""How much of a question one statement of a passage holds: the share of the question's words,
weighted by their IDF, found together in the passage's best sentence, table row or list item.

BM25 and the embedding score a passage as a whole: a 1,200-character article that mentions
each of the question's words once, in different sentences, ranks with the one sentence that
says what is asked. Staff ask about one rule; the passage stating it usually holds the
question's rarer words in one statement. This is the third signal of the score fusion
(`retrieval.fusion = "scores"`).

Each passage's statements are analysed once per language and remembered (a bounded cache).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable

from assistant.retrieval.analysis import analyse
from assistant.retrieval.statements import statements

CACHE_SIZE = 8192


class StatementCoverage:
    """Scores passages by their statement holding the largest IDF-weighted share of a question."""

    def __init__(self, text_of: Callable[[str], str], cache_size: int = CACHE_SIZE) -> None:
        self._text_of = text_of
        self._cache: OrderedDict[tuple[str, str | None], list[frozenset[str]]] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()

    def score(self, weights: dict[str, float], chunk_id: str, lang: str | None) -> float:
        """Share (0 to 1) of `weights` (question term → weight) that the passage's best statement holds."""
        total = sum(weights.values())
        if total <= 0:
            return 0.0
        return max((sum(weights[t] for t in terms if t in weights) for terms in self._statement_terms(chunk_id, lang)),
                   default=0.0) / total

    def _statement_terms(self, chunk_id: str, lang: str | None) -> list[frozenset[str]]:
        key = (chunk_id, lang)
        with self._lock:
            found = self._cache.get(key)
            if found is not None:
                self._cache.move_to_end(key)
                return found
        found = [frozenset(analyse(unit, lang)) for unit in statements(self._text_of(chunk_id))]
        with self._lock:
            self._cache[key] = found
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return found
