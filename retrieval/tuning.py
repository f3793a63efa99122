"""Every number that tunes search and answer choice, in one typed object.

These were module constants spread over `search.py`, `quotes.py`, `answer_features.py` and
`engine.py`, plus inline weights in the first version's scoring. Gathered here they can be read
in one place, recorded in each index manifest (what the index was built to be searched with) and
printed by `python -m bot eval`, so a figure always comes with the settings that produced it.
The answer model's own settings (trees, second-quote share, default bar) live in its model file.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any


@dataclass(frozen=True)
class SearchTuning:
    """Hybrid retrieval: how many candidates each ranking brings and how they are fused."""

    rrf_k: int = 20  # small k: with a few dozen candidates, the top ranks should dominate
    dense_candidates: int = 30
    lexical_candidates: int = 30
    top_k: int = 5  # paragraphs handed to answer choice
    # "terbaru"/"latest" questions: paragraphs whose cosines differ by at most this, and BM25 by at most
    # this share, are equally good, and the newer article comes first among them
    recent_cosine_margin: float = 0.01
    recent_bm25_margin: float = 0.05


@dataclass(frozen=True)
class RuleTuning:
    """The first version's hand-set rules (ANSWER_SELECTOR=rules), tuned on bench/questions.jsonl."""

    quote_paragraphs: int = 3  # sentences are drawn from this many top paragraphs
    max_quotes: int = 3
    common_term_share: float = 0.2  # words in more than this share of paragraphs count as known everywhere
    second_quote_margin: float = 0.015  # a further sentence must score within this of the best
    type_margin: float = 0.08  # how much worse a sentence holding the asked-for number/time may score
    min_cosine: float = 0.80
    strong_cosine: float = 0.87  # answers without the coverage check
    min_coverage: float = 0.34
    coverage_weight: float = 0.10  # sentence score = cosine + these × coverage, type match, 1/rank
    type_weight: float = 0.02
    rank_weight: float = 0.015


@dataclass(frozen=True)
class Tuning:
    """Search and answer-choice settings of one engine."""

    search: SearchTuning = field(default_factory=SearchTuning)
    rules: RuleTuning = field(default_factory=RuleTuning)
    answer_paragraphs: int = 4  # the answer model scores the sentences of this many best paragraphs

    def __post_init__(self) -> None:
        if min(self.search.top_k, self.search.dense_candidates, self.search.lexical_candidates) < 1:
            raise ValueError("search depths must be at least 1")
        if self.answer_paragraphs > self.search.top_k or self.rules.quote_paragraphs > self.search.top_k:
            raise ValueError("answer choice cannot read more paragraphs than search returns")

    def to_json(self) -> dict[str, Any]:
        """The tuning as a dict, as the index manifest and `eval` record it."""
        return asdict(self)


DEFAULT_TUNING = Tuning()
