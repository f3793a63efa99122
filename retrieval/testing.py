"""Test doubles for the retrieval core (shipped, so tests and benchmarks share them)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from retrieval.embedding import Embedder


class CountingEmbedder:
    """A real embedder, counting how many passages it is asked to embed (vector reuse checks)."""

    def __init__(self, inner: Embedder) -> None:
        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim
        self.passages = 0

    def embed_passages(self, texts: Sequence[str], progress: Callable[[int], None] | None = None) -> np.ndarray:
        self.passages += len(texts)
        return self.inner.embed_passages(texts, progress)

    def embed_query(self, text: str) -> np.ndarray:
        return self.inner.embed_query(text)
