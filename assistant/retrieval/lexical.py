"""Lexical search: an Okapi BM25 index over chunks, and its file format.

The index is an inverted file held in numpy arrays: for each term, the chunks containing it
(sorted) and how often. Each posting's BM25 term-frequency factor is precomputed at build or
load time, so a query is a few array slices and one `np.bincount`. scipy is not needed.

Scoring is Okapi BM25 with k1 = 1.2, b = 0.75 and the non-negative idf
log(1 + (N - df + 0.5) / (df + 0.5)); a query word repeated counts repeatedly. Chunks sharing
no term with the query are never returned. Equal scores keep the build order.

Accents are optional in questions: while building, the index records, for every accented word
of the corpus, the term it gave ("sécurité" → "secur"). An unaccented question word
("securite") whose accented spelling occurs in the corpus is given that term, which stemming
the bare word would miss ("securit"). Accented question words are analysed as they are.

`save` writes one compressed .npz file: integer arrays plus a JSON header stored as bytes, so
`load` reads it with `allow_pickle=False`. The header records the analysis version; an index
built with another analysis is refused, since its terms would no longer match the questions'.
"""

from __future__ import annotations

import json
import os
import zipfile
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np

from assistant.errors import IndexError_
from assistant.retrieval.analysis import ANALYSIS_VERSION, fold_accents, guess_language, normalise_language, term, tokenise

FORMAT = "garant-bm25"
FORMAT_VERSION = 1
K1 = 1.2
B = 0.75


