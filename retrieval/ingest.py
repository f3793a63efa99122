"""Adding, updating and removing articles, then refreshing the index incrementally.

Formats (read by `retrieval.formats`): plain text (`.txt`), Markdown with optional
front matter (`.md`), HTML news pages (`.html`/`.htm`, via trafilatura, the
`ingest` extra) and JSON Lines (`.jsonl`: `text` plus optional `id`, `title`,
`outlet`, `url`, `date`). Folders are read recursively (hidden entries skipped).

Storage: every new article becomes `CORPUS_DIR/<id>.md`, its metadata in front
matter (no sidecar), written to a temporary file, fsynced and renamed into place.
An update rewrites the article's existing file (a seed's `.txt` stays `.txt`) and
drops its JSON sidecar, whose values would otherwise override the new ones: the
ingested document replaces the article, metadata included.

Identity: the id is the file name or JSONL `id`, made safe (`a-z0-9_-`); a known
id with different content or metadata is an update. Text without a name (pasted
text, JSONL lines without `id`) gets `<title or first words>-<content hash>`, so
two different pasted articles never replace each other. Content already in the
corpus under another id (case and whitespace ignored) is skipped as a duplicate.

Afterwards the index is refreshed with `refresh_index`: vectors are reused by
content hash, so only new paragraphs and sentences are embedded. A command that
changes nothing does not write a new index version, unless the saved index does
not match the corpus (e.g. an earlier run was killed between the two), which is
then repaired.

A command is all or nothing: when a write or the index refresh fails (disk full,
read-only folder, an interrupt), the files it added are deleted and the ones it
replaced or removed are put back, and the report says why (`failure`); the live
index is the previous version.

Reports hold codes and values (`retrieval.refusals`), never wording: the adapters
word them (`bot.texts.ingest_summary`).
"""

from __future__ import annotations

import dataclasses
import errno
import fcntl
import os
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from config.settings import SEEDS_DIR, Settings
from retrieval.catalogue import CATALOGUE_NAME, CorpusEntry, corpus_entries, duplicate_digest, remember
from retrieval.collector import garbage_collection
from retrieval.corpus import (
    REMOVED_SEEDS_FILE,
    SIDECAR_SUFFIXES,
    Article,
    _read_sidecar,
    corpus_fingerprint,
    parse_article,
    removed_seeds,
    seed_files,
)
from retrieval.embedding import Embedder, create_embedder
from retrieval.engine import refresh_index
from retrieval.formats import (
    JSONL_SUFFIXES,
    META_KEYS,
    TEXT_SUFFIXES,
    RawArticle,
    clean_meta,
    read_document,
    read_jsonl,
    read_markdown,
    slugify,
    sniff_binary,
)
from retrieval.index import (
    IndexCorruptError,
    IndexRefreshError,
    SearchIndex,
    current_version,
    fsync_dir,
    read_manifest,
)
from retrieval.refusals import Refusal, Why

__all__ = [
    "CHAT_MAX_ARTICLES",
    "MAX_BYTES",
    "ArticleSummary",
    "IngestPolicy",
    "IngestReport",
    "Ingestor",
    "slugify",
]

MAX_BYTES = 2_000_000  # per file, and per pasted text
CHAT_MAX_ARTICLES = 200  # articles one chat upload may add or update (the CLI has no cap unless asked)
LOCK_NAME = ".ingest.lock"
BACKUP_SUFFIX = ".ingest-backup"  # hidden copies set aside during one command; never read as articles
JSONL_PIECE_LINES = 1000  # lines of a JSON Lines file held in memory at once


@dataclass(frozen=True)
class IngestPolicy:
    """Limits for one command. The chat admin commands set `allowed_root`."""

    allowed_root: Path | None = None  # when set, only files inside it (symlinks resolved) may be read
    max_bytes: int = MAX_BYTES
    max_articles: int | None = None  # None: no cap per command


