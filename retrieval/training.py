"""Training data and training for the answer model (`python -m bot train-answerer`).

Data, all asked through the bot's own ingest and search:
* IDK-MRC train (Wikipedia paragraphs, answerable and near-miss unanswerable questions): every
  context is ingested as an article, every question runs through the bot's search, and every
  sentence of the best candidate paragraphs becomes one row of features, labelled 1 when it lies in
  the question's own paragraph and holds the gold answer. Unanswerable questions give rows that are
  all 0. Each train question is also asked as a chat-style copy, a reworded copy, a rough English
  copy, and (for 2,400 of them) a paraphrase written for this project.
* News articles written for this project in IDK-MRC's format (retrieval/models/news_training.json):
  multi-paragraph articles with formal, chat-style, telegraphic and English questions, near-topic,
  near-miss and off-topic unanswerable ones. IDK-MRC alone teaches Wikipedia's calibration: its
  questions copy the paragraph's words, so natural questions about news looked unanswerable.

Training uses LightGBM (the `train` extra) with fixed seeds on one thread, so that the same data
gives the same trees; the default bar is chosen on IDK-MRC valid.
"""

from __future__ import annotations

import json
import logging
import random
import time
import zlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np

from config.settings import Settings
from retrieval.answer_features import BackgroundFrequencies, FeatureExtractor, FeatureTable
from retrieval.answer_model import (
    DECISION_FEATURES,
    AnswerModel,
    TreeEnsemble,
    answer_candidates,
    choose_among,
    decision_row,
)
from retrieval.embedding import Embedder
from retrieval.idk_mrc import MrcQuestion, MrcSplit, SplitIndex, answer_in_quote
from retrieval.search import HybridSearcher, Query

log = logging.getLogger(__name__)

SEARCH_DEPTH = 5


@dataclass
class Sample:
    """One question asked against one index: its candidate sentences, features and labels."""

    question: MrcQuestion
    asked: str  # the text asked: the question itself or one of its chat-style/reworded/English copies
    hidden_gold: bool  # asked with its own paragraph hidden (a question the articles cannot answer)
    table: FeatureTable
    labels: np.ndarray  # bool per row: this sentence holds the gold answer
    vector: np.ndarray  # the question vector (for the vector features)
    sentence_rows: np.ndarray  # index rows of the candidate sentences
    gold_rank: int | None  # fused rank of the gold paragraph, None when not retrieved
    weight: float = 1.0  # how much the sample counts in training

    @property
    def should_answer(self) -> bool:
        """Whether a candidate sentence holds the gold answer."""
        return bool(self.labels.any())


class QuestionVectors:
    """Question vectors remembered on disk by text, so a rebuild embeds each question once."""

    def __init__(self, path: Path, embed: Callable[[str], np.ndarray]) -> None:
        self.path = path
        self.embed = embed
        self._vectors: dict[str, np.ndarray] = {}
        if path.is_file():
            with np.load(path) as data:
                keys = json.loads(str(data["keys"]))
                self._vectors = dict(zip(keys, data["vectors"], strict=True))

    def get(self, text: str) -> np.ndarray:
        """The question's vector, embedded on first use."""
        vector = self._vectors.get(text)
        if vector is None:
            vector = self._vectors[text] = self.embed(text)
        return vector

    def save(self) -> None:
        """Write the remembered vectors (through a temporary file, then renamed)."""
        keys = list(self._vectors)
        vectors = np.vstack([self._vectors[k] for k in keys]) if keys else np.zeros((0, 1), np.float32)
        tmp = self.path.with_suffix(".tmp.npz")
        np.savez(tmp, keys=json.dumps(keys), vectors=vectors)
        tmp.replace(self.path)


# --- chat-style copies of the training questions ----------------------------------------------
# IDK-MRC questions are written carefully, close to the paragraph's wording; people in a group
# type "brp luas kab brebes" or "siapa yg gantiin dia". A chat-style copy of every training
# question (same answer, same label) teaches the model that such a question is still answerable
# even though its vector is less close to the sentence.

_DROPPED_OPENERS = ("apakah ", "apa kah ", "adakah ")
_FILLERS = ("sih", "ya", "dong", "tuh", "nih")
_KAH_WORDS = frozenset({"siapa", "apa", "berapa", "dimana", "manakah", "mana", "bagaimana", "mengapa", "kapan"})


