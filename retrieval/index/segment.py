"""One segment of an index version: a set of whole articles with their vectors, FAISS and BM25.

A version is a base segment plus small delta segments (one per ingest command) and a list of dead
articles; FORMAT.md describes the files. Texts live in one UTF-8 blob read through offset arrays,
so loading a million paragraphs builds no million Python objects: a `ParagraphTable` makes a
`Paragraph` when a row is read. A loaded segment's texts and the vectors a question needs are read
from their files by range (`FileBytes`, `FileRows`), not through memory maps: touched pages of a map
stay in the process's resident memory, and a serving process came to hold gigabytes of them.

A delta segment's BM25 (`DeltaLexical`) keeps raw term counts and is scored at question time with
the statistics of the whole version (document frequencies and paragraph count of every segment,
the base's average length), so a term new to the corpus weighs in a one-article segment what it
would weigh after a full rebuild. The base's precomputed bm25s scores are scaled per question term
to the version's IDF as well (`LexicalIndex.reweighted_scores`).
"""

from __future__ import annotations

import json
import math
import os
import weakref
from collections.abc import Iterator, Sequence
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, overload

import faiss
import numpy as np

from retrieval.corpus import FINGERPRINT_MODULUS, Article, ArticleMeta, Paragraph, Sentence, article_fingerprint
from retrieval.lexical import Analyzer, LexicalIndex
from retrieval.text import content_terms

# Files of a segment folder
TEXTS = "texts.bin"
TEXT_OFFSETS = "text_offsets.npy"
NUMBERS = "numbers.npy"
SENTENCE_OFFSETS = "sentence_offsets.npy"
SENTENCE_SPANS = "sentence_spans.npy"
ARTICLES = "articles.json"
PARAGRAPH_VECTORS = "paragraph_vectors.npy"
SENTENCE_VECTORS = "sentence_vectors.npy"
DENSE = "dense.faiss"
LEXICAL = "lexical"
DELTA_TERMS = "terms.json"
DELTA_POSTINGS = "postings.npy"  # int64 [terms + 1] offsets, then rows and counts below
DELTA_ROWS = "rows.npy"
DELTA_COUNTS = "counts.npy"
DELTA_LENGTHS = "lengths.npy"

PARAGRAPH_CACHE = 4096  # paragraphs kept made per table: a question reads its candidates several times


class RowSequence(Sequence[Paragraph]):
    """Paragraphs by row, made on read by `_at` (a slice gives a list)."""

    def __len__(self) -> int:
        raise NotImplementedError

    def _at(self, row: int) -> Paragraph:
        raise NotImplementedError

    @overload
    def __getitem__(self, row: int) -> Paragraph: ...
    @overload
    def __getitem__(self, row: slice) -> Sequence[Paragraph]: ...
    def __getitem__(self, row: int | slice) -> Paragraph | Sequence[Paragraph]:
        """The paragraph at `row` (a list for a slice)."""
        if isinstance(row, slice):
            return [self._at(i) for i in range(*row.indices(len(self)))]
        if row < 0:
            row += len(self)
        if not 0 <= row < len(self):
            raise IndexError(row)
        return self._at(row)


