"""The answer model: file format, numpy serving (no training library needed to answer), its settings."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import numpy as np
import pytest

from config.settings import SettingsError
from retrieval.answer_features import FeatureExtractor, FeatureTable, QuestionAnalysis, term_set, with_digit
from retrieval.answer_model import (
    DEFAULT_MODEL_PATH,
    AnswerModel,
    AnswerModelError,
    TreeEnsemble,
    answer_candidates,
    choose_quote,
    names_unknown_to_corpus,
)
from retrieval.answer_types import has_time
from retrieval.engine import QAEngine
from retrieval.text import question_terms
from retrieval.training import REQUIRED_ABSTAINED, REQUIRED_ANSWERED, choose_bar, trees_from_lightgbm
from tests.conftest import make_settings


def test_numpy_trees_match_lightgbm() -> None:
    """The exported arrays give the same probabilities as LightGBM itself."""
    lightgbm = pytest.importorskip("lightgbm")
    rng = np.random.default_rng(7)
    x = rng.normal(size=(600, 5))
    y = ((x[:, 0] + 0.5 * x[:, 1] * x[:, 2] + rng.normal(scale=0.3, size=600)) > 0).astype(float)
    params = {"objective": "binary", "num_leaves": 7, "verbose": -1, "seed": 1, "deterministic": True, "num_threads": 1}
    booster = lightgbm.train(params, lightgbm.Dataset(x, y), num_boost_round=40)
    trees = trees_from_lightgbm(booster.dump_model())
    probe = rng.normal(size=(50, 5))
    assert np.allclose(trees.predict(probe), booster.predict(probe), atol=1e-9)
    again = TreeEnsemble.from_json(json.loads(json.dumps(trees.to_json())))
    assert np.array_equal(again.predict(probe), trees.predict(probe))


def test_trees_of_several_seeds_serve_as_their_mean() -> None:
    """Bagged training: one ensemble whose log-odds are the mean of each seed's, trees of any depth."""
    lightgbm = pytest.importorskip("lightgbm")
    rng = np.random.default_rng(3)
    x = rng.normal(size=(500, 4))
    y = (x[:, 0] - x[:, 3] + rng.normal(scale=0.5, size=500) > 0).astype(float)
    members = []
    for seed, leaves in ((1, 5), (2, 9), (3, 15)):
        params = {
            "objective": "binary",
            "num_leaves": leaves,
            "bagging_fraction": 0.7,
            "bagging_freq": 1,
            "verbose": -1,
            "seed": seed,
            "deterministic": True,
            "num_threads": 1,
        }
        members.append(trees_from_lightgbm(lightgbm.train(params, lightgbm.Dataset(x, y), 25).dump_model()))
    mean = TreeEnsemble.average(members)
    probe = rng.normal(size=(40, 4))
    expected = np.mean([m.raw_scores(probe) for m in members], axis=0)
    assert np.allclose(mean.raw_scores(probe), expected, atol=1e-12)
    assert len(mean.roots) == sum(len(m.roots) for m in members)
    assert not np.allclose(members[0].raw_scores(probe), expected)  # the seeds did grow different trees


def test_shipped_model_loads_and_scores() -> None:
    model = AnswerModel.load()
    assert 0.0 < model.default_min_confidence < 1.0
    assert "IDK-MRC" in model.report["dataset"]
    assert model.name.startswith("berita-qa-answer-model-v2-")
    assert model.background.documents > 1_000 and model.background.df["tahun"] > 100


def test_corrupt_or_foreign_model_files_are_refused(tmp_path: Path) -> None:
    data = json.loads(DEFAULT_MODEL_PATH.read_text(encoding="utf-8"))
    cases = {
        "truncated.json": DEFAULT_MODEL_PATH.read_text(encoding="utf-8")[:1000],
        "other_features.json": json.dumps({**data, "features": ["s_cos"]}),
        "tampered.json": json.dumps({**data, "second_quote_share": 0.1}),
        "tampered_words.json": json.dumps({**data, "background": {**data["background"], "documents": 7}}),
        "not_a_model.json": json.dumps(["x"]),
    }
    for name, text in cases.items():
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        with pytest.raises(AnswerModelError):
            AnswerModel.load(path)
    with pytest.raises(AnswerModelError):
        AnswerModel.load(tmp_path / "missing.json")