def chat_variant(question: str, seed: str) -> str:
    """A deterministic casual rewrite: lower case, no question mark, slang spellings, -in verbs."""
    from retrieval.colloquial import slang_spellings

    rng = random.Random(zlib.crc32(seed.encode()))
    slang = slang_spellings()
    text = question.strip().rstrip("?!. ")
    if rng.random() < 0.8:
        text = text.lower()
    low = text.lower()
    for opener in _DROPPED_OPENERS:
        if low.startswith(opener) and rng.random() < 0.5:
            text = text[len(opener) :]
            break
    words = []
    for word in text.split():
        bare = word.lower()
        if bare.endswith("kah") and bare[:-3] in _KAH_WORDS and rng.random() < 0.7:
            word = bare = bare[:-3]  # "siapakah" → "siapa"
        if bare in slang and rng.random() < 0.7:
            words.append(rng.choice(slang[bare]))
        elif rng.random() < 0.6 and (casual := _casual_verb(bare)) is not None:
            words.append(casual)
        else:
            words.append(word)
    if rng.random() < 0.25:
        words.append(rng.choice(_FILLERS))
    return " ".join(words) + ("?" if rng.random() < 0.3 else "")


def _casual_verb(word: str) -> str | None:
    """menggantikan → gantiin, dikirimkan → dikirimin: the Jakarta -in for -kan."""
    from retrieval.text import stem

    if not word.endswith("kan") or len(word) < 8:
        return None
    root = stem(word)
    if root == word or len(root) < 3:
        return None
    if word.startswith("di"):
        return f"di{root}in"
    if word.startswith("me"):
        return f"{root}in"
    return None


# Other words for what IDK-MRC questions ask most often (written for this project from general
# Indonesian usage). A reworded copy of each training question makes the model meet questions that
# do not borrow the paragraph's words, as people in a group ask them.
_REWORDINGS: dict[str, tuple[str, ...]] = {
    word: tuple(alternatives.split("|"))
    for word, alternatives in (
        pair.split("=", 1)
        for pair in """
        pertama=awal|paling_awal luas=ukuran|besar nama=sebutan lahir=dilahirkan dilahirkan=lahir
        letak=lokasi|posisi terakhir=paling_akhir|terbaru jumlah=banyaknya|total meninggal=wafat|tewas
        wafat=meninggal ibukota=pusat_pemerintahan utama=pokok|terpenting pendiri=penggagas|pembentuk
        didirikan=dibentuk|dibangun digunakan=dipakai menciptakan=membuat|mengarang terjadi=berlangsung
        raja=penguasa dirilis=diluncurkan|diterbitkan berdiri=didirikan muncul=hadir|timbul
        diciptakan=dibuat penyebab=alasan|faktor dilarang=tidak_diizinkan menemukan=mendapati
        pencipta=pembuat presiden=kepala_negara berasal=datang terbesar=paling_besar perang=pertempuran
        jenis=macam|tipe dimulai=mulai fungsi=kegunaan istilah=sebutan tujuan=maksud|sasaran
        kematian=wafatnya berakhir=selesai|usai dibangun=didirikan pemimpin=ketua|kepala
        mendirikan=membentuk berkuasa=memerintah umur=usia terkenal=populer|ternama istri=pasangan
        penduduk=warga karya=hasil anak=putra|keturunan dibentuk=didirikan dibubarkan=dihapus|diakhiri
        ditutup=dihentikan terkecil=paling_kecil penulis=pengarang tokoh=figur diadakan=digelar|dilaksanakan
        diangkat=ditunjuk|dilantik runtuh=jatuh|hancur merdeka=bebas tempat=lokasi populasi=jumlah_penduduk
        membuat=menciptakan memproduksi=menghasilkan menulis=mengarang tinggi=ketinggian mengatakan=menyatakan
        menyatakan=mengatakan memberikan=memberi mendukung=membantu membantu=mendukung besar=banyak
        wilayah=daerah daerah=wilayah memiliki=punya mempunyai=memiliki terletak=berada berada=terletak
        dikenal=terkenal disebut=dinamai bernama=dinamai menjabat=memimpin masa=periode zaman=masa
        kerajaan=kekuasaan bangsa=rakyat rakyat=warga dunia=global internasional=dunia ilmu=pengetahuan
        bahasa=bahasa_resmi agama=kepercayaan suku=etnis mulai=sejak digunakan=dipakai bertujuan=berfungsi
        """.split()
    )
}