class FileRows:
    """Rows of a saved float matrix (.npy) read from the file with `os.preadv`, not through a memory map.

    Pages of a memory-mapped file that a process touches count in its resident memory (RssFile), with
    the read-around and fault-around of every fault: a bot answering questions from a 1M-paragraph
    index touched a few random vectors per question and, over its questions, came to hold gigabytes
    of vector pages. Read with `preadv`, the same pages stay in the kernel's page cache (shared,
    reclaimable) and the process holds only the rows it asked for.
    """

    def __init__(self, path: Path) -> None:
        mapped = np.load(path, mmap_mode="r")  # the header: shape, dtype and where the rows start
        if mapped.ndim != 2 or not isinstance(mapped, np.memmap):
            raise ValueError(f"{path} is not a matrix")
        self.shape: tuple[int, int] = (int(mapped.shape[0]), int(mapped.shape[1]))
        self.dtype = mapped.dtype
        self._offset, self._row_bytes = int(mapped.offset), int(mapped.shape[1]) * mapped.dtype.itemsize
        del mapped
        self._fd = os.open(path, os.O_RDONLY)
        weakref.finalize(self, os.close, self._fd)

    def __len__(self) -> int:
        return self.shape[0]

    def __getitem__(self, rows: np.ndarray | Sequence[int]) -> np.ndarray:
        """The rows `rows` (any order, repeats allowed) as a new [len(rows), dim] array."""
        wanted = np.asarray(rows, dtype=np.int64).reshape(-1)
        if not len(wanted):
            return np.empty((0, self.shape[1]), dtype=self.dtype)
        if int(wanted.min()) < 0 or int(wanted.max()) >= self.shape[0]:
            raise IndexError(f"row out of range 0..{self.shape[0] - 1}")
        unique, inverse = np.unique(wanted, return_inverse=True)
        out = np.empty((len(unique), self.shape[1]), dtype=self.dtype)
        # One read per run of consecutive rows (a paragraph's sentences are one run).
        breaks = np.flatnonzero(np.diff(unique) != 1) + 1
        for start, stop in zip([0, *breaks.tolist()], [*breaks.tolist(), len(unique)], strict=True):
            offset = self._offset + int(unique[start]) * self._row_bytes
            want = (stop - start) * self._row_bytes
            if os.preadv(self._fd, [out[start:stop].data.cast("B")], offset) != want:
                raise OSError(f"short read of vector rows at byte {offset}")
        return out[inverse.reshape(-1)]


class FileBytes:
    """A saved file's bytes read by range with `os.pread` (see `FileRows`: no memory map, so a
    question's few texts do not leave their pages resident in the process)."""

    def __init__(self, path: Path) -> None:
        self.size = path.stat().st_size
        self._fd = os.open(path, os.O_RDONLY)
        weakref.finalize(self, os.close, self._fd)

    def read(self, start: int, end: int) -> bytes:
        """Bytes [start, end)."""
        data = os.pread(self._fd, end - start, start)
        if len(data) != end - start:
            raise OSError(f"short read at byte {start}")
        return data


class ParagraphTable(RowSequence):
    """Paragraphs stored as arrays (texts blob, offsets, sentence spans), made into `Paragraph` on read."""

    def __init__(
        self,
        blob: np.ndarray | FileBytes,
        text_offsets: np.ndarray,
        numbers: np.ndarray,
        sentence_offsets: np.ndarray,
        spans: np.ndarray,
        article_ids: Sequence[str],
        article_starts: np.ndarray,
        headings: dict[int, str],
    ) -> None:
        self._blob, self._text_offsets, self._numbers = blob, text_offsets, numbers
        self._sentence_offsets, self._spans = sentence_offsets, spans
        self._article_ids, self._article_starts, self._headings = list(article_ids), article_starts, headings
        self._at = lru_cache(maxsize=PARAGRAPH_CACHE)(self._paragraph)  # type: ignore[method-assign]

    def __len__(self) -> int:
        return len(self._numbers)

    def __iter__(self) -> Iterator[Paragraph]:
        for row in range(len(self)):
            yield self._paragraph(row)  # a full pass would only evict the cache

    def _paragraph(self, row: int) -> Paragraph:
        start, end = int(self._text_offsets[row]), int(self._text_offsets[row + 1])
        raw = self._blob.read(start, end) if isinstance(self._blob, FileBytes) else self._blob[start:end].tobytes()
        text = raw.decode("utf-8")
        first, last = int(self._sentence_offsets[row]), int(self._sentence_offsets[row + 1])
        sentences = tuple(Sentence(int(a), int(b)) for a, b in self._spans[first:last].tolist())
        article = self._article_ids[int(np.searchsorted(self._article_starts, row, side="right")) - 1]
        return Paragraph(article, int(self._numbers[row]), text, sentences, self._headings.get(row))


