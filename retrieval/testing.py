"""Test doubles for the retrieval core (shipped, so tests and benchmarks share them)."""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence

import numpy as np

from retrieval.embedding import Embedder
from retrieval.search import Query
from retrieval.text import flatten_terms, question_terms


class CountingEmbedder:
    """A real embedder, counting how many passages it is asked to embed (vector reuse checks)."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim
        self.passages = 0

    def embed_passages(self, texts: Sequence[str], progress: Callable[[int], None] | None = None) -> np.ndarray:
        """The inner embedder's vectors, counting the passages."""
        self.passages += len(texts)
        return self.inner.embed_passages(texts, progress)

    def embed_query(self, text: str) -> np.ndarray:
        """The inner embedder's query vector (not counted)."""
        return self.inner.embed_query(text)


class HashingEmbedder:
    """A deterministic stand-in for the real model: each lower-cased word adds a fixed random
    direction, so texts sharing words are close. No model files, microseconds per text: for unit
    tests of search, fusion and answer choice that must not depend on the real model."""

    name = "hashing-test-embedder"

    def __init__(self, dim: int = 64) -> None:
        self.dim = dim

    def _vector(self, text: str) -> np.ndarray:
        total = np.zeros(self.dim, dtype=np.float32)
        for word in text.lower().split():
            word = word.strip(".,;:!?\"'()")
            if word:
                seed = int.from_bytes(hashlib.sha256(word.encode()).digest()[:8], "little")
                total += np.random.default_rng(seed).standard_normal(self.dim).astype(np.float32)
        norm = float(np.linalg.norm(total))
        return total / norm if norm > 0 else total

    def embed_passages(self, texts: Sequence[str], progress: Callable[[int], None] | None = None) -> np.ndarray:
        """Each text's hashed-words vector."""
        rows = np.stack([self._vector(t) for t in texts]) if texts else np.zeros((0, self.dim), np.float32)
        if progress is not None:
            progress(len(texts))
        return rows

    def embed_query(self, text: str) -> np.ndarray:
        """The question's hashed-words vector."""
        return self._vector(text)


def query_for(text: str, embedder: Embedder) -> Query:
    """A question prepared as the engine prepares it (terms per word, BM25 terms, vector), without an
    engine: for tests of search and answer choice on toy indexes."""
    groups = tuple(question_terms(text))
    return Query(text, embedder.embed_query(text), flatten_terms(groups), groups)