def reworded_variant(question: str, seed: str) -> str | None:
    """Some words replaced by other words with the same meaning; None when none could be."""
    rng = random.Random(zlib.crc32(b"reword:" + seed.encode()))
    words = question.strip().rstrip("?!. ").split()
    out: list[str] = []
    changed = False
    for word in words:
        bare = word.lower().strip(",.")
        if bare in _REWORDINGS and rng.random() < 0.8:
            out.append(rng.choice(_REWORDINGS[bare]).replace("_", " "))
            changed = True
        else:
            out.append(word)
    if not changed:
        return None
    text = " ".join(out)
    return (text.lower() if rng.random() < 0.5 else text) + "?"


_ENGLISH_QUESTION_WORDS = {
    "apa": "what", "apakah": "what", "siapa": "who", "siapakah": "who", "kapan": "when", "kapankah": "when",
    "berapa": "how many", "berapakah": "how many", "mengapa": "why", "kenapa": "why", "bagaimana": "how",
    "dimana": "where", "dimanakah": "where", "mana": "which", "manakah": "which", "yang": "that",
    "di": "in", "ke": "to", "dari": "from", "pada": "in", "dalam": "in", "dan": "and", "atau": "or",
    "tahun": "year", "oleh": "by", "untuk": "for", "dengan": "with", "adalah": "is", "tidak": "not",
}  # fmt: skip


def english_variant(question: str) -> str | None:
    """A word-by-word English rendering with the glossary read backwards ("Kapan PBB dibubarkan?" →
    "when PBB dissolved"): rough English, but it embeds the way an English question does, across
    languages, which IDK-MRC has none of. None when most words have no English entry."""
    from retrieval.glossary import GLOSSARY
    from retrieval.text import stem

    backwards: dict[str, str] = {}
    for english, indonesian in GLOSSARY.items():
        backwards.setdefault(indonesian, english)
    out: list[str] = []
    known = content = 0
    for word in question.strip().rstrip("?!. ").split():
        bare = word.lower().strip(",.")
        if bare in _ENGLISH_QUESTION_WORDS:
            out.append(_ENGLISH_QUESTION_WORDS[bare])
            continue
        if word[:1].isupper() or any(ch.isdigit() for ch in word):
            out.append(word)  # names and numbers are the same in both languages
            continue
        content += 1
        translated = backwards.get(bare) or backwards.get(stem(bare))
        known += translated is not None
        out.append(translated or bare)
    if not content or known < 0.7 * content:
        return None
    return " ".join(out) + "?"


PARAPHRASES = Path(__file__).resolve().parent / "models" / "idk_mrc_train_paraphrases.jsonl"


def load_paraphrases(path: Path = PARAPHRASES) -> dict[str, str]:
    """Question id → the same question in a user's own words (written for this project; see
    retrieval/models/README.md). Missing file: no paraphrases."""
    if not path.is_file():
        return {}
    records = (json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip())
    return {str(r["id"]): str(r["paraphrase"]) for r in records}


def build_samples(
    data: SplitIndex,
    prepare: Callable[[str], Query],
    background: BackgroundFrequencies,
    *,
    hide_gold: bool,
    chat: bool = False,
    progress: Callable[[int], None] | None = None,
) -> list[Sample]:
    """Ask every question of the split; with `hide_gold`, answerable ones again without their paragraph;
    with `chat`, each also in a chat-style copy."""
    searcher = HybridSearcher(data.index)
    extractor = FeatureExtractor(data.index, background)
    paraphrases = load_paraphrases() if chat else {}
    samples: list[Sample] = []
    for n, question in enumerate(data.split.questions, start=1):
        gold = data.gold_rows.get(question.context, ())
        texts = [question.question]
        if chat:
            texts.append(chat_variant(question.question, question.id))
            reworded = reworded_variant(question.question, question.id)
            english = english_variant(question.question)
            texts += [t for t in (reworded, english, paraphrases.get(question.id)) if t]
        for text in texts:
            query = prepare(text)
            samples.append(_sample(data, searcher, extractor, question, query, gold, hidden=False))
            if hide_gold and question.answerable and gold:
                samples.append(_sample(data, searcher, extractor, question, query, gold, hidden=True))
        if progress and n % 500 == 0:
            progress(n)
    return samples