@dataclass
class IngestReport:
    """What one command did. `index` is the new index when it changed (for `QAEngine.swap_index`)."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    skipped: list[tuple[str, Refusal]] = field(default_factory=list)  # (id, why)
    rejected: list[tuple[str, Refusal]] = field(default_factory=list)  # (file or file:line, why)
    removed: list[str] = field(default_factory=list)
    embedded: int = 0  # texts (paragraphs + sentences) the index refresh had to embed
    repaired: bool = False  # the corpus was unchanged but the saved index did not match it
    failure: Refusal | None = None  # a system error undid the whole command (disk full, read-only folder)
    index: SearchIndex | None = None

    @property
    def changed(self) -> bool:
        """Whether the command added, updated or removed any article."""
        return bool(self.added or self.updated or self.removed)


@dataclass(frozen=True)
class ArticleSummary:
    """One article in the corpus folder, as `list` and `/artikel` show it."""

    article_id: str
    title: str
    outlet: str | None
    paragraphs: int  # 0: in the folder but not indexed (nothing left after boilerplate removal)


def _is_sidecar(name: str, siblings: list[str]) -> bool:
    """`x.json` / `x.meta.json` next to `x.txt` or `x.md`: metadata, read with its article."""
    stem = name.removesuffix(".meta.json") if name.endswith(".meta.json") else name.removesuffix(".json")
    return stem != name and any(f"{stem}{suffix}" in siblings for suffix in TEXT_SUFFIXES)


def _same_article(old: Article, new: Article) -> bool:
    return old.meta == new.meta and old.paragraphs == new.paragraphs


def _write_atomically(path: Path, content: str) -> None:
    """Temp file in the same folder, fsync, rename: readers see the old file or the new one."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)  # make the rename itself durable


def _render(body: str, meta: dict[str, str]) -> str:
    """The stored file: front matter (when there is metadata) and the body."""
    body = body.strip()
    header = [f"{key}: {meta[key]}" for key in META_KEYS if meta.get(key)]
    # A body whose first line is `---` needs a (possibly empty) front matter block,
    # or the corpus would read its opening lines as one.
    if header or body.startswith("---"):
        return "\n".join(["---", *header, "---", body]) + "\n"
    return body + "\n"


