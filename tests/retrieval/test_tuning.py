"""The tuning object: validated, wired into search and answer choice, recorded and reported."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import pytest

from bot.testing.cli import run_bot
from retrieval.engine import QAEngine
from retrieval.tuning import DEFAULT_TUNING, RuleTuning, SearchTuning, Tuning


def test_answer_choice_cannot_read_past_what_search_returns() -> None:
    with pytest.raises(ValueError, match="more paragraphs"):
        Tuning(search=SearchTuning(top_k=2), answer_paragraphs=4)
    with pytest.raises(ValueError, match="at least 1"):
        Tuning(search=SearchTuning(dense_candidates=0))


def test_search_returns_as_many_paragraphs_as_tuned(engine: QAEngine) -> None:
    narrow = Tuning(search=SearchTuning(top_k=1), rules=RuleTuning(quote_paragraphs=1), answer_paragraphs=1)
    tuned = QAEngine(engine.index, engine.embedder, engine.settings, narrow)
    assert len(tuned.ranked_paragraphs("Siapa pengganti Stoltenberg?")) == 1
    assert len(engine.ranked_paragraphs("Siapa pengganti Stoltenberg?")) == DEFAULT_TUNING.search.top_k
    # One paragraph is enough for this answer: the engine still answers with it.
    assert "Mark Rutte" in " ".join(q.text for q in tuned.ask("Siapa pengganti Stoltenberg?").quotes)


def test_the_rules_bars_come_from_the_tuning(engine: QAEngine) -> None:
    rules = engine.settings.with_overrides(answer_selector="rules")
    default = QAEngine(engine.index, engine.embedder, rules)
    assert default.ask("Siapa pengganti Stoltenberg?").answered
    unreachable = replace(DEFAULT_TUNING.rules, min_cosine=1.01, strong_cosine=1.01)
    strict = QAEngine(engine.index, engine.embedder, rules, replace(DEFAULT_TUNING, rules=unreachable))
    assert not strict.ask("Siapa pengganti Stoltenberg?").answered


def test_the_index_manifest_records_the_tuning(engine: QAEngine) -> None:
    assert engine.index.manifest.tuning == DEFAULT_TUNING.to_json()


def test_eval_reports_the_settings_behind_its_figures(tmp_path: Path, subprocess_env: dict[str, str]) -> None:
    questions = tmp_path / "q.jsonl"
    line = {"id": "t1", "question": "Siapa pengganti Stoltenberg?", "answerable": True, "key_fact": ["Mark Rutte"]}
    questions.write_text(json.dumps(line) + "\n", encoding="utf-8")
    result = run_bot(["eval", "--file", str(questions), "--json"], subprocess_env)
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout)
    assert report["key_fact_in_quotes"] == 1.0
    assert report["tuning"] == DEFAULT_TUNING.to_json()
    assert report["answer_model"].startswith("berita-qa-answer-model-")
    assert 0 < report["min_confidence"] < 1
