"""Merging and trimming ranked lists of chunks: a weighted sum of per-chunk signals or weighted
reciprocal rank fusion, a per-document cap, and the removal of near-duplicate passages.

Each function takes and returns `(chunk_id, score)` lists, best first, and never reorders what
it keeps (`without_repeats` yields them lazily); they are meant to be chained: fuse, remove
near-duplicates, then diversify, with each passage's shingles computed once per index version
(`Shingles`); `including` then puts back one entry the cap left out.
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Iterator

_WORD = re.compile(r"[^\W_]+")


def weighted_rrf(rankings: dict[str, list[str]], weights: dict[str, float], k: int = 60) -> list[tuple[str, float]]:
    """Fuse rankings by weighted reciprocal rank: score(id) = Σ weight[name] / (k + rank), rank from 1.

    Every ranking name must have a weight (≥ 0; 0 mutes the ranking). An id repeated within one
    ranking counts at its best rank. Ids scoring 0 are left out. Equal scores are ordered by the
    largest single contribution (the heavier or better-ranking source wins), then by first
    appearance, visiting rankings by decreasing weight.
    """
    if k < 0:
        raise ValueError(f"The RRF constant k must be ≥ 0, not {k}.")
    _check_weights(rankings, weights, "ranking")
    scores: dict[str, float] = {}
    best: dict[str, float] = {}
    # Visit heavier rankings first so that first appearance favours them.
    for name in sorted(rankings, key=lambda n: -weights[n]):
        weight = weights[name]
        seen: set[str] = set()
        for rank, chunk_id in enumerate(rankings[name], start=1):
            if chunk_id in seen:
                continue
            seen.add(chunk_id)
            contribution = weight / (k + rank)
            scores[chunk_id] = scores.get(chunk_id, 0.0) + contribution
            best[chunk_id] = max(best.get(chunk_id, 0.0), contribution)
    order = {chunk_id: i for i, chunk_id in enumerate(scores)}
    fused = sorted(scores, key=lambda c: (-scores[c], -best[c], order[c]))
    return [(chunk_id, scores[chunk_id]) for chunk_id in fused if scores[chunk_id] > 0]


def weighted_scores(signals: dict[str, dict[str, float]], weights: dict[str, float]) -> list[tuple[str, float]]:
    """Fuse per-chunk signals linearly: score(id) = Σ weight[name] × signals[name][id], a signal
    that lacks an id counting 0 for it. Every id of any signal is scored; best first, equal
    scores in order of first appearance (signals visited in the order given)."""
    _check_weights(signals, weights, "signal")
    scores: dict[str, float] = {}
    for name, values in signals.items():
        for chunk_id, value in values.items():
            scores[chunk_id] = scores.get(chunk_id, 0.0) + weights[name] * value
    return sorted(scores.items(), key=lambda item: -item[1])


def _check_weights(names: Iterable[str], weights: dict[str, float], what: str) -> None:
    """Every ranking or signal has a weight, and none is negative."""
    names = list(names)
    missing = sorted(set(names) - set(weights))
    if missing:
        raise ValueError(f"No weight given for {what}(s): {', '.join(missing)}.")
    negative = sorted(name for name in names if weights[name] < 0)
    if negative:
        raise ValueError(f"{what.capitalize()} weights must be ≥ 0: {', '.join(negative)}.")


def diversify(ranked: Iterable[tuple[str, float]], doc_of: Callable[[str], str], per_document_max: int, limit: int,
              wider: dict[str, int] | None = None) -> list[tuple[str, float]]:
    """The first `limit` entries of `ranked`, in order, skipping those past `per_document_max` per
    document, or past `wider[document]` for a document it names."""
    wider = wider or {}
    if per_document_max < 1:
        raise ValueError(f"per_document_max must be ≥ 1, not {per_document_max}.")
    if below := {document: cap for document, cap in wider.items() if cap < 1}:
        raise ValueError(f"A document's cap must be ≥ 1: {below}.")
    kept: list[tuple[str, float]] = []
    per_document: Counter[str] = Counter()
    for chunk_id, score in ranked:
        if len(kept) >= limit:
            break
        document = doc_of(chunk_id)
        if per_document[document] < wider.get(document, per_document_max):
            per_document[document] += 1
            kept.append((chunk_id, score))
    return kept


def including(chosen: list[tuple[str, float]], entry: tuple[str, float], limit: int,
              shingles_of: Callable[[str], frozenset[int]], threshold: float = 0.9) -> list[tuple[str, float]]:
    """`chosen` with `entry` among it, in place of its last entry when it already holds `limit`,
    best first; unchanged when `entry` is already there or nearly repeats one of its entries
    (`without_repeats`'s measure)."""
    if limit < 1 or any(chunk_id == entry[0] for chunk_id, _ in chosen):
        return chosen
    if _repeats(shingles_of(entry[0]), (shingles_of(chunk_id) for chunk_id, _ in chosen), threshold):
        return chosen
    kept = chosen[: limit - 1] if len(chosen) >= limit else list(chosen)
    return sorted([*kept, entry], key=lambda item: -item[1])


def without_repeats(ranked: Iterable[tuple[str, float]], shingles_of: Callable[[str], frozenset[int]],
                    threshold: float = 0.9) -> Iterator[tuple[str, float]]:
    """`ranked` without the entries whose text nearly repeats a better-ranked kept entry's, lazily:
    `diversify` stops reading once it has its passages, so the candidates after them are never
    compared.

    Near-duplicate means a Jaccard similarity ≥ `threshold` between the sets of word shingles that
    `shingles_of` gives (`Shingles`: runs of consecutive words, case- and accent-insensitive, each
    passage's computed once). Texts shorter than a shingle count as one shingle; two texts
    without words are duplicates. Jaccard measures overlap against the union, so a short passage
    contained in a long one is not collapsed. Pairwise: meant for the tens of candidates of one
    answer, not for a corpus.
    """
    if not 0.0 < threshold <= 1.0:
        raise ValueError(f"The near-duplicate threshold must be in (0, 1], not {threshold}.")
    kept_shingles: list[frozenset[int]] = []
    for chunk_id, score in ranked:
        shingles = shingles_of(chunk_id)
        if _repeats(shingles, kept_shingles, threshold):
            continue
        kept_shingles.append(shingles)
        yield chunk_id, score


class Shingles:
    """The shingles (runs of `size` consecutive words) of each passage of one index version, computed on first use and kept: its
    texts never change, and computing them for every candidate of every search took half the
    time of an answer without the model."""

    def __init__(self, text_of: Callable[[str], str], size: int = 3) -> None:
        if size < 1:
            raise ValueError(f"The shingle size must be ≥ 1, not {size}.")
        self._text_of = text_of
        self._size = size
        self._known: dict[str, frozenset[int]] = {}

    def __call__(self, chunk_id: str) -> frozenset[int]:
        found = self._known.get(chunk_id)
        if found is None:  # two threads may both compute it: the same value
            found = self._known[chunk_id] = _shingles(self._text_of(chunk_id), self._size)
        return found


def _shingles(text: str, size: int) -> frozenset[int]:
    """Hashes of the runs of `size` consecutive words of a text, case- and accent-folded."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    words = _WORD.findall("".join(c for c in decomposed if not unicodedata.combining(c)))
    if len(words) <= size:
        return frozenset([hash(tuple(words))]) if words else frozenset()
    return frozenset(hash(tuple(words[i : i + size])) for i in range(len(words) - size + 1))


def _repeats(shingles: frozenset[int], others: Iterable[frozenset[int]], threshold: float) -> bool:
    """Whether a passage's shingles nearly repeat those of one of `others` (Jaccard ≥ `threshold`)."""
    return any(_jaccard(shingles, other) >= threshold for other in others)


def _jaccard(a: frozenset[int], b: frozenset[int]) -> float:
    """|a ∩ b| / |a ∪ b|, 1 for two empty sets."""
    if not a and not b:
        return 1.0
    shared = len(a & b)
    return shared / (len(a) + len(b) - shared)