class BM25Index:
    """Okapi BM25 over chunks; build with `BM25Index(chunks)` or `BM25Index.load(path)`."""

    def __init__(self, chunks: Iterable[tuple[str, str, str | None]], k1: float = K1, b: float = B) -> None:
        """Analyse and index `(chunk_id, text, lang)` triples.

        `lang` is "fr" or "en" (any case, region suffix allowed); None or a language the analysis
        does not support is guessed from the text.
        """
        self.k1 = k1
        self.b = b
        self._chunk_ids: list[str] = []
        vocabulary: dict[str, int] = {}
        seen_by_lang: dict[str, set[str]] = {"fr": set(), "en": set()}
        doc_of_posting: list[int] = []
        term_of_posting: list[int] = []
        tf_of_posting: list[int] = []
        lengths: list[int] = []
        for chunk_id, text, lang in chunks:
            # Analyse: tokens, language, terms (stop words dropped).
            tokens = tokenise(text)
            code = _language(lang, tokens)
            seen_by_lang[code].update(tokens)
            terms = [t for t in map(term, tokens, [code] * len(tokens)) if t is not None]
            # Count each term once per chunk and record the postings.
            doc = len(self._chunk_ids)
            self._chunk_ids.append(chunk_id)
            lengths.append(len(terms))
            for word, count in Counter(terms).items():
                term_of_posting.append(vocabulary.setdefault(word, len(vocabulary)))
                tf_of_posting.append(count)
            doc_of_posting.extend([doc] * (len(term_of_posting) - len(doc_of_posting)))
        if len(set(self._chunk_ids)) != len(self._chunk_ids):
            duplicates = sorted(i for i, n in Counter(self._chunk_ids).items() if n > 1)
            raise ValueError(f"Duplicate chunk ids in the BM25 index: {', '.join(duplicates[:5])}.")
        self._terms = list(vocabulary)
        self._vocabulary = vocabulary
        self._accent_map = _accent_map(seen_by_lang, vocabulary, term_of_posting)
        # Group postings by term (stable sort keeps chunks in order within a term).
        term_ids = np.asarray(term_of_posting, dtype=np.int64)
        order = np.argsort(term_ids, kind="stable")
        self._indptr = np.concatenate(([0], np.cumsum(np.bincount(term_ids, minlength=len(vocabulary))))).astype(np.int64)
        self._docs = np.asarray(doc_of_posting, dtype=np.int32)[order]
        self._tf = np.asarray(tf_of_posting, dtype=np.int32)[order]
        self._lengths = np.asarray(lengths, dtype=np.int32)
        self._prepare()

    def __len__(self) -> int:
        """Number of chunks indexed."""
        return len(self._chunk_ids)

    @property
    def chunk_ids(self) -> list[str]:
        """Chunk ids in build order."""
        return list(self._chunk_ids)

    def query_terms(self, query: str, lang: str | None = None) -> list[str]:
        """The terms a question is searched with (its analysis, accents restored from the corpus)."""
        tokens = tokenise(query)
        code = _language(lang, tokens)
        terms: list[str] = []
        for token in tokens:
            word = term(token, code)
            if word is None:
                continue
            # An unaccented word takes the term its accented spelling has in the corpus.
            if token.isascii():
                word = self._accent_map.get(token, word)
            terms.append(word)
        return terms

    def term_weights(self, terms: Iterable[str]) -> dict[str, float]:
        """The IDF of each term; a term no chunk has weighs as much as the rarest indexed one."""
        rarest = float(self._idf.max()) if len(self._idf) else 1.0
        return {t: float(self._idf[self._vocabulary[t]]) if t in self._vocabulary else rarest for t in terms}

    def search(self, query: str, k: int, allowed: Callable[[str], bool] | None = None, lang: str | None = None) -> list[tuple[str, float]]:
        """The k best `(chunk_id, score)` for a question, best first, keeping only ids `allowed` accepts.

        `allowed` is called on candidates in rank order until k are accepted. `lang` is the
        question's language, "fr" or "en"; None or an unsupported language is guessed.
        """
        if k <= 0 or not self._chunk_ids:
            return []
        # Sum each query term's precomputed BM25 contributions per chunk.
        counts = Counter(self._vocabulary[t] for t in self.query_terms(query, lang) if t in self._vocabulary)
        if not counts:
            return []
        slices = [slice(self._indptr[t], self._indptr[t + 1]) for t in counts]
        docs = np.concatenate([self._docs[s] for s in slices])
        weights = np.concatenate([self._impact[s] * (self._idf[t] * n) for s, (t, n) in zip(slices, counts.items(), strict=True)])
        scores = np.bincount(docs, weights=weights, minlength=len(self._chunk_ids))
        # Rank the matching chunks; stable so that ties keep build order.
        candidates = np.flatnonzero(scores > 0)
        ranked = candidates[np.argsort(-scores[candidates], kind="stable")]
        results: list[tuple[str, float]] = []
        for doc in ranked.tolist():
            chunk_id = self._chunk_ids[doc]
            if allowed is None or allowed(chunk_id):
                results.append((chunk_id, float(scores[doc])))
                if len(results) == k:
                    break
        return results

    def save(self, path: str | Path) -> None:
        """Write the index to one .npz file at `path` (replaced atomically)."""
        path = Path(path)
        header = {
            "format": FORMAT,
            "format_version": FORMAT_VERSION,
            "analysis_version": ANALYSIS_VERSION,
            "k1": self.k1,
            "b": self.b,
            "chunk_ids": self._chunk_ids,
            "terms": self._terms,
            "accent_map": self._accent_map,
        }
        header_bytes = np.frombuffer(json.dumps(header, ensure_ascii=False).encode("utf-8"), dtype=np.uint8)
        temporary = path.with_name(path.name + ".tmp")
        # Write through a file handle (numpy would append ".npz" to a bare name), then rename.
        with open(temporary, "wb") as handle:
            np.savez_compressed(handle, header=header_bytes, indptr=self._indptr, docs=self._docs, tf=self._tf, lengths=self._lengths)
        os.replace(temporary, path)

    @classmethod
    def load(cls, path: str | Path) -> BM25Index:
        """Read an index written by `save`; raises IndexError_ if missing, corrupt or built differently."""
        path = Path(path)
        try:
            with np.load(path, allow_pickle=False) as arrays:
                header = json.loads(arrays["header"].tobytes().decode("utf-8"))
                indptr, docs, tf, lengths = (arrays[name] for name in ("indptr", "docs", "tf", "lengths"))
        except FileNotFoundError as error:
            raise IndexError_(
                f"L'index lexical est introuvable ({path}) : reconstruisez l'index avec garant-ingest.",
                f"The lexical index is missing ({path}): rebuild the index with garant-ingest.",
            ) from error
        except (OSError, ValueError, KeyError, UnicodeDecodeError, zipfile.BadZipFile) as error:
            raise _unreadable(path, str(error)) from error
        if header.get("format") != FORMAT or header.get("format_version") != FORMAT_VERSION:
            raise _unreadable(path, "unknown format")
        if header.get("analysis_version") != ANALYSIS_VERSION:
            raise IndexError_(
                f"L'index lexical ({path}) a été construit avec une autre analyse du texte : reconstruisez l'index avec garant-ingest.",
                f"The lexical index ({path}) was built with another text analysis: rebuild the index with garant-ingest.",
            )
        index = cls.__new__(cls)
        try:
            index.k1, index.b = float(header["k1"]), float(header["b"])
            index._chunk_ids = list(header["chunk_ids"])
            index._terms = list(header["terms"])
            index._accent_map = dict(header["accent_map"])
        except (KeyError, TypeError, ValueError) as error:
            raise _unreadable(path, f"bad header: {error}") from error
        index._vocabulary = {word: i for i, word in enumerate(index._terms)}
        index._indptr = indptr.astype(np.int64)
        index._docs = docs.astype(np.int32)
        index._tf = tf.astype(np.int32)
        index._lengths = lengths.astype(np.int32)
        if not index._consistent():
            raise _unreadable(path, "inconsistent arrays")
        index._prepare()
        return index

    def _prepare(self) -> None:
        """Precompute idf per term and the BM25 term-frequency factor per posting."""
        n_chunks = len(self._chunk_ids)
        df = np.diff(self._indptr).astype(np.float64)
        self._idf = np.log1p((n_chunks - df + 0.5) / (df + 0.5))
        average = float(self._lengths.mean()) if n_chunks and self._lengths.any() else 1.0
        norm = self.k1 * (1.0 - self.b + self.b * self._lengths[self._docs] / average)
        self._impact = self._tf * (self.k1 + 1.0) / (self._tf + norm)

    def _consistent(self) -> bool:
        """Whether loaded arrays fit together (so a damaged file cannot index out of bounds)."""
        n_terms, n_chunks, n_postings = len(self._terms), len(self._chunk_ids), len(self._docs)
        return (
            self._indptr.ndim == self._docs.ndim == self._tf.ndim == self._lengths.ndim == 1
            and len(self._indptr) == n_terms + 1
            and len(self._lengths) == n_chunks
            and len(self._tf) == n_postings
            and int(self._indptr[0]) == 0
            and int(self._indptr[-1]) == n_postings
            and bool(np.all(np.diff(self._indptr) >= 0))
            and (n_postings == 0 or (int(self._docs.min()) >= 0 and int(self._docs.max()) < n_chunks))
            and bool(np.all(self._tf > 0))
        )


