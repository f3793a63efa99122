"""Start the real bot (`python -m bot telegram`) against the fake Bot API server."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import ExitStack, contextmanager
from pathlib import Path

from bot.testing.fake_telegram import TOKEN, FakeTelegram
from config.settings import PROJECT_ROOT


@contextmanager
def running_bot(
    env: dict[str, str],
    log_path: Path,
    *extra_args: str,
    ready_on: str = "getUpdates",
    failures: Sequence[tuple[str, str]] = (),
    api_down_for: float = 0.0,
    fake: FakeTelegram | None = None,
    **settings: str,
) -> Iterator[FakeTelegram]:
    """A fake server and the bot process polling it; stops both afterwards.

    `failures` are (method, kind) faults queued before the bot starts (see `FakeTelegram.fail`);
    with `api_down_for` the server only starts listening that many seconds after the bot. A running
    `fake` is shared instead (several replicas of one bot): it is left running afterwards.
    """
    shared = fake is not None
    fake = fake or FakeTelegram()
    port = fake.port if shared else free_port()
    if not shared and not api_down_for:
        fake.start(port)
    for method, kind in failures:
        fake.fail(method, kind)
    process_env = {
        **env,
        "TELEGRAM_BOT_TOKEN": TOKEN,
        "TELEGRAM_BASE_URL": f"http://127.0.0.1:{port}/bot",
        "LOG_LEVEL": "INFO",
        **settings,
    }
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "bot", "telegram", *extra_args],
            env=process_env,
            cwd=PROJECT_ROOT,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        # A shared server may have seen `ready_on` from another replica: wait for one more.
        before = len(fake.calls_of(ready_on))
        try:
            if api_down_for:
                time.sleep(api_down_for)
                fake.start(port)
            fake.wait_for(lambda: len(fake.calls_of(ready_on)) > before or process.poll() is not None, timeout=60)
            if process.poll() is not None:
                raise AssertionError(f"bot exited early:\n{log_path.read_text()}")
            yield fake
        finally:
            process.terminate()
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
            if not shared:
                fake.stop()


PUBLIC_WEBHOOK_URL = "https://bot.example.id/telegram"  # the balancer's address: every replica registers it


@contextmanager
def running_replicas(
    env: dict[str, str], log_dir: Path, count: int, secret: str, **settings: str
) -> Iterator[tuple[FakeTelegram, list[str]]]:
    """(fake, webhook URLs): `count` webhook processes of one bot (`python -m bot telegram
    --webhook`, each on its own port, `replica-<i>.log` in `log_dir`) sharing one fake Bot API
    server, as replicas behind a load balancer; pass the shared DATABASE_URL in `env`. Route
    updates with `fake.deliver_to_webhook`; all are stopped afterwards."""
    fake = FakeTelegram().start()
    ports = [free_port() for _ in range(count)]
    try:
        with ExitStack() as stack:
            for i, port in enumerate(ports):
                stack.enter_context(
                    running_bot(
                        env | settings,  # as the bot's settings: running_bot's own keywords stay apart
                        log_dir / f"replica-{i}.log",
                        "--webhook",
                        ready_on="setWebhook",
                        fake=fake,
                        WEBHOOK_URL=PUBLIC_WEBHOOK_URL,
                        WEBHOOK_SECRET=secret,
                        PORT=str(port),
                    )
                )
                wait_listening(port)
            yield fake, [f"http://127.0.0.1:{port}/telegram" for port in ports]
    finally:
        fake.stop()


def run_until_exit(env: dict[str, str], timeout: float = 180) -> subprocess.CompletedProcess[str]:
    """`python -m bot telegram` against a fake server until it exits by itself (a start that must fail);
    TELEGRAM_BOT_TOKEN defaults to the fake's."""
    fake = FakeTelegram().start()
    try:
        return subprocess.run(
            [sys.executable, "-m", "bot", "telegram"],
            env={"TELEGRAM_BOT_TOKEN": TOKEN, **env, "TELEGRAM_BASE_URL": fake.base_url},
            cwd=PROJECT_ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
        )
    finally:
        fake.stop()


def bot_env(corpus_dir: Path, index_dir: Path) -> dict[str, str]:
    """A clean environment for the bot process: our folders, offline, no stray bot settings, and a
    state file of its own beside the index (bots sharing one test index must not share answers or
    rate limits; drop DATABASE_URL to test the default `<INDEX_DIR>/state.db`)."""
    unwanted = ("TELEGRAM_", "DISCORD_", "WEBHOOK_", "DATABASE_URL", "STATE_")
    keep = {k: v for k, v in os.environ.items() if not k.startswith(unwanted)}
    return keep | {
        "CORPUS_DIR": os.fspath(corpus_dir),
        "INDEX_DIR": os.fspath(index_dir),
        "DATABASE_URL": f"sqlite:///{index_dir / f'state-{uuid.uuid4().hex[:12]}.db'}",
        "HF_HUB_OFFLINE": "1",
        "PYTHONPATH": os.fspath(PROJECT_ROOT),
    }


def free_port() -> int:
    """A TCP port on 127.0.0.1 that was free a moment ago."""
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_listening(port: int, timeout: float = 30.0) -> None:
    """Until something accepts connections on 127.0.0.1:`port`: a webhook bot registers its URL with
    Telegram (setWebhook) a moment before its HTTP server listens."""
    import socket

    deadline = time.monotonic() + timeout
    while True:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            if time.monotonic() > deadline:
                raise AssertionError(f"nothing listens on port {port}") from None
            time.sleep(0.05)
