"""Score and rank fusion, per-document cap and near-duplicate removal."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assistant.retrieval.fusion import Shingles, diversify, including, weighted_rrf, weighted_scores, without_repeats


def _ids(ranked: list[tuple[str, float]]) -> list[str]:
    return [chunk_id for chunk_id, _ in ranked]


def _without_repeats(ranked: list[tuple[str, float]], texts: dict[str, str], threshold: float = 0.9) -> list[tuple[str, float]]:
    return list(without_repeats(ranked, Shingles(texts.__getitem__), threshold))


def test_rrf_scores_are_sums_of_weighted_reciprocal_ranks() -> None:
    fused = dict(weighted_rrf({"lexical": ["a", "b"], "dense": ["b"]}, {"lexical": 1.0, "dense": 2.0}, k=60))
    assert fused["a"] == pytest.approx(1 / 61)
    assert fused["b"] == pytest.approx(1 / 62 + 2 / 61)


def test_rrf_prefers_the_heavier_ranking_when_rankings_disagree() -> None:
    rankings = {"lexical": ["x", "y"], "dense": ["y", "x"]}
    assert _ids(weighted_rrf(rankings, {"lexical": 2.0, "dense": 1.0})) == ["x", "y"]
    assert _ids(weighted_rrf(rankings, {"lexical": 1.0, "dense": 2.0})) == ["y", "x"]


def test_rrf_breaks_exact_ties_in_favour_of_the_heavier_ranking() -> None:
    # With k = 0: "a" scores 1/1 from the light ranking, "b" 2/2 from the heavy one.
    fused = weighted_rrf({"light": ["a"], "heavy": ["first", "b"]}, {"light": 1.0, "heavy": 2.0}, k=0)
    assert dict(fused)["a"] == dict(fused)["b"] == 1.0
    assert _ids(fused) == ["first", "b", "a"]


def test_rrf_item_in_both_rankings_beats_item_in_one() -> None:
    fused = weighted_rrf({"lexical": ["only", "both"], "dense": ["both"]}, {"lexical": 1.0, "dense": 1.0})
    assert _ids(fused)[0] == "both"


def test_rrf_counts_a_repeated_id_once_at_its_best_rank() -> None:
    fused = dict(weighted_rrf({"lexical": ["a", "a", "b"]}, {"lexical": 1.0}, k=60))
    assert fused["a"] == pytest.approx(1 / 61)
    assert fused["b"] == pytest.approx(1 / 63)


def test_rrf_with_zero_weight_mutes_a_ranking() -> None:
    assert _ids(weighted_rrf({"lexical": ["a"], "dense": ["b"]}, {"lexical": 1.0, "dense": 0.0})) == ["a"]


def test_rrf_refuses_a_ranking_without_weight_or_with_negative_weight() -> None:
    with pytest.raises(ValueError, match="No weight"):
        weighted_rrf({"lexical": ["a"], "dense": ["b"]}, {"lexical": 1.0})
    with pytest.raises(ValueError, match="≥ 0"):
        weighted_rrf({"lexical": ["a"]}, {"lexical": -1.0})


def test_score_fusion_sums_weighted_signals_and_counts_a_missing_signal_as_zero() -> None:
    fused = weighted_scores({"dense": {"a": 0.5, "b": 0.25}, "lexical": {"b": 1.0, "c": 0.5}}, {"dense": 4.0, "lexical": 1.0})
    assert fused == [("a", 2.0), ("b", 2.0), ("c", 0.5)]


def test_score_fusion_orders_best_first_and_keeps_first_appearance_on_ties() -> None:
    fused = weighted_scores({"dense": {"a": 0.1, "b": 0.3, "c": 0.1}}, {"dense": 1.0})
    assert _ids(fused) == ["b", "a", "c"]


def test_score_fusion_with_zero_weight_mutes_a_signal() -> None:
    fused = weighted_scores({"dense": {"a": 0.2, "b": 0.1}, "lexical": {"b": 9.0}}, {"dense": 1.0, "lexical": 0.0})
    assert _ids(fused) == ["a", "b"]


def test_score_fusion_refuses_a_signal_without_weight_or_with_negative_weight() -> None:
    with pytest.raises(ValueError, match="lexical"):
        weighted_scores({"dense": {"a": 1.0}, "lexical": {"a": 1.0}}, {"dense": 1.0})
    with pytest.raises(ValueError, match="≥ 0"):
        weighted_scores({"dense": {"a": 1.0}}, {"dense": -1.0})


def test_diversify_caps_passages_per_document_and_keeps_order() -> None:
    ranked = [("a1", 9.0), ("a2", 8.0), ("a3", 7.0), ("b1", 6.0), ("a4", 5.0), ("c1", 4.0)]
    kept = diversify(ranked, doc_of=lambda chunk_id: chunk_id[0], per_document_max=2, limit=10)
    assert kept == [("a1", 9.0), ("a2", 8.0), ("b1", 6.0), ("c1", 4.0)]


def test_diversify_gives_a_wider_cap_to_the_documents_named() -> None:
    ranked = [("a1", 6.0), ("a2", 5.0), ("a3", 4.0), ("b1", 3.0), ("a4", 2.0), ("b2", 1.0)]
    doc_of = lambda cid: cid[0]  # noqa: E731
    assert [c for c, _ in diversify(ranked, doc_of, per_document_max=1, limit=5, wider={"a": 3})] == ["a1", "a2", "a3", "b1"]
    assert [c for c, _ in diversify(ranked, doc_of, per_document_max=1, limit=5)] == ["a1", "b1"]
    with pytest.raises(ValueError):
        diversify(ranked, doc_of, per_document_max=1, limit=5, wider={"a": 0})


def test_diversify_stops_at_the_limit() -> None:
    ranked = [("a1", 3.0), ("b1", 2.0), ("c1", 1.0)]
    assert _ids(diversify(ranked, doc_of=lambda chunk_id: chunk_id[0], per_document_max=1, limit=2)) == ["a1", "b1"]


def test_diversify_refuses_a_cap_below_one() -> None:
    with pytest.raises(ValueError):
        diversify([("a1", 1.0)], doc_of=lambda chunk_id: "a", per_document_max=0, limit=5)


def test_including_puts_an_entry_in_place_of_the_last_one_in_score_order() -> None:
    shingles = Shingles({"a1": "alpha un", "a2": "alpha deux", "b1": "beta un", "a3": "alpha trois"}.__getitem__)
    chosen = [("a1", 9.0), ("b1", 6.0), ("a2", 5.0)]
    assert including(chosen, ("a3", 7.0), 3, shingles) == [("a1", 9.0), ("a3", 7.0), ("b1", 6.0)]
    # room left: nothing given up
    assert including(chosen, ("a3", 1.0), 4, shingles) == [*chosen, ("a3", 1.0)]


def test_including_leaves_out_an_entry_already_there_or_repeating_one() -> None:
    texts = {"a1": "les sauvegardes sont faites chaque nuit", "b1": "autre chose", "copy": "Les sauvegardes sont faites chaque nuit."}
    chosen = [("a1", 2.0), ("b1", 1.0)]
    assert including(chosen, ("a1", 2.0), 2, Shingles(texts.__getitem__)) == chosen
    assert including(chosen, ("copy", 1.5), 2, Shingles(texts.__getitem__)) == chosen


TEXTS = {
    "art26": "Les déployeurs de systèmes d'IA à haut risque prennent des mesures techniques et organisationnelles appropriées.",
    "art26-copy": "Les déployeurs de systèmes d’IA à haut risque prennent des mesures techniques et organisationnelles appropriées.",
    "art26-accents": "LES DEPLOYEURS de systemes d'IA a haut risque prennent des mesures techniques et organisationnelles appropriees",
    "art14": "Le contrôle humain vise à prévenir ou à réduire au minimum les risques pour la santé et la sécurité.",
}


def test_near_duplicates_collapse_onto_the_better_ranked_passage() -> None:
    ranked = [("art26", 3.0), ("art14", 2.5), ("art26-copy", 2.0), ("art26-accents", 1.0)]
    assert _without_repeats(ranked, TEXTS) == [("art26", 3.0), ("art14", 2.5)]


def test_distinct_passages_are_all_kept() -> None:
    ranked = [("art26", 3.0), ("art14", 2.0)]
    assert _without_repeats(ranked, TEXTS) == ranked


def test_partly_overlapping_passages_collapse_only_above_the_threshold() -> None:
    words = [f"mot{i}" for i in range(100)]
    texts = {"first": " ".join(words[:60]), "second": " ".join(words[20:80])}
    ranked = [("first", 2.0), ("second", 1.0)]
    # 38 shared shingles out of 78: Jaccard ≈ 0.49.
    assert _ids(_without_repeats(ranked, texts, threshold=0.9)) == ["first", "second"]
    assert _ids(_without_repeats(ranked, texts, threshold=0.4)) == ["first"]


def test_each_passage_is_shingled_once_across_searches() -> None:
    read: list[str] = []

    def text_of(chunk_id: str) -> str:
        read.append(chunk_id)
        return TEXTS[chunk_id]

    shingles = Shingles(text_of)
    ranked = [("art26", 3.0), ("art14", 2.5), ("art26-copy", 2.0)]
    for _ in range(3):
        assert list(without_repeats(ranked, shingles)) == [("art26", 3.0), ("art14", 2.5)]
    assert sorted(read) == ["art14", "art26", "art26-copy"]


def test_repeats_are_removed_lazily_so_a_cut_list_reads_no_further() -> None:
    read: list[str] = []

    def shingles_of(chunk_id: str) -> frozenset[int]:
        read.append(chunk_id)
        return frozenset([hash(chunk_id.split("-")[0])])

    ranked = [("a-1", 4.0), ("a-2", 3.0), ("b-1", 2.0), ("c-1", 1.0), ("d-1", 0.5)]
    kept = diversify(without_repeats(ranked, shingles_of), doc_of=lambda chunk_id: chunk_id, per_document_max=1, limit=2)
    assert _ids(kept) == ["a-1", "b-1"]
    assert "d-1" not in read  # diversify stopped at its limit; "c-1" was read to see that it was full


id_lists = st.lists(st.sampled_from(["a1", "a2", "a3", "b1", "b2", "c1"]), unique=True)


@given(ranked_ids=id_lists, cap=st.integers(min_value=1, max_value=3), limit=st.integers(min_value=0, max_value=6))
def test_diversify_never_exceeds_cap_or_limit(ranked_ids: list[str], cap: int, limit: int) -> None:
    ranked = [(chunk_id, float(-i)) for i, chunk_id in enumerate(ranked_ids)]
    kept = diversify(ranked, doc_of=lambda chunk_id: chunk_id[0], per_document_max=cap, limit=limit)
    assert len(kept) <= limit
    assert all(sum(1 for c, _ in kept if c[0] == doc) <= cap for doc in "abc")
    assert _ids(kept) == [c for c in ranked_ids if c in set(_ids(kept))]


@given(rankings=st.dictionaries(st.sampled_from(["lexical", "dense", "keywords"]), id_lists, min_size=1))
def test_rrf_returns_each_ranked_id_once_sorted_by_score(rankings: dict[str, list[str]]) -> None:
    fused = weighted_rrf(rankings, {"lexical": 1.0, "dense": 0.5, "keywords": 2.0})
    assert sorted(_ids(fused)) == sorted({c for ranking in rankings.values() for c in ranking})
    scores = [score for _, score in fused]
    assert scores == sorted(scores, reverse=True)