class Ingestor:
    """Adds, updates, removes and lists the articles of `settings.corpus_dir`, keeping the index in step.

    Commands are serialised with a lock file in the index folder, so the CLI and a
    running bot can both ingest without losing each other's articles from the index.
    """

    def __init__(
        self,
        settings: Settings,
        embedder: Embedder | None = None,
        policy: IngestPolicy | None = None,
        *,
        show_progress: bool = False,
    ):
        self.settings = settings
        self.show_progress = show_progress  # progress bars on stderr (articles stored, texts embedded)
        self.corpus_dir = Path(settings.corpus_dir)
        self.index_dir = Path(settings.index_dir)
        self.policy = policy or IngestPolicy()
        self._embedder = embedder

    @property
    def embedder(self) -> Embedder:
        """Created on first use: listing, or a command that changes nothing, needs no model."""
        if self._embedder is None:
            self._embedder = create_embedder(self.settings)
        return self._embedder

    # -- public API -----------------------------------------------------------------------

    def ingest_paths(self, paths: Iterable[Path | str]) -> IngestReport:
        """Ingest files and folders (recursively) from the local disk."""
        report = IngestReport()

        def work(batch: _Batch) -> None:
            with _ArticleProgress(self.show_progress) as progress:
                for path, shown in self._files(paths, report):
                    if batch.full:
                        report.rejected.append((shown, batch.full_reason))  # not read: re-run to continue
                        continue
                    for documents, bad in self._read(path, shown):
                        report.rejected += bad
                        for document in documents:
                            batch.store(document)
                        progress.update(report, len(documents) + len(bad))
            self._refresh(report, batch)

        return self._command(report, work)

    def ingest_bytes(self, data: bytes, name: str) -> IngestReport:
        """An uploaded document (e.g. sent to the bot); `name` is its file name."""
        report = IngestReport()
        if len(data) > self.policy.max_bytes:
            report.rejected.append((name, Refusal.of(Why.TOO_BIG, size=len(data), limit=self.policy.max_bytes)))
            return report
        documents, bad = read_document(data, Path(name).name)
        report.rejected += bad
        return self._store_all(documents, report)

    def ingest_text(self, text: str, title: str | None = None, source_name: str | None = None) -> IngestReport:
        """Article text pasted in a chat (front matter allowed).

        The id comes from `source_name` (a file name) when given, so sending a new
        version under the same name updates it; otherwise from the title or first
        words plus a content hash.
        """
        report = IngestReport()
        origin = source_name or title or "teks"
        size = len(text.encode("utf-8"))
        if size > self.policy.max_bytes:
            report.rejected.append((origin, Refusal.of(Why.TOO_BIG, size=size, limit=self.policy.max_bytes)))
            return report
        named = slugify(Path(source_name).stem) if source_name else ""
        document = read_markdown(text, origin, named or None)
        if title:
            document = dataclasses.replace(document, meta={**document.meta, "title": " ".join(title.split())})
        return self._store_all([document], report)

    def ingest_documents(self, documents: Iterable[RawArticle]) -> IngestReport:
        """Articles already read (e.g. the pages a feed links to), stored and indexed in one command."""
        return self._store_all(list(documents), IngestReport())

    def remove(self, article_id: str) -> IngestReport:
        """Delete an article (its file and sidecar) and re-index; nothing is embedded."""
        report = IngestReport()

        def work(batch: _Batch) -> None:
            stored = batch.stored
            # Only ids that exist can be removed, so no path can be built from user input.
            if article_id not in stored:
                report.rejected.append((article_id, Refusal.of(Why.UNKNOWN_ID)))
            elif not any(s.paragraph_count for i, s in stored.items() if i != article_id):
                report.rejected.append((article_id, Refusal.of(Why.LAST_ARTICLE)))
            else:
                batch.delete(article_id)
                self._refresh(report, batch)

        return self._command(report, work)

    def list_articles(self) -> list[ArticleSummary]:
        """Every article file in the corpus folder, sorted by id."""
        return [
            ArticleSummary(s.article_id, s.meta.title, s.meta.outlet, s.paragraph_count) for s in self._scan().values()
        ]

    # -- reading --------------------------------------------------------------------------

    def _inside_root(self, path: Path) -> bool:
        root = self.policy.allowed_root
        return root is None or path.resolve().is_relative_to(root.resolve())

    def _files(self, paths: Iterable[Path | str], report: IngestReport) -> Iterator[tuple[Path, str]]:
        """(file, how to show it) for every file named or found in a named folder."""
        for given in map(Path, paths):
            if not self._inside_root(given):
                report.rejected.append((str(given), Refusal.of(Why.OUTSIDE_ROOT)))
            elif given.is_dir():
                for folder, dirs, names in os.walk(given):  # symlinked folders are not entered
                    dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                    for name in sorted(n for n in names if not n.startswith(".") and not _is_sidecar(n, names)):
                        path = Path(folder) / name
                        # A symlink inside an allowed folder may still point outside it.
                        if not self._inside_root(path):
                            report.rejected.append((str(path), Refusal.of(Why.OUTSIDE_ROOT)))
                        elif not path.is_file():  # a FIFO or a device: opening it would wait forever
                            report.rejected.append((str(path), Refusal.of(Why.NOT_A_FILE)))
                        else:
                            yield path, str(path)
            elif given.is_file():
                yield given, str(given)
            elif given.exists():
                report.rejected.append((str(given), Refusal.of(Why.NOT_A_FILE)))
            else:
                report.rejected.append((str(given), Refusal.of(Why.NOT_FOUND)))

    def _read(self, path: Path, shown: str) -> Iterator[tuple[list[RawArticle], list[tuple[str, Refusal]]]]:
        """The articles of one file (and what was refused in it), in pieces for JSON Lines."""
        if path.suffix.lower() in JSONL_SUFFIXES:
            yield from self._read_jsonl_file(path, shown)
        else:
            yield self._read_file(path, shown)

    def _read_jsonl_file(self, path: Path, shown: str) -> Iterator[tuple[list[RawArticle], list[tuple[str, Refusal]]]]:
        """A JSON Lines file of any size, read line by line: the size limit holds per line (one
        article), not per file, and memory holds one piece of JSONL_PIECE_LINES lines at a time."""
        limit = self.policy.max_bytes
        try:
            with path.open("rb") as handle:
                kind = sniff_binary(handle.read(4096))
                if kind is not None:
                    yield [], [(shown, Refusal.of(Why.BINARY, kind=kind))]
                    return
                handle.seek(0)
                documents: list[RawArticle] = []
                bad: list[tuple[str, Refusal]] = []
                for number, raw in enumerate(handle, start=1):
                    where = f"{shown}:{number}"
                    if len(raw) > limit:
                        bad.append((where, Refusal.of(Why.LINE_TOO_BIG, size=len(raw), limit=limit)))
                    else:
                        try:
                            line = raw.decode("utf-8-sig" if number == 1 else "utf-8")
                        except UnicodeDecodeError:
                            bad.append((where, Refusal.of(Why.LINE_NOT_UTF8)))
                        else:
                            found, refused = read_jsonl(line, shown, first_line=number)
                            documents += found
                            bad += refused
                    if number % JSONL_PIECE_LINES == 0:
                        yield documents, bad
                        documents, bad = [], []
                yield documents, bad
        except OSError as exc:
            yield [], [(shown, Refusal.of(Why.UNREADABLE, error=str(exc.strerror or exc)))]

    def _read_file(self, path: Path, shown: str) -> tuple[list[RawArticle], list[tuple[str, Refusal]]]:
        limit = self.policy.max_bytes
        try:
            size = path.stat().st_size
            if size > limit:  # checked before reading: a huge file is never loaded
                return [], [(shown, Refusal.of(Why.TOO_BIG, size=size, limit=limit))]
            with path.open("rb") as handle:
                data = handle.read(limit + 1)  # the file may have grown since stat
        except OSError as exc:
            return [], [(shown, Refusal.of(Why.UNREADABLE, error=str(exc.strerror or exc)))]
        if len(data) > limit:
            return [], [(shown, Refusal.of(Why.TOO_BIG, size=None, limit=limit))]
        documents, bad = read_document(data, path.name)
        # A folder in the corpus's own layout keeps its metadata in `<id>.json` sidecars;
        # like the corpus, the sidecar's values win over front matter.
        sidecar = clean_meta(_read_sidecar(path)) if path.suffix.lower() in TEXT_SUFFIXES else {}
        # Messages name the path as given, not just the file name.
        documents = [
            dataclasses.replace(d, origin=shown + d.origin.removeprefix(path.name), meta={**d.meta, **sidecar})
            for d in documents
        ]
        return documents, [(shown + what.removeprefix(path.name), why) for what, why in bad]

    # -- storing --------------------------------------------------------------------------

    def _command(self, report: IngestReport, work: Callable[[_Batch], None]) -> IngestReport:
        """Run one changing command under the lock, all or nothing.

        A system error (disk full, read-only folder, no lock) ends it with `report.failure`
        set, after `_Batch` has put the corpus back as it was.
        """
        try:
            # The corpus's entries and the index version make ~1M objects at 1M paragraphs: no
            # collection walks them mid-command (retrieval/collector.py).
            with garbage_collection(enabled=False), self._batch(report) as batch:
                work(batch)
        except _CommandFailed as failed:
            report.failure = failed.reason
        return report

    @contextmanager
    def _batch(self, report: IngestReport) -> Iterator[_Batch]:
        """The command's batch of changes to CORPUS_DIR, under the lock file."""
        if self.corpus_dir.resolve() == SEEDS_DIR.resolve():
            raise _CommandFailed(Refusal.of(Why.SEEDS_READ_ONLY))
        with self._locked(), _Batch(self, report) as batch:
            yield batch

    @contextmanager
    def _locked(self) -> Iterator[None]:
        """One writer at a time across processes (CLI and bot), released even if killed."""
        try:
            self.index_dir.mkdir(parents=True, exist_ok=True)
            handle = (self.index_dir / LOCK_NAME).open("a")
        except OSError as exc:
            raise _CommandFailed(storage_problem(exc, self.index_dir)) from exc
        with handle:
            fcntl.flock(handle.fileno(), fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle.fileno(), fcntl.LOCK_UN)

    def _scan(self) -> dict[str, CorpusEntry]:
        """The corpus as the index builder will read it (seeds and CORPUS_DIR), by id: from the
        catalogue, so only new or changed files are parsed."""
        return corpus_entries(self.corpus_dir, self.settings.seeds_dir, self.index_dir / CATALOGUE_NAME)

    def _store_all(self, documents: list[RawArticle], report: IngestReport) -> IngestReport:
        def work(batch: _Batch) -> None:
            for document in documents:
                batch.store(document)
            self._refresh(report, batch)

        return self._command(report, work)

    def _refresh(self, report: IngestReport, batch: _Batch) -> None:
        """Re-index after a change, or when the saved index does not match the (unchanged) corpus."""
        articles = [s for s in batch.stored.values() if s.paragraph_count]
        if not articles:
            return  # nothing to index (refresh_index would refuse an empty corpus)
        if not report.changed:
            if self._index_matches(articles):
                return  # a no-op leaves the live index version alone
            report.repaired = True
        try:
            result = refresh_index(self.settings, self.embedder, show_progress=self.show_progress, articles=articles)
        except IndexRefreshError as exc:
            raise _CommandFailed(refresh_problem(exc, self.index_dir)) from exc
        report.embedded, report.index = result.embedded, result.index

    def _index_matches(self, articles: list[CorpusEntry]) -> bool:
        version = current_version(self.index_dir)
        if version is None:
            return False
        try:
            return read_manifest(version).corpus_fingerprint == corpus_fingerprint(articles)
        except IndexCorruptError:
            return False