def foreign_samples(
    data: SplitIndex,
    questions: Sequence[MrcQuestion],
    prepare: Callable[[str], Query],
    background: BackgroundFrequencies,
) -> list[Sample]:
    """Questions written for another corpus asked against this one, each also in a chat-style copy:
    none can be answered here. Wikipedia's questions against news articles and news questions
    against Wikipedia share a word or two with some passage ("besok", "harga") and miss the rest,
    as a group's off-topic chat does; near-miss questions and hidden paragraphs stay on the subject."""
    searcher = HybridSearcher(data.index)
    extractor = FeatureExtractor(data.index, background)
    samples = []
    for question in questions:
        for text in (question.question, chat_variant(question.question, question.id)):
            samples.append(_sample(data, searcher, extractor, question, prepare(text), (), hidden=True))
    return samples


def _sample(
    data: SplitIndex,
    searcher: HybridSearcher,
    extractor: FeatureExtractor,
    question: MrcQuestion,
    query: Query,
    gold: tuple[int, ...],
    *,
    hidden: bool,
) -> Sample:
    exclude = frozenset(gold) if hidden else frozenset()
    result = searcher.search(query, top_k=SEARCH_DEPTH, exclude=exclude)
    table = extractor.extract(query, list(query.groups), result.candidates)
    index = data.index
    labels = np.zeros(len(table.rows), dtype=bool)
    if question.answerable and not hidden:
        for i, row in enumerate(table.rows):
            if row.paragraph in gold:
                sentence = index.paragraphs[row.paragraph].sentence_text(row.offset)
                labels[i] = answer_in_quote(question.answers, sentence)
    gold_rank = next((c.rank for c in result.candidates if c.paragraph in gold and not hidden), None)
    rows = np.asarray([r.row for r in table.rows], dtype=np.int64)
    return Sample(question, query.text, hidden, table, labels, query.vector, rows, gold_rank)


# --- training ------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrainingConfig:
    """LightGBM settings for both ensembles (chosen on IDK-MRC valid; see the training report)."""

    ranker_leaves: int = 15
    ranker_rounds: int = 300
    decider_leaves: int = 31
    decider_rounds: int = 500
    learning_rate: float = 0.05
    max_depth: int = 6
    min_data_in_leaf: int = 40
    feature_fraction: float = 0.8
    bagging_fraction: float = 0.8
    lambda_l2: float = 1.0
    # The ranker learns which sentence of a question's candidates comes first (LambdaRank) rather
    # than whether each one holds the answer on its own: on valid its first sentence holds the
    # answer 0.77 of the time against 0.75 (three seeds each). "binary" is the pointwise ranker.
    ranker_objective: str = "lambdarank"
    # Quote the second best sentence too when its score is this share of the best's: with the
    # LambdaRank scores, 0.9 keeps two-sentence quotes about as common on valid (about 1 in 5) as
    # the pointwise ranker's 0.6 did; lower shares quote two sentences far more often.
    second_quote_share: float = 0.9
    folds: int = 3  # out-of-fold ranker scores train the decider, as the ranker scores unseen questions
    # The decider also learns from train's answerable questions asked with their own paragraph
    # hidden: the articles are on the subject but cannot answer, which near-miss questions alone
    # do not teach. On valid it changes nothing (0.759/0.864/0.508 against 0.757/0.866/0.510, run
    # through the pipeline) and stays quiet on 0.96 of valid's hidden-paragraph questions against
    # 0.92; the seed sets gain (key fact 0.915 → 0.983 and 0.759 → 0.815), news held-out loses a
    # little (0.760 → 0.750 answer in quote).
    hidden_gold_for_decider: bool = True
    # The news articles are few beside IDK-MRC; their questions count more (in the decider, and in
    # a pointwise ranker: LambdaRank weighs every question alike).
    news_weight: float = 3.0
    # The decider also learns from questions of the other corpus (every `foreign_stride`-th IDK-MRC
    # train question against the news articles, every news question against Wikipedia): off-topic
    # questions, which the bot must leave alone, and which IDK-MRC does not hold.
    foreign_questions_for_decider: bool = True
    foreign_stride: int = 4
    seed: int = 20221207  # fixed: the same data gives the same trees
    # Both ensembles are grown this many times (seeds seed, seed + 1, …) and served as their mean.
    # One training seed against another moved key fact on a seed question set by up to 0.10 (0.864
    # to 0.966 on questions.jsonl with the same data); the mean of three sits in the middle and
    # does not depend on which seed came out.
    bagged_seeds: int = 3

    def lightgbm_params(self, leaves: int, min_data_in_leaf: int) -> dict[str, Any]:
        """LightGBM parameters for one ensemble with `leaves` leaves per tree."""
        return {
            "objective": "binary",
            "learning_rate": self.learning_rate,
            "num_leaves": leaves,
            "max_depth": self.max_depth,
            "min_data_in_leaf": min_data_in_leaf,
            "feature_fraction": self.feature_fraction,
            "bagging_fraction": self.bagging_fraction,
            "bagging_freq": 1,
            "lambda_l2": self.lambda_l2,
            "seed": self.seed,
            "deterministic": True,
            "force_row_wise": True,
            "num_threads": 1,
            "verbose": -1,
        }


