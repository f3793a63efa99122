"""Pick the sentences that answer the question from the top passages, or abstain.

Each sentence in the best few paragraphs is scored by how close its vector is to
the question, how much of the question's (IDF-weighted) vocabulary it shares,
and whether it holds the kind of thing asked for (a number for "berapa", a name
for "siapa", a time for "kapan"). The evidence must clear a bar before anything
is quoted: quoting an unrelated sentence is worse than saying nothing.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from retrieval.answer_features import FeatureExtractor, term_set
from retrieval.answer_model import AnswerModel
from retrieval.search import Candidate, Query
from retrieval.store.base import Passages
from retrieval.text import content_terms, raw_tokens
from retrieval.tuning import DEFAULT_TUNING, RuleTuning

PREWARM_MAX_PARAGRAPHS = 5_000

_NUMBER_WORDS = frozenset(
    """
    dua tiga empat lima enam tujuh delapan sembilan sepuluh sebelas belas puluh puluhan ratus
    ratusan ribu ribuan juta jutaan miliar triliun separuh setengah
    """.split()
)
_TIME_WORDS = frozenset(
    """
    senin selasa rabu kamis jumat sabtu minggu januari februari maret april mei juni juli agustus
    september oktober november desember pekan bulan tahun malam pagi siang sore kemarin besok lalu
    depan sejak hari musim gugur semi paruh abad dekade kuartal triwulan semester sekarang
    tanggal pukul jam
    """.split()
)
_QUESTION_TYPES = (
    (
        "number",
        re.compile(r"\b(berapa|brp|berapakah|keberapa|seberapa|sebesar apa|jumlah|how many|how much|banyak)\b", re.I),
    ),
    ("time", re.compile(r"\b(kapan|kapankah|tanggal|tahun berapa|when|what year)\b", re.I)),
    ("person", re.compile(r"\b(siapa|siapakah|who|whom)\b", re.I)),
    ("place", re.compile(r"\b(di ?mana|dimanakah|ke ?mana|where)\b", re.I)),
    ("reason", re.compile(r"\b(mengapa|kenapa|why|alasan)\b", re.I)),
)


_ANAPHORA = re.compile(
    r"^[\"“]?(hal (ini|itu|tersebut)|ini|itu|dia|ia|mereka|beliau|oleh karena itu|karena itu|dengan demikian|"
    r"menurut dia|menurutnya|(dokumen|rencana|langkah|keputusan|kesepakatan|negara) (ini|itu|tersebut))\b",
    re.IGNORECASE,
)


def _name_terms(question: str) -> list[str]:
    """Terms of the capitalised names in a question ("Jerman", "NATO", "Rutte").

    The first word is skipped unless it is an acronym: it is capitalised anyway.
    """
    tokens = raw_tokens(question)
    names: list[str] = []
    for i, token in enumerate(tokens):
        if token[0].isdigit() or not token[0].isupper() or (i == 0 and not token.isupper()):
            continue
        names.extend(content_terms(token, translate=True))
    return names


def _known(term: str, passage: frozenset[str]) -> bool:
    if term in passage:
        return True
    # Spelling variants ("Budapest"/"Budapes", "Kuleba"/"Kuleba's"): a long shared prefix.
    prefix = max(4, len(term) - 2)
    return len(term) >= 5 and any(len(t) >= prefix and t[:prefix] == term[:prefix] for t in passage)


def missing_names(question: str, passage: frozenset[str]) -> list[str]:
    """Names in the question that the passage does not contain."""
    return [t for t in _name_terms(question) if not _known(t, passage)]


def question_type(question: str) -> str | None:
    """What the question asks for (number, time, person, place, reason, …) by its question word; None if unknown."""
    for kind, pattern in _QUESTION_TYPES:
        if pattern.search(question):
            return kind
    return None


def _has_answer_type(sentence: str, kind: str | None) -> bool:
    tokens = raw_tokens(sentence)
    if kind == "number":
        return any(t[0].isdigit() or t.lower() in _NUMBER_WORDS for t in tokens)
    if kind == "time":
        return any(t.lower() in _TIME_WORDS or (t.isdigit() and len(t) == 4) for t in tokens) or "/" in sentence
    if kind in {"person", "place"}:
        return any(t[0].isupper() for t in tokens[1:])
    if kind == "reason":
        return bool(re.search(r"\b(karena|sebab|akibat|sebagai respons|untuk|agar|sehingga)\b", sentence, re.I))
    return False


@dataclass(frozen=True)
class _Scored:
    score: float
    cosine: float
    paragraph: int
    row: int
    has_type: bool


@dataclass(frozen=True)
class QuotePick:
    """Sentences chosen from one paragraph (index rows), in text order."""

    paragraph: int
    sentences: tuple[int, ...]
    score: float


@dataclass(frozen=True)
class Selection:
    """The chosen quotes, whether to give them, and the evidence behind that decision."""

    picks: tuple[QuotePick, ...]
    confident: bool
    best_cosine: float
    coverage: float
    confidence: float = 0.0  # the answer model's probability that the best sentence answers


class RuleSelector:
    """The first version's hand-set rules (kept for comparison: ANSWER_SELECTOR=rules).

    Chooses one to three verbatim sentences by cosine, coverage and answer type, and
    abstains below fixed cosine/coverage bars or when the question names something
    the passage never mentions.
    """

    def __init__(self, index: Passages, tuning: RuleTuning = DEFAULT_TUNING.rules) -> None:
        self.index = index
        self.tuning = tuning
        # A name in common_term_share of paragraphs or more is the corpus's topic (NATO, Ukraina),
        # often left implicit in the sentence that answers; not a sign of a missing subject.
        self._common_terms = (
            index.lexical.common_terms(tuning.common_term_share) if len(index.paragraphs) >= 20 else frozenset()
        )
        if len(index.paragraphs) <= PREWARM_MAX_PARAGRAPHS:
            # Stem every passage now rather than during someone's first questions.
            for paragraph in index.paragraphs:
                term_set(paragraph.text)
                for i in range(len(paragraph.sentences)):
                    term_set(paragraph.sentence_text(i))

    def _idf(self, term: str) -> float:
        n = max(self.index.lexical.num_docs, 1)
        df = self.index.lexical.document_frequency(term)
        return math.log(1 + (n - df + 0.5) / (df + 0.5))

    def coverage(self, query_terms: list[str], text: str) -> float:
        """IDF-weighted share of the question's terms that occur in `text`."""
        terms = set(query_terms)
        if not terms:
            return 0.0
        present = term_set(text)
        weights = {t: self._idf(t) for t in terms}
        total = sum(weights.values())
        return sum(w for t, w in weights.items() if t in present) / total if total else 0.0

    def select(self, query: Query, candidates: list[Candidate]) -> Selection:
        """Choose quotes by cosine, coverage and answer type; not confident below the bars or missing a name."""
        if not candidates:
            return Selection((), False, 0.0, 0.0)
        kind = question_type(query.text)
        rules = self.tuning
        scored = self._score_sentences(query, candidates, kind)
        best = scored[0]
        typed_kind = kind in {"number", "time"}
        if typed_kind:
            # "berapa"/"kapan": the quote must hold a number or a time. Prefer the best
            # sentence that does, unless it is clearly worse than the overall best.
            typed = [s for s in scored if s.has_type]
            if typed and typed[0].score >= best.score - rules.type_margin:
                best = typed[0]
        chosen = [best]
        for other in scored:
            if len(chosen) >= rules.max_quotes or other.score < best.score - rules.second_quote_margin:
                break
            if other is not best and (other.has_type or not typed_kind):
                chosen.append(other)
        rows = with_antecedent(self.index, [(s.paragraph, s.row) for s in chosen])
        coverage = self.coverage(query.terms, self.index.paragraphs[best.paragraph].text)
        # Answer when the best sentence is semantically close and the question's distinctive words
        # are found, unless the semantic match alone is strong.
        close = best.cosine >= rules.min_cosine and coverage >= rules.min_coverage
        confident = best.cosine >= rules.strong_cosine or close
        if typed_kind and not best.has_type:
            confident = False  # a "berapa"/"kapan" answer without any number or time is no answer
        if missing_names(query.text, self._passage_terms(best.paragraph)):
            confident = False  # the question names someone or something this passage never mentions
        return Selection(group_picks(rows, {s.row: s.score for s in scored}), confident, best.cosine, coverage)

    def _score_sentences(self, query: Query, candidates: list[Candidate], kind: str | None) -> list[_Scored]:
        scored: list[_Scored] = []
        rules = self.tuning
        for cand in candidates[: rules.quote_paragraphs]:
            paragraph = self.index.paragraphs[cand.paragraph]
            for offset, row in enumerate(self.index.sentence_rows(cand.paragraph)):
                sentence = paragraph.sentence_text(offset)
                cosine = float(cand.sentence_scores[offset])
                has_type = _has_answer_type(sentence, kind)
                coverage = self.coverage(query.terms, sentence)
                score = (
                    cosine
                    + rules.coverage_weight * coverage
                    + rules.type_weight * has_type
                    + rules.rank_weight / cand.rank
                )
                scored.append(_Scored(score, cosine, cand.paragraph, row, has_type))
        scored.sort(key=lambda item: -item.score)
        return scored

    def _passage_terms(self, paragraph: int) -> frozenset[str]:
        """Terms a quote from this paragraph can lean on: itself, its heading, the paragraph before
        it (where "dia" or "perjanjian ini" is introduced), the article's dateline and title, and the
        names found all over the corpus."""
        p = self.index.paragraphs[paragraph]
        meta = self.index.articles[p.article_id]
        terms = term_set(p.text) | term_set(p.heading or "") | self._common_terms
        terms |= term_set(f"{meta.dateline or ''} {meta.title}")
        if paragraph > 0 and self.index.paragraphs[paragraph - 1].article_id == p.article_id:
            terms |= term_set(self.index.paragraphs[paragraph - 1].text)
        return terms


