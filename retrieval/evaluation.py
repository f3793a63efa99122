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

from retrieval.answer import Answer
from retrieval.index import SearchIndex


@dataclass(frozen=True)
class EvalQuestion:
    id: str
    question: str
    lang: str
    answerable: bool
    answers: tuple[tuple[str, str], ...]  # (article_id, paragraph_contains)
    key_fact: tuple[str, ...]


def load_questions(path: Path) -> list[EvalQuestion]:
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
    """Index rows of the paragraphs that answer the question."""
    return {
        row
        for row, paragraph in enumerate(index.paragraphs)
        for article_id, needle in question.answers
        if paragraph.article_id == article_id and needle in paragraph.text
    }


@dataclass
class QuestionResult:
    question: EvalQuestion
    rank: int | None  # 1-based rank of the first right paragraph, None if not retrieved
    answered: bool
    fact_in_quotes: bool
    latency_ms: float
    quotes: list[str] = field(default_factory=list)


@dataclass
class EvalReport:
    results: list[QuestionResult]

    def _answerable(self) -> list[QuestionResult]:
        return [r for r in self.results if r.question.answerable]

    def recall_at(self, k: int) -> float:
        rows = self._answerable()
        return sum(r.rank is not None and r.rank <= k for r in rows) / max(len(rows), 1)

    def summary(self) -> dict[str, Any]:
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
