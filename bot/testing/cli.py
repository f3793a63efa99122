"""`python -m bot …` in a child process, as a user runs it."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable

from config.settings import PROJECT_ROOT


def run_bot(
    args: list[str], env: dict[str, str], stdin: str = "", preexec_fn: Callable[[], None] | None = None
) -> subprocess.CompletedProcess[str]:
    """`python -m bot <args>` in a child process; `preexec_fn` runs in the child first (e.g. limits)."""
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        cwd=PROJECT_ROOT,
        timeout=180,
        preexec_fn=preexec_fn,
    )
