"""The index in memory: what search needs, whether built just now or loaded from disk."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import faiss
import numpy as np

from retrieval.corpus import ArticleMeta, Paragraph
from retrieval.index.errors import IndexCorruptError
from retrieval.index.layout import IndexManifest
from retrieval.lexical import LexicalIndex


@dataclass
class SearchIndex:
    """Everything search needs, loaded in memory.

    Building and loading both end in this constructor: it derives the sentence offsets and checks
    that vectors, FAISS, BM25 and paragraphs agree with the manifest (counts, BM25 term rules).
    """

    manifest: IndexManifest
    articles: dict[str, ArticleMeta]
    paragraphs: list[Paragraph]
    paragraph_vectors: np.ndarray
    sentence_vectors: np.ndarray
    dense: faiss.Index
    lexical: LexicalIndex
    path: Path | None = None  # the version folder it was loaded from or saved to
    embedded_texts: int = 0  # how many texts the build that made this object had to embed
    sentence_offsets: np.ndarray = field(init=False, repr=False)  # paragraph i's sentences: rows [i]:[i+1]

    def __post_init__(self) -> None:
        self.sentence_offsets = np.zeros(len(self.paragraphs) + 1, dtype=np.int64)
        self.sentence_offsets[1:] = np.cumsum([len(p.sentences) for p in self.paragraphs])
        self._check_consistent()

    def _check_consistent(self) -> None:
        m = self.manifest
        where = self.path.name if self.path is not None else "built in memory"
        if self.lexical.analyzer.rules != m.chunking.get("lexical"):
            raise IndexCorruptError(f"index version {where}: BM25 and manifest name different term rules")
        if (
            len(self.paragraphs) != m.paragraphs
            or self.paragraph_vectors.shape != (m.paragraphs, m.dim)
            or self.sentence_vectors.shape != (m.sentences, m.dim)
            or self.dense.ntotal != m.paragraphs
            or self.lexical.num_docs != m.paragraphs
            or int(self.sentence_offsets[-1]) != m.sentences
        ):
            raise IndexCorruptError(f"index version {where} has inconsistent sizes")

    @cached_property
    def text_hashes(self) -> list[str]:
        """Per paragraph, the hash its vector is reused by."""
        return [text_hash(p.text) for p in self.paragraphs]

    def sentence_rows(self, paragraph: int) -> range:
        """Index rows of the sentences of paragraph row `paragraph`."""
        return range(int(self.sentence_offsets[paragraph]), int(self.sentence_offsets[paragraph + 1]))

    def sentence_cosines(self, rows: Sequence[int], vector: np.ndarray) -> list[np.ndarray]:
        """For each paragraph row, its sentences' cosines to `vector` (one product for all of them)."""
        pool = np.asarray(rows, dtype=np.int64)
        starts, stops = self.sentence_offsets[pool], self.sentence_offsets[pool + 1]
        lengths = stops - starts
        ends = np.cumsum(lengths)
        flat = np.repeat(starts - (ends - lengths), lengths) + np.arange(int(ends[-1]) if len(ends) else 0)
        scores = self.sentence_vectors[flat] @ vector
        return [scores[end - length : end] for end, length in zip(ends.tolist(), lengths.tolist(), strict=True)]

    def paragraph_cosines(self, rows: Sequence[int], vector: np.ndarray) -> np.ndarray:
        """Each paragraph row's cosine to `vector`."""
        return np.asarray(self.paragraph_vectors[list(rows)] @ vector)


def text_hash(text: str) -> str:
    """Names a text's content: vectors are reused by it."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]
