"""Features of each candidate sentence, for the answer model.

For every sentence of the best few retrieved paragraphs this computes what the
pipeline already knows (sentence and paragraph cosine, BM25, fused rank and the
margins to the other candidates) and what a reader would check: how much of the
question's IDF-weighted vocabulary the sentence and its paragraph hold, the
strongest question word the passage lacks (spelling variants and capitals such
as Kyiv → Ukraina count as found), whether the sentence holds the kind of thing
asked for (a number, a time, a name), and negation on one side only. The same
code serves the bot and builds the training data, so both see identical numbers.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Mapping
from dataclasses import dataclass, replace
from functools import lru_cache

import numpy as np

from retrieval.answer_types import (
    KINDS,
    SentenceEvidence,
    asks_yes_no,
    name_tokens,
    question_kind,
    question_negated,
    sentence_evidence,
)
from retrieval.colloquial import is_indonesian_word, standardize
from retrieval.opposites import says_opposite
from retrieval.search import Candidate, Query
from retrieval.store.base import Passages
from retrieval.text import TermGroup, content_terms, guess_language, normalize_number, raw_tokens, stem
from retrieval.tuning import DEFAULT_TUNING

_QUESTION_FEATURES = (
    *(f"q_kind_{kind}" for kind in KINDS),
    "q_groups",
    "q_tokens",
    "q_negated",
    "q_names",
    "q_unknown_share",
    "q_unknown_names",
    "q_unknown_words",
    "q_english",
    "q_lowercase",
    "q_casual_words",
)
_PARAGRAPH_FEATURES = (
    "p_rank",
    "p_fused_rel",
    "p_dense",
    "p_dense_gap",
    "p_dense_rank",
    "p_best_sentence",
    "p_bm25_rel",
    "p_bm25_rank",
    "p_coverage",
    "p_missing_max",
    "p_missing_count",
    "p_missing_name",
    "p_missing_number",
    "p_sentences",
)
_SENTENCE_FEATURES = (
    "s_cos",
    "s_cos_gap",
    "s_cos_rank",
    "s_cos_gap_paragraph",
    "s_rank_in_paragraph",
    "s_cos_previous",
    "s_cos_next",
    "s_found_idf",
    "s_coverage",
    "s_coverage_gap",
    "s_coverage_window",
    "s_missing_max",
    "s_missing_window",
    "s_missing_count_window",
    "s_missing_name_window",
    "s_missing_word_window",
    "s_bigrams",
    "s_tokens",
    "s_position",
    "s_number",
    "s_time",
    "s_names",
    "s_new_names",
    "s_new_numbers",
    "s_place_phrase",
    "s_reason",
    "s_manner",
    "s_definition",
    "s_type_match",
    "s_negated",
    "s_negation_missing",
    "s_negation_added",
    "s_opposite",
    "s_new_terms",
    "s_quoted_speech",
)
FEATURE_NAMES: tuple[str, ...] = _QUESTION_FEATURES + _PARAGRAPH_FEATURES + _SENTENCE_FEATURES


# "dana lima tahun" answers "dana 5 tahun" and the other way round. Not before "belas", "puluh" or
# "ratus", where the word is part of a larger number ("lima puluh" is 50).
_DIGIT_OF = {
    word: str(value)
    for value, word in enumerate("satu dua tiga empat lima enam tujuh delapan sembilan sepuluh".split(), start=1)
}
_NUMBER_TAILS = frozenset({"belas", "puluh", "ratus"})


@lru_cache(maxsize=200_000)
def term_set(text: str) -> frozenset[str]:
    """Lexical terms of a passage, with the digits of its number words; cached because the same
    paragraphs come back often."""
    sequence = _term_sequence(text)
    digits = [
        _DIGIT_OF[term]
        for term, after in itertools.pairwise((*sequence, ""))
        if term in _DIGIT_OF and after not in _NUMBER_TAILS
    ]
    return frozenset(sequence).union(digits)


def with_digit(group: TermGroup) -> TermGroup:
    """A question's number word ("lima") also matches its digit ("5")."""
    digits = tuple(_DIGIT_OF[t] for t in group.terms if t in _DIGIT_OF)
    return replace(group, terms=group.terms + digits) if digits else group


@dataclass(frozen=True)
class _SentenceFacts:
    """What the features need of a sentence whatever the question: computed once per sentence."""

    evidence: SentenceEvidence
    tokens: int
    capitalised: tuple[str, ...]  # lower-cased capitalised words after the first
    numbers: tuple[str, ...]  # normalised tokens that start with a digit
    pairs: frozenset[tuple[str, str]]  # term bigrams
    quoted_speech: bool