class _ArticleProgress:
    """`Artikel: 1.234 artikel [00:02, 600 artikel/s, baru=1.200, dilewati=30, ditolak=4]` on stderr."""

    def __init__(self, enabled: bool) -> None:
        self._bar: Any = None
        if enabled:
            from tqdm import tqdm

            self._bar = tqdm(desc="Artikel", unit=" artikel", file=sys.stderr, mininterval=0.5)

    def __enter__(self) -> _ArticleProgress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def update(self, report: IngestReport, articles: int) -> None:
        if self._bar is not None and articles:
            self._bar.update(articles)
            counts = {
                "baru": len(report.added),
                "diperbarui": len(report.updated),
                "dilewati": len(report.skipped),
                "ditolak": len(report.rejected),
            }
            # Indonesian thousands (1.200), like the rest of the bar's labels
            self._bar.set_postfix_str(", ".join(f"{name}={n:,}".replace(",", ".") for name, n in counts.items()))

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None


class _CommandFailed(Exception):
    """A system error ended an ingest command; the corpus has been put back as it was."""

    def __init__(self, reason: Refusal) -> None:
        super().__init__(reason.why)
        self.reason = reason


def storage_problem(exc: OSError, where: Path) -> Refusal:
    """What went wrong writing to disk, for the person who can fix it."""
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        return Refusal.of(Why.DISK_FULL, where=str(where))
    if exc.errno in (errno.EROFS, errno.EACCES, errno.EPERM):
        return Refusal.of(Why.NOT_WRITABLE, where=str(where), error=str(exc.strerror))
    return Refusal.of(Why.WRITE_FAILED, where=str(where), error=str(exc.strerror or exc))


