"""The index in memory: what search needs, whether built just now or loaded from disk."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import faiss
import numpy as np

from retrieval.corpus import ArticleMeta, Paragraph
from retrieval.index.errors import IndexCorruptError
from retrieval.index.layout import IndexManifest
from retrieval.index.segment import RowSequence, Segment, VersionTerms
from retrieval.lexical import LexicalIndex


class _Rows(RowSequence):
    """The paragraphs of every segment as one sequence of rows."""

    def __init__(self, segments: Sequence[Segment], starts: np.ndarray) -> None:
        self._segments, self._starts = segments, starts

    def __len__(self) -> int:
        return int(self._starts[-1])

    def _at(self, row: int) -> Paragraph:
        at = int(np.searchsorted(self._starts, row, side="right")) - 1
        return self._segments[at].paragraphs[row - int(self._starts[at])]

    def __iter__(self) -> Iterator[Paragraph]:
        for segment in self._segments:
            yield from segment.paragraphs


@dataclass
class SearchIndex:
    """Everything search needs: the version's segments (base first) and the rows of dead articles.

    Rows are numbered across segments in order (the base's first). Building and loading both end
    in this constructor: it checks that vectors, FAISS, BM25 and paragraphs agree with the manifest.
    """

    manifest: IndexManifest
    segments: list[Segment]
    dead: frozenset[tuple[str, str]] = frozenset()  # (segment name, article id) left out of search
    path: Path | None = None  # the version folder it was loaded from or saved to
    embedded_texts: int = 0  # how many texts the build that made this object had to embed
    starts: np.ndarray = field(init=False, repr=False)  # segment i's paragraph rows: [i]:[i+1]
    sentence_starts: np.ndarray = field(init=False, repr=False)  # segment i's sentence rows
    dead_rows: list[np.ndarray] = field(init=False, repr=False)  # per segment, its dead rows (own numbering)

    def __post_init__(self) -> None:
        self.starts = np.zeros(len(self.segments) + 1, dtype=np.int64)
        self.starts[1:] = np.cumsum([s.size for s in self.segments])
        self.sentence_starts = np.zeros(len(self.segments) + 1, dtype=np.int64)
        self.sentence_starts[1:] = np.cumsum([s.sentences for s in self.segments])
        self.dead_rows = []
        for segment in self.segments:
            spans = [segment.article_rows[a] for name, a in self.dead if name == segment.name]
            rows = [np.arange(a, b, dtype=np.int64) for a, b in spans]
            self.dead_rows.append(np.sort(np.concatenate(rows)) if rows else np.zeros(0, dtype=np.int64))
        self._check_consistent()

    def _check_consistent(self) -> None:
        m = self.manifest
        where = self.path.name if self.path is not None else "built in memory"
        if not self.segments or not self.segments[0].is_base:
            raise IndexCorruptError(f"index version {where} has no base segment")
        if any(s.lexical.analyzer.rules != m.chunking.get("lexical") for s in self.segments):
            raise IndexCorruptError(f"index version {where}: BM25 and manifest name different term rules")
        for s in self.segments:
            if (
                len(s.paragraphs) != s.size
                or s.paragraph_vectors.shape[1:] != (m.dim,)
                or s.sentence_vectors.shape[1:] != (m.dim,)
                or s.dense.ntotal != s.size
                or s.lexical.num_docs != s.size
                or len(s.sentence_offsets) != s.size + 1
                or int(s.sentence_offsets[-1]) != s.sentences
            ):
                raise IndexCorruptError(f"index version {where}: segment {s.name} has inconsistent sizes")
        if int(self.starts[-1]) != m.paragraphs or int(self.sentence_starts[-1]) != m.sentences:
            raise IndexCorruptError(f"index version {where} has inconsistent sizes")

    # -- what every reader sees: one sequence of rows ----------------------------------------

    @cached_property
    def paragraphs(self) -> Sequence[Paragraph]:
        """Every paragraph, by row (dead ones too: search leaves them out)."""
        if len(self.segments) == 1:
            return self.segments[0].paragraphs
        return _Rows(self.segments, self.starts)

    @cached_property
    def articles(self) -> Mapping[str, ArticleMeta]:
        """The live articles by id (a later segment's version of an article wins)."""
        merged: dict[str, ArticleMeta] = {}
        for segment in self.segments:
            merged.update((a, meta) for a, meta in segment.articles.items() if (segment.name, a) not in self.dead)
        return merged

    @cached_property
    def lexical(self) -> LexicalIndex | VersionTerms:
        """Term statistics over the version (the base's bm25s index itself when there is no delta)."""
        base = self.segments[0].lexical
        if len(self.segments) == 1 and isinstance(base, LexicalIndex):
            return base
        return VersionTerms(self.segments)

    @cached_property
    def terms(self) -> VersionTerms:
        """Term statistics and per-segment BM25 over the version."""
        return VersionTerms(self.segments)

    @cached_property
    def sentence_offsets(self) -> np.ndarray:
        """Paragraph row i's sentences are rows [i]:[i+1] (across segments)."""
        if len(self.segments) == 1:
            return np.asarray(self.segments[0].sentence_offsets)
        parts = [np.zeros(1, dtype=np.int64)]
        for segment, first in zip(self.segments, self.sentence_starts[:-1].tolist(), strict=True):
            parts.append(np.asarray(segment.sentence_offsets[1:], dtype=np.int64) + first)
        return np.concatenate(parts)

    @cached_property
    def paragraph_vectors(self) -> np.ndarray:
        """Every paragraph's vector, by row (copied together when there are deltas: tools and tests)."""
        if len(self.segments) == 1:
            return self.segments[0].paragraph_vectors
        return np.concatenate([s.paragraph_vectors for s in self.segments])

    @cached_property
    def sentence_vectors(self) -> np.ndarray:
        """Every sentence's vector, by sentence row (copied together when there are deltas)."""
        if len(self.segments) == 1:
            return self.segments[0].sentence_vectors
        return np.concatenate([s.sentence_vectors for s in self.segments])

    @property
    def dense(self) -> faiss.Index:
        """The FAISS index of a version without deltas (a version with deltas is searched per segment)."""
        if len(self.segments) != 1:
            raise TypeError("this version has delta segments: search each segment's FAISS index")
        return self.segments[0].dense

    @cached_property
    def live_paragraphs(self) -> int:
        """Paragraph rows not left out as dead."""
        return int(self.starts[-1]) - sum(len(rows) for rows in self.dead_rows)

    @cached_property
    def text_hashes(self) -> list[str]:
        """Per paragraph, the hash its vector is reused by."""
        return [text_hash(p.text) for p in self.paragraphs]

    def segment_of(self, row: int) -> int:
        """Which segment a paragraph row is in."""
        return int(np.searchsorted(self.starts, row, side="right")) - 1

    def sentence_rows(self, paragraph: int) -> range:
        """Index rows of the sentences of paragraph row `paragraph`."""
        offsets = self.sentence_offsets
        return range(int(offsets[paragraph]), int(offsets[paragraph + 1]))

    def _sentence_matrix(self, flat: np.ndarray) -> np.ndarray:
        """The sentence vectors of global sentence rows `flat` (ascending within each segment)."""
        if len(self.segments) == 1:
            return self.segments[0].sentence_matrix(flat)
        out = np.empty((len(flat), self.manifest.dim), dtype=np.float32)
        at = np.searchsorted(self.sentence_starts, flat, side="right") - 1
        for i, segment in enumerate(self.segments):
            mask = at == i
            if mask.any():
                out[mask] = segment.sentence_matrix(flat[mask] - self.sentence_starts[i])
        return out

    def sentence_cosines(self, rows: Sequence[int], vector: np.ndarray) -> list[np.ndarray]:
        """For each paragraph row, its sentences' cosines to `vector` (one product for all of them)."""
        pool = np.asarray(rows, dtype=np.int64)
        offsets = self.sentence_offsets
        starts, stops = offsets[pool], offsets[pool + 1]
        lengths = stops - starts
        ends = np.cumsum(lengths)
        flat = np.repeat(starts - (ends - lengths), lengths) + np.arange(int(ends[-1]) if len(ends) else 0)
        scores = self._sentence_matrix(flat) @ vector
        return [scores[end - length : end] for end, length in zip(ends.tolist(), lengths.tolist(), strict=True)]

    def paragraph_cosines(self, rows: Sequence[int], vector: np.ndarray) -> np.ndarray:
        """Each paragraph row's cosine to `vector`."""
        if len(self.segments) == 1:
            return np.asarray(self.segments[0].paragraph_matrix(list(rows)) @ vector)
        wanted = np.asarray(rows, dtype=np.int64)
        out = np.empty(len(wanted), dtype=np.float32)
        at = np.searchsorted(self.starts, wanted, side="right") - 1
        for i, segment in enumerate(self.segments):
            (where,) = np.nonzero(at == i)
            if len(where):
                matrix = segment.paragraph_matrix(wanted[where] - self.starts[i])
                for j, row_vector in zip(where.tolist(), matrix, strict=True):
                    out[j] = row_vector @ vector  # one row at a time, as before: the same float sums
        return out


def text_hash(text: str) -> str:
    """Names a text's content: vectors are reused by it."""
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]