class DeltaLexical:
    """A delta segment's BM25: raw term counts per paragraph, scored with the whole version's statistics."""

    def __init__(
        self,
        terms: dict[str, int],
        postings: np.ndarray,
        rows: np.ndarray,
        counts: np.ndarray,
        lengths: np.ndarray,
        analyzer: Analyzer,
    ) -> None:
        self.terms, self.postings, self.rows, self.counts, self.lengths = terms, postings, rows, counts, lengths
        self.analyzer = analyzer

    @classmethod
    def build(cls, texts: Sequence[str], *, use_stemming: bool = True) -> DeltaLexical:
        """Term counts of `texts` (with the same terms `LexicalIndex.build` makes)."""
        per_term: dict[str, dict[int, int]] = {}
        lengths = np.zeros(len(texts), dtype=np.float32)
        for row, text in enumerate(texts):
            terms = content_terms(text, use_stemming=use_stemming) or [""]
            lengths[row] = len(terms)
            for term in terms:
                docs = per_term.setdefault(term, {})
                docs[row] = docs.get(row, 0) + 1
        vocab = {term: i for i, term in enumerate(sorted(per_term))}
        postings = np.zeros(len(vocab) + 1, dtype=np.int64)
        rows: list[int] = []
        counts: list[int] = []
        for term in sorted(per_term):
            docs = per_term[term]
            rows += sorted(docs)
            counts += [docs[r] for r in sorted(docs)]
            postings[vocab[term] + 1] = len(rows)
        return cls(
            vocab,
            postings,
            np.asarray(rows, dtype=np.int32),
            np.asarray(counts, dtype=np.float32),
            lengths,
            Analyzer.current(stemming=use_stemming),
        )

    @property
    def num_docs(self) -> int:
        """Paragraphs in the segment."""
        return len(self.lengths)

    def document_frequency(self, term: str) -> int:
        """Paragraphs of the segment containing `term`."""
        tid = self.terms.get(term)
        return 0 if tid is None else int(self.postings[tid + 1] - self.postings[tid])

    def document_frequencies(self) -> dict[str, int]:
        """Every term of the segment with its document frequency."""
        df = np.diff(self.postings)
        return {term: int(df[tid]) for term, tid in self.terms.items()}

    def scores(self, query_terms: Sequence[str], stats: VersionTerms) -> np.ndarray:
        """BM25 (Lucene IDF, bm25s's k1 and b) of each paragraph, with the version's statistics."""
        out = np.zeros(self.num_docs, dtype=np.float32)
        n, avgdl = stats.num_docs, stats.average_length
        k1, b = stats.k1, stats.b
        for term in query_terms:
            tid = self.terms.get(term)
            if tid is None:
                continue
            lo, hi = int(self.postings[tid]), int(self.postings[tid + 1])
            idf = lucene_idf(n, stats.document_frequency(term))
            rows, tf = self.rows[lo:hi], self.counts[lo:hi]
            out[rows] += idf * tf / (k1 * ((1 - b) + b * self.lengths[rows] / avgdl) + tf)
        return out

    def save(self, directory: Path) -> None:
        """Term list, postings, counts and lengths, then analyzer.json."""
        directory.mkdir(parents=True, exist_ok=True)
        (directory / DELTA_TERMS).write_text(json.dumps(sorted(self.terms, key=self.terms.__getitem__)), "utf-8")
        for name, array in (
            (DELTA_POSTINGS, self.postings),
            (DELTA_ROWS, self.rows),
            (DELTA_COUNTS, self.counts),
            (DELTA_LENGTHS, self.lengths),
        ):
            np.save(directory / name, array)
        self.analyzer.save(directory)

    @classmethod
    def load(cls, directory: Path) -> DeltaLexical:
        """Read a saved delta BM25."""
        analyzer = Analyzer.read(directory)
        if analyzer is None:
            raise ValueError(f"{directory} has no analyzer.json")
        terms = {t: i for i, t in enumerate(json.loads((directory / DELTA_TERMS).read_text("utf-8")))}
        postings, rows, counts, lengths = (
            np.load(directory / name) for name in (DELTA_POSTINGS, DELTA_ROWS, DELTA_COUNTS, DELTA_LENGTHS)
        )
        if len(postings) != len(terms) + 1 or len(rows) != len(counts) or int(postings[-1]) != len(rows):
            raise ValueError(f"{directory}: postings do not match the term list")
        return cls(terms, postings, rows, counts, lengths, analyzer)


