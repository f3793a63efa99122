"""Bulk import as a newsroom does it: one `python -m bot ingest` of N articles in one JSONL file.

The articles are invented from real Indonesian sentences (IDK-MRC paragraphs when the data is
there, else the seed articles) recombined into two-paragraph briefs with unique ids; every run
uses the same seed, so the same N gives the same file. The command runs in a child process with
its own corpus and index folders, twice: the first run adds everything, the second must add
nothing and print a one-line summary. Wall time and the child's own peak memory (VmHWM) are measured.
"""

from __future__ import annotations

import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from config.settings import PROJECT_ROOT

IDK_MRC_TRAIN = PROJECT_ROOT.parent / "shared" / "qa-data" / "idk-mrc" / "train.json"
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z])")


def sentence_pool() -> list[str]:
    """Sentences of 8–40 words from IDK-MRC train contexts (or the seeds)."""
    if IDK_MRC_TRAIN.is_file():
        data = json.loads(IDK_MRC_TRAIN.read_text(encoding="utf-8"))
        texts = [record["context"] for record in data]
    else:
        texts = [p.read_text(encoding="utf-8") for p in sorted((PROJECT_ROOT / "seeds").glob("*.txt"))]
    sentences = {s.strip() for t in texts for s in _SENTENCE_END.split(t)}
    return sorted(s for s in sentences if 8 <= len(s.split()) <= 40)


def write_articles(path: Path, count: int, seed: int = 7) -> None:
    """`count` JSONL articles: id, title, outlet, date and two one-sentence paragraphs each."""
    rng = random.Random(seed)
    pool = sentence_pool()
    used: set[tuple[str, str]] = set()
    with path.open("w", encoding="utf-8") as out:
        for n in range(count):
            first, second = rng.sample(pool, 2)
            while (first, second) in used:  # every article different (the pool may be only the seeds)
                first, second = rng.sample(pool, 2)
            used.add((first, second))
            title = " ".join(first.split()[:8]).rstrip(",.;:")
            record = {
                "id": f"arsip-{n:06d}",
                "title": title,
                "outlet": "Arsip Uji",
                "date": f"2025-{1 + n % 12:02d}-{1 + n % 28:02d}",
                "text": f"{first}\n\n{second}",
            }
            out.write(json.dumps(record, ensure_ascii=False) + "\n")


def _peak_mb(pid: int) -> float:
    """The process's own high-water RSS (VmHWM) in MB; 0 once it is gone.

    Not `wait4`'s ru_maxrss: that counts the parent's pages the child held between fork and exec,
    so under pytest it reports pytest's size."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def _ingest(jsonl: Path, env: dict[str, str]) -> dict[str, Any]:
    """One `python -m bot ingest --progress` child: seconds, its own peak RSS, exit code, output."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        child = subprocess.Popen(
            [sys.executable, "-m", "bot", "ingest", "--progress", str(jsonl)],
            cwd=PROJECT_ROOT,
            env=env,
            stdout=out,
            stderr=err,
            text=True,
        )
        peak = 0.0
        while child.poll() is None:  # VmHWM only grows: the last reading is the peak (within 0.1 s)
            peak = max(peak, _peak_mb(child.pid))
            time.sleep(0.1)
        seconds = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    progress = [line for line in re.split(r"[\r\n]", stderr) if line.startswith("Artikel")]
    return {
        "seconds": seconds,
        "peak_mb": peak,
        "exit_code": child.returncode,
        "summary": stdout.strip(),
        "last_progress_line": progress[-1].strip() if progress else "",
        "stderr_tail": stderr[-300:] if child.returncode else "",
    }


def run(count: int = 10_000) -> dict[str, Any]:
    """Ingest `count` articles into empty folders, then the same file again."""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        jsonl = root / "arsip.jsonl"
        write_articles(jsonl, count)
        file_mb = jsonl.stat().st_size / 1e6
        env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "DISCORD_"))}
        env |= {"CORPUS_DIR": str(root / "corpus"), "INDEX_DIR": str(root / "index"), "HF_HUB_OFFLINE": "1"}
        first = _ingest(jsonl, env)
        again = _ingest(jsonl, env)
        corpus_mb = sum(p.stat().st_size for p in (root / "corpus").iterdir()) / 1e6
        index_mb = sum(p.stat().st_size for p in (root / "index").rglob("*") if p.is_file()) / 1e6
    return {
        "articles": count,
        "file_mb": file_mb,
        "first": first,
        "again": again,
        "articles_per_s": count / first["seconds"],
        "corpus_mb": corpus_mb,
        "index_mb": index_mb,
    }


def markdown(result: dict[str, Any]) -> str:
    first, again = result["first"], result["again"]
    return "\n".join(
        [
            f"### Bulk ingest ({result['articles']:,} articles, one {result['file_mb']:.1f} MB JSONL, one command)",
            "",
            "| run | exit | seconds | articles/s | peak MB |",
            "|---|---|---|---|---|",
            f"| first (adds all) | {first['exit_code']} | {first['seconds']:.1f} | {result['articles_per_s']:.0f} "
            f"| {first['peak_mb']:.0f} |",
            f"| again (adds nothing) | {again['exit_code']} | {again['seconds']:.1f} | – | {again['peak_mb']:.0f} |",
            "",
            f"Corpus {result['corpus_mb']:.1f} MB, index {result['index_mb']:.1f} MB. First run's last progress "
            f"line: `{first['last_progress_line']}`. First summary: `{first['summary'].splitlines()[0]}`. "
            f"Second run's whole output: `{again['summary']}`",
            "",
        ]
    )


if __name__ == "__main__":
    outcome = run(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
    print(json.dumps(outcome, indent=2, ensure_ascii=False))
    print(markdown(outcome))
