"""The corpus catalogue: what each article file holds, so a command parses only new or changed files.

Every index refresh and every ingest command needs the whole corpus by id: content hash and
metadata (the index's delta and fingerprint), the duplicate test's digest and the paragraph count.
Parsing every article file for that took ~1.5 ms per file (minutes at 125,000 articles, twice per
command). The catalogue, a SQLite file in INDEX_DIR, keeps those facts per file together with the
file's state (size, modification and change time, inode; the same for its sidecar), and an entry is
trusted only while that state is unchanged: a file written since, by us or by hand, is parsed again.
The paragraphs themselves are never stored here: `CorpusEntry.load()` reads them from the file,
which only the new and changed articles need.

The catalogue is derived data. It is rebuilt when the parser's code or sentence rules change, a
damaged file is replaced, and when it cannot be used at all (read-only INDEX_DIR) every file is
parsed as before: nothing depends on it but speed.
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import logging
import os
import sqlite3
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import closing, contextmanager
from pathlib import Path
from typing import NamedTuple

from retrieval import corpus, formats, text, titles
from retrieval.corpus import SIDECAR_SUFFIXES, Article, ArticleMeta, corpus_file_names, load_article
from retrieval.formats import content_digest

log = logging.getLogger(__name__)

CATALOGUE_NAME = "catalogue.sqlite"  # in INDEX_DIR
LOCK_TIMEOUT_S = 30.0  # waiting for another command's write; past it the files are parsed instead
META_FIELDS = tuple(f.name for f in dataclasses.fields(ArticleMeta))
_COLUMNS = ("path", "state", "content_hash", "duplicate_digest", "paragraphs", *META_FIELDS)


class CorpusEntry(NamedTuple):
    """One article file of the corpus as the index sees it, its paragraphs read on demand.

    A tuple (not a dataclass): a command makes one per article, 125,000 at 1M paragraphs."""

    file: str
    meta: ArticleMeta
    content_hash: str
    duplicate_digest: str  # `duplicate_digest(article)`: the same text under another id is a duplicate
    paragraph_count: int
    parsed: Article | None = None  # when read by this command

    @classmethod
    def of(cls, path: Path, article: Article) -> CorpusEntry:
        """The entry of an article just parsed from `path` (kept, so `load` does not read it again)."""
        digest = duplicate_digest(article)
        return cls(str(path), article.meta, article.content_hash, digest, len(article.paragraphs), article)

    @property
    def path(self) -> Path:
        """The article's file."""
        return Path(self.file)

    @property
    def article_id(self) -> str:
        """The article's id (its file name without the suffix)."""
        return self.meta.article_id

    def load(self) -> Article:
        """The whole article: parsed now unless this command parsed it already."""
        return self.parsed if self.parsed is not None else load_article(self.path)


def duplicate_digest(article: Article) -> str:
    """The digest of an article's paragraph text, case and spacing ignored (the duplicate test)."""
    return content_digest("\n".join(p.text for p in article.paragraphs))


@functools.cache
def parser_version() -> str:
    """Names the code that turns a file into an article and the table's columns: entries made
    otherwise are not trusted."""
    digest = hashlib.sha256(f"{text.sentence_rules()} {_COLUMNS}".encode())
    for module in (corpus, formats, text, titles):
        digest.update(Path(str(module.__file__)).read_bytes())
    return digest.hexdigest()


def corpus_entries(corpus_dir: Path, seeds_dir: Path | None, catalogue: Path | None) -> dict[str, CorpusEntry]:
    """Every article file serving an id (see `corpus.corpus_files`), from the catalogue where the
    file is unchanged and parsed otherwise; the catalogue is brought up to date. `catalogue` None:
    parse every file."""
    files = corpus_file_names(corpus_dir, seeds_dir)
    states = _file_states(files.values())
    known, rows = _read(catalogue, states) if catalogue is not None else ({}, 0)
    entries: dict[str, CorpusEntry] = {}
    fresh: list[tuple[str, CorpusEntry]] = []
    for article_id, path in files.items():
        entry = known.get(path)
        if entry is None:
            entry = CorpusEntry.of(Path(path), load_article(Path(path)))
            if path in states:
                fresh.append((states[path], entry))
        entries[article_id] = entry
    if catalogue is not None and (fresh or rows != len(known)):
        _write(catalogue, fresh, set(states))
    return entries


def remember(catalogue: Path, entries: Iterable[CorpusEntry]) -> None:
    """Record articles a command has just written (so the next command does not parse them again)."""
    entries = list(entries)
    states = _file_states(e.file for e in entries)
    fresh = [(states[e.file], e) for e in entries if e.file in states]
    if fresh:
        _write(catalogue, fresh, None)


def _file_states(paths: Iterable[str]) -> dict[str, str]:
    """Each file's state (with its sidecar's), by path; a file that cannot be read has none.
    Stats go through a descriptor of the folder: ~3 µs each in a folder of 250,000 files."""
    by_folder: dict[str, list[str]] = defaultdict(list)
    for path in paths:
        folder, name = os.path.split(path)
        by_folder[folder].append(name)
    states: dict[str, str] = {}
    for folder, names in by_folder.items():
        try:
            handle = os.open(folder or ".", os.O_RDONLY | os.O_DIRECTORY)
        except OSError:
            continue
        try:
            sidecars = _sidecar_finder(handle, len(names))
            for name in names:
                try:
                    state = _state(name, handle)
                    for sidecar in sidecars(name[: name.rindex(".")]):  # an article file name has a suffix
                        state += ";" + _state(sidecar, handle)
                except OSError:
                    continue
                states[os.path.join(folder, name)] = state
        finally:
            os.close(handle)
    return states