@lru_cache(maxsize=200_000)
def _sentence_facts(sentence: str) -> _SentenceFacts:
    tokens = raw_tokens(sentence)
    return _SentenceFacts(
        evidence=sentence_evidence(sentence),
        tokens=len(tokens),
        capitalised=tuple(t.lower() for t in name_tokens(tokens)),
        numbers=tuple(normalize_number(t) for t in tokens if t[0].isdigit()),
        pairs=frozenset(itertools.pairwise(_term_sequence(sentence))),
        quoted_speech=any(ch in sentence for ch in '“”"'),
    )


@lru_cache(maxsize=100_000)
def _term_sequence(text: str) -> tuple[str, ...]:
    """The terms in order (for bigrams); term_set is built from it, so a text is analysed once."""
    return tuple(content_terms(text))


@lru_cache(maxsize=200_000)
def _prefixes(passage: frozenset[str]) -> frozenset[str]:
    """Every prefix of five letters or more of the passage's terms, for the spelling-variant test."""
    return frozenset(term[:k] for term in passage for k in range(5, len(term) + 1))


@lru_cache(maxsize=100_000)
def _se_form(term: str) -> str:
    """How the stemmer leaves the word with "se-" ("senilai" → "nila"): "nilai" is found there."""
    return stem("se" + term)


def _found(term: str, passage: frozenset[str]) -> bool:
    if term in passage or (term.isalpha() and _se_form(term) in passage):
        return True
    # Spelling variants of long words ("Budapest"/"Budapes", "Kosiniak"/"Kosiniaka"): a long shared prefix.
    return len(term) >= 6 and term[: max(5, len(term) - 2)] in _prefixes(passage)


def _group_found(group: TermGroup, passage: frozenset[str]) -> bool:
    return any(_found(term, passage) for term in group.terms)


def _found_groups(q: QuestionAnalysis, passage: frozenset[str]) -> tuple[bool, ...]:
    """For each question group: does the passage hold one of its words? A word of the corpus's topic
    counts as held everywhere (see TOPIC_SHARE)."""
    return tuple(topic or _group_found(group, passage) for group, topic in zip(q.groups, q.topic, strict=True))


@dataclass(frozen=True)
class QuestionAnalysis:
    """Everything about the question that does not depend on a candidate."""

    text: str
    kind: str
    groups: tuple[TermGroup, ...]
    weights: tuple[float, ...]  # IDF of each group in this index (unknown words weigh most)
    unknown: tuple[bool, ...]  # the group's words occur nowhere in the index
    topic: tuple[bool, ...]  # the group names the corpus's topic (TOPIC_SHARE): held by every passage
    negated: bool  # negates something; the "… gak?" that asks yes or no does not count
    yes_no: bool  # asks yes or no: a sentence that denies answers as well as one that affirms
    english: bool
    names: frozenset[str]  # lower-cased capitalised words of the question
    numbers: frozenset[str]
    bigrams: frozenset[tuple[str, str]]
    tokens: int
    lowercase: bool  # typed without capitals: chat style, which embeds further from formal text
    casual_words: int  # words the chat-spelling rewriter changed ("yg", "gantiin")


@dataclass
class _Match:
    """How a passage covers the question: IDF found, groups missing, the strongest missing (normalised)."""

    found: float = 0.0
    missing: int = 0
    missing_max: float = 0.0
    missing_word: float = 0.0  # the strongest missing word that is not a name ("dibubarkan", "intrapersonal")
    missing_name: bool = False


@dataclass(frozen=True)
class SentenceRow:
    """Where one candidate sentence is: its paragraph (index row) and its sentence row in the index."""

    paragraph: int
    row: int
    offset: int  # position within the paragraph


@dataclass
class FeatureTable:
    """The feature matrix of one question's candidate sentences, a row per `SentenceRow`."""

    rows: list[SentenceRow]
    matrix: np.ndarray  # float32 [len(rows), len(FEATURE_NAMES)]
    question: QuestionAnalysis
    cosines: np.ndarray  # sentence cosine per row (for the vector features)


@dataclass(frozen=True)
class BackgroundFrequencies:
    """How many paragraphs of a general Indonesian collection hold each word (shipped with the model).

    A word's weight comes from these counts added to the corpus's own. A small corpus alone makes
    every word it lacks look rare: in five articles "digelar" or "berlangsung" weigh like a name the
    articles never mention, so a fair paraphrase looked like a near-miss question. With the
    background, common words weigh as common words at any corpus size; a large corpus's own counts
    dominate.
    """

    documents: int
    df: Mapping[str, int]

    @classmethod
    def empty(cls) -> BackgroundFrequencies:
        """No background collection: weights come from the corpus alone."""
        return cls(0, {})