def _accent_map(seen_by_lang: dict[str, set[str]], vocabulary: dict[str, int], term_of_posting: list[int]) -> dict[str, str]:
    """For each accented corpus word, its unaccented spelling → the term it gave.

    When several accented words fold to one spelling with different terms ("pêche", "péché"),
    the term found in more chunks wins.
    """
    df = np.bincount(np.asarray(term_of_posting, dtype=np.int64), minlength=len(vocabulary))
    candidates: dict[str, dict[str, str]] = defaultdict(dict)
    for lang, tokens in seen_by_lang.items():
        for token in tokens:
            if token.isascii():
                continue
            word = term(token, lang)
            if word is not None:
                candidates[fold_accents(token)][word] = lang
    accent_map: dict[str, str] = {}
    for plain, words in candidates.items():
        best = max(sorted(words), key=lambda w: df[vocabulary[w]])
        # Only keep the entries that change something.
        if term(plain, words[best]) != best:
            accent_map[plain] = best
    return accent_map


def _language(lang: str | None, tokens: list[str]) -> str:
    """The analysis language of a text: the one given if supported, else guessed from its tokens."""
    try:
        code = normalise_language(lang)
    except ValueError:
        code = None
    return code or guess_language(tokens)


def _unreadable(path: Path, detail: str) -> IndexError_:
    """The error for a lexical index file that cannot be read."""
    return IndexError_(
        f"L'index lexical ({path}) est illisible ou endommagé ({detail}) : reconstruisez l'index avec garant-ingest.",
        f"The lexical index ({path}) is unreadable or damaged ({detail}): rebuild the index with garant-ingest.",
    )