@dataclass
class Segment:
    """Whole articles with their paragraphs, vectors, FAISS and BM25 (base: bm25s; delta: `DeltaLexical`)."""

    name: str
    articles: dict[str, ArticleMeta]
    digests: dict[str, str]  # article id → content hash (what an update is recognised by)
    article_rows: dict[str, tuple[int, int]]  # article id → its paragraph rows [start, stop) in the segment
    paragraphs: Sequence[Paragraph]
    paragraph_vectors: np.ndarray
    sentence_vectors: np.ndarray
    sentence_offsets: np.ndarray  # paragraph i's sentences: rows [i]:[i+1]
    dense: faiss.Index
    faiss_type: str
    lexical: LexicalIndex | DeltaLexical
    files: dict[str, dict[str, Any]] = field(default_factory=dict)  # as saved: relative path → bytes, sha256
    # A saved segment's vector files read by row (the question path); None: the arrays above are read
    paragraph_rows: FileRows | None = None
    sentence_rows: FileRows | None = None
    # Sum of its articles' `article_fingerprint`s (mod 2**256), as the manifest lists it; None: not known yet
    fingerprint_sum: int | None = None

    def article_sum(self) -> int:
        """Sum (mod 2**256) of the `article_fingerprint` of every article of the segment (dead ones
        included): computed once, then kept in the manifest, so an update need not hash every article."""
        if self.fingerprint_sum is None:
            total = sum(article_fingerprint(a, self.digests[a], meta) for a, meta in self.articles.items())
            self.fingerprint_sum = total % FINGERPRINT_MODULUS
        return self.fingerprint_sum

    def paragraph_matrix(self, rows: np.ndarray | Sequence[int]) -> np.ndarray:
        """The vectors of paragraph rows `rows` (a new array, float32)."""
        source = self.paragraph_rows if self.paragraph_rows is not None else self.paragraph_vectors
        return np.asarray(source[np.asarray(rows, dtype=np.int64)], dtype=np.float32)

    def sentence_matrix(self, rows: np.ndarray | Sequence[int]) -> np.ndarray:
        """The vectors of sentence rows `rows` (a new array, float32)."""
        source = self.sentence_rows if self.sentence_rows is not None else self.sentence_vectors
        return np.asarray(source[np.asarray(rows, dtype=np.int64)], dtype=np.float32)

    @property
    def size(self) -> int:
        """Paragraph rows."""
        return len(self.paragraph_vectors)

    @property
    def sentences(self) -> int:
        """Sentence rows."""
        return len(self.sentence_vectors)

    @property
    def is_base(self) -> bool:
        """Whether BM25 is the bm25s index with precomputed scores (the base), not a delta's counts."""
        return isinstance(self.lexical, LexicalIndex)

    def describe(self) -> dict[str, Any]:
        """The segment as the manifest lists it."""
        return {
            "name": self.name,
            "kind": "base" if self.is_base else "delta",
            "paragraphs": self.size,
            "sentences": self.sentences,
            "articles": len(self.articles),
            "faiss_type": self.faiss_type,
            "article_sum": f"{self.article_sum():064x}",
        }


def article_layout(articles: Sequence[Article]) -> tuple[dict[str, tuple[int, int]], list[Paragraph]]:
    """Each article's paragraph rows and the paragraphs in row order."""
    rows: dict[str, tuple[int, int]] = {}
    paragraphs: list[Paragraph] = []
    for article in articles:
        rows[article.article_id] = (len(paragraphs), len(paragraphs) + len(article.paragraphs))
        paragraphs.extend(article.paragraphs)
    return rows, paragraphs