def fit_trees(
    x: np.ndarray,
    y: np.ndarray,
    params: dict[str, Any],
    rounds: int,
    weights: np.ndarray | None = None,
    groups: list[int] | None = None,
) -> TreeEnsemble:
    """Fit LightGBM and convert its trees to the numpy-served format."""
    try:
        import lightgbm
    except ImportError as exc:  # pragma: no cover - depends on the extra
        raise RuntimeError("training needs the 'train' extra: pip install '.[train]'") from exc
    dataset = lightgbm.Dataset(x, label=y.astype(np.float64), weight=weights, group=groups, free_raw_data=False)
    booster = lightgbm.train(params, dataset, num_boost_round=rounds)
    return trees_from_lightgbm(booster.dump_model())


def fit_ranker(samples: Sequence[Sample], config: TrainingConfig) -> TreeEnsemble:
    """Sentence ranker, trained on questions that have an answer among their candidates."""
    usable = [s for s in samples if s.should_answer]
    x = np.vstack([s.table.matrix for s in usable])
    y = np.concatenate([s.labels for s in usable])
    params = config.lightgbm_params(config.ranker_leaves, config.min_data_in_leaf)
    if config.ranker_objective == "lambdarank":
        # Sentences compete within their question: the ranker is judged on which one comes first.
        params.update(objective="lambdarank", lambdarank_truncation_level=5)
        return fit_trees(x, y, params, config.ranker_rounds, None, [len(s.labels) for s in usable])
    weights = np.concatenate([np.full(len(s.labels), s.weight) for s in usable])
    return fit_trees(x, y, params, config.ranker_rounds, weights)


def out_of_fold_scores(samples: Sequence[Sample], config: TrainingConfig) -> list[np.ndarray]:
    """Ranker scores for every sample from a ranker that never saw its paragraph (folds by context)."""
    scores: list[np.ndarray] = [np.zeros(0)] * len(samples)
    for fold in range(config.folds):
        ranker = fit_ranker([s for s in samples if s.question.context % config.folds != fold], config)
        for i, sample in enumerate(samples):
            if sample.question.context % config.folds == fold and sample.table.rows:
                scores[i] = ranker.predict(sample.table.matrix)
    return scores


def decision_data(
    samples: Sequence[Sample], scores: Sequence[np.ndarray], share: float
) -> tuple[np.ndarray, np.ndarray, list[int]]:
    """One DECISION_FEATURES row per sample with candidates; label: the chosen quote holds the answer."""
    rows, labels, kept = [], [], []
    for i, (sample, score) in enumerate(zip(samples, scores, strict=True)):
        among = answer_candidates(sample.table)
        if len(among) == 0:
            continue
        chosen = choose_among(score, among, share)
        rows.append(decision_row(sample.table, score, chosen, among))
        labels.append(bool(sample.labels[list(chosen)].any()))
        kept.append(i)
    width = len(DECISION_FEATURES)
    return (np.vstack(rows) if rows else np.zeros((0, width))), np.asarray(labels, dtype=bool), kept


