"""What search and answer choice read about the articles, whichever store holds them.

The local store (`retrieval.index.SearchIndex`, files on disk) holds every paragraph in memory; the
PostgreSQL store (`retrieval.store.postgres`) fetches, per question, only the paragraphs the searches
found (and the one before each). Fusion (`retrieval.search`), the answer model's features
(`retrieval.answer_features`) and quote choice (`retrieval.quotes`) read either through `Passages`.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol

import numpy as np

from config.errors import BeritaQAError
from retrieval.corpus import ArticleMeta, Paragraph

if TYPE_CHECKING:
    from retrieval.search import Hits, Query, SearchDepth


class TermStats(Protocol):
    """Document frequencies of the lexical terms over the whole corpus (for IDF weights)."""

    @property
    def num_docs(self) -> int:
        """Paragraphs in the corpus."""
        ...

    def document_frequency(self, term: str) -> int:
        """How many paragraphs contain `term` (0 when unknown)."""
        ...

    def common_terms(self, share: float) -> frozenset[str]:
        """Terms found in at least `share` of the paragraphs."""
        ...


class Passages(Protocol):
    """Paragraphs by row, their articles and sentences, and cosines to a question's vector.

    Row `i - 1` is the paragraph before row `i` whenever both belong to the same article (answer
    choice reads the previous paragraph, where "dia" or "perjanjian ini" is introduced).
    """

    @property
    def paragraphs(self) -> Sequence[Paragraph]:
        """The paragraphs, by row."""
        ...

    @property
    def articles(self) -> Mapping[str, ArticleMeta]:
        """The articles of these paragraphs, by id."""
        ...

    @property
    def lexical(self) -> TermStats:
        """Corpus-wide term statistics."""
        ...

    def sentence_rows(self, paragraph: int) -> range:
        """Sentence rows of a paragraph row, consecutive and in text order."""
        ...

    def sentence_cosines(self, rows: Sequence[int], vector: np.ndarray) -> list[np.ndarray]:
        """For each paragraph row, the cosine of each of its sentences to `vector`."""
        ...

    def paragraph_cosines(self, rows: Sequence[int], vector: np.ndarray) -> np.ndarray:
        """The cosine of each paragraph row to `vector`."""
        ...


class StoreError(BeritaQAError, RuntimeError):
    """The PostgreSQL article store cannot be reached or used."""


class StoreUnavailable(StoreError):
    """The article database cannot be reached right now (down, restarting, network): try again later."""


class StoreMismatchError(StoreError):
    """The database holds vectors of another embedding model (or dimension) than the bot's."""


@dataclass(frozen=True)
class StoreCounts:
    """How much a store holds."""

    articles: int
    paragraphs: int
    sentences: int


class ArticleStore(Protocol):
    """A store the engine searches per question (the PostgreSQL one) instead of an index in memory."""

    @property
    def description(self) -> str:
        """Which database, for logs and messages (never a password)."""
        ...

    def gather(self, query: Query, depth: SearchDepth) -> Hits:
        """The dense and lexical hits for a question, and the passages their rows are rows of."""
        ...

    def counts(self) -> StoreCounts:
        """Articles, paragraphs and sentences stored now."""
        ...

    def known_terms(self, terms: Collection[str]) -> frozenset[str]:
        """Which of `terms` some stored paragraph holds, in one round trip; StoreUnavailable when the
        database cannot be reached."""
        ...

    def close(self) -> None:
        """Release the connections."""
        ...
