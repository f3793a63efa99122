"""Load benchmark: a burst of questions from many chats into the real bot over HTTP.

    python -m bench.telegram_load [--questions 1000] [--chats 50]
    python -m bench.telegram_load --replicas 2 --database postgresql [--sample 50]

Starts the fake Bot API server from the tests and the bot itself
(`python -m bot telegram`), injects the burst at once, and waits until every
question has exactly one answer. Prints throughput and latency percentiles
(injection → the bot's sendMessage reaching the server). The bot respects
Telegram's global limit of ~30 messages per second (AIORateLimiter), which
bounds throughput here as it would in production.

With `--replicas N` or `--database postgresql` the same burst then goes, round
robin, to N webhook processes (`--webhook`) sharing one database (PostgreSQL: an
embedded server started for the run), printed beside the single process; then
`/sumber` for `--sample` of the answers, each sent to a replica other than the
one that answered, must show exactly that answer's citations. First it times
the state store's work per question on SQLite (rate-limit check, remember,
attach the message, look it up, log the question).
"""

from __future__ import annotations

import argparse
import contextlib
import itertools
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.render import citation_blocks
from bot.state import ChatKey
from bot.state.sqlite import sqlite_store
from bot.telegram_bot import HTML
from bot.testing.fake_telegram import FakeTelegram
from bot.testing.telegram_harness import bot_env, running_bot, running_replicas
from config.settings import PROJECT_ROOT, settings_from_mapping
from retrieval.answer import Answer
from retrieval.engine import QAEngine

SECRET = "bench-webhook-secret"


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
        p95_ms=_percentile(latencies, 0.95),
        max_ms=latencies[-1] if latencies else 0.0,
    )


def format_result(result: LoadResult) -> str:
    return (
        f"{result.questions} questions from {result.chats} chats: {result.answered_once} answered exactly once, "
        f"{result.duplicates} duplicates, {result.lost} lost; {result.seconds:.1f} s, "
        f"{result.throughput:.1f} answers/s; latency p50 {result.p50_ms:.0f} ms, p95 {result.p95_ms:.0f} ms, "
        f"max {result.max_ms:.0f} ms"
    )


def _percentile(sorted_values: list[float], fraction: float) -> float:
    return sorted_values[int(fraction * (len(sorted_values) - 1))] if sorted_values else 0.0


@dataclass(frozen=True)
class StateTiming:
    rounds: int
    p50_ms: float
    p95_ms: float