def trees_from_lightgbm(dump: dict[str, Any]) -> TreeEnsemble:
    """LightGBM's JSON dump → flat arrays. Leaves loop to themselves (feature 0, threshold +inf)."""
    feature: list[int] = []
    threshold: list[float] = []
    left: list[int] = []
    right: list[int] = []
    value: list[float] = []
    depth = 0

    def add(node: dict[str, Any], level: int) -> int:
        nonlocal depth
        me = len(feature)
        feature.append(0)
        threshold.append(float("inf"))
        left.append(me)
        right.append(me)
        value.append(0.0)
        if "leaf_value" in node:
            value[me] = float(node["leaf_value"])
            depth = max(depth, level)
            return me
        if node.get("decision_type", "<=") != "<=":
            raise ValueError(f"unsupported split {node.get('decision_type')}")
        feature[me] = int(node["split_feature"])
        threshold[me] = float(node["threshold"])
        left[me] = add(node["left_child"], level + 1)
        right[me] = add(node["right_child"], level + 1)
        return me

    roots = [add(tree["tree_structure"], 0) for tree in dump["tree_info"]]
    return TreeEnsemble(
        roots=np.asarray(roots, dtype=np.int64),
        feature=np.asarray(feature, dtype=np.int64),
        threshold=np.asarray(threshold, dtype=np.float64),
        left=np.asarray(left, dtype=np.int64),
        right=np.asarray(right, dtype=np.int64),
        value=np.asarray(value, dtype=np.float64),
        depth=depth,
    )


# --- measuring on valid --------------------------------------------------------------------------

CURVE_STEP = 0.01


def operating_curve(confidences: np.ndarray, correct: np.ndarray, samples: Sequence[Sample]) -> list[dict[str, float]]:
    """Answer-in-quote, answered and abstained at every bar from 0.01 to 0.99."""
    answerable = np.asarray([s.question.answerable for s in samples])
    curve = []
    for bar in np.round(np.arange(CURVE_STEP, 1.0, CURVE_STEP), 2):
        answered = confidences >= bar
        curve.append(
            {
                "min_confidence": float(bar),
                "answer_in_quote": float((answered & correct)[answerable].mean()),
                "answered": float(answered[answerable].mean()),
                "abstained": float((~answered)[~answerable].mean()),
            }
        )
    return curve


