"""Quality measurement on a JSON Lines question set (see bench/questions.jsonl).

Each line: {"id", "question", "lang", "answerable", "answers": [{"article_id",
"paragraph_contains"}], "key_fact": [alternatives]}. A paragraph is "right" when
it belongs to the named article and contains the given text.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from config.settings import Settings
from retrieval.answer import Answer
from retrieval.idk_mrc import HUMAN, MACHINE, MrcQuestion, SplitIndex, answer_in_quote
from retrieval.index import SearchIndex


@dataclass(frozen=True)
class EvalQuestion:
    """One question of an evaluation set: where its answer is, and the key fact a right quote contains."""

    id: str
    question: str
    lang: str
    answerable: bool
    answers: tuple[tuple[str, str], ...]  # (article_id, paragraph_contains)
    key_fact: tuple[str, ...]


def load_questions(path: Path) -> list[EvalQuestion]:
    """The questions of a JSON Lines evaluation file."""
    questions = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip():
            continue
        item = json.loads(line)
        questions.append(
            EvalQuestion(
                id=str(item["id"]),
                question=item["question"],
                lang=item.get("lang", "id"),
                answerable=bool(item.get("answerable", True)),
                answers=tuple((a["article_id"], a["paragraph_contains"]) for a in item.get("answers", [])),
                key_fact=tuple(item.get("key_fact", [])),
            )
        )
    return questions


def gold_rows(index: SearchIndex, question: EvalQuestion) -> set[int]:
    """Index rows of the paragraphs that answer the question (of an index's segments, only the answer
    articles' rows are read: a pass over a million paragraphs per question would read every text)."""
    if isinstance(index, SearchIndex):
        rows: set[int] = set()
        for segment, first in zip(index.segments, index.starts[:-1].tolist(), strict=True):
            for article_id, needle in question.answers:
                start, stop = segment.article_rows.get(article_id, (0, 0))
                rows.update(first + r for r in range(start, stop) if needle in segment.paragraphs[r].text)
        return rows
    return {
        row
        for row, paragraph in enumerate(index.paragraphs)
        for article_id, needle in question.answers
        if paragraph.article_id == article_id and needle in paragraph.text
    }


@dataclass
class QuestionResult:
    """How the engine did on one question: retrieval rank, answered or not, key fact quoted, time taken."""

    question: EvalQuestion
    rank: int | None  # 1-based rank of the first right paragraph, None if not retrieved
    answered: bool
    fact_in_quotes: bool
    latency_ms: float
    quotes: list[str] = field(default_factory=list)


@dataclass
class EvalReport:
    """Every question's result, and the figures summarising them."""

    results: list[QuestionResult]

    def _answerable(self) -> list[QuestionResult]:
        return [r for r in self.results if r.question.answerable]

    def recall_at(self, k: int) -> float:
        """Share of answerable questions whose right paragraph was retrieved in the top `k`."""
        rows = self._answerable()
        return sum(r.rank is not None and r.rank <= k for r in rows) / max(len(rows), 1)

    def summary(self) -> dict[str, Any]:
        """Recall, answer and abstention rates and latency percentiles, as the `eval` command prints them."""
        answerable = self._answerable()
        unanswerable = [r for r in self.results if not r.question.answerable]
        latencies = sorted(r.latency_ms for r in self.results)
        return {
            "questions": len(self.results),
            "answerable": len(answerable),
            "unanswerable": len(unanswerable),
            "recall@1": self.recall_at(1),
            "recall@3": self.recall_at(3),
            "recall@5": self.recall_at(5),
            "mrr": sum(1 / r.rank for r in answerable if r.rank) / max(len(answerable), 1),
            "key_fact_in_quotes": sum(r.fact_in_quotes for r in answerable) / max(len(answerable), 1),
            "answered_when_answerable": sum(r.answered for r in answerable) / max(len(answerable), 1),
            "abstained_when_unanswerable": sum(not r.answered for r in unanswerable) / max(len(unanswerable), 1),
            "latency_p50_ms": _percentile(latencies, 50),
            "latency_p95_ms": _percentile(latencies, 95),
        }


def _percentile(values: Sequence[float], pct: float) -> float:
    if not values:
        return 0.0
    if len(values) == 1:
        return float(values[0])
    return float(statistics.quantiles(values, n=100, method="inclusive")[int(pct) - 1])


def fact_found(answer: Answer, alternatives: Sequence[str]) -> bool:
    """Whether the answer quotes any of the alternative spellings of the key fact (case ignored)."""
    quoted = " ".join(q.text for q in answer.quotes).lower()
    return answer.answered and any(alt.lower() in quoted for alt in alternatives)


def evaluate(
    questions: Sequence[EvalQuestion],
    index: SearchIndex,
    ask: Callable[[str], Answer],
    ranked_rows: Callable[[str], list[int]],
) -> EvalReport:
    """Run every question through `ask` (timed) and `ranked_rows` (retrieval only)."""
    results = []
    for q in questions:
        answer = ask(q.question)
        gold = gold_rows(index, q)
        ranking = ranked_rows(q.question) if q.answerable else []
        rank = next((i for i, row in enumerate(ranking, start=1) if row in gold), None)
        results.append(
            QuestionResult(
                question=q,
                rank=rank,
                answered=answer.answered,
                fact_in_quotes=fact_found(answer, q.key_fact) if q.answerable else False,
                latency_ms=answer.timings_ms.get("total", 0.0),
                quotes=[x.text for x in answer.quotes],
            )
        )
    return EvalReport(results)


# --- IDK-MRC, open retrieval ------------------------------------------------------------------


@dataclass(frozen=True)
class MrcOutcome:
    """One IDK-MRC question through one pipeline."""

    question: MrcQuestion
    answered: bool
    in_quote: bool  # the quote holds a gold answer
    rank: int | None  # rank of the question's own paragraph in retrieval (answerable questions)
    confidence: float | None
    latency_ms: float


def run_mrc(
    data: SplitIndex,
    ask: Callable[[str], Answer],
    ranked_rows: Callable[[str], list[int]],
    limit: int | None = None,
) -> list[MrcOutcome]:
    """Ask every question of an ingested split; retrieval rank for answerable ones."""
    outcomes = []
    for question in data.split.questions[:limit]:
        answer = ask(question.question)
        quoted = " ".join(q.text for q in answer.quotes)
        rank = None
        if question.answerable:
            gold = data.gold_rows.get(question.context, ())
            rank = next((i for i, row in enumerate(ranked_rows(question.question), 1) if row in gold), None)
        outcomes.append(
            MrcOutcome(
                question=question,
                answered=answer.answered,
                in_quote=answer.answered and answer_in_quote(question.answers, quoted),
                rank=rank,
                confidence=answer.confidence,
                latency_ms=answer.timings_ms.get("total", 0.0),
            )
        )
    return outcomes


def _rate(flags: Sequence[bool]) -> float:
    return sum(flags) / max(len(flags), 1)


def summarize_mrc(outcomes: Sequence[MrcOutcome]) -> dict[str, Any]:
    """Answer in quote, answered and retrieval over answerable questions; abstained over the rest."""
    answerable = [o for o in outcomes if o.question.answerable]
    unanswerable = [o for o in outcomes if not o.question.answerable]
    by_kind = {kind: [o for o in unanswerable if o.question.kind == kind] for kind in (HUMAN, MACHINE)}
    wrong = sum(o.answered and not o.in_quote for o in outcomes)
    return {
        "questions": len(outcomes),
        "answerable": len(answerable),
        "unanswerable": len(unanswerable),
        "answer_in_quote": _rate([o.in_quote for o in answerable]),
        "answered_when_answerable": _rate([o.answered for o in answerable]),
        "abstained_when_unanswerable": _rate([not o.answered for o in unanswerable]),
        "abstained_human": _rate([not o.answered for o in by_kind[HUMAN]]) if by_kind[HUMAN] else None,
        "abstained_machine": _rate([not o.answered for o in by_kind[MACHINE]]) if by_kind[MACHINE] else None,
        "wrong_quotes_per_100": 100 * wrong / max(len(outcomes), 1),
        "recall@1": _rate([o.rank == 1 for o in answerable]),
        "recall@3": _rate([o.rank is not None and o.rank <= 3 for o in answerable]),
        "latency_p50_ms": _percentile(sorted(o.latency_ms for o in outcomes), 50),
    }


def confidence_curve(outcomes: Sequence[MrcOutcome], bars: Sequence[float]) -> list[dict[str, float]]:
    """The operating points of one run made with no bar (every best sentence quoted): what each
    ANSWER_MIN_CONFIDENCE would give. Quotes do not depend on the bar, only whether to answer."""
    rows = []
    for bar in bars:
        summary = summarize_mrc(with_bar(outcomes, bar))
        rows.append({"min_confidence": bar, **{k: summary[k] for k in _CURVE_KEYS}})
    return rows


def with_bar(outcomes: Sequence[MrcOutcome], bar: float) -> list[MrcOutcome]:
    """A run made with no bar, as the bot with ANSWER_MIN_CONFIDENCE `bar` would have answered."""
    return [
        MrcOutcome(o.question, o.answered and (o.confidence or 0.0) >= bar,
                   o.in_quote and (o.confidence or 0.0) >= bar, o.rank, o.confidence, o.latency_ms)
        for o in outcomes
    ]  # fmt: skip


_CURVE_KEYS = (
    "answer_in_quote",
    "answered_when_answerable",
    "abstained_when_unanswerable",
    "abstained_human",
    "abstained_machine",
    "wrong_quotes_per_100",
)


CURVE_BARS = (0.05, 0.1, 0.15, 0.2, 0.25, 0.3, 0.35, 0.4, 0.45, 0.5, 0.6, 0.7, 0.8, 0.9)


def evaluate_idk_mrc(split_path: Path, settings: Settings, work: Path, limit: int | None = None) -> dict[str, Any]:
    """Open retrieval over every context of a split: the answer model, the first version's rules and the
    BM25 baseline on one index, plus the answer model's operating curve."""
    from retrieval.baselines import Bm25Baseline
    from retrieval.embedding import create_embedder
    from retrieval.engine import QAEngine
    from retrieval.idk_mrc import ingest_split, load_split

    split = load_split(split_path)
    embedder = create_embedder(settings)
    data = ingest_split(split, settings, work, embedder)
    model = QAEngine(data.index, embedder, data.settings)
    rules = QAEngine(data.index, embedder, data.settings.with_overrides(answer_selector="rules"))
    unbarred = QAEngine(data.index, embedder, data.settings.with_overrides(answer_min_confidence=0.0))
    bm25 = Bm25Baseline(data.index, stemming=True)
    ranks: dict[str, list[int]] = {}

    def ranked(question: str) -> list[int]:  # retrieval is shared by the model and the rules
        if question not in ranks:
            ranks[question] = model.ranked_paragraphs(question)
        return ranks[question]

    every_quote = run_mrc(data, unbarred.ask, ranked, limit)  # quotes do not depend on the bar
    if model.answer_model is not None:
        answered = with_bar(every_quote, model.min_confidence)
    else:  # no usable model: the engine answers with the rules, as the bot would
        answered = run_mrc(data, model.ask, ranked, limit)
    runs = {
        "answer model (this version)": answered,
        "rules (first version)": run_mrc(data, rules.ask, ranked, limit),
        "BM25 baseline": run_mrc(data, bm25.ask, bm25.ranked, limit),
    }
    curve = confidence_curve(every_quote, CURVE_BARS)
    counts = summarize_mrc(next(iter(runs.values())))
    return {
        "split": split.name,
        "file_sha256": split.digest,
        "paragraphs": len(data.index.paragraphs),
        "questions": counts["questions"],
        "answerable": counts["answerable"],
        "unanswerable": counts["unanswerable"],
        "min_confidence": model.min_confidence if model.answer_model else None,
        "answer_model": model.answer_model.name if model.answer_model else None,
        "tuning": model.tuning.to_json(),
        "pipelines": [{"pipeline": name, **summarize_mrc(outcomes)} for name, outcomes in runs.items()],
        "curve": curve,
    }


def _cell(rate: float | None) -> str:
    return "–" if rate is None else f"{rate:.3f}"


def mrc_markdown(result: dict[str, Any]) -> str:
    """The IDK-MRC result as the README's tables."""
    lines = [
        f"{result['split']} (IDK-MRC format): {result['paragraphs']} paragraphs ingested, "
        f"{result['questions']} questions "
        f"({result['answerable']} answerable, {result['unanswerable']} unanswerable); answer model "
        f"{result['answer_model']}, ANSWER_MIN_CONFIDENCE {result['min_confidence']}.",
        "",
        "| pipeline | answer in quote | answered (answerable) | abstained (unanswerable) | abstained (human) "
        "| abstained (machine) | wrong quotes /100 q | R@1 | R@3 | p50 ms |",
        "|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in result["pipelines"]:
        lines.append(
            f"| {r['pipeline']} | {r['answer_in_quote']:.3f} | {r['answered_when_answerable']:.3f} | "
            f"{r['abstained_when_unanswerable']:.3f} | {_cell(r['abstained_human'])} | "
            f"{_cell(r['abstained_machine'])} | "
            f"{r['wrong_quotes_per_100']:.1f} | {r['recall@1']:.3f} | {r['recall@3']:.3f} | {r['latency_p50_ms']:.1f} |"
        )
    lines += [
        "",
        "Answer model by ANSWER_MIN_CONFIDENCE (same run, every best sentence quoted, then the bar applied):",
        "",
        "| ANSWER_MIN_CONFIDENCE | answer in quote | answered (answerable) | abstained (unanswerable) | "
        "abstained (human) | abstained (machine) | wrong quotes /100 q |",
        "|---|---|---|---|---|---|---|",
    ]
    for c in result["curve"]:
        lines.append(
            f"| {c['min_confidence']:.2f} | {c['answer_in_quote']:.3f} | {c['answered_when_answerable']:.3f} | "
            f"{c['abstained_when_unanswerable']:.3f} | {_cell(c['abstained_human'])} | "
            f"{_cell(c['abstained_machine'])} | "
            f"{c['wrong_quotes_per_100']:.1f} |"
        )
    return "\n".join(lines) + "\n"
