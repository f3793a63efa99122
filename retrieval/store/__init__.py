"""Where articles, vectors and the lexical index live: files (`STORE=local`) or PostgreSQL (`STORE=postgres`).

- `base`: what search and answer choice read (`Passages`), and what the engine asks a store;
- `postgres`: the PostgreSQL + pgvector store (search per question); `schema`: its tables and
  migrations; `writer`: one command's transaction; `pg_ingest`: ingest/remove/list on it;
  `vectors`: pgvector's type for psycopg.

Only `base` is imported eagerly: the others need the `postgres` extra (psycopg).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from config.settings import Settings
    from retrieval.embedding import Embedder
    from retrieval.ingest import Ingestor, IngestPolicy


def ingestor_for(
    settings: Settings,
    embedder: Embedder | None = None,
    policy: IngestPolicy | None = None,
    *,
    show_progress: bool = False,
) -> Ingestor:
    """The ingestor of the configured store: files in CORPUS_DIR, or the PostgreSQL database."""
    if settings.store == "postgres":
        from retrieval.store.pg_ingest import PostgresIngestor

        return PostgresIngestor(settings, embedder=embedder, policy=policy, show_progress=show_progress)
    from retrieval.ingest import Ingestor

    return Ingestor(settings, embedder, policy, show_progress=show_progress)
