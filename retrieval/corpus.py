"""Articles → paragraphs → sentences, with scraped boilerplate removed.

An article file is plain text, one paragraph per line (the seeds), optionally
with front matter (`---` … `---`, `key: value` lines) or a JSON sidecar
`<id>.json` / `<id>.meta.json` carrying title, outlet, url and date.
Nothing here invents facts: a title is taken from metadata, else from the
article's first heading, else cut from its lead sentence (`retrieval.titles`).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from retrieval.text import split_sentences
from retrieval.titles import derived_title

SUPPORTED_SUFFIXES = (".txt", ".md")
SIDECAR_SUFFIXES = (".json", ".meta.json")  # `<id>.json` / `<id>.meta.json` beside an article: its metadata

_SHARE_RE = re.compile(
    r"^(bagikan|share|tweet|salin tautan|copy link|facebook|twitter|whatsapp|telegram|line|email)"
    r"(\s*(:|ke|via)?\s*(facebook|twitter|whatsapp|telegram|line|email|x)?)*\s*:?\s*$",
    re.IGNORECASE,
)
_RELATED_RE = re.compile(
    r"^(baca juga|baca pula|lihat juga|simak juga|artikel terkait|berita terkait)\b\s*:?", re.IGNORECASE
)
_SOURCE_RE = re.compile(r"^sumber\s*:\s*(?P<source>.+?)\s*\.?$", re.IGNORECASE)
_CREDIT_RE = re.compile(
    r"^(editor|pewarta|penulis|reporter|penerjemah|fotografer|foto|copyright|hak cipta|©)\b\s*:?",
    re.IGNORECASE,
)
# "London (ANTARA) -", "BRUSSELS -", "ATHENA -", "JAKARTA, KOMPAS.com -"
_DATELINE_RE = re.compile(
    r"^(?P<dateline>(?P<place>[A-Z][A-Za-z.'’ ]{1,30}?)"
    r"(?:\s*,\s*(?P<outlet2>[A-Z][\w.]{1,25}))?"
    r"(?:\s*\((?P<outlet>[A-Za-z][\w .]{0,25})\))?)\s+[-–—]{1,2}\s+"
)
_TERMINAL = ".!?…\"'”’:;)"
# Wikipedia-style reference marks after the final punctuation: "… pemisah selektif.[1]", "….[2][3]".
_FOOTNOTES_RE = re.compile(r"(?:\[(?:\d{1,3}|[a-z]|catatan \d{1,3}|butuh rujukan)\])+$", re.IGNORECASE)


@dataclass(frozen=True)
class Sentence:
    """A sentence as a character span of its paragraph's text."""

    start: int
    end: int


@dataclass(frozen=True)
class Paragraph:
    """One content paragraph. `number` is 1-based within the article."""

    article_id: str
    number: int
    text: str
    sentences: tuple[Sentence, ...]
    heading: str | None = None

    def sentence_text(self, i: int) -> str:
        """The text of sentence `i`, verbatim."""
        s = self.sentences[i]
        return self.text[s.start : s.end]


@dataclass(frozen=True)
class ArticleMeta:
    """What a reader needs to find and check the article."""

    article_id: str
    title: str
    outlet: str | None = None
    source_note: str | None = None  # "Sumber: Anadolu": who the outlet took it from
    dateline: str | None = None
    url: str | None = None
    date: str | None = None  # publication date, ISO 8601 when ingested from a feed ("2026-11-24T08:30:00+07:00")
    date_source: str | None = None  # where `date` came from: "feed", "page", or "fetched" (the time it was fetched)


@dataclass(frozen=True)
class Article:
    """One article: its metadata, content paragraphs and a hash of their text."""

    meta: ArticleMeta
    paragraphs: tuple[Paragraph, ...]
    content_hash: str = ""

    @property
    def article_id(self) -> str:
        """The article's id (its file name without the suffix)."""
        return self.meta.article_id

    def load(self) -> Article:
        """The article itself (an `ArticleSource` whose paragraphs are already read)."""
        return self