def test_common_words_a_small_corpus_lacks_do_not_weigh_like_unknown_names(engine: QAEngine) -> None:
    # Five articles never say "digelar"; a general collection does, often. Without the background
    # it weighed like a name the articles never mention and the question looked like a near miss.
    query = engine.prepare("Kapan KTT NATO digelar di Qwertyville?")
    lacking = {"gelar", "qwertyville"}
    assert all(engine.index.lexical.document_frequency(t) == 0 for t in lacking)
    alone = FeatureExtractor(engine.index).analyse(query, list(query.groups))
    model = AnswerModel.load()
    shipped = FeatureExtractor(engine.index, model.background).analyse(query, list(query.groups))

    def weight(analysis: QuestionAnalysis, term: str) -> float:
        return next(w for g, w in zip(analysis.groups, analysis.weights, strict=True) if term in g.terms)

    assert weight(alone, "gelar") == weight(alone, "qwertyville")
    assert weight(shipped, "gelar") < 0.7 * weight(shipped, "qwertyville")
    # Still unknown to these articles: that is evidence of its own.
    assert shipped.unknown == alone.unknown


def test_a_when_question_is_answered_only_by_a_sentence_with_a_time(engine: QAEngine) -> None:
    def table_for(question: str) -> FeatureTable:
        query = engine.prepare(question)
        candidates = engine._pipeline.searcher.search(query, top_k=5).candidates
        return FeatureExtractor(engine.index).extract(query, list(query.groups), candidates)

    table = table_for("Kapan KTT NATO di Washington digelar?")
    texts = [engine.index.paragraphs[r.paragraph].sentence_text(r.offset) for r in table.rows]
    timed = {i for i, text in enumerate(texts) if has_time(text)}
    assert timed and len(timed) < len(table.rows)
    assert set(answer_candidates(table).tolist()) == timed
    verdict = AnswerModel.load().decide(table)
    assert verdict is not None and set(verdict.chosen) <= timed
    # "siapa" asks for a name, which the rule does not judge (the trees do): every sentence may answer.
    who = table_for("Siapa yang memimpin NATO?")
    assert len(answer_candidates(who)) == len(who.rows)


def test_an_ordinal_question_is_answered_by_the_sentence_with_the_ordinal(engine: QAEngine) -> None:
    # The sentence that repeats "ulang tahun" best has no number; the one with "ke-75" answers.
    answer = engine.ask("NATO merayakan ulang tahun ke berapa?")
    assert answer.answered
    assert "ke-75" in " ".join(q.text for q in answer.quotes)


def test_a_name_no_article_mentions_is_never_answered(engine: QAEngine) -> None:
    def table_for(question: str) -> FeatureTable:
        query = engine.prepare(question)
        candidates = engine._pipeline.searcher.search(query, top_k=5).candidates
        return FeatureExtractor(engine.index).extract(query, list(query.groups), candidates)

    assert names_unknown_to_corpus(table_for("Apakah Macron mendukung Swedia masuk NATO?"))
    # Named through an alias the articles use (Kyiv → Ukraina, Moskow → Rusia): known.
    assert not names_unknown_to_corpus(table_for("Rudal apa yang diminta Kyiv dari Washington?"))
    assert not names_unknown_to_corpus(table_for("Berapa tentara yang direkrut Moskow?"))
    # Lower-case chat has no names to judge; English words the glossary lacks are not names either.
    assert not names_unknown_to_corpus(table_for("siapa pengganti stoltenberg"))


def test_number_words_and_digits_match() -> None:
    assert "5" in term_set("dana lima tahun sebesar 100 miliar euro")
    assert "5" not in term_set("lima puluh tentara") and "2" not in term_set("dua belas hari")
    (group,) = [with_digit(g) for g in question_terms("lima") if g.terms[0] == "lima"]
    assert set(group.terms) == {"lima", "5"}


def test_second_sentence_quoted_only_when_nearly_as_likely() -> None:
    assert choose_quote(np.array([0.2, 0.9, 0.6]), 0.6) == (1, 2)
    assert choose_quote(np.array([0.2, 0.9, 0.5]), 0.6) == (1,)
    assert choose_quote(np.array([0.7]), 0.6) == (0,)


