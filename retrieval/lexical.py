"""BM25 over paragraphs with Indonesian stemming (bm25s + PySastrawi).

A saved index describes itself: next to bm25s's files (which keep k1, b and the vocabulary),
`analyzer.json` says how texts became terms, so a loaded index knows whether it was built with
stemming and with today's word lists.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

import bm25s
import numpy as np

from retrieval.text import content_terms, lexical_rules

# bm25s logs an INFO line for every empty query; our callers handle that case.
logging.getLogger("bm25s").setLevel(logging.WARNING)

ANALYZER_FILE = "analyzer.json"
ANALYZER_FORMAT = 1
LENGTHS_FILE = "lengths.json"  # the average paragraph length in terms (bm25s does not save it)


@dataclass(frozen=True)
class Analyzer:
    """How paragraphs became BM25 terms."""

    stemming: bool
    rules: str  # retrieval.text.lexical_rules() at build time: word lists, tokenising, stemmer version

    @classmethod
    def current(cls, *, stemming: bool = True) -> Analyzer:
        """The analyzer a build would use today."""
        return cls(stemming, lexical_rules())

    def save(self, directory: Path) -> None:
        """Write analyzer.json (its format, stemming and rules) into `directory`."""
        text = json.dumps({"format": ANALYZER_FORMAT, **asdict(self)}, indent=2, sort_keys=True)
        (directory / ANALYZER_FILE).write_text(text, encoding="utf-8")

    @classmethod
    def read(cls, directory: Path) -> Analyzer | None:
        """The saved analyzer; None for a folder written before analyzer.json existed."""
        path = directory / ANALYZER_FILE
        if not path.exists():
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
        if data.get("format") != ANALYZER_FORMAT:
            raise ValueError(f"unsupported {ANALYZER_FILE} format {data.get('format')!r}")
        return cls(stemming=bool(data["stemming"]), rules=str(data["rules"]))


class LexicalIndex:
    """A BM25 index whose documents are paragraphs in index order."""

    def __init__(self, retriever: bm25s.BM25, analyzer: Analyzer, average_length: float) -> None:
        self._bm25 = retriever
        self.analyzer = analyzer
        self.average_length = average_length  # terms per paragraph: delta segments are scored with it

    @classmethod
    def build(cls, texts: list[str], *, use_stemming: bool = True, k1: float = 1.2, b: float = 0.75) -> LexicalIndex:
        """A BM25 index of `texts` (a text without terms stands as one empty term)."""
        analyzer = Analyzer.current(stemming=use_stemming)
        corpus_terms = [content_terms(t, use_stemming=use_stemming) or [""] for t in texts]
        retriever = bm25s.BM25(k1=k1, b=b)
        retriever.index(corpus_terms, show_progress=False)
        return cls(retriever, analyzer, float(np.mean([len(t) for t in corpus_terms])) if corpus_terms else 1.0)

    @property
    def k1(self) -> float:
        """BM25's term-frequency saturation."""
        return float(self._bm25.k1)

    @property
    def b(self) -> float:
        """BM25's length normalisation."""
        return float(self._bm25.b)

    @property
    def use_stemming(self) -> bool:
        """Whether the terms were stemmed (Sastrawi)."""
        return self.analyzer.stemming

    def scores(self, query_terms: list[str]) -> np.ndarray:
        """BM25 score of every paragraph for the query terms (zeros when none are known)."""
        known = [t for t in query_terms if t in self._bm25.vocab_dict]
        n_docs = int(self._bm25.scores["num_docs"])
        if not known:
            return np.zeros(n_docs, dtype=np.float32)
        return np.asarray(self._bm25.get_scores(known), dtype=np.float32)

    def reweighted_scores(self, query_terms: Sequence[str], weight: Callable[[str], float]) -> np.ndarray:
        """BM25 with each term's precomputed scores multiplied by `weight(term)`: a base segment scored
        with the IDF of a whole version (its deltas included) instead of its own. Reads the term's
        column of bm25s's score matrix, as `scores` does."""
        matrix = self._bm25.scores
        out = np.zeros(int(matrix["num_docs"]), dtype=np.float32)
        for term in query_terms:
            tid = self._bm25.vocab_dict.get(term)
            if tid is None:
                continue
            lo, hi = int(matrix["indptr"][tid]), int(matrix["indptr"][tid + 1])
            out[matrix["indices"][lo:hi]] += matrix["data"][lo:hi] * np.float32(weight(term))
        return out

    def document_frequency(self, term: str) -> int:
        """How many paragraphs contain `term` (0 when unknown)."""
        token_id = self._bm25.vocab_dict.get(term)
        if token_id is None:
            return 0
        indptr = self._bm25.scores["indptr"]
        return int(indptr[token_id + 1] - indptr[token_id])

    def document_frequencies(self) -> dict[str, int]:
        """Every term with the number of paragraphs it is found in."""
        df = np.diff(np.asarray(self._bm25.scores["indptr"]))
        return {term: int(df[tid]) for term, tid in self._bm25.vocab_dict.items() if tid < len(df)}

    def common_terms(self, share: float) -> frozenset[str]:
        """Terms found in at least `share` of the paragraphs."""
        cutoff = share * self.num_docs
        return frozenset(term for term, df in self.document_frequencies().items() if df >= cutoff)

    @property
    def num_docs(self) -> int:
        """How many paragraphs the index holds."""
        return int(self._bm25.scores["num_docs"])

    def save(self, directory: Path) -> None:
        """bm25s's files, then analyzer.json next to them."""
        self._bm25.save(str(directory))
        self.analyzer.save(directory)
        (directory / LENGTHS_FILE).write_text(json.dumps({"average_length": self.average_length}), encoding="utf-8")

    @classmethod
    def load(cls, directory: Path, *, unlabelled: Analyzer | None = None) -> LexicalIndex:
        """Read a saved index with the analyzer it was saved with, its score matrix memory-mapped (a
        question reads only its terms' columns).

        `unlabelled` is what a folder without analyzer.json was built with (the caller knows from
        elsewhere); without it such a folder is refused.
        """
        analyzer = Analyzer.read(directory) or unlabelled
        if analyzer is None:
            raise ValueError(f"{directory} does not say how its terms were made ({ANALYZER_FILE} missing)")
        lengths = directory / LENGTHS_FILE
        average = float(json.loads(lengths.read_text(encoding="utf-8"))["average_length"]) if lengths.exists() else 1.0
        return cls(bm25s.BM25.load(str(directory), mmap=True), analyzer, average)