def sentence_offsets_of(paragraphs: Sequence[Paragraph]) -> np.ndarray:
    """Offsets of each paragraph's sentence rows (length paragraphs + 1)."""
    offsets = np.zeros(len(paragraphs) + 1, dtype=np.int64)
    offsets[1:] = np.cumsum([len(p.sentences) for p in paragraphs])
    return offsets


def write_corpus(segment: Segment, folder: Path) -> None:
    """The segment's texts, paragraph numbers, sentence spans and article catalogue."""
    paragraphs = segment.paragraphs
    encoded = [p.text.encode("utf-8") for p in paragraphs]
    text_offsets = np.zeros(len(encoded) + 1, dtype=np.int64)
    text_offsets[1:] = np.cumsum([len(e) for e in encoded])
    with (folder / TEXTS).open("wb") as handle:
        for chunk in encoded:
            handle.write(chunk)
    np.save(folder / TEXT_OFFSETS, text_offsets)
    np.save(folder / NUMBERS, np.asarray([p.number for p in paragraphs], dtype=np.int32))
    np.save(folder / SENTENCE_OFFSETS, segment.sentence_offsets)
    spans = np.asarray([(s.start, s.end) for p in paragraphs for s in p.sentences], dtype=np.int32).reshape(-1, 2)
    np.save(folder / SENTENCE_SPANS, spans)
    ordered = sorted(segment.article_rows, key=lambda a: segment.article_rows[a][0])
    catalogue = {
        "articles": [
            {"meta": asdict(segment.articles[a]), "digest": segment.digests[a], "rows": list(segment.article_rows[a])}
            for a in ordered
        ],
        "headings": {str(i): p.heading for i, p in enumerate(paragraphs) if p.heading is not None},
    }
    (folder / ARTICLES).write_text(json.dumps(catalogue, ensure_ascii=False), encoding="utf-8")


def write_segment(segment: Segment, folder: Path) -> None:
    """Every file of a segment into `folder` (created)."""
    folder.mkdir(parents=True)
    write_corpus(segment, folder)
    np.save(folder / PARAGRAPH_VECTORS, np.ascontiguousarray(segment.paragraph_vectors, dtype=np.float32))
    np.save(folder / SENTENCE_VECTORS, np.ascontiguousarray(segment.sentence_vectors, dtype=np.float32))
    faiss.write_index(segment.dense, str(folder / DENSE))
    segment.lexical.save(folder / LEXICAL)


def _mapped(path: Path) -> np.ndarray:
    # Viewed as a plain array: slicing an np.memmap costs ~7 µs a time.
    return np.asarray(np.load(path, mmap_mode="r"))


def read_segment(folder: Path, name: str, kind: str, faiss_type: str) -> Segment:
    """A saved segment: arrays memory-mapped, FAISS read, the article catalogue parsed."""
    catalogue = json.loads((folder / ARTICLES).read_bytes())  # bytes: no text layer (~0.2 s of 44 MB at 1M)
    articles: dict[str, ArticleMeta] = {}
    digests: dict[str, str] = {}
    article_rows: dict[str, tuple[int, int]] = {}
    for entry in catalogue["articles"]:
        meta = ArticleMeta(**entry["meta"])
        articles[meta.article_id] = meta
        digests[meta.article_id] = str(entry["digest"])
        article_rows[meta.article_id] = (int(entry["rows"][0]), int(entry["rows"][1]))
    ids = list(article_rows)
    starts = np.asarray([article_rows[a][0] for a in ids], dtype=np.int64)
    sentence_offsets = _mapped(folder / SENTENCE_OFFSETS)
    table = ParagraphTable(
        FileBytes(folder / TEXTS),
        _mapped(folder / TEXT_OFFSETS),
        _mapped(folder / NUMBERS),
        sentence_offsets,
        _mapped(folder / SENTENCE_SPANS),
        ids,
        starts,
        {int(k): str(v) for k, v in catalogue.get("headings", {}).items()},
    )
    lexical: LexicalIndex | DeltaLexical
    lexical = LexicalIndex.load(folder / LEXICAL) if kind == "base" else DeltaLexical.load(folder / LEXICAL)
    return Segment(
        name=name,
        articles=articles,
        digests=digests,
        article_rows=article_rows,
        paragraphs=table,
        paragraph_vectors=_mapped(folder / PARAGRAPH_VECTORS),
        sentence_vectors=_mapped(folder / SENTENCE_VECTORS),
        sentence_offsets=sentence_offsets,
        dense=faiss.read_index(str(folder / DENSE)),
        faiss_type=faiss_type,
        lexical=lexical,
        paragraph_rows=FileRows(folder / PARAGRAPH_VECTORS),
        sentence_rows=FileRows(folder / SENTENCE_VECTORS),
    )


