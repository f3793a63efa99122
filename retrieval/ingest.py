"""Adding and removing articles: formats, limits, duplicate detection, incremental re-indexing.

Accepted: plain text (`.txt`), Markdown with optional front matter (`.md`),
HTML news pages (`.html`/`.htm`, text and title extracted with trafilatura, the
`ingest` extra) and JSON Lines (`.jsonl`, one article per line with `text` and
optional `id`, `title`, `outlet`, `url`, `date`). Folders are read recursively.
Every article is stored in the corpus folder as `<id>.md` with front matter,
written atomically; the index is then refreshed, embedding only new texts.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from config.settings import Settings
from retrieval.corpus import SUPPORTED_SUFFIXES, article_files, load_article, parse_article
from retrieval.embedding import Embedder, create_embedder
from retrieval.engine import refresh_index
from retrieval.index import SearchIndex

TEXT_SUFFIXES = {".txt", ".md", ".markdown"}
HTML_SUFFIXES = {".html", ".htm"}
JSONL_SUFFIXES = {".jsonl"}
_META_KEYS = ("title", "outlet", "url", "date")


@dataclass(frozen=True)
class IngestPolicy:
    """Limits for one ingest command."""

    allowed_root: Path | None = None  # when set, only files under it may be read
    max_bytes: int = 2_000_000
    max_articles: int = 200


@dataclass(frozen=True)
class _Incoming:
    article_id: str
    body: str
    meta: dict[str, str]
    origin: str


@dataclass
class IngestReport:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (id, why)
    rejected: list[tuple[str, str]] = field(default_factory=list)  # (what, why)
    removed: list[str] = field(default_factory=list)
    embedded: int = 0
    index: SearchIndex | None = None

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)

    def summary(self) -> str:
        """What happened, in Indonesian, one line per kind."""
        lines = [
            f"Ditambahkan: {len(self.added)}" + (f" ({', '.join(self.added)})" if self.added else ""),
            f"Diperbarui: {len(self.updated)}" + (f" ({', '.join(self.updated)})" if self.updated else ""),
        ]
        if self.removed:
            lines.append(f"Dihapus: {', '.join(self.removed)}")
        lines.append(f"Dilewati: {len(self.skipped)}")
        lines += [f"  - {what}: {why}" for what, why in self.skipped]
        lines.append(f"Ditolak: {len(self.rejected)}")
        lines += [f"  - {what}: {why}" for what, why in self.rejected]
        lines.append(f"Teks di-embed: {self.embedded}")
        return "\n".join(lines)


@dataclass(frozen=True)
class ArticleSummary:
    article_id: str
    title: str
    outlet: str | None
    paragraphs: int


def slugify(name: str) -> str:
    """A safe article id: lower-case letters, digits, `_` and `-`."""
    slug = re.sub(r"[^a-z0-9_-]+", "-", name.lower()).strip("-_")
    return slug[:80] or "artikel"


def _normalised(body: str) -> str:
    return hashlib.sha256(" ".join(body.split()).lower().encode("utf-8")).hexdigest()


def _decode(data: bytes) -> str:
    """UTF-8 (with or without BOM) or BOM-marked UTF-16; anything else is refused, not guessed."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ValueError("bukan teks UTF-8; simpan ulang berkas sebagai UTF-8") from exc


def _looks_binary(data: bytes) -> bool:
    head = data[:8192]
    return b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff"))


def _split_front_matter(text: str) -> tuple[dict[str, str], str]:
    article = parse_article("x", text)
    meta = {k: v for k, v in (("title", article.meta.title), ("outlet", article.meta.outlet),
                              ("url", article.meta.url), ("date", article.meta.date)) if v}  # fmt: skip
    if not text.lstrip().startswith("---"):
        meta.pop("title", None)  # a derived title is not metadata; it is derived again on load
        return meta, text
    end = text.find("\n---", text.find("---") + 3)
    return meta, text[end + 4 :].lstrip("\n") if end != -1 else text


