"""The index in memory: what search needs, whether built just now or loaded from disk."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import faiss
import numpy as np

from retrieval.corpus import ArticleMeta, Paragraph
from retrieval.index.layout import IndexManifest
from retrieval.lexical import LexicalIndex


@dataclass
class SearchIndex:
    """Everything search needs, loaded in memory."""

    manifest: IndexManifest
    articles: dict[str, ArticleMeta]
    paragraphs: list[Paragraph]
    sentence_offsets: np.ndarray  # paragraph i's sentences are rows offsets[i]:offsets[i+1]
    paragraph_vectors: np.ndarray
    sentence_vectors: np.ndarray
    dense: faiss.Index
    lexical: LexicalIndex
    text_hashes: list[str] = field(default_factory=list)  # per paragraph, for vector reuse
    path: Path | None = None
    embedded_texts: int = 0  # how many texts the build that made this object had to embed

    def sentence_rows(self, paragraph: int) -> range:
        return range(int(self.sentence_offsets[paragraph]), int(self.sentence_offsets[paragraph + 1]))


def text_hash(text: str) -> str:
    """Names a text's content: vectors are reused by it."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]
