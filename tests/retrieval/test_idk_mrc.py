"""Open-retrieval evaluation on IDK-MRC-format data, through the same ingest → ask path users get."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from config.settings import PROJECT_ROOT, settings_from_mapping
from retrieval.evaluation import evaluate_idk_mrc
from retrieval.idk_mrc import ANSWERABLE, HUMAN, MACHINE, UNLABELLED, answer_in_quote, load_split

pytestmark = pytest.mark.integration  # ingests IDK-MRC through the real pipeline

# A tiny split in IDK-MRC's format (text written for this test).
CONTEXTS = [
    (
        "Candi Borobudur adalah candi Buddha terbesar di dunia. Candi ini dibangun pada abad ke-9 oleh "
        "Wangsa Syailendra. Letaknya di Magelang, Jawa Tengah.",
        [
            ("q1", "Siapa yang membangun Candi Borobudur?", ["Wangsa Syailendra"]),
            ("q1-unans-h-1", "Siapa yang memugar Candi Borobudur pada abad ke-20?", []),
        ],
    ),
    (
        "Danau Toba adalah danau vulkanik di Sumatera Utara. Luas danau itu sekitar 1.130 km² dan di "
        "tengahnya terdapat Pulau Samosir.",
        [
            ("q2", "Pulau apa yang ada di tengah Danau Toba?", ["Pulau Samosir"]),
            ("q2-unans-m-1", "Berapa kedalaman Danau Singkarak?", []),
        ],
    ),
    (
        "Rendang adalah masakan daging berbumbu dari Minangkabau. Daging dimasak perlahan dengan santan "
        "selama beberapa jam hingga kering.",
        [("q3", "Dari mana asal rendang?", ["Minangkabau"])],
    ),
]


@pytest.fixture()
def tiny_split(tmp_path: Path) -> Path:
    records = []
    for context, questions in CONTEXTS:
        qas = [
            {
                "id": qid,
                "question": text,
                "is_impossible": not answers,
                "answers": [{"text": a, "answer_start": context.index(a)} for a in answers],
            }
            for qid, text, answers in questions
        ]
        records.append({"context": context, "qas": qas})
    path = tmp_path / "tiny.json"
    path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    return path


def test_split_reads_kinds_and_answers(tiny_split: Path) -> None:
    split = load_split(tiny_split)
    assert len(split.contexts) == 3 and len(split.questions) == 5
    assert [q.kind for q in split.questions] == [ANSWERABLE, HUMAN, ANSWERABLE, MACHINE, ANSWERABLE]
    assert answer_in_quote(("Wangsa Syailendra",), "dibangun oleh  wangsa syailendra.")
    assert not answer_in_quote((), "apa saja")


def test_unanswerable_questions_of_other_files_are_not_called_machine_made(tmp_path: Path) -> None:
    """Our own news questions use IDK-MRC's format without its id markers: no human/machine split."""
    path = tmp_path / "news.json"
    question = {"id": "n-1", "question": "Kapan?", "is_impossible": True}
    record = {"context": "Rapat digelar di Jakarta.", "qas": [question]}
    path.write_text(json.dumps([record]), encoding="utf-8")
    assert [q.kind for q in load_split(path).questions] == [UNLABELLED]


def test_every_paragraph_ingested_and_three_pipelines_side_by_side(tiny_split: Path, tmp_path: Path) -> None:
    # As a user runs it: CORPUS_DIR unset, so the bot's own corpus would include the seeds.
    settings = settings_from_mapping({"INDEX_DIR": str(tmp_path / "unused-index")})
    assert settings.seeds_dir is not None
    result = evaluate_idk_mrc(tiny_split, settings, tmp_path / "work")
    assert result["paragraphs"] == 3  # none lost on the way in, and no seed paragraph beside them
    assert (result["answerable"], result["unanswerable"]) == (3, 2)
    names = [p["pipeline"] for p in result["pipelines"]]
    assert names == ["answer model (this version)", "rules (first version)", "BM25 baseline"]
    model = result["pipelines"][0]
    assert model["recall@1"] == 1.0  # three distinct topics: retrieval cannot miss
    assert model["answer_in_quote"] >= 2 / 3
    bm25 = result["pipelines"][2]
    assert bm25["answered_when_answerable"] == 1.0 and bm25["abstained_when_unanswerable"] < 1.0
    bars = [c["min_confidence"] for c in result["curve"]]
    answered = [c["answered_when_answerable"] for c in result["curve"]]
    assert bars == sorted(bars) and answered == sorted(answered, reverse=True)  # a higher bar answers less
    # A second run finds everything ingested already and gives the same figures.
    again = evaluate_idk_mrc(tiny_split, settings, tmp_path / "work")
    assert again["paragraphs"] == 3
    assert [p["answered_when_answerable"] for p in again["pipelines"]] == [
        p["answered_when_answerable"] for p in result["pipelines"]
    ]


def test_cli_prints_the_tables(tiny_split: Path, tmp_path: Path, subprocess_env: dict[str, str]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "bot", "eval", "--idk-mrc", str(tiny_split), "--work", str(tmp_path / "w")],
        cwd=PROJECT_ROOT, env=subprocess_env, capture_output=True, text=True, timeout=600, check=True,
    )  # fmt: skip
    assert "| answer model (this version) |" in done.stdout
    assert "| BM25 baseline |" in done.stdout
    assert "ANSWER_MIN_CONFIDENCE" in done.stdout
    missing = subprocess.run(
        [sys.executable, "-m", "bot", "eval", "--idk-mrc", str(tmp_path / "nope.json")],
        cwd=PROJECT_ROOT, env=subprocess_env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert missing.returncode == 2 and "tidak ditemukan" in missing.stderr
