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
