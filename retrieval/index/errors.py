"""What can go wrong with an index directory."""

from __future__ import annotations

from typing import TYPE_CHECKING

from config.errors import BeritaQAError

if TYPE_CHECKING:
    from retrieval.index.core import SearchIndex


class IndexCorruptError(BeritaQAError, RuntimeError):
    """An index version exists but cannot be trusted."""


class IndexRefreshError(BeritaQAError, RuntimeError):
    """A new index version could not be built or saved (disk full, read-only folder, embedding failure).

    `built` is the new index when only saving failed: it is complete and can be served from memory.
    `previous` is the live version on disk, already loaded (None when there was none or it was damaged).
    `cause` is the underlying error (an `OSError` carries the errno: ENOSPC, EROFS, …).
    """

    def __init__(
        self,
        message: str,
        cause: BaseException,
        *,
        built: SearchIndex | None = None,
        previous: SearchIndex | None = None,
    ) -> None:
        super().__init__(message)
        self.cause = cause
        self.built = built
        self.previous = previous