def _from_html(data: bytes, name: str) -> _Incoming:
    try:
        import trafilatura
    except ImportError as exc:
        raise ValueError("HTML memerlukan extra 'ingest' (pip install '.[ingest]')") from exc
    extracted = trafilatura.bare_extraction(data, include_comments=False, include_tables=False, with_metadata=True)
    if extracted is None:
        raise ValueError("tidak ada teks artikel yang bisa diambil dari HTML ini")
    doc = extracted if isinstance(extracted, dict) else extracted.as_dict()
    body = str(doc.get("text") or "")
    meta = {"title": doc.get("title"), "outlet": doc.get("sitename"), "url": doc.get("url"), "date": doc.get("date")}
    return _Incoming(slugify(Path(name).stem), body, {k: str(v) for k, v in meta.items() if v}, name)


def _from_jsonl(text: str, name: str) -> tuple[list[_Incoming], list[tuple[str, str]]]:
    items: list[_Incoming] = []
    bad: list[tuple[str, str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        where = f"{name}:{number}"
        try:
            record = json.loads(line)
        except ValueError:
            bad.append((where, "baris bukan JSON yang valid"))
            continue
        if not isinstance(record, dict) or not str(record.get("text") or "").strip():
            bad.append((where, "baris tanpa 'text'"))
            continue
        body = str(record["text"])
        raw_id = str(record.get("id") or record.get("title") or _normalised(body)[:12])
        meta = {k: str(record[k]) for k in _META_KEYS if record.get(k)}
        items.append(_Incoming(slugify(raw_id), body, meta, where))
    return items, bad


def read_document(data: bytes, name: str) -> tuple[list[_Incoming], list[tuple[str, str]]]:
    """Articles in one document (file contents + its name), and what was refused in it."""
    suffix = Path(name).suffix.lower()
    if suffix not in TEXT_SUFFIXES | HTML_SUFFIXES | JSONL_SUFFIXES:
        return [], [(name, f"format {suffix or '(tanpa ekstensi)'} tidak didukung (txt, md, html, jsonl)")]
    if _looks_binary(data):
        return [], [(name, "berkas biner, bukan teks")]
    try:
        if suffix in HTML_SUFFIXES:
            return [_from_html(data, name)], []
        text = _decode(data)
        if suffix in JSONL_SUFFIXES:
            return _from_jsonl(text, name)
        meta, body = _split_front_matter(text)
        return [_Incoming(slugify(Path(name).stem), body, meta, name)], []
    except ValueError as exc:
        return [], [(name, str(exc))]


def _write_atomically(path: Path, content: str) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _render(item: _Incoming) -> str:
    lines = ["---"]
    for key in _META_KEYS:
        if item.meta.get(key):
            lines.append(f"{key}: {' '.join(item.meta[key].split())}")
    lines.append("---")
    return "\n".join(lines) + "\n" + item.body.strip() + "\n"


class Ingestor:
    """Adds, updates, removes and lists the articles of `settings.corpus_dir`."""

    def __init__(self, settings: Settings, embedder: Embedder | None = None, policy: IngestPolicy | None = None):
        self.settings = settings
        self.corpus_dir = Path(settings.corpus_dir)
        self.policy = policy or IngestPolicy()
        self._embedder = embedder

    @property
    def embedder(self) -> Embedder:
        if self._embedder is None:
            self._embedder = create_embedder(self.settings)
        return self._embedder

    # -- reading --------------------------------------------------------------------------

    def _files(self, paths: Iterable[Path], report: IngestReport) -> list[Path]:
        files: list[Path] = []
        root = self.policy.allowed_root.resolve() if self.policy.allowed_root else None
        for path in paths:
            resolved = Path(path).resolve()
            if root is not None and not resolved.is_relative_to(root):
                report.rejected.append((str(path), "di luar folder yang diizinkan"))
            elif resolved.is_dir():
                files += sorted(p for p in resolved.rglob("*") if p.is_file() and not p.name.startswith("."))
            elif resolved.is_file():
                files.append(resolved)
            else:
                report.rejected.append((str(path), "tidak ditemukan"))
        return files

    def ingest_paths(self, paths: Iterable[Path]) -> IngestReport:
        report = IngestReport()
        incoming: list[_Incoming] = []
        for path in self._files(paths, report):
            if path.stat().st_size > self.policy.max_bytes:
                report.rejected.append((str(path), f"lebih dari {self.policy.max_bytes // 1000} KB"))
                continue
            items, bad = read_document(path.read_bytes(), path.name)
            incoming += items
            report.rejected += bad
        return self._store(incoming, report)

    def ingest_bytes(self, data: bytes, name: str) -> IngestReport:
        """An uploaded document (e.g. sent to the bot)."""
        report = IngestReport()
        if len(data) > self.policy.max_bytes:
            report.rejected.append((name, f"lebih dari {self.policy.max_bytes // 1000} KB"))
            return report
        items, bad = read_document(data, name)
        report.rejected += bad
        return self._store(items, report)

    def ingest_text(self, text: str, *, title: str | None = None, source_name: str | None = None) -> IngestReport:
        """Article text pasted in a chat; the id comes from the title or the text's first words."""
        name = source_name or title or " ".join(text.split()[:6]) or "artikel"
        meta = {"title": title} if title else {}
        return self._store([_Incoming(slugify(name), text, meta, name)], IngestReport())

    # -- storing --------------------------------------------------------------------------

    def _existing(self) -> tuple[dict[str, Path], dict[str, str]]:
        by_id: dict[str, Path] = {}
        by_hash: dict[str, str] = {}
        for path in article_files(self.corpus_dir):
            article_id = path.name.removesuffix(path.suffix)
            by_id[article_id] = path
            _, body = _split_front_matter(path.read_text(encoding="utf-8", errors="replace"))
            by_hash[_normalised(body)] = article_id
        return by_id, by_hash

    def _store(self, incoming: list[_Incoming], report: IngestReport) -> IngestReport:
        self.corpus_dir.mkdir(parents=True, exist_ok=True)
        by_id, by_hash = self._existing()
        for n, item in enumerate(incoming):
            if n >= self.policy.max_articles:
                report.rejected.append((item.origin, f"lebih dari {self.policy.max_articles} artikel sekaligus"))
                continue
            if not parse_article(item.article_id, item.body).paragraphs:
                report.rejected.append((item.origin, "artikel kosong (tidak ada paragraf isi)"))
                continue
            digest = _normalised(item.body)
            if digest in by_hash:
                same = by_hash[digest]
                report.skipped.append((item.article_id, "sudah ada" if same == item.article_id else f"duplikat {same}"))
                continue
            path = by_id.get(item.article_id) or self.corpus_dir / f"{item.article_id}.md"
            (report.updated if item.article_id in by_id else report.added).append(item.article_id)
            _write_atomically(path, _render(item))
            by_id[item.article_id] = path
            by_hash[digest] = item.article_id
        return self._reindex(report)

    def _reindex(self, report: IngestReport) -> IngestReport:
        if report.changed:
            result = refresh_index(self.settings, self.embedder, show_progress=False)
            report.embedded, report.index = result.embedded, result.index
        return report

    # -- removing and listing -------------------------------------------------------------

    def remove(self, article_id: str) -> IngestReport:
        report = IngestReport()
        if slugify(article_id) != article_id and article_id not in self._existing()[0]:
            report.rejected.append((article_id, "id artikel tidak valid"))
            return report
        files = [self.corpus_dir / f"{article_id}{suffix}" for suffix in (*SUPPORTED_SUFFIXES, ".json", ".meta.json")]
        found = [f for f in files if f.is_file()]
        if not found:
            report.rejected.append((article_id, "tidak ada artikel dengan id itu"))
            return report
        if len(article_files(self.corpus_dir)) <= 1:
            report.rejected.append((article_id, "artikel terakhir tidak bisa dihapus (indeks tidak boleh kosong)"))
            return report
        for path in found:
            path.unlink()
        report.removed.append(article_id)
        return self._reindex(report)

    def list_articles(self) -> list[ArticleSummary]:
        summaries = []
        for path in article_files(self.corpus_dir):
            article = load_article(path)
            summaries.append(
                ArticleSummary(article.article_id, article.meta.title, article.meta.outlet, len(article.paragraphs))
            )
        return summaries