def refresh_problem(exc: IndexRefreshError, index_dir: Path) -> Refusal:
    """Why a new index version could not be made, for the person who can fix it."""
    cause = exc.cause
    if isinstance(cause, OSError):
        return storage_problem(cause, index_dir)
    return Refusal.of(Why.INDEX_FAILED, error=str(exc))


class _Batch:
    """The articles of one command being stored: decisions, limits and the corpus as it grows.

    Used as a context manager, it is all or nothing: every file it replaces or deletes is first
    renamed aside (no extra disk space needed), and when the command fails (a write or the index
    refresh: disk full, read-only folder) new files are deleted and the old ones renamed back,
    so the corpus never holds articles the index does not.
    """

    def __init__(self, ingestor: Ingestor, report: IngestReport) -> None:
        self.ingestor = ingestor
        self.report = report
        self.limit = ingestor.policy.max_articles
        self.stored: dict[str, CorpusEntry] = {}
        self.by_digest: dict[str, str] = {}  # content digest -> id, for the duplicate test across ids
        self.written: set[str] = set()
        self._created: list[Path] = []
        self._backups: list[tuple[Path, Path]] = []  # (original, backup)

    def __enter__(self) -> _Batch:
        corpus_dir = self.ingestor.corpus_dir
        try:
            corpus_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise _CommandFailed(storage_problem(exc, corpus_dir)) from exc
        for leftover in corpus_dir.glob(f".*{BACKUP_SUFFIX}"):  # a killed command's: it had finished writing
            leftover.unlink(missing_ok=True)
        self.stored = self.ingestor._scan()
        self.by_digest = {s.duplicate_digest: i for i, s in self.stored.items()}
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: object) -> None:
        if kind is None:
            for _, backup in self._backups:
                backup.unlink(missing_ok=True)
            written = [self.stored[i] for i in self.written if i in self.stored]
            remember(self.ingestor.index_dir / CATALOGUE_NAME, written)
            return
        self._undo()
        for field_ in (self.report.added, self.report.updated, self.report.removed):
            field_.clear()
        if isinstance(exc, OSError):
            raise _CommandFailed(storage_problem(exc, self.ingestor.corpus_dir)) from exc

    def _undo(self) -> None:
        for path in self._created:
            path.unlink(missing_ok=True)
        for original, backup in reversed(self._backups):
            if backup.exists():
                os.replace(backup, original)
        fsync_dir(self.ingestor.corpus_dir)

    def _set_aside(self, path: Path, *, keep: bool) -> None:
        """Keep `path`'s current content for `_undo`: a hard link when the file stays in place until
        it is atomically replaced (readers, and a killed command, still see the old file), else a
        rename (the file is being deleted)."""
        if not path.exists():
            return
        backup = path.with_name(f".{path.name}{BACKUP_SUFFIX}")
        backup.unlink(missing_ok=True)
        if keep:
            os.link(path, backup)
        else:
            os.replace(path, backup)
        self._backups.append((path, backup))

    def _drop_sidecars(self, path: Path) -> None:
        for suffix in SIDECAR_SUFFIXES:
            self._set_aside(path.with_suffix(suffix), keep=False)

    def delete(self, article_id: str) -> None:
        """Remove an article: its file and sidecars in CORPUS_DIR; a seed is hidden, never deleted."""
        corpus_dir = self.ingestor.corpus_dir
        path = self.stored.pop(article_id).path
        if path.parent == corpus_dir:
            self._set_aside(path, keep=False)
            self._drop_sidecars(path)
        if article_id in seed_files(corpus_dir, self.ingestor.settings.seeds_dir):  # else it would come back
            hidden = removed_seeds(corpus_dir) | {article_id}
            listing = corpus_dir / REMOVED_SEEDS_FILE
            if listing.exists():
                self._set_aside(listing, keep=True)
            else:
                self._created.append(listing)
            _write_atomically(listing, "".join(f"{i}\n" for i in sorted(hidden)))
        fsync_dir(corpus_dir)
        self.report.removed.append(article_id)

    @property
    def full(self) -> bool:
        return self.limit is not None and len(self.written) >= self.limit

    @property
    def full_reason(self) -> Refusal:
        return Refusal.of(Why.TOO_MANY, limit=self.limit)

    def store(self, document: RawArticle) -> None:
        """Add, update, skip or reject one article, writing it when it is new or changed."""
        report = self.report
        body_meta = dict(document.meta)
        content = _render(document.body, body_meta)
        # Parse what would be stored, so every test below sees what the index will see.
        probe = parse_article(document.article_id or "_", content)
        if not probe.paragraphs:
            report.rejected.append((document.origin, Refusal.of(Why.EMPTY_ARTICLE)))
            return
        digest = duplicate_digest(probe)
        article_id = document.article_id or self._derived_id(probe, digest)
        article = parse_article(article_id, content) if article_id != probe.article_id else probe
        twin = self.by_digest.get(digest)
        old = self.stored.get(article_id)
        if twin is not None and twin != article_id:
            report.skipped.append((article_id, Refusal.of(Why.DUPLICATE, of=twin)))
        elif old is not None and old.duplicate_digest == digest and _same_article(old.load(), article):
            report.skipped.append((article_id, Refusal.of(Why.ALREADY_STORED)))
        elif article_id in self.written:
            # Two different documents in one command with the same name: neither silently wins.
            report.rejected.append((document.origin, Refusal.of(Why.ID_TAKEN, id=article_id)))
        elif self.full:
            report.rejected.append((document.origin, self.full_reason))
        else:
            path = self._write(article_id, content, article, old)
            (report.updated if old is not None else report.added).append(article_id)
            if old is not None:
                self.by_digest.pop(old.duplicate_digest, None)
            self.stored[article_id] = CorpusEntry.of(path, article)
            self.by_digest[digest] = article_id
            self.written.add(article_id)

    def _write(self, article_id: str, content: str, article: Article, old: CorpusEntry | None) -> Path:
        """Store a new or changed article: its file in CORPUS_DIR (set aside for `_undo`). Returns the path."""
        corpus_dir = self.ingestor.corpus_dir
        # A seed is never rewritten: its new version goes to CORPUS_DIR and replaces it there.
        path = old.path if old is not None and old.path.parent == corpus_dir else corpus_dir / f"{article_id}.md"
        if not path.exists():
            self._created.append(path)
        else:
            self._set_aside(path, keep=True)
        _write_atomically(path, content)
        self._drop_sidecars(path)  # stale (or stray) metadata would override the new
        return path

    def _derived_id(self, article: Article, digest: str) -> str:
        """`<title or first words>-<hash>`: readable, and stable for the same content."""
        words = article.meta.title if article.meta.title != article.article_id else article.paragraphs[0].text
        stem = ""
        for word in words.split()[:8]:  # whole words only, at most ~50 characters
            longer = slugify(f"{stem} {word}", limit=200)
            if len(longer) > 50:
                break
            stem = longer
        return f"{stem}-{digest[:8]}" if stem else f"artikel-{digest[:12]}"