def test_default_bar_answers_most_while_quiet_on_half_the_unanswerable() -> None:
    curve = [
        {"min_confidence": 0.1, "answered": 0.95, "abstained": 0.3},
        {"min_confidence": 0.2, "answered": 0.90, "abstained": 0.5},
        {"min_confidence": 0.25, "answered": 0.88, "abstained": 0.55},
        {"min_confidence": 0.3, "answered": 0.86, "abstained": 0.6},
        {"min_confidence": 0.4, "answered": 0.70, "abstained": 0.7},
    ]
    # 0.2 to 0.3 meet both targets: the middle keeps a margin to each
    assert choose_bar(curve) == 0.25
    # no bar meets both: the quietest that still answers enough
    assert choose_bar([{**c, "abstained": c["abstained"] - 0.25} for c in curve]) == 0.3
    # the shipped model's own report: its default meets the floor on IDK-MRC valid
    report = AnswerModel.load().report
    assert report["valid_at_default"]["answered"] >= REQUIRED_ANSWERED
    assert report["valid_at_default"]["abstained"] >= REQUIRED_ABSTAINED
    assert report["default_min_confidence"] == report["valid_at_default"]["min_confidence"]


def test_a_higher_bar_keeps_the_bot_quiet(engine: QAEngine) -> None:
    question = "Siapa pengganti Stoltenberg?"
    sure = engine.ask(question)
    assert sure.answered and sure.confidence is not None
    strict = QAEngine(engine.index, engine.embedder, engine.settings.with_overrides(answer_min_confidence=0.999))
    quiet = strict.ask(question)
    assert not quiet.answered and quiet.quotes == ()


def test_bar_setting_is_read_and_checked(tmp_path: Path) -> None:
    assert make_settings(tmp_path, tmp_path, ANSWER_MIN_CONFIDENCE="0,3").answer_min_confidence == 0.3
    assert make_settings(tmp_path, tmp_path).answer_min_confidence is None
    for bad in ("tinggi", "1.5", "-0.1"):
        with pytest.raises(SettingsError, match="ANSWER_MIN_CONFIDENCE"):
            make_settings(tmp_path, tmp_path, ANSWER_MIN_CONFIDENCE=bad)
    with pytest.raises(SettingsError, match="ANSWER_SELECTOR"):
        make_settings(tmp_path, tmp_path, ANSWER_SELECTOR="magic")


def test_rules_on_request_and_when_the_model_file_is_broken(
    engine: QAEngine, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    rules = QAEngine(engine.index, engine.embedder, engine.settings.with_overrides(answer_selector="rules"))
    assert rules.answer_model is None
    assert "Mark Rutte" in " ".join(q.text for q in rules.ask("Siapa pengganti Stoltenberg?").quotes)

    broken = tmp_path / "answer_model.json"
    broken.write_text(DEFAULT_MODEL_PATH.read_text(encoding="utf-8")[:5000], encoding="utf-8")
    load = AnswerModel.load.__func__  # type: ignore[attr-defined]
    monkeypatch.setattr(AnswerModel, "load", classmethod(lambda cls: load(cls, broken)))
    with caplog.at_level(logging.ERROR):
        fallback = QAEngine(engine.index, engine.embedder, engine.settings)
    assert fallback.answer_model is None and "answer model unusable" in caplog.text
    assert fallback.ask("Siapa pengganti Stoltenberg?").answered


def test_the_corpus_topic_counts_as_present_in_every_sentence(engine: QAEngine) -> None:
    # The seed articles are about NATO: "Aliansi itu juga bertekad memenuhi janji …" answers a
    # question naming NATO without naming it, and must not look like a near miss for that.
    query = engine.prepare("Berapa janji bantuan militer NATO untuk Ukraina?")
    extractor = FeatureExtractor(engine.index, AnswerModel.load().background)
    analysis = extractor.analyse(query, list(query.groups))
    topic = {g.terms[0] for g, t in zip(analysis.groups, analysis.topic, strict=True) if t}
    assert topic == {"nato", "ukraina"}
    # Typed in lower case, the names are still the topic; common words ("militer", found in more
    # than a fifth of the paragraphs too) never are.
    chat = engine.prepare("nato janji kasih bantuan militer ke ukraina total berapa")
    analysis = extractor.analyse(chat, list(chat.groups))
    assert {g.terms[0] for g, t in zip(analysis.groups, analysis.topic, strict=True) if t} == {"nato", "ukraina"}