# In a corpus about one subject (five articles on NATO and Ukraine) a sentence often leaves the
# subject implicit: "Aliansi itu juga bertekad …" answers "Berapa janji bantuan NATO …?". A name in a
# fifth of the paragraphs or more is that subject and counts as present in every passage, as in the
# first version's rules (RuleTuning.common_term_share). A corpus of many subjects has no such name,
# nor has one of a few paragraphs, where a fifth is one or two.
TOPIC_SHARE = 0.2
TOPIC_MIN_PARAGRAPHS = 20


class FeatureExtractor:
    """Computes FEATURE_NAMES for the sentences of the best candidate paragraphs."""

    def __init__(
        self,
        index: Passages,
        background: BackgroundFrequencies | None = None,
        paragraphs: int = DEFAULT_TUNING.answer_paragraphs,
    ) -> None:
        self.index = index
        self.paragraphs = paragraphs  # the model was trained on the sentences of this many paragraphs
        self.background = background or BackgroundFrequencies.empty()
        self._num_docs = max(index.lexical.num_docs + self.background.documents, 1)
        self._idf_unknown = self._idf_of(0)

    def _idf_of(self, df: int) -> float:
        return math.log(1 + (self._num_docs - df + 0.5) / (df + 0.5))

    def _frequency(self, term: str) -> tuple[int, int]:
        """(paragraphs of the corpus, paragraphs of corpus and background) holding `term`."""
        own = self.index.lexical.document_frequency(term)
        return own, own + self.background.df.get(term, 0)

    def analyse(self, query: Query, groups: list[TermGroup]) -> QuestionAnalysis:
        """The question's searched word groups with their weights, its kind, names, numbers and style."""
        english = guess_language(query.text) == "en"
        kept: list[TermGroup] = []
        weights: list[float] = []
        unknown: list[bool] = []
        topic: list[bool] = []
        for group in map(with_digit, groups):
            if group.asks_for:
                continue  # "negara" in "negara mana" is answered by a country's name: its absence says nothing
            frequencies = [self._frequency(t) for t in group.terms]
            known = [own for own, _ in frequencies if own > 0]
            if group.untranslated and not known:
                continue  # an English word the glossary does not know: not searched for
            seen = [both for _, both in frequencies if both > 0]
            kept.append(group)
            weights.append(self._idf_of(min(seen)) if seen else self._idf_unknown)
            unknown.append(not known)
            topic.append(self._is_topic(group, [own for own, _ in frequencies]))
        tokens = raw_tokens(query.text)
        sequence = [t for g in kept for t in g.terms[:1]]
        return QuestionAnalysis(
            text=query.text,
            kind=question_kind(query.text),
            groups=tuple(kept),
            weights=tuple(weights),
            unknown=tuple(unknown),
            topic=tuple(topic),
            negated=question_negated(query.text),
            yes_no=asks_yes_no(query.text),
            english=english,
            names=frozenset(t.lower() for i, t in enumerate(tokens) if i > 0 and t[0].isupper()),
            numbers=frozenset(normalize_number(t) for t in tokens if t[0].isdigit()),
            bigrams=frozenset(itertools.pairwise(sequence)),
            tokens=len(tokens),
            lowercase=query.text == query.text.lower(),
            casual_words=len(set(tokens) - set(raw_tokens(standardize(query.text)))),
        )

    def _is_topic(self, group: TermGroup, own_frequencies: list[int]) -> bool:
        """A name found in TOPIC_SHARE of a corpus's paragraphs or more is what the corpus is about.
        A name here is a word no Indonesian dictionary holds ("nato", "ukraina"), however it is
        typed; "Menteri Pertahanan" is capitalised, yet no name."""
        paragraphs = self.index.lexical.num_docs
        if paragraphs < TOPIC_MIN_PARAGRAPHS or group.number or any(map(is_indonesian_word, group.terms)):
            return False
        return max(own_frequencies, default=0) >= TOPIC_SHARE * paragraphs

    def _matches(self, q: QuestionAnalysis, passage: frozenset[str]) -> _Match:
        """How much of the question `passage` holds, and the strongest word it lacks."""
        return self._match_of(q, _found_groups(q, passage))

    def _match_of(self, q: QuestionAnalysis, found: tuple[bool, ...]) -> _Match:
        """The coverage of a passage in which each question group was found or not."""
        match = _Match()
        for group, weight, present in zip(q.groups, q.weights, found, strict=True):
            if present:
                match.found += weight
            else:
                match.missing += 1
                match.missing_max = max(match.missing_max, weight / self._idf_unknown)
                match.missing_name = match.missing_name or group.name
                if not group.name and not group.number:
                    match.missing_word = max(match.missing_word, weight / self._idf_unknown)
        return match

    def _context_terms(self, paragraph: int) -> frozenset[str]:
        """What a quote from this paragraph can lean on: the paragraph, its heading, the article's
        title and dateline, and the paragraph before (where "dia" or "perjanjian ini" is introduced)."""
        p = self.index.paragraphs[paragraph]
        meta = self.index.articles[p.article_id]
        terms = term_set(p.text) | term_set(p.heading or "") | term_set(f"{meta.dateline or ''} {meta.title}")
        if paragraph > 0 and self.index.paragraphs[paragraph - 1].article_id == p.article_id:
            terms |= term_set(self.index.paragraphs[paragraph - 1].text)
        return terms

    def extract(self, query: Query, groups: list[TermGroup], candidates: list[Candidate]) -> FeatureTable:
        """One row of FEATURE_NAMES per sentence of the best `paragraphs` candidate paragraphs."""
        q = self.analyse(query, groups)
        cands = candidates[: self.paragraphs]
        if not cands:
            return FeatureTable([], np.zeros((0, len(FEATURE_NAMES)), np.float32), q, np.zeros(0, np.float32))
        question = self._question_features(q)
        rows: list[SentenceRow] = []
        features: list[dict[str, float]] = []
        for paragraph_features, cand in zip(self._paragraph_features(q, cands), cands, strict=True):
            paragraph = self.index.paragraphs[cand.paragraph]
            first = self.index.sentence_rows(cand.paragraph).start
            texts = [paragraph.sentence_text(i) for i in range(len(paragraph.sentences))]
            in_paragraph = _rank_of([float(v) for v in cand.sentence_scores])
            # Each group is looked up once per sentence; a sentence's window (it and its neighbours)
            # holds a group when one of its three sentences does.
            found = [_found_groups(q, term_set(sentence)) for sentence in texts]
            for offset, sentence in enumerate(texts):
                window = [any(g) for g in zip(*found[max(0, offset - 1) : offset + 2], strict=True)]
                sentence_features = self._sentence_features(q, sentence, found[offset], tuple(window))
                row = {**question, **paragraph_features, **sentence_features}
                row["s_cos"] = float(cand.sentence_scores[offset])
                row["s_cos_gap_paragraph"] = cand.best_sentence - row["s_cos"]
                row["s_rank_in_paragraph"] = in_paragraph[offset]
                row["s_position"] = offset / max(len(texts) - 1, 1)
                # The answer often sits next to the sentence that repeats the question ("Ayahnya bernama …").
                row["s_cos_previous"] = float(cand.sentence_scores[offset - 1]) if offset else 0.0
                row["s_cos_next"] = float(cand.sentence_scores[offset + 1]) if offset + 1 < len(texts) else 0.0
                features.append(row)
                rows.append(SentenceRow(cand.paragraph, first + offset, offset))
        _add_gaps(features)
        matrix = np.asarray([[row[name] for name in FEATURE_NAMES] for row in features], dtype=np.float32)
        return FeatureTable(rows, matrix, q, matrix[:, FEATURE_NAMES.index("s_cos")].copy())

    def _paragraph_features(self, q: QuestionAnalysis, cands: list[Candidate]) -> list[dict[str, float]]:
        top_fused = max(c.fused for c in cands) or 1.0
        top_dense = max(c.dense for c in cands)
        top_bm25 = max(c.bm25 for c in cands)
        dense_rank = _rank_of([c.dense for c in cands])
        bm25_rank = _rank_of([c.bm25 for c in cands])
        out = []
        for i, cand in enumerate(cands):
            context = self._context_terms(cand.paragraph)
            match = self._matches(q, context)
            out.append(
                {
                    "p_rank": float(cand.rank),
                    "p_fused_rel": cand.fused / top_fused,
                    "p_dense": cand.dense,
                    "p_dense_gap": top_dense - cand.dense,
                    "p_dense_rank": float(dense_rank[i]),
                    "p_best_sentence": cand.best_sentence,
                    "p_bm25_rel": cand.bm25 / top_bm25 if top_bm25 > 0 else 0.0,
                    "p_bm25_rank": float(bm25_rank[i] if cand.bm25 > 0 else len(cands) + 1),
                    "p_coverage": match.found / (sum(q.weights) or 1.0),
                    "p_missing_max": match.missing_max,
                    "p_missing_count": float(match.missing),
                    "p_missing_name": float(match.missing_name),
                    "p_missing_number": float(bool(q.numbers - context)),
                    "p_sentences": float(len(self.index.paragraphs[cand.paragraph].sentences)),
                }
            )
        return out

    def _question_features(self, q: QuestionAnalysis) -> dict[str, float]:
        total = sum(q.weights) or 1.0
        unknown_share = sum(w for w, u in zip(q.weights, q.unknown, strict=True) if u) / total
        return {
            **{f"q_kind_{kind}": float(q.kind == kind) for kind in KINDS},
            "q_groups": float(len(q.groups)),
            "q_tokens": float(q.tokens),
            "q_negated": float(q.negated),
            "q_names": float(sum(g.name for g in q.groups)),
            "q_unknown_share": unknown_share,
            # Counted, not weighed: a name these articles never mention ("Turki") is a sign they do not
            # know, however common the name is elsewhere.
            "q_unknown_names": float(sum(u and g.name for g, u in zip(q.groups, q.unknown, strict=True))),
            "q_unknown_words": float(sum(u and not g.name for g, u in zip(q.groups, q.unknown, strict=True))),
            "q_english": float(q.english),
            "q_lowercase": float(q.lowercase),
            "q_casual_words": float(q.casual_words),
        }

    def _sentence_features(
        self, q: QuestionAnalysis, sentence: str, found: tuple[bool, ...], window: tuple[bool, ...]
    ) -> dict[str, float]:
        terms = term_set(sentence)
        match = self._match_of(q, found)
        around = self._match_of(q, window)
        facts = _sentence_facts(sentence)
        evidence = facts.evidence
        question_terms = {t for g in q.groups for t in g.terms}
        return {
            "s_coverage": match.found / (sum(q.weights) or 1.0),
            "s_found_idf": match.found / self._idf_unknown,
            "s_coverage_window": around.found / (sum(q.weights) or 1.0),
            "s_missing_max": match.missing_max,
            "s_missing_window": around.missing_max,
            "s_missing_count_window": float(around.missing),
            "s_missing_name_window": float(around.missing_name),
            "s_missing_word_window": around.missing_word,
            "s_bigrams": len(q.bigrams & facts.pairs) / len(q.bigrams) if q.bigrams else 0.0,
            "s_tokens": float(facts.tokens),
            "s_number": float(evidence.number),
            "s_time": float(evidence.time),
            "s_names": float(evidence.names),
            "s_new_names": float(sum(1 for name in facts.capitalised if name not in q.names)),
            "s_new_numbers": float(sum(1 for number in facts.numbers if number not in q.numbers)),
            "s_place_phrase": float(evidence.place),
            "s_reason": float(evidence.reason),
            "s_manner": float(evidence.manner),
            "s_definition": float(evidence.definition),
            "s_type_match": float(evidence.matches(q.kind)),
            "s_negated": float(evidence.negated),
            # IDK-MRC's near misses negate the question ("… yang tidak mempelajari reptil?"); a sentence
            # that negates something else ("UE bukan berupaya …") is common in news and says less.
            # A yes/no question is answered by a denial as well as by an affirmation.
            "s_negation_missing": float(q.negated and not evidence.negated and not q.yes_no),
            "s_negation_added": float(evidence.negated and not q.negated and not q.yes_no),
            # "kelebihan amunisi" against "kekurangan amunisi": the sentence turns a question word around.
            "s_opposite": float(
                sum(1 for g, hit in zip(q.groups, found, strict=True) if not hit and says_opposite(g.terms, terms))
            ),
            "s_new_terms": float(len(terms - question_terms)),
            "s_quoted_speech": float(facts.quoted_speech),
        }


def _add_gaps(features: list[dict[str, float]]) -> None:
    """Each sentence against the best candidate: cosine and coverage gaps, cosine rank over all."""
    best_cos = max(row["s_cos"] for row in features)
    best_cov = max(row["s_coverage"] for row in features)
    ranks = _rank_of([row["s_cos"] for row in features])
    for row, rank in zip(features, ranks, strict=True):
        row["s_cos_gap"] = best_cos - row["s_cos"]
        row["s_cos_rank"] = float(rank)
        row["s_coverage_gap"] = best_cov - row["s_coverage"]


def _rank_of(values: list[float]) -> list[int]:
    """1-based rank of each value, highest first (ties keep their order)."""
    order = sorted(range(len(values)), key=lambda i: -values[i])
    ranks = [0] * len(values)
    for rank, i in enumerate(order, start=1):
        ranks[i] = rank
    return ranks
