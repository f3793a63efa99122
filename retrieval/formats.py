"""Reading articles out of uploaded or local documents: text, Markdown, HTML, JSON Lines.

This module only turns bytes into `RawArticle`s (body text + metadata) or reasons
(`Refusal`s) for refusing them; where and how they are stored is `retrieval.ingest`'s job.

Encoding policy: UTF-8 (with or without BOM) and BOM-marked UTF-16 are read;
anything else is refused with "save it as UTF-8", never guessed. Guessing a
legacy code page can silently turn names and quotes into mojibake, and this
bot's whole point is quoting articles verbatim.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from retrieval.corpus import _split_front_matter
from retrieval.refusals import UNKNOWN_BINARY, Refusal, RefusedError, Why

TEXT_SUFFIXES = frozenset({".txt", ".md", ".markdown"})
HTML_SUFFIXES = frozenset({".html", ".htm"})
JSONL_SUFFIXES = frozenset({".jsonl"})
SUPPORTED = TEXT_SUFFIXES | HTML_SUFFIXES | JSONL_SUFFIXES
META_KEYS = ("title", "outlet", "url", "date", "date_source")

# Leading bytes of common non-text files, so that e.g. a PDF renamed to .txt is
# refused as what it is rather than as "not UTF-8".
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "PDF"),
    (b"PK\x03\x04", "ZIP/DOCX/EPUB"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "old Office"),
    (b"{\\rtf", "RTF"),
    (b"\x89PNG", "PNG"),
    (b"\xff\xd8\xff", "JPEG"),
    (b"GIF8", "GIF"),
    (b"RIFF", "RIFF"),
    (b"\x1f\x8b", "gzip"),
    (b"7z\xbc\xaf\x27\x1c", "7z"),
    (b"Rar!\x1a\x07", "RAR"),
    (b"\x7fELF", "ELF"),
    (b"SQLite format 3\x00", "SQLite"),
)
_BOMS_16 = (b"\xff\xfe", b"\xfe\xff")
# C0 control characters that never occur in prose (tab, newlines, form feed excluded).
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")


class RejectedDocument(RefusedError, ValueError):
    """A document (or part of one) that cannot be ingested; `refusal` says why."""


@dataclass(frozen=True)
class RawArticle:
    """One article as read from its source, before it gets an id and is stored.

    `article_id` is set when the source names the article (file name, JSONL `id`):
    such an id is stable, so ingesting a new version of it is an update. When it is
    None the ingestor derives one from the title/lead and a content hash.
    """

    body: str
    origin: str  # for messages: file name, or "file.jsonl:3"
    article_id: str | None = None
    meta: dict[str, str] = field(default_factory=dict)


def slugify(name: str, limit: int = 80) -> str:
    """A safe article id: lower-case ASCII letters, digits, `_` and `-` (accents folded: Malmö → malmo)."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9_-]+", "-", ascii_name.lower()).strip("-_")
    return slug[:limit].rstrip("-_")


def content_digest(text: str) -> str:
    """Hash of text with case and whitespace ignored (the duplicate test)."""
    return hashlib.sha256(" ".join(text.casefold().split()).encode("utf-8")).hexdigest()


def sniff_binary(data: bytes) -> str | None:
    """What non-text format `data` is (e.g. "PDF", or UNKNOWN_BINARY), or None when it may be text."""
    for magic, kind in _MAGIC:
        if data.startswith(magic):
            return kind
    if data.startswith(_BOMS_16):
        return None  # UTF-16 text is full of NUL bytes
    return UNKNOWN_BINARY if b"\x00" in data[:65536] else None