class ArticleSource(Protocol):
    """An article known by id, content hash and metadata, its paragraphs read by `load` only when
    needed: an `Article`, or a catalogue entry (`retrieval.catalogue.CorpusEntry`)."""

    @property
    def article_id(self) -> str:
        """The article's id."""

    @property
    def meta(self) -> ArticleMeta:
        """Its metadata, as parsed."""

    @property
    def content_hash(self) -> str:
        """sha256 of the file's text."""

    def load(self) -> Article:
        """The article with its paragraphs."""


@dataclass
class _Parsed:
    metadata: dict[str, str] = field(default_factory=dict)
    blocks: list[tuple[str | None, str]] = field(default_factory=list)  # (heading, text)
    first_heading: str | None = None
    source_note: str | None = None


def _is_credit(line: str) -> bool:
    """A credit ("Editor: Budi", "Pewarta Ani Lestari"), unless the word opens a sentence ("Penulis Injil ini …")."""
    match = _CREDIT_RE.match(line)
    return match is not None and (line[match.end() - 1 : match.end()] == ":" or len(line.split()) <= 6)


def _is_boilerplate(line: str) -> bool:
    return bool(_SHARE_RE.match(line) or _RELATED_RE.match(line) or _is_credit(line))


def _looks_like_heading(line: str) -> bool:
    """Short line without sentence punctuation: a section heading or headline."""
    words = line.split()
    bare = _FOOTNOTES_RE.sub("", line).rstrip()
    if not bare:
        return False
    return 0 < len(words) <= 14 and len(line) <= 110 and bare[-1] not in _TERMINAL and not line.startswith(("“", '"'))


def _split_front_matter(text: str) -> tuple[dict[str, str], str]:
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        return {}, text
    for end in range(1, min(len(lines), 60)):
        if lines[end].strip() in {"---", "..."}:
            meta: dict[str, str] = {}
            for raw in lines[1:end]:
                key, sep, value = raw.partition(":")
                if sep and key.strip():
                    meta[key.strip().lower()] = value.strip().strip("\"'")
            return meta, "\n".join(lines[end + 1 :])
    return {}, text


def _strip_markdown(line: str) -> tuple[str, bool]:
    """Return the line without Markdown heading marks, and whether it was a heading."""
    match = re.match(r"^#{1,6}\s+(.*)$", line)
    if match:
        return match.group(1).strip(), True
    return line, False


def _parse_lines(text: str) -> _Parsed:
    parsed = _Parsed()
    parsed.metadata, body = _split_front_matter(text)
    lines = [" ".join(raw.split()) for raw in body.splitlines()]
    lines = [line for line in lines if line]
    # A trailing related headline: short unpunctuated lines at the very end (a text of one such
    # line is the content itself, not a headline of something else).
    while lines and (
        (len(lines) > 1 and _looks_like_heading(lines[-1])) or _is_boilerplate(lines[-1]) or _SOURCE_RE.match(lines[-1])
    ):
        source = _SOURCE_RE.match(lines[-1])
        if source:
            parsed.source_note = source.group("source")
        lines.pop()
    heading: str | None = None
    for i, line in enumerate(lines):
        source = _SOURCE_RE.match(line)
        if source:
            parsed.source_note = source.group("source")
            continue
        if _is_boilerplate(line):
            continue
        line, is_md_heading = _strip_markdown(line)
        next_is_content = i + 1 < len(lines) and not _looks_like_heading(lines[i + 1])
        if is_md_heading or (_looks_like_heading(line) and next_is_content):
            if not parsed.blocks and parsed.first_heading is None:
                parsed.first_heading = line
            heading = line
            continue
        parsed.blocks.append((heading, line))
    return parsed