def _sidecar_finder(folder: int, files: int) -> Callable[[str], list[str]]:
    """The sidecar names present for an article stem: from one listing of the folder when many
    files are asked about, else by asking for each (a command's few written files)."""
    if files > 64:
        present = set(os.listdir(folder))
        stems = {n.removesuffix(s) for n in present for s in SIDECAR_SUFFIXES if n.endswith(s)}
        return lambda stem: [f"{stem}{s}" for s in SIDECAR_SUFFIXES if f"{stem}{s}" in present] if stem in stems else []
    return lambda stem: [f"{stem}{s}" for s in SIDECAR_SUFFIXES if _exists(f"{stem}{s}", folder)]


def _exists(name: str, folder: int) -> bool:
    try:
        os.stat(name, dir_fd=folder)
    except OSError:
        return False
    return True


def _state(name: str, folder: int) -> str:
    # ctime cannot be set back by a user (mtime can): together they change on every write
    st = os.stat(name, dir_fd=folder)
    return f"{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}:{st.st_ino}"


def _read(catalogue: Path, states: dict[str, str]) -> tuple[dict[str, CorpusEntry], int]:
    """The catalogue's entries of files whose state is unchanged, by path, and how many entries
    it holds in all. One read transaction: rows and the parser that made them are one snapshot
    (another process running other code may rebuild the table meanwhile)."""
    found: dict[str, CorpusEntry] = {}
    rows = 0
    try:
        with _connected(catalogue) as db, _transaction(db, "BEGIN"):
            if _parser_of(db) != parser_version():
                return {}, 0
            query = db.execute(f"SELECT {', '.join(_COLUMNS)} FROM files")
            for path, state, content_hash, digest, paragraphs, *meta in query:
                rows += 1
                if states.get(path) == state:
                    found[path] = CorpusEntry(path, ArticleMeta(*meta), content_hash, digest, paragraphs)
    except (sqlite3.Error, OSError, ValueError, TypeError) as exc:
        log.warning("corpus catalogue %s not usable (%s): reading every article file", catalogue, exc)
        return {}, 0
    return found, rows


def _write(catalogue: Path, fresh: list[tuple[str, CorpusEntry]], live: set[str] | None) -> None:
    """Record the entries just parsed and forget files that are gone (not in `live`), in one transaction
    (none when the table now belongs to other parser code: its rows are not to be mixed with ours)."""
    rows = [
        (e.file, state, e.content_hash, e.duplicate_digest, e.paragraph_count, *dataclasses.astuple(e.meta))
        for state, e in fresh
    ]
    marks = ", ".join("?" * len(_COLUMNS))
    try:
        with _connected(catalogue) as db, _transaction(db, "BEGIN IMMEDIATE"):
            if _parser_of(db) != parser_version():
                return
            db.executemany(f"INSERT OR REPLACE INTO files VALUES ({marks})", rows)
            if live is not None:
                gone = [(p,) for (p,) in db.execute("SELECT path FROM files") if p not in live]
                db.executemany("DELETE FROM files WHERE path = ?", gone)
    except (sqlite3.Error, OSError) as exc:
        log.warning("corpus catalogue %s not updated (%s): the next command reads those files again", catalogue, exc)


@contextmanager
def _connected(catalogue: Path) -> Iterator[sqlite3.Connection]:
    """The catalogue, created or (damaged, or made by other parser code) started afresh."""
    catalogue.parent.mkdir(parents=True, exist_ok=True)
    try:
        db = _open(catalogue)
    except sqlite3.OperationalError:
        raise  # locked by another command past the timeout, or not writable: not damage
    except sqlite3.DatabaseError as exc:  # not a database: derived data, so start again
        log.warning("corpus catalogue %s damaged (%s): rebuilding it", catalogue, exc)
        for suffix in ("", "-wal", "-shm"):
            Path(f"{catalogue}{suffix}").unlink(missing_ok=True)
        db = _open(catalogue)
    with closing(db):
        yield db


@contextmanager
def _transaction(db: sqlite3.Connection, begin: str) -> Iterator[None]:
    """A transaction on an autocommit connection: committed when the block ends, else rolled back."""
    db.execute(begin)
    try:
        yield
    except BaseException:
        db.execute("ROLLBACK")
        raise
    db.execute("COMMIT")


def _parser_of(db: sqlite3.Connection) -> str | None:
    row = db.execute("SELECT value FROM about WHERE key = 'parser'").fetchone()
    return None if row is None else str(row[0])


def _open(catalogue: Path) -> sqlite3.Connection:
    # Autocommit (isolation_level None): transactions are begun explicitly, DDL included.
    db = sqlite3.connect(catalogue, timeout=LOCK_TIMEOUT_S, isolation_level=None)
    try:
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("CREATE TABLE IF NOT EXISTS about (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        if _parser_of(db) != parser_version():
            with _transaction(db, "BEGIN IMMEDIATE"):
                if _parser_of(db) != parser_version():  # asked again under the write lock
                    db.execute("DROP TABLE IF EXISTS files")
                    columns = ", ".join(f"{c} {'INTEGER' if c == 'paragraphs' else 'TEXT'}" for c in _COLUMNS)
                    db.execute(f"CREATE TABLE files ({columns}, PRIMARY KEY (path))")
                    db.execute("INSERT OR REPLACE INTO about VALUES ('parser', ?)", (parser_version(),))
    except BaseException:
        db.close()
        raise
    return db
