"""IDK-MRC (Putri & Oh, EMNLP 2022): Indonesian questions with and without an answer.

A split is a JSON list of `{"context", "qas": [{"id", "is_impossible", "question",
"answers": [{"text", "answer_start"}]}]}`. Unanswerable questions were written by
people (`-unans-h-` in the id) or generated and then checked (`-unans-m-`).
For open retrieval every context becomes one article (`idk-<split>-<n>`), ingested
through the same path a user's JSON Lines file takes.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from config.settings import Settings
from retrieval.embedding import Embedder
from retrieval.index import SearchIndex

ANSWERABLE, HUMAN, MACHINE = "answerable", "unanswerable-human", "unanswerable-machine"
UNLABELLED = "unanswerable"  # a file in IDK-MRC's format whose ids do not say who wrote the question


@dataclass(frozen=True)
class MrcQuestion:
    """One IDK-MRC question: its answers (if any), their offsets, its kind and the context it is about."""

    id: str
    question: str
    answers: tuple[str, ...]  # empty when unanswerable
    answer_starts: tuple[int, ...]  # character offsets into the context
    kind: str  # ANSWERABLE, HUMAN, MACHINE or UNLABELLED
    context: int  # position of its context in the split

    @property
    def answerable(self) -> bool:
        """Whether the question has an answer in its context."""
        return self.kind == ANSWERABLE


@dataclass(frozen=True)
class MrcSplit:
    """One IDK-MRC split read from its JSON file: contexts, questions and the file's digest."""

    name: str
    contexts: tuple[str, ...]
    questions: tuple[MrcQuestion, ...]
    digest: str  # sha256 of the file, first 12 hex digits

    def article_id(self, context: int) -> str:
        """The corpus id context number `context` is ingested under."""
        return f"idk-{self.name}-{context:05d}"


def _kind(qa: dict[str, object]) -> str:
    if not qa.get("is_impossible"):
        return ANSWERABLE
    qid = str(qa["id"])
    if "-unans-h-" in qid:
        return HUMAN
    return MACHINE if "-unans-m-" in qid else UNLABELLED


def load_split(path: Path, name: str | None = None) -> MrcSplit:
    """Read one split file; `name` defaults to the file's stem ("train", "valid")."""
    data = path.read_bytes()
    records = json.loads(data)
    contexts: list[str] = []
    questions: list[MrcQuestion] = []
    for record in records:
        position = len(contexts)
        contexts.append(record["context"])
        for qa in record["qas"]:
            answers = [a for a in qa.get("answers", []) if a.get("text", "").strip()]
            questions.append(
                MrcQuestion(
                    id=str(qa["id"]),
                    question=qa["question"],
                    answers=tuple(a["text"] for a in answers),
                    answer_starts=tuple(int(a.get("answer_start", -1)) for a in answers),
                    kind=_kind(qa),
                    context=position,
                )
            )
    return MrcSplit(name or path.stem, tuple(contexts), tuple(questions), hashlib.sha256(data).hexdigest()[:12])


def write_jsonl(split: MrcSplit, path: Path) -> Path:
    """Every context as one article line, the way a user imports a batch of articles."""
    with path.open("w", encoding="utf-8") as out:
        for n, context in enumerate(split.contexts):
            out.write(json.dumps({"id": split.article_id(n), "text": context}, ensure_ascii=False) + "\n")
    return path


def _folded(text: str) -> str:
    return " ".join(text.casefold().split())


def answer_in_quote(answers: tuple[str, ...], quoted: str) -> bool:
    """Does the quoted text hold one of the gold answers (case and spacing ignored)?"""
    haystack = _folded(quoted)
    return any(_folded(answer) in haystack for answer in answers if answer.strip())


@dataclass
class SplitIndex:
    """A split ingested into its own corpus and index folder (kept under .cache for reuse)."""

    split: MrcSplit
    settings: Settings  # CORPUS_DIR and INDEX_DIR of this split
    index: SearchIndex
    gold_rows: dict[int, tuple[int, ...]] = field(default_factory=dict)  # context -> its paragraphs' rows


def ingest_split(split: MrcSplit, settings: Settings, work: Path, embedder: Embedder) -> SplitIndex:
    """Ingest every context of `split` as one article, as `python -m bot ingest` does, then load the
    index as `python -m bot ask` does (idempotent: a second run adds and embeds nothing)."""
    from retrieval.engine import refresh_index
    from retrieval.ingest import Ingestor, IngestPolicy

    root = work / f"{split.name}-{split.digest}"
    root.mkdir(parents=True, exist_ok=True)
    # The split alone: no seed articles beside it (they would change retrieval and the figures).
    local = settings.with_overrides(corpus_dir=root / "corpus", index_dir=root / "index", seeds_dir=None)
    jsonl = write_jsonl(split, root / f"{split.name}.jsonl")
    ingestor = Ingestor(local, embedder=embedder, policy=IngestPolicy(max_bytes=1_000_000_000))
    report = ingestor.ingest_paths([jsonl])
    if report.rejected:
        raise RuntimeError(f"ingest of {split.name} rejected {len(report.rejected)} contexts: {report.rejected[:3]}")
    index = refresh_index(local, embedder, show_progress=False).index
    rows: dict[int, list[int]] = {}
    prefix = f"idk-{split.name}-"
    for row, paragraph in enumerate(index.paragraphs):
        if paragraph.article_id.startswith(prefix):
            rows.setdefault(int(paragraph.article_id.removeprefix(prefix)), []).append(row)
    return SplitIndex(split, local, index, {context: tuple(found) for context, found in rows.items()})