def time_state_operations(answer: Answer, rounds: int = 1000, chats: int = 50) -> StateTiming:
    """The state store's work for one group question on SQLite (a file, WAL, as the bot's default):
    rate-limit check, remember the answer, attach its message, look it up by that message (as
    `/sumber` does), log the question. Called directly: the bot adds a thread hop around each."""
    timings: list[float] = []
    with tempfile.TemporaryDirectory() as tmp:
        store = sqlite_store(Path(tmp) / "state.db")
        try:
            for i in range(rounds):
                chat, message_id = ChatKey("telegram", -1_000_000 - i % chats), 10_000 + i
                started = time.perf_counter()
                store.hit_rate_limit(chat, 1 + i // chats, 5, 60.0)  # a new person each round: allowed
                item = store.remember(chat, answer.question, answer)
                store.attach_message(chat, item.key, message_id)
                found = store.by_message(chat, message_id)
                store.log_question(chat, 12.0, "answered")
                timings.append((time.perf_counter() - started) * 1000)
                assert found is not None and found.key == item.key
        finally:
            store.close()
    timings.sort()
    return StateTiming(rounds, statistics.median(timings), _percentile(timings, 0.95))


@dataclass(frozen=True)
class SourcesCheck:
    checked: int
    correct: int


def check_sources(fake: FakeTelegram, engine: QAEngine, urls: list[str], sample: int) -> SourcesCheck:
    """`/sumber` as a reply to `sample` answers of the burst (asked round robin over `urls`), each
    sent to the next replica after the one that answered: correct when every citation block the
    engine gives for that question is in the reply (the same index and model as the bot's)."""
    asked = list(fake.pushed_at)  # the burst's questions in the order sent: question i went to urls[i % n]
    step = max(1, len(asked) // sample)
    correct = checked = 0
    for i in range(0, len(asked), step)[:sample]:
        answers = fake.replies_to(*asked[i])
        if not answers:
            continue  # lost: counted by the burst already
        expected = citation_blocks(engine.ask(fake.messages[asked[i]]["text"]), HTML)
        checked += 1
        correct += _sumber_shows(fake, fake.sent_message(answers[0]), urls[(i + 1) % len(urls)], expected)
    return SourcesCheck(checked, correct)


def _sumber_shows(fake: FakeTelegram, answer: dict[str, Any], url: str, expected: list[str]) -> bool:
    """Send `/sumber` replying to the bot's `answer` message to the replica at `url`: do its
    replies (long citations come in several messages) hold every `expected` block?"""
    fake.deliver_to_webhook(lambda update: url, SECRET)
    chat_id = int(answer["chat"]["id"])
    command = fake.send_text(chat_id, "/sumber", reply_to=answer)

    def shown() -> bool:
        text = "\n".join(str(c.params["text"]) for c in fake.replies_to(chat_id, command["message_id"]))
        return all(block in text for block in expected)

    try:
        return bool(fake.wait_for(shown, 30))
    except AssertionError:  # timed out: a wrong or missing reply
        return False


@contextlib.contextmanager
def shared_database(kind: str, folder: Path) -> Iterator[str]:
    """DATABASE_URL of a fresh database for the replicas: a SQLite file, or an embedded PostgreSQL
    server started (and removed) for the run."""
    if kind == "sqlite":
        yield f"sqlite:///{folder / 'shared-state.db'}"
        return
    from bot.testing import postgres

    (folder / "pg").mkdir()
    server = postgres.start_server(folder / "pg" / "data")
    try:
        yield postgres.fresh_database(str(server.get_uri()))
    finally:
        server.cleanup()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--questions", type=int, default=1000)
    parser.add_argument("--chats", type=int, default=50)
    parser.add_argument("--replicas", type=int, default=1, help="webhook processes sharing one database")
    parser.add_argument("--database", choices=("sqlite", "postgresql"), default="sqlite", help="for the replicas")
    parser.add_argument("--sample", type=int, default=50, help="answers whose /sumber is checked (replicas)")
    args = parser.parse_args(argv)
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        corpus, index = PROJECT_ROOT / "seeds", Path(tmp) / "index"
        engine = QAEngine.load(
            settings_from_mapping({"CORPUS_DIR": str(corpus), "INDEX_DIR": str(index)}), show_progress=False
        )
        timing = time_state_operations(engine.ask("Siapa pengganti Stoltenberg?"))
        print(
            f"state store, SQLite, per question (rate limit + remember + attach + lookup + log, "
            f"{timing.rounds} rounds): p50 {timing.p50_ms:.2f} ms, p95 {timing.p95_ms:.2f} ms"
        )
        with running_bot(bot_env(corpus, index), Path(tmp) / "bot.log") as fake:
            result = run_burst(fake, args.questions, args.chats)
        print(f"1 process (polling, SQLite): {format_result(result)}")
        ok = result.lost == 0 and result.duplicates == 0
        if args.replicas > 1 or args.database != "sqlite":
            with shared_database(args.database, Path(tmp)) as url:
                env = bot_env(corpus, index) | {"DATABASE_URL": url}
                with running_replicas(env, Path(tmp), args.replicas, SECRET) as (fake, urls):
                    turn = itertools.cycle(urls)  # a balancer without affinity: a chat's questions meet every replica
                    fake.deliver_to_webhook(lambda update: next(turn), SECRET)
                    result = run_burst(fake, args.questions, args.chats)
                    sources = check_sources(fake, engine, urls, args.sample)
            print(f"{args.replicas} webhook replicas ({args.database}, round robin): {format_result(result)}")
            print(f"/sumber from another replica: {sources.correct} of {sources.checked} sampled answers correct")
            ok = ok and result.lost == 0 and result.duplicates == 0 and sources.correct == sources.checked
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