def choose_bar(curve: Sequence[dict[str, float]]) -> float:
    """The middle of the bars at which the bot answers REQUIRED_ANSWERED of the answerable valid
    questions and stays quiet on REQUIRED_ABSTAINED of the unanswerable ones: a bar at either end
    meets one target only just, and new text moves the curve a little. When no bar meets both
    targets, the highest bar that still answers REQUIRED_ANSWERED of the answerable ones."""
    both = [c for c in curve if c["abstained"] >= REQUIRED_ABSTAINED and c["answered"] >= REQUIRED_ANSWERED]
    if both:
        bars = sorted(c["min_confidence"] for c in both)
        return float(bars[(len(bars) - 1) // 2])
    allowed = [c for c in curve if c["answered"] >= REQUIRED_ANSWERED] or list(curve[:1])
    return float(max(allowed, key=lambda c: c["min_confidence"])["min_confidence"])


def auc(labels: np.ndarray, scores: np.ndarray) -> float:
    """Area under the ROC curve (Mann-Whitney; ties count half)."""
    labels = np.asarray(labels, dtype=bool)
    scores = np.asarray(scores, dtype=np.float64)
    pos, neg = scores[labels], scores[~labels]
    if not len(pos) or not len(neg):
        return float("nan")
    greater = (pos[:, None] > neg[None, :]).sum()
    ties = (pos[:, None] == neg[None, :]).sum()
    return float((greater + 0.5 * ties) / (len(pos) * len(neg)))


# --- the whole run: python -m bot train-answerer ----------------------------------------------

DATASET_CREDIT = (
    "IDK-MRC (Rifki Afina Putri and Alice Oh, 'IDK-MRC: Unanswerable Questions for Indonesian Machine "
    "Reading Comprehension', EMNLP 2022; CC BY 4.0 / CC BY-SA 4.0), train split; settings chosen on valid"
)
# The default bar (chosen on IDK-MRC valid): quiet on at least REQUIRED_ABSTAINED of the unanswerable
# questions, answering at least REQUIRED_ANSWERED of the answerable ones.
REQUIRED_ABSTAINED = 0.5
REQUIRED_ANSWERED = 0.85


def train_answer_model(
    train: Sequence[Sample],
    valid: Sequence[Sample],
    config: TrainingConfig,
    background: BackgroundFrequencies,
    progress: Callable[[str], None] = print,
) -> AnswerModel:
    """Fit the ranker and the decider on train samples (`bagged_seeds` times, averaged); measure on
    valid and pick the default bar there."""
    started = time.perf_counter()
    grown = [_fit_pair(train, replace(config, seed=config.seed + i)) for i in range(config.bagged_seeds)]
    ranker = TreeEnsemble.average([r for r, _, _ in grown])
    decider = TreeEnsemble.average([d for _, d, _ in grown])
    rows = grown[0][2]
    progress(
        f"ranker {len(ranker.roots)} and decider {len(decider.roots)} trees from {config.bagged_seeds} seeds, "
        f"decider on {rows} questions ({time.perf_counter() - started:.0f} s)"
    )
    model = AnswerModel(ranker, decider, config.second_quote_share, 0.5, {}, background)
    report = validation_report(model, valid)
    report.update(
        dataset=DATASET_CREDIT,
        config=dict(config.__dict__),
        train_questions=len({s.question.id for s in train}),
        train_samples=len(train),
        ranker_rows=int(sum(len(s.labels) for s in train if s.should_answer)),
        decider_rows=rows,
        background_documents=background.documents,
        background_terms=len(background.df),
    )
    bar = report["default_min_confidence"]
    return AnswerModel(ranker, decider, config.second_quote_share, bar, report, background)


def _fit_pair(train: Sequence[Sample], config: TrainingConfig) -> tuple[TreeEnsemble, TreeEnsemble, int]:
    """One seed's ranker and decider (the decider learns from out-of-fold ranker scores, as the
    ranker scores questions it has not seen), and the decider's number of rows."""
    oof = out_of_fold_scores(train, config)
    ranker = fit_ranker(train, config)
    keep = [i for i, s in enumerate(train) if config.hidden_gold_for_decider or not s.hidden_gold]
    x, y, kept = decision_data([train[i] for i in keep], [oof[i] for i in keep], config.second_quote_share)
    weights = np.asarray([train[keep[i]].weight for i in kept])
    params = config.lightgbm_params(config.decider_leaves, max(10, config.min_data_in_leaf // 2))
    return ranker, fit_trees(x, y, params, config.decider_rounds, weights), len(y)


def validation_report(model: AnswerModel, valid: Sequence[Sample]) -> dict[str, Any]:
    """The model on valid: ranking accuracy, separability, the curve over bars and the chosen bar."""
    confidences = np.zeros(len(valid))
    correct = np.zeros(len(valid), dtype=bool)
    top1 = []
    for i, sample in enumerate(valid):
        verdict = model.decide(sample.table)
        if verdict is None:
            continue
        confidences[i] = verdict.confidence
        correct[i] = bool(sample.labels[list(verdict.chosen)].any())
        if sample.question.answerable:
            top1.append(bool(sample.labels[verdict.chosen[0]]))
    answerable = np.asarray([s.question.answerable for s in valid])
    curve = operating_curve(confidences, correct, valid)
    bar = choose_bar(curve)
    return {
        "valid_questions": len(valid),
        "valid_best_sentence_holds_answer": float(np.mean(top1)) if top1 else 0.0,
        "valid_quote_holds_answer": float(correct[answerable].mean()),
        "valid_auc_answerable": auc(answerable, confidences),
        "default_min_confidence": bar,
        "valid_at_default": next(c for c in curve if c["min_confidence"] == bar),
        "valid_curve": curve[::5],
    }


def questions_engine(data: SplitIndex, embedder: Embedder, vectors: QuestionVectors) -> Callable[[str], Query]:
    """`QAEngine.prepare` on this split's index, with question vectors remembered on disk."""
    from retrieval.engine import QAEngine

    class _Remembering:
        name, dim = embedder.name, embedder.dim
        embed_passages = staticmethod(embedder.embed_passages)

        @staticmethod
        def embed_query(text: str) -> np.ndarray:
            return vectors.get(text)

    return QAEngine(data.index, _Remembering(), data.settings.with_overrides(answer_selector="rules")).prepare


NEWS_TRAINING = Path(__file__).resolve().parent / "models" / "news_training.json"


def run_training(
    data_dir: Path, work: Path, out: Path, settings: Settings, config: TrainingConfig, progress: Callable[[str], None]
) -> AnswerModel:
    """Ingest IDK-MRC train and valid and the news training articles, ask every question through the
    bot's own search, train, save."""
    from retrieval.embedding import create_embedder
    from retrieval.idk_mrc import ingest_split, load_split

    embedder = create_embedder(settings)
    train_data = ingest_split(load_split(data_dir / "train.json"), settings, work, embedder)
    news_data = ingest_split(load_split(NEWS_TRAINING, "news"), settings, work, embedder)
    background = background_frequencies([train_data, news_data])
    progress(f"background: {len(background.df)} words over {background.documents} paragraphs")
    train = _split_samples(train_data, background, work, embedder, training=True)
    progress(f"IDK-MRC train: {len(train)} samples")
    news = _split_samples(news_data, background, work, embedder, training=True)
    for sample in news:
        sample.weight = config.news_weight
    progress(f"news training articles: {len(news)} samples")
    foreign: list[Sample] = []
    if config.foreign_questions_for_decider:
        foreign = _foreign_split_samples(news_data, train_data, background, work, embedder, config.foreign_stride)
        foreign += _foreign_split_samples(train_data, news_data, background, work, embedder)
        progress(f"questions asked of the other corpus: {len(foreign)} samples")
    valid_data = ingest_split(load_split(data_dir / "valid.json"), settings, work, embedder)
    # Valid's answerable questions are also asked with their own paragraph hidden, for one figure of
    # the report; every other valid figure is on the questions as they are.
    asked = _split_samples(valid_data, background, work, embedder, training=False, hide_gold=True)
    valid = [s for s in asked if not s.hidden_gold]
    progress(f"IDK-MRC valid: {len(valid)} samples")
    model = train_answer_model(train + news + foreign, valid, config, background, progress)
    model.report["valid_hidden_gold"] = hidden_gold_report(model, [s for s in asked if s.hidden_gold])
    model.save(out)
    return model


def hidden_gold_report(model: AnswerModel, hidden: Sequence[Sample]) -> dict[str, float]:
    """How often the model stays quiet when the paragraph that answers is not in the corpus at all
    (a question about something the articles never cover), at the default bar."""
    quiet = [_confidence(model, s) < model.default_min_confidence for s in hidden]
    return {"questions": len(hidden), "abstained_at_default": float(np.mean(quiet)) if quiet else 0.0}


def _confidence(model: AnswerModel, sample: Sample) -> float:
    verdict = model.decide(sample.table)
    return 0.0 if verdict is None else verdict.confidence  # a vetoed verdict's confidence is 0.0


# Words in fewer background paragraphs than this are left out of the model file: they weigh as
# rare words either way, and the file stays small.
BACKGROUND_MIN_PARAGRAPHS = 2


def background_frequencies(splits: Sequence[SplitIndex]) -> BackgroundFrequencies:
    """Word counts over the training paragraphs (Wikipedia and news): the model's idea of a common word."""
    counts: dict[str, int] = {}
    for data in splits:
        for term, df in data.index.lexical.document_frequencies().items():
            counts[term] = counts.get(term, 0) + df
    kept = {term: df for term, df in sorted(counts.items()) if df >= BACKGROUND_MIN_PARAGRAPHS and term}
    return BackgroundFrequencies(sum(d.index.lexical.num_docs for d in splits), kept)


def _foreign_split_samples(
    data: SplitIndex,
    other: SplitIndex,
    background: BackgroundFrequencies,
    work: Path,
    embedder: Embedder,
    stride: int = 1,
) -> list[Sample]:
    """`foreign_samples` of every `stride`-th question of `other` asked of `data`, with the question
    vectors of `other` remembered on disk."""
    vectors = _question_vectors(other.split, work, embedder)
    questions = other.split.questions[::stride]
    samples = foreign_samples(data, questions, questions_engine(data, embedder, vectors), background)
    vectors.save()
    return samples


def _question_vectors(split: MrcSplit, work: Path, embedder: Embedder) -> QuestionVectors:
    """The split's question vectors, remembered in `work` by split name and content digest."""
    return QuestionVectors(work / f"{split.name}-{split.digest}-questions.npz", embedder.embed_query)


def _split_samples(
    data: SplitIndex,
    background: BackgroundFrequencies,
    work: Path,
    embedder: Embedder,
    *,
    training: bool,
    hide_gold: bool | None = None,
) -> list[Sample]:
    """The split's samples: with `training`, chat-style copies too; `hide_gold` (default: `training`)
    also asks answerable questions with their paragraph hidden."""
    split = data.split
    vectors = _question_vectors(split, work, embedder)
    prepare = questions_engine(data, embedder, vectors)
    hide = training if hide_gold is None else hide_gold
    samples = build_samples(data, prepare, background, hide_gold=hide, chat=training)
    vectors.save()
    return samples
