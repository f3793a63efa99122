"""Secrets never reach the terminal: log lines and Python's last words on an uncaught exception."""

from __future__ import annotations

import logging
import sys

import pytest

from bot.logs import configure_logging

SECRET = "123456:never-show-this-token"


def test_uncaught_exception_is_printed_with_the_secret_redacted(capsys: pytest.CaptureFixture[str]) -> None:
    old_hook, old_handlers = sys.excepthook, logging.getLogger().handlers[:]
    try:
        configure_logging(logging.INFO, secrets=[SECRET])
        try:
            raise RuntimeError(f"The token `{SECRET}` was rejected by the server.")
        except RuntimeError as exc:
            sys.excepthook(type(exc), exc, exc.__traceback__)
    finally:
        sys.excepthook = old_hook
        logging.getLogger().handlers[:] = old_handlers
    printed = capsys.readouterr().err
    assert "RuntimeError: The token `[REDACTED]` was rejected" in printed
    assert SECRET not in printed and "Traceback" in printed
