"""Why ingesting skipped or refused an article, or failed as a whole: a code and its values, never wording.

The adapters word a `Refusal` for the person who can act on it (`bot.texts.refusal_text`); code and
tests compare codes. The values each code carries are listed beside it.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from config.errors import BeritaQAError


class Why(StrEnum):
    """What was wrong with one input (or with the whole command, for the storage codes)."""

    # skipped: nothing wrong, nothing to do
    ALREADY_STORED = "already_stored"
    DUPLICATE = "duplicate"  # of: the id of the stored article with the same text
    # refused: the input
    NOT_FOUND = "not_found"
    NOT_A_FILE = "not_a_file"
    OUTSIDE_ROOT = "outside_root"
    UNREADABLE = "unreadable"  # error: the system's words
    UNSUPPORTED_FORMAT = "unsupported_format"  # suffix: ".pdf", "" when the name has none
    BINARY = "binary"  # kind: what `formats.sniff_binary` recognised, UNKNOWN_BINARY when nothing
    NOT_UTF8 = "not_utf8"  # position: of the first invalid byte
    TOO_BIG = "too_big"  # size (None when only known to be over), limit: bytes
    NEEDS_INGEST_EXTRA = "needs_ingest_extra"
    NO_HTML_TEXT = "no_html_text"
    EMPTY_ARTICLE = "empty_article"
    # refused: one line of a JSON Lines file
    LINE_TOO_BIG = "line_too_big"  # size, limit: bytes
    LINE_NOT_UTF8 = "line_not_utf8"
    LINE_NOT_JSON = "line_not_json"
    LINE_NOT_OBJECT = "line_not_object"
    LINE_WITHOUT_TEXT = "line_without_text"  # keys: the line's first keys, sorted
    TEXT_NOT_STRING = "text_not_string"  # kind: number, boolean, list, object, null or other
    TEXT_EMPTY = "text_empty"
    ID_WITHOUT_LETTERS = "id_without_letters"  # id: the `id` value as given
    # refused: the command's limits and rules
    ID_TAKEN = "id_taken"  # id: used by another article of the same command
    TOO_MANY = "too_many"  # limit: articles per command
    UNKNOWN_ID = "unknown_id"
    LAST_ARTICLE = "last_article"
    # the whole command failed and was undone
    SEEDS_READ_ONLY = "seeds_read_only"
    DISK_FULL = "disk_full"  # where
    NOT_WRITABLE = "not_writable"  # where, error
    WRITE_FAILED = "write_failed"  # where, error
    INDEX_FAILED = "index_failed"  # error: why the new index version could not be made
    DATABASE_FAILED = "database_failed"  # where, error: the article database refused the write (STORE=postgres)
    EMBEDDING_FAILED = "embedding_failed"  # error
    # following feeds and sitemaps (`retrieval.feeds`): a feed, or one of its article pages
    NOT_HTTP_URL = "not_http_url"  # url: not an http(s) address
    FETCH_FAILED = "fetch_failed"  # url, error: no answer (refused, timed out, name unknown)
    HTTP_STATUS = "http_status"  # url, status: the server answered with an error status
    FEED_MALFORMED = "feed_malformed"  # url, error: not readable as RSS, Atom or a sitemap
    ROBOTS_DISALLOWED = "robots_disallowed"  # url: the site's robots.txt does not let us fetch it
    NOT_HTML = "not_html"  # url, kind: an article page that is not HTML (its content type)
    FEED_FOLLOWED = "feed_followed"  # url: already followed
    FEED_NOT_FOLLOWED = "feed_not_followed"  # url: not among the followed feeds


UNKNOWN_BINARY = "unknown"  # Why.BINARY's kind for a file with NUL bytes and no known signature


@dataclass(frozen=True)
class Refusal:
    """A `Why` and the values its wording needs, as sorted (name, value) pairs (so it can be hashed)."""

    why: Why
    values: tuple[tuple[str, Any], ...] = ()

    @classmethod
    def of(cls, why: Why, **values: Any) -> Refusal:
        """`Refusal.of(Why.DUPLICATE, of="berita")`."""
        return cls(why, tuple(sorted(values.items())))


class RefusedError(BeritaQAError):
    """Raised with a `Refusal` saying why (a document, a feed or a page that cannot be used)."""

    def __init__(self, refusal: Refusal) -> None:
        super().__init__(f"{refusal.why}: {dict(refusal.values)}")
        self.refusal = refusal