def decode_text(data: bytes) -> str:
    """UTF-8 (BOM optional) or BOM-marked UTF-16; anything else is refused (see module docstring)."""
    try:
        text = data.decode("utf-16") if data.startswith(_BOMS_16) else data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RejectedDocument(Refusal.of(Why.NOT_UTF8, position=exc.start)) from exc
    # Valid UTF-8 with many control characters is still a binary format, not prose.
    if len(_CONTROL_RE.findall(text[:65536])) > max(8, len(text[:65536]) // 200):
        raise RejectedDocument(Refusal.of(Why.BINARY, kind=UNKNOWN_BINARY))
    return text


def clean_meta(values: dict[str, Any]) -> dict[str, str]:
    """title/outlet/url/date as single-line strings; empty values dropped."""
    meta: dict[str, str] = {}
    for key in META_KEYS:
        value = values.get(key)
        if isinstance(value, str | int | float) and not isinstance(value, bool):
            text = " ".join(str(value).split())
            if text:
                meta[key] = text
    return meta


def read_markdown(text: str, origin: str, article_id: str | None) -> RawArticle:
    """Plain text or Markdown, with the front matter (if any) taken out as metadata."""
    # The corpus's own front-matter reader: what we split off is exactly what it would.
    front, body = _split_front_matter(text)
    if "outlet" not in front and front.get("source"):
        front["outlet"] = front["source"]  # the corpus reads `source:` as the outlet too
    return RawArticle(body, origin, article_id, clean_meta(front))


def read_html(data: bytes, origin: str, article_id: str | None) -> RawArticle:
    """A news page: the article text and its metadata, without navigation, scripts and widgets."""
    try:
        import trafilatura
    except ImportError as exc:  # also lxml_html_clean, which trafilatura imports
        raise RejectedDocument(Refusal.of(Why.NEEDS_INGEST_EXTRA)) from exc
    extracted = trafilatura.bare_extraction(
        data,
        include_comments=False,
        include_tables=False,
        with_metadata=True,
        # Dates only from the page's markup: the extensive search also takes dates that
        # are merely mentioned in the text, which would misdate the article.
        date_extraction_params={"extensive_search": False, "original_date": True},
    )
    if extracted is None:
        raise RejectedDocument(Refusal.of(Why.NO_HTML_TEXT))
    doc = extracted if isinstance(extracted, dict) else extracted.as_dict()
    meta = clean_meta({"title": doc.get("title"), "outlet": doc.get("sitename"), "url": doc.get("url"),
                        "date": doc.get("date")})  # fmt: skip
    lines = str(doc.get("text") or "").splitlines()
    # trafilatura repeats the headline as the first line; it is in the metadata already.
    if lines and meta.get("title") and " ".join(lines[0].split()) == meta["title"]:
        lines = lines[1:]
    return RawArticle("\n".join(lines), origin, article_id, meta)


_JSON_TYPES = {int: "number", float: "number", bool: "boolean", list: "list", dict: "object", type(None): "null"}


def _jsonl_text_problem(record: object) -> Refusal | None:
    """Why a JSONL line has no usable article text (None when it has one)."""
    if not isinstance(record, dict):
        return Refusal.of(Why.LINE_NOT_OBJECT)
    if "text" not in record:
        return Refusal.of(Why.LINE_WITHOUT_TEXT, keys=tuple(sorted(map(str, record))[:5]))
    value = record["text"]
    if not isinstance(value, str):
        return Refusal.of(Why.TEXT_NOT_STRING, kind=_JSON_TYPES.get(type(value), "other"))
    if not value.strip():
        return Refusal.of(Why.TEXT_EMPTY)
    return None


def read_jsonl(text: str, origin: str, first_line: int = 1) -> tuple[list[RawArticle], list[tuple[str, Refusal]]]:
    """One article per line; bad lines are refused one by one, the rest still count. `first_line`
    numbers the lines of a piece of a longer file."""
    articles: list[RawArticle] = []
    bad: list[tuple[str, Refusal]] = []
    for number, line in enumerate(text.splitlines(), start=first_line):
        if not line.strip():
            continue
        where = f"{origin}:{number}"
        try:
            record = json.loads(line)
        except ValueError:
            bad.append((where, Refusal.of(Why.LINE_NOT_JSON)))
            continue
        problem = _jsonl_text_problem(record)
        if problem is not None:
            bad.append((where, problem))
            continue
        raw_id = record.get("id")
        article_id = slugify(str(raw_id)) if isinstance(raw_id, str | int) and not isinstance(raw_id, bool) else ""
        if raw_id not in (None, "") and not article_id:
            bad.append((where, Refusal.of(Why.ID_WITHOUT_LETTERS, id=raw_id)))
            continue
        articles.append(RawArticle(record["text"], where, article_id or None, clean_meta(record)))
    return articles, bad


def read_document(data: bytes, name: str) -> tuple[list[RawArticle], list[tuple[str, Refusal]]]:
    """The articles in one document (its bytes and file name), and what was refused in it."""
    suffix = Path(name).suffix.lower()
    if suffix not in SUPPORTED:
        return [], [(name, Refusal.of(Why.UNSUPPORTED_FORMAT, suffix=suffix))]
    kind = sniff_binary(data)
    if kind is not None:
        return [], [(name, Refusal.of(Why.BINARY, kind=kind))]
    # The file name is the article's id; a name with no letters or digits gets a derived one.
    article_id = slugify(Path(name).stem) or None
    try:
        if suffix in HTML_SUFFIXES:
            return [read_html(data, name, article_id)], []  # trafilatura finds the page's own charset
        text = decode_text(data)
        if suffix in JSONL_SUFFIXES:
            return read_jsonl(text, name)
        return [read_markdown(text, name, article_id)], []
    except RejectedDocument as exc:
        return [], [(name, exc.refusal)]
