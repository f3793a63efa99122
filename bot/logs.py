"""Logging set-up shared by the bots: secrets never reach a log line."""

from __future__ import annotations

import logging
import sys
import traceback
import types
from collections.abc import Iterable


class SecretRedactor(logging.Filter):
    """Replaces every secret (bot tokens, webhook secrets) in a record's final text."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        self._secrets = [s for s in secrets if s and len(s) >= 6]

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact the record's message and traceback text; the record is always kept."""
        if not self._secrets:
            return True
        message = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        exc_text = self.redact(record.exc_text or "")
        message = self.redact(message)
        record.msg, record.args = message, None
        record.exc_text = exc_text or None
        record.exc_info = None if exc_text else record.exc_info
        return True

    def redact(self, text: str) -> str:
        """`text` with every secret replaced by [REDACTED]."""
        for secret in self._secrets:
            text = text.replace(secret, "[REDACTED]")
        return text

    def excepthook(self, kind: type[BaseException], value: BaseException, trace: types.TracebackType | None) -> None:
        """Python's last words on an uncaught exception, with secrets redacted like every log line."""
        sys.stderr.write(self.redact("".join(traceback.format_exception(kind, value, trace))))


def configure_logging(level: int, secrets: Iterable[str] = ()) -> None:
    """Log to stderr with secrets redacted; quiet the libraries that log request URLs."""
    redactor = SecretRedactor(secrets)
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(redactor)
    sys.excepthook = redactor.excepthook
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # httpx logs every request URL at INFO, and Telegram's URLs contain the bot token.
    for name in ("httpx", "httpcore", "faiss.loader", "apscheduler"):
        logging.getLogger(name).setLevel(logging.WARNING)
    # psycopg's pool warns at every reconnection attempt while PostgreSQL is away; the state store
    # says it once when the database goes and once when it is back (bot.state.shared).
    logging.getLogger("psycopg.pool").setLevel(logging.ERROR)


class RetryNotice(logging.Filter):
    """python-telegram-bot logs its network retries (start-up `getMe`/`deleteWebhook`, polling) at
    DEBUG on the `telegram.ext` logger; whoever runs the bot needs to see that Telegram is
    unreachable and that the bot keeps trying. A handler filter: it lifts those records to WARNING
    and drops every other record below the configured level."""

    def __init__(self, level: int) -> None:
        super().__init__()
        self.level = level

    def filter(self, record: logging.LogRecord) -> bool:
        """Keep records at the configured level and python-telegram-bot's retries, raised to WARNING."""
        if record.levelno >= self.level:
            return True
        if record.name != PTB_LOOP_LOGGER or "Retrying" not in (message := record.getMessage()):
            return False
        error = sys.exc_info()[1]  # the loop logs from inside its `except`: the error itself
        cause = f" ({type(error).__name__}: {error})" if error is not None else ""
        record.levelno, record.levelname = logging.WARNING, "WARNING"
        record.msg, record.args = "Telegram not reachable, retrying with backoff%s: %s", (cause, message)
        return True


PTB_LOOP_LOGGER = "telegram.ext"  # python-telegram-bot's utility modules, its retry loop among them


def show_network_retries() -> None:
    """Surface python-telegram-bot's retry loop at WARNING (see `RetryNotice`)."""
    root = logging.getLogger()
    if root.getEffectiveLevel() <= logging.DEBUG:
        return  # already shown
    for handler in root.handlers:
        if not any(isinstance(f, RetryNotice) for f in handler.filters):
            handler.filters.insert(0, RetryNotice(root.getEffectiveLevel()))
    logging.getLogger(PTB_LOOP_LOGGER).setLevel(logging.DEBUG)
