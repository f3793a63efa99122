"""Load benchmark: a burst of questions from many chats into the real bot over HTTP.

    python -m bench.telegram_load [--questions 1000] [--chats 50]

Starts the fake Bot API server from the tests and the bot itself
(`python -m bot telegram`), injects the burst at once, and waits until every
question has exactly one answer. Prints throughput and latency percentiles
(injection → the bot's sendMessage reaching the server). The bot respects
Telegram's global limit of ~30 messages per second (AIORateLimiter), which
bounds throughput here as it would in production.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from bot.testing.fake_telegram import FakeTelegram
from bot.testing.telegram_harness import bot_env, running_bot
from config.settings import PROJECT_ROOT, settings_from_mapping
from retrieval.engine import QAEngine


@dataclass(frozen=True)
class LoadResult:
    questions: int
    chats: int
    answered_once: int
    duplicates: int
    lost: int
    seconds: float
    throughput: float
    p50_ms: float
    p95_ms: float
    max_ms: float


def question_pool() -> list[str]:
    path = PROJECT_ROOT / "bench" / "questions.jsonl"
    return [json.loads(line)["question"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def run_burst(fake: FakeTelegram, total: int, chats: int, timeout: float = 600) -> LoadResult:
    pool = question_pool()
    asked: list[tuple[int, int]] = []
    started = time.monotonic()
    for i in range(total):
        chat_id = 50_000 + i % chats
        message = fake.send_text(chat_id, pool[i % len(pool)])
        asked.append((chat_id, int(message["message_id"])))
    wanted = set(asked)

    def replies() -> dict[tuple[int, int], list[float]]:
        seen: dict[tuple[int, int], list[float]] = {}
        for call in fake.delivered():
            reply = json.loads(call.params.get("reply_parameters") or "{}").get("message_id")
            key = (int(call.params["chat_id"]), reply)
            if key in wanted:
                seen.setdefault(key, []).append(call.at)
        return seen

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and len(replies()) < total:
        time.sleep(0.1)
    elapsed = time.monotonic() - started
    time.sleep(1.0)  # let any duplicate arrive before counting
    seen = replies()
    latencies = sorted((min(times) - fake.pushed_at[key]) * 1000 for key, times in seen.items())
    return LoadResult(
        questions=total,
        chats=chats,
        answered_once=sum(len(t) == 1 for t in seen.values()),
        duplicates=sum(len(t) - 1 for t in seen.values()),
        lost=total - len(seen),
        seconds=elapsed,
        throughput=len(seen) / elapsed if elapsed else 0.0,
        p50_ms=statistics.median(latencies) if latencies else 0.0,
        p95_ms=latencies[int(0.95 * (len(latencies) - 1))] if latencies else 0.0,
        max_ms=latencies[-1] if latencies else 0.0,
    )


def format_result(result: LoadResult) -> str:
    return (
        f"{result.questions} questions from {result.chats} chats: {result.answered_once} answered exactly once, "
        f"{result.duplicates} duplicates, {result.lost} lost; {result.seconds:.1f} s, "
        f"{result.throughput:.1f} answers/s; latency p50 {result.p50_ms:.0f} ms, p95 {result.p95_ms:.0f} ms, "
        f"max {result.max_ms:.0f} ms"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--questions", type=int, default=1000)
    parser.add_argument("--chats", type=int, default=50)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        corpus, index = PROJECT_ROOT / "seeds", Path(tmp) / "index"
        QAEngine.load(settings_from_mapping({"CORPUS_DIR": str(corpus), "INDEX_DIR": str(index)}), show_progress=False)
        with running_bot(bot_env(corpus, index), Path(tmp) / "bot.log") as fake:
            result = run_burst(fake, args.questions, args.chats)
    print(format_result(result))
    return 0 if result.lost == 0 and result.duplicates == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