def _read_sidecar(path: Path) -> dict[str, str]:
    for candidate in (path.with_suffix(suffix) for suffix in SIDECAR_SUFFIXES):
        if candidate.is_file():
            try:
                data = json.loads(candidate.read_text(encoding="utf-8"))
            except (OSError, ValueError):
                return {}
            if isinstance(data, dict):
                return {str(k).lower(): str(v) for k, v in data.items() if v is not None}
    return {}


def parse_article(article_id: str, text: str, metadata: dict[str, str] | None = None) -> Article:
    """Parse one article's text into paragraphs and sentences with a reference."""
    parsed = _parse_lines(text)
    meta = {**parsed.metadata, **(metadata or {})}
    dateline: str | None = None
    outlet = meta.get("outlet") or meta.get("source") or None
    paragraphs: list[Paragraph] = []
    for heading, block in parsed.blocks:
        if not paragraphs and dateline is None:
            match = _DATELINE_RE.match(block)
            if match:
                dateline = match.group("dateline").strip()
                outlet = outlet or match.group("outlet") or match.group("outlet2")
                block = block[match.end() :]
        spans = split_sentences(block)
        if not spans:
            continue
        paragraphs.append(
            Paragraph(
                article_id=article_id,
                number=len(paragraphs) + 1,
                text=block,
                sentences=tuple(Sentence(s, e) for s, e in spans),
                heading=heading,
            )
        )
    title = meta.get("title") or parsed.first_heading
    if not title and paragraphs:
        title = derived_title(paragraphs[0].sentence_text(0))
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return Article(
        meta=ArticleMeta(
            article_id=article_id,
            title=title or article_id,
            outlet=outlet,
            source_note=meta.get("source_note") or parsed.source_note,
            dateline=dateline,
            url=meta.get("url") or None,
            date=meta.get("date") or None,
            date_source=(meta.get("date_source") or None) if meta.get("date") else None,
        ),
        paragraphs=tuple(paragraphs),
        content_hash=digest,
    )


def load_article(path: Path) -> Article:
    """Read one article file (UTF-8) and its optional sidecar metadata."""
    text = path.read_text(encoding="utf-8")
    article_id = path.name.removesuffix(path.suffix)
    return parse_article(article_id, text, _read_sidecar(path))


def article_files(corpus_dir: Path) -> list[Path]:
    """Article files in a corpus folder, sorted for a stable paragraph order."""
    return [corpus_dir / name for name in article_names(corpus_dir)]


def article_names(folder: Path) -> list[str]:
    """The names of `article_files`, sorted (one directory read: ~0.1 s for 125,000 files, where
    making and comparing a `Path` for each took seconds)."""
    try:
        with os.scandir(folder) as entries:
            names = [e.name for e in entries if article_stem(e.name) is not None and e.is_file()]
    except (FileNotFoundError, NotADirectoryError):
        return []
    return sorted(names)


def article_stem(name: str) -> str | None:
    """The article id a file name gives ("berita.md" → "berita"), None when it is no article file
    (the suffix as `Path.suffix` sees it: ".md" alone is a hidden file, not an article)."""
    for suffix in SUPPORTED_SUFFIXES:
        if name.endswith(suffix):
            stem = name[: -len(suffix)]
            return stem if stem.strip(".") else None
    return None


REMOVED_SEEDS_FILE = ".removed-seeds"  # in CORPUS_DIR: ids of seed articles an admin removed, one per line


def removed_seeds(corpus_dir: Path) -> set[str]:
    """Seed ids hidden by `remove` (the seed files themselves are never touched)."""
    path = corpus_dir / REMOVED_SEEDS_FILE
    if not path.is_file():
        return set()
    return {line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line.strip()}


