"""BM25 over paragraphs with Indonesian stemming (bm25s + PySastrawi)."""

from __future__ import annotations

import logging
from pathlib import Path

import bm25s
import numpy as np

from retrieval.text import content_terms

# bm25s logs an INFO line for every empty query; our callers handle that case.
logging.getLogger("bm25s").setLevel(logging.WARNING)


class LexicalIndex:
    """A BM25 index whose documents are paragraphs in index order."""

    def __init__(self, retriever: bm25s.BM25, use_stemming: bool = True) -> None:
        self._bm25 = retriever
        self.use_stemming = use_stemming

    @classmethod
    def build(cls, texts: list[str], *, use_stemming: bool = True, k1: float = 1.2, b: float = 0.75) -> LexicalIndex:
        corpus_terms = [content_terms(t, use_stemming=use_stemming) or [""] for t in texts]
        retriever = bm25s.BM25(k1=k1, b=b)
        retriever.index(corpus_terms, show_progress=False)
        return cls(retriever, use_stemming)

    def scores(self, query_terms: list[str]) -> np.ndarray:
        """BM25 score of every paragraph for the query terms (zeros when none are known)."""
        known = [t for t in query_terms if t in self._bm25.vocab_dict]
        n_docs = int(self._bm25.scores["num_docs"])
        if not known:
            return np.zeros(n_docs, dtype=np.float32)
        return np.asarray(self._bm25.get_scores(known), dtype=np.float32)

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
        return int(self._bm25.scores["num_docs"])

    def save(self, directory: Path) -> None:
        self._bm25.save(str(directory))

    @classmethod
    def load(cls, directory: Path, *, use_stemming: bool = True) -> LexicalIndex:
        return cls(bm25s.BM25.load(str(directory)), use_stemming)
