"""The one root of the project's own errors.

Every error the bot raises on purpose derives from `BeritaQAError`, so an adapter can tell "we
said no" (a bad setting, a rejected document, a damaged index or model) from a bug. Each keeps the
built-in base it had (ValueError for bad values, RuntimeError for broken parts), so `except
ValueError` code elsewhere keeps working. It lives in `config/` because that is the lowest layer:
`retrieval/` and `bot/` both import it.
"""

from __future__ import annotations


class BeritaQAError(Exception):
    """Something the bot detected and can explain: a setting, a document, an index, a model."""