class VersionTerms:
    """Term statistics over every segment of a version: what IDF weights and delta BM25 read."""

    def __init__(self, segments: Sequence[Segment]) -> None:
        self._segments = list(segments)
        base = self._segments[0].lexical
        assert isinstance(base, LexicalIndex)
        self._base = base
        self.analyzer = base.analyzer
        self.k1, self.b = base.k1, base.b
        self.average_length = base.average_length
        self._num_docs = sum(s.lexical.num_docs for s in self._segments)

    @property
    def num_docs(self) -> int:
        """Paragraphs in the version (removed ones included until compaction)."""
        return self._num_docs

    @property
    def use_stemming(self) -> bool:
        """Whether the terms were stemmed (Sastrawi)."""
        return self.analyzer.stemming

    def document_frequency(self, term: str) -> int:
        """Paragraphs of every segment containing `term`."""
        return sum(s.lexical.document_frequency(term) for s in self._segments)

    def document_frequencies(self) -> dict[str, int]:
        """Every term with its document frequency over all segments."""
        merged = self._base.document_frequencies()
        for segment in self._segments[1:]:
            for term, df in segment.lexical.document_frequencies().items():
                merged[term] = merged.get(term, 0) + df
        return merged

    def common_terms(self, share: float) -> frozenset[str]:
        """Terms found in at least `share` of the paragraphs."""
        cutoff = share * self.num_docs
        return frozenset(term for term, df in self.document_frequencies().items() if df >= cutoff)

    def scores(self, query_terms: list[str]) -> np.ndarray:
        """BM25 of every row of the version, segments in order (tests and tools; search goes per segment)."""
        parts = [self.segment_scores(s, query_terms) for s in self._segments]
        return np.concatenate(parts) if parts else np.zeros(0, dtype=np.float32)

    def segment_scores(self, segment: Segment, query_terms: list[str]) -> np.ndarray:
        """BM25 of each paragraph of one segment, every segment with the version's IDF."""
        if isinstance(segment.lexical, LexicalIndex):
            if len(self._segments) == 1:
                return segment.lexical.scores(query_terms)
            # The base's precomputed scores carry the IDF of the base alone: scaled to the version's,
            # a question gets the answers a full rebuild would give it (the answer model reads BM25).
            return segment.lexical.reweighted_scores(query_terms, self._base_idf_ratio)
        return segment.lexical.scores(query_terms, self)

    def idf(self, term: str) -> float:
        """Lucene IDF of `term` over the version (bm25s's default, as the base was built with)."""
        return lucene_idf(self.num_docs, self.document_frequency(term))

    def _base_idf_ratio(self, term: str) -> float:
        base_idf = lucene_idf(self._base.num_docs, self._base.document_frequency(term))
        return self.idf(term) / base_idf if base_idf > 0 else 1.0


def lucene_idf(num_docs: int, document_frequency: int) -> float:
    """log(1 + (N - df + 0.5) / (df + 0.5)): the IDF bm25s gives by default ("lucene")."""
    return math.log(1 + (num_docs - document_frequency + 0.5) / (document_frequency + 0.5))