def corpus_files(corpus_dir: Path, seeds_dir: Path | None = None) -> dict[str, Path]:
    """The file that serves each article id.

    Seeds (`seeds_dir`, shipped with the bot, read-only) come first, then `corpus_dir`, where
    ingested articles live: a file there replaces the seed with the same id, and seeds listed in
    `corpus_dir/.removed-seeds` are left out. Within a folder the first file of an id wins.
    """
    return {article_id: Path(path) for article_id, path in corpus_file_names(corpus_dir, seeds_dir).items()}


def corpus_file_names(corpus_dir: Path, seeds_dir: Path | None = None) -> dict[str, str]:
    """`corpus_files` as path strings (what the corpus catalogue works with)."""
    hidden = removed_seeds(corpus_dir)
    seeds: dict[str, str] = {}
    if _separate_seeds(corpus_dir, seeds_dir):
        assert seeds_dir is not None
        seeds = {i: path for i, path in _names_by_id(seeds_dir).items() if i not in hidden}
    return seeds | _names_by_id(corpus_dir)


def _separate_seeds(corpus_dir: Path, seeds_dir: Path | None) -> bool:
    return seeds_dir is not None and seeds_dir.resolve() != corpus_dir.resolve()


def seed_files(corpus_dir: Path, seeds_dir: Path | None) -> dict[str, Path]:
    """Every seed article file by id, removed ones included; none when `seeds_dir` is unset or is
    `corpus_dir` itself (then the folder is read once, as the corpus)."""
    if not _separate_seeds(corpus_dir, seeds_dir):
        return {}
    assert seeds_dir is not None
    return _files_by_id(seeds_dir)


def _files_by_id(folder: Path) -> dict[str, Path]:
    return {article_id: Path(path) for article_id, path in _names_by_id(folder).items()}


def _names_by_id(folder: Path) -> dict[str, str]:
    files: dict[str, str] = {}
    prefix = os.path.join(folder, "")
    for name in article_names(folder):  # sorted: the first file of an id wins
        files.setdefault(name[: name.rindex(".")], prefix + name)
    return files


def load_corpus(corpus_dir: Path, seeds_dir: Path | None = None) -> list[Article]:
    """Every article (see `corpus_files`) that has at least one content paragraph."""
    articles = [load_article(p) for p in corpus_files(corpus_dir, seeds_dir).values()]
    return [a for a in articles if a.paragraphs]


FINGERPRINT_MODULUS = 1 << 256


def article_fingerprint(article_id: str, content_hash: str, meta: ArticleMeta) -> int:
    """sha256 of one article's id, content hash and metadata, as a number (summed by `corpus_fingerprint`)."""
    digest = hashlib.sha256(article_id.encode())
    digest.update(content_hash.encode())
    # date_source only when set: an article without one fingerprints as before the field existed
    fields = {k: v for k, v in meta.__dict__.items() if v is not None or k != "date_source"}
    digest.update(_SORTED_JSON.encode(fields).encode())  # = json.dumps(fields, sort_keys=True)
    return int.from_bytes(digest.digest(), "big")


def combine_fingerprints(total: int, count: int) -> str:
    """The corpus fingerprint of `count` articles whose `article_fingerprint`s add up to `total`."""
    return hashlib.sha256(f"corpus-sum-1 {count} {total % FINGERPRINT_MODULUS:064x}".encode()).hexdigest()


def corpus_fingerprint(articles: Iterable[ArticleSource]) -> str:
    """A hash of the sum (mod 2**256) of every article's `article_fingerprint` (id, content hash and
    metadata) and of their number: any change changes it, and being a sum it does not depend on the
    order, so an index update computes it from the saved segments' sums (kept in the manifest) and the
    changed articles alone instead of hashing every article again."""
    total = count = 0
    for article in articles:
        total += article_fingerprint(article.article_id, article.content_hash, article.meta)
        count += 1
    return combine_fingerprints(total, count)


# One encoder for every article: json.dumps with an option makes a new one per call (a third of the
# fingerprint's time at 125,000 articles).
_SORTED_JSON = json.JSONEncoder(sort_keys=True)
