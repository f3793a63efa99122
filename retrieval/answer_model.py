"""The trained answer model: which candidate sentence answers, and whether to answer at all.

Two gradient-boosted tree ensembles (trained with LightGBM by `python -m bot
train-answerer`, see retrieval/training.py), stored as plain JSON arrays and
evaluated here with numpy alone, so serving needs no training library:

* the ranker scores every candidate sentence: which would hold the answer, if the
  question has one here? (LambdaRank: the scores order a question's candidates.)
  The best is quoted, and the second best too when it scores nearly as high
  (`second_quote_share`); a "berapa"/"kapan" question chooses only among the
  sentences that hold a number or a time (`answer_candidates`);
* the decider looks at that choice (the ranker's scores, their margins, the best
  sentence's features) and gives the probability that the quote holds the
  answer. The bot answers when it reaches ANSWER_MIN_CONFIDENCE.

File format (`retrieval/models/answer_model.json`)::

    {"format": "berita-qa-answer-model", "version": 2,
     "features": [...],                  # must equal answer_features.FEATURE_NAMES
     "decision_features": [...],         # must equal DECISION_FEATURES
     "ranker": TREES, "decider": TREES,  # TREES = {"roots", "feature", "threshold",
                                         #          "left", "right", "value", "depth"}
     "second_quote_share": float, "default_min_confidence": float,
     "background": {"documents": int, "df": {term: int}},  # word counts behind the word weights
     "report": {...},                    # the training report: data, settings, valid figures
     "sha256": "..."}                    # over both ensembles, the share and the background

Leaves point to themselves with an infinite threshold, so every row walks
`depth` steps and stops on its leaf.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

from config.errors import BeritaQAError
from retrieval.answer_features import FEATURE_NAMES, BackgroundFrequencies, FeatureTable

MODEL_FORMAT = "berita-qa-answer-model"
MODEL_VERSION = 2
DEFAULT_MODEL_PATH = Path(__file__).resolve().parent / "models" / "answer_model.json"


class AnswerModelError(BeritaQAError, RuntimeError):
    """The answer model file is missing, corrupt or made for other features."""


@dataclass(frozen=True)
class TreeEnsemble:
    """Binary gradient-boosted trees in flat arrays; `predict` returns probabilities."""

    roots: np.ndarray
    feature: np.ndarray
    threshold: np.ndarray
    left: np.ndarray
    right: np.ndarray
    value: np.ndarray
    depth: int

    @cached_property
    def _children(self) -> np.ndarray:
        """Node i's right child at 2i, its left child at 2i + 1: one lookup per step, no `where`."""
        children = np.empty(2 * len(self.left), dtype=np.int64)
        children[0::2], children[1::2] = self.right, self.left
        return children

    def raw_scores(self, matrix: np.ndarray) -> np.ndarray:
        """The sum of the trees' leaf values for each row of `matrix` (log-odds)."""
        x = np.asarray(matrix, dtype=np.float64)
        if len(x) == 0:
            return np.zeros(0)
        # Flat indices into the row-major matrix: a 1-D gather is cheaper than x[rows, columns].
        flat, offsets = x.ravel(), (np.arange(len(x)) * x.shape[1])[:, None]
        node = np.broadcast_to(self.roots, (len(x), len(self.roots)))
        for _ in range(self.depth):
            go_left = flat[offsets + self.feature[node]] <= self.threshold[node]
            node = self._children[2 * node + go_left]
        return self.value[node].sum(axis=1)

    @classmethod
    def average(cls, ensembles: Sequence[TreeEnsemble]) -> TreeEnsemble:
        """One ensemble whose raw score is the mean of `ensembles`' (their trees side by side, leaf
        values divided by their number): trees grown from several seeds, served as one."""
        offsets = np.cumsum([0, *(len(e.left) for e in ensembles[:-1])])
        share = 1.0 / len(ensembles)
        return cls(
            roots=np.concatenate([e.roots + o for e, o in zip(ensembles, offsets, strict=True)]),
            feature=np.concatenate([e.feature for e in ensembles]),
            threshold=np.concatenate([e.threshold for e in ensembles]),
            left=np.concatenate([e.left + o for e, o in zip(ensembles, offsets, strict=True)]),
            right=np.concatenate([e.right + o for e, o in zip(ensembles, offsets, strict=True)]),
            value=np.concatenate([e.value * share for e in ensembles]),
            depth=max(e.depth for e in ensembles),
        )

    def predict(self, matrix: np.ndarray) -> np.ndarray:
        """The probability for each row of `matrix`."""
        return 1.0 / (1.0 + np.exp(-self.raw_scores(matrix)))

    def to_json(self) -> dict[str, Any]:
        """The trees as JSON lists (an infinite threshold as null)."""
        return {
            "roots": self.roots.tolist(),
            "feature": self.feature.tolist(),
            "threshold": [_finite_or_none(t) for t in self.threshold.tolist()],
            "left": self.left.tolist(),
            "right": self.right.tolist(),
            "value": self.value.tolist(),
            "depth": self.depth,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> TreeEnsemble:
        """The trees from `to_json`'s form."""
        threshold = np.array([np.inf if t is None else t for t in data["threshold"]], dtype=np.float64)
        return cls(
            roots=np.asarray(data["roots"], dtype=np.int64),
            feature=np.asarray(data["feature"], dtype=np.int64),
            threshold=threshold,
            left=np.asarray(data["left"], dtype=np.int64),
            right=np.asarray(data["right"], dtype=np.int64),
            value=np.asarray(data["value"], dtype=np.float64),
            depth=int(data["depth"]),
        )


def _finite_or_none(value: float) -> float | None:
    return None if not np.isfinite(value) else value


DECISION_FEATURES: tuple[str, ...] = (
    "d_best",  # the ranker's probability for the best sentence
    "d_margin",  # … minus the second best's
    "d_ratio",  # second best / best
    "d_second_same_paragraph",
    "d_quotes",  # sentences quoted (the second one when it is nearly as likely)
    "d_sum",  # the ranker's probabilities summed over all candidates
    "d_candidates",
    *(f"best_{name}" for name in FEATURE_NAMES),  # the best sentence's own features
)


@dataclass(frozen=True)
class Verdict:
    """The model's choice for one question: rows of the sentences to quote, and its confidence."""

    chosen: tuple[int, ...]  # positions in the FeatureTable, best first
    confidence: float  # probability that the quote holds the answer (0.0 when vetoed)
    sentence_scores: np.ndarray
    vetoed: bool = False  # a rule says this quote cannot answer, whatever the bar


@dataclass(frozen=True)
class AnswerModel:
    """Two tree ensembles: a ranker (does this sentence hold the answer, were there one?) and a
    decider (given the ranker's choice, does the quote hold the answer at all?)."""

    ranker: TreeEnsemble
    decider: TreeEnsemble
    second_quote_share: float  # quote the second best too when its probability is at least this share
    default_min_confidence: float
    report: dict[str, Any]
    background: BackgroundFrequencies  # word counts behind the word weights (see FeatureExtractor)

    @property
    def name(self) -> str:
        """Identifies the model in index manifests and evaluation reports."""
        return f"{MODEL_FORMAT}-v{MODEL_VERSION}-{self.sha256[:12]}"

    @cached_property
    def sha256(self) -> str:
        """Checksum of the trees and the quote share; computed once (~0.2 s), as the model never changes."""
        return _checksum(self.ranker.to_json(), self.decider.to_json(), self.second_quote_share, self.background)

    def decide(self, table: FeatureTable) -> Verdict | None:
        """Score every candidate sentence, choose the quote and say how likely it answers."""
        if not table.rows:
            return None
        scores = self.ranker.predict(table.matrix)
        among = answer_candidates(table)
        if len(among) == 0 or names_unknown_to_corpus(table):
            return Verdict(choose_quote(scores, self.second_quote_share), 0.0, scores, vetoed=True)
        chosen = choose_among(scores, among, self.second_quote_share)
        row = decision_row(table, scores, chosen, among)
        confidence = float(self.decider.predict(row[None, :])[0])
        return Verdict(chosen, confidence, scores)

    def to_json(self) -> dict[str, Any]:
        """The model file's content: format, features, trees, background counts, checksum and training report."""
        return {
            "format": MODEL_FORMAT,
            "version": MODEL_VERSION,
            "features": list(FEATURE_NAMES),
            "decision_features": list(DECISION_FEATURES),
            "second_quote_share": self.second_quote_share,
            "default_min_confidence": self.default_min_confidence,
            "sha256": self.sha256,
            "report": self.report,
            "background": {"documents": self.background.documents, "df": dict(sorted(self.background.df.items()))},
            "ranker": self.ranker.to_json(),
            "decider": self.decider.to_json(),
        }

    def save(self, path: Path) -> None:
        """Write the model file (through a temporary file, then renamed)."""
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        text = json.dumps(self.to_json(), ensure_ascii=False, separators=(",", ":"), sort_keys=True)
        tmp.write_text(text + "\n", encoding="utf-8")
        tmp.replace(path)

    @classmethod
    def load(cls, path: Path = DEFAULT_MODEL_PATH) -> AnswerModel:
        """Read a model file and check its format, features and checksum; AnswerModelError if unusable."""
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise AnswerModelError(f"cannot read answer model {path}: {exc}") from exc
        if not isinstance(data, dict) or data.get("format") != MODEL_FORMAT or data.get("version") != MODEL_VERSION:
            raise AnswerModelError(f"{path} is not a {MODEL_FORMAT} v{MODEL_VERSION} file")
        if tuple(data.get("features", ())) != FEATURE_NAMES or tuple(data.get("decision_features", ())) != (
            DECISION_FEATURES
        ):
            raise AnswerModelError(f"{path} was trained on other features; run: python -m bot train-answerer")
        try:
            model = cls(
                ranker=TreeEnsemble.from_json(data["ranker"]),
                decider=TreeEnsemble.from_json(data["decider"]),
                second_quote_share=float(data["second_quote_share"]),
                default_min_confidence=float(data["default_min_confidence"]),
                report=dict(data.get("report", {})),
                background=_background_from_json(data["background"]),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise AnswerModelError(f"{path} has malformed trees: {exc}") from exc
        # The trees' JSON form is what the file holds: hashing it as read spares turning the arrays
        # back into lists (half the checksum's cost, a tenth of a second at start).
        checksum = _checksum(data["ranker"], data["decider"], model.second_quote_share, model.background)
        if checksum != data.get("sha256"):
            raise AnswerModelError(f"{path} does not match its checksum")
        model.__dict__["sha256"] = checksum  # the cached property, already computed
        return model


_TYPE_MATCH = FEATURE_NAMES.index("s_type_match")
_UNKNOWN_NAMES = FEATURE_NAMES.index("q_unknown_names")


def answer_candidates(table: FeatureTable) -> np.ndarray:
    """Positions of the sentences that may answer: for a "berapa"/"kapan" question only those holding
    a number or a time (whatever else a sentence says, it cannot give the amount or the date asked
    for; the trees, trained mostly on other kinds, do not always know that), else every one."""
    if table.question.kind not in ("number", "time"):
        return np.arange(len(table.rows))
    return np.flatnonzero(table.matrix[:, _TYPE_MATCH] > 0)


def names_unknown_to_corpus(table: FeatureTable) -> bool:
    """The question names someone or something ("Turki", "Macron") that no article mentions, even
    through an alias: whatever sentence comes closest, the articles do not speak of it. Training
    corpora are large enough that this almost never happens there, so the trees did not learn it."""
    return bool(table.matrix[0, _UNKNOWN_NAMES] > 0)


def _checksum(ranker: dict[str, Any], decider: dict[str, Any], share: float, background: BackgroundFrequencies) -> str:
    """SHA-256 over the two ensembles' JSON forms, the quote share and the background counts."""
    payload = {
        "ranker": _json_digest(ranker),
        "decider": _json_digest(decider),
        "share": share,
        "background": _background_digest(background),
    }
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()


def _json_digest(trees: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(trees, sort_keys=True).encode()).hexdigest()


def _background_digest(background: BackgroundFrequencies) -> str:
    payload = json.dumps([background.documents, sorted(background.df.items())], separators=(",", ":"))
    return hashlib.sha256(payload.encode()).hexdigest()


def _background_from_json(data: dict[str, Any]) -> BackgroundFrequencies:
    df = {str(term): int(count) for term, count in dict(data["df"]).items()}
    return BackgroundFrequencies(int(data["documents"]), df)


def choose_quote(scores: np.ndarray, share: float) -> tuple[int, ...]:
    """The best sentence, and the second best when its score is at least `share` of the best."""
    order = np.argsort(-scores, kind="stable")
    chosen = [int(order[0])]
    if len(order) > 1 and scores[order[1]] >= share * scores[order[0]]:
        chosen.append(int(order[1]))
    return tuple(chosen)


def choose_among(scores: np.ndarray, among: np.ndarray, share: float) -> tuple[int, ...]:
    """`choose_quote` over the rows `among` (positions in the whole table)."""
    return tuple(int(among[i]) for i in choose_quote(scores[among], share))


def decision_row(table: FeatureTable, scores: np.ndarray, chosen: tuple[int, ...], among: np.ndarray) -> np.ndarray:
    """DECISION_FEATURES for one question, from the ranker's scores over the rows that may answer
    (`among`) and the quote chosen from them."""
    order = among[np.argsort(-scores[among], kind="stable")]
    best = int(order[0])
    second = float(scores[order[1]]) if len(order) > 1 else 0.0
    same = len(order) > 1 and table.rows[int(order[1])].paragraph == table.rows[best].paragraph
    top = float(scores[best])
    head = [
        top,
        top - second,
        second / max(top, 1e-9),
        float(same),
        len(chosen),
        float(scores[among].sum()),
        len(among),
    ]
    return np.concatenate([np.asarray(head, dtype=np.float64), table.matrix[best].astype(np.float64)])