def _sentence(index: Passages, paragraph: int, row: int) -> str:
    return index.paragraphs[paragraph].sentence_text(row - index.sentence_rows(paragraph).start)


def with_antecedent(index: Passages, chosen: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Add the sentence before one that opens with "Hal ini", "Dia", "Namun": it needs it to make sense."""
    out: list[tuple[int, int]] = []
    for par, row in chosen:
        first = index.sentence_rows(par).start
        if row > first and _ANAPHORA.match(_sentence(index, par, row)) and (par, row - 1) not in chosen:
            out.append((par, row - 1))
        out.append((par, row))
    return out


def group_picks(chosen: list[tuple[int, int]], scores: dict[int, float]) -> tuple[QuotePick, ...]:
    """Group sentences by paragraph, keeping the paragraphs in the order first chosen."""
    order: list[int] = []
    by_par: dict[int, list[int]] = {}
    for par, row in chosen:
        if par not in by_par:
            order.append(par)
            by_par[par] = []
        by_par[par].append(row)
    return tuple(
        QuotePick(par, tuple(sorted(by_par[par])), max(scores.get(r, 0.0) for r in by_par[par])) for par in order
    )


class ModelSelector:
    """Quotes the sentence(s) the trained answer model chooses, when it is confident enough.

    The ranker picks the best sentence (and the second when nearly as likely); the decider's
    probability that this quote holds the answer must reach `min_confidence`.
    """

    def __init__(self, index: Passages, model: AnswerModel, min_confidence: float, paragraphs: int) -> None:
        self.index = index
        self.model = model
        self.min_confidence = min_confidence
        self.extractor = FeatureExtractor(index, model.background, paragraphs)

    def select(self, query: Query, candidates: list[Candidate]) -> Selection:
        """Quote the sentences the model chooses; confident when not vetoed and the decider reaches the bar."""
        table = self.extractor.extract(query, list(query.groups), candidates)
        verdict = self.model.decide(table)
        if verdict is None:
            return Selection((), False, 0.0, 0.0)
        picked = [(table.rows[i].paragraph, table.rows[i].row) for i in verdict.chosen]
        scores = {row.row: float(score) for row, score in zip(table.rows, verdict.sentence_scores, strict=True)}
        picks = group_picks(with_antecedent(self.index, picked), scores)
        best_cosine = float(table.cosines[verdict.chosen[0]])
        # A vetoed quote (no time for "kapan", a name no article mentions) is never offered, even with
        # ANSWER_MIN_CONFIDENCE=0.
        confident = not verdict.vetoed and verdict.confidence >= self.min_confidence
        return Selection(picks, confident, best_cosine, 0.0, verdict.confidence)
