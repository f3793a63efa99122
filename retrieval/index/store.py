"""Versions on disk: writing one durably, switching `CURRENT` to it, and reading it back verified.

A version is written into a temporary folder (every file fsynced), renamed into place, and only
then named in CURRENT. A reader therefore sees the old version or the new one, never half of one.
A version whose files do not match its manifest is treated as missing and rebuilt.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
import time
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import faiss
import numpy as np

from retrieval.corpus import ArticleMeta, Paragraph, Sentence
from retrieval.index import layout
from retrieval.index.core import SearchIndex
from retrieval.index.dense import set_search_depth
from retrieval.index.errors import IndexCorruptError
from retrieval.index.layout import IndexManifest, read_manifest
from retrieval.lexical import Analyzer, LexicalIndex

log = logging.getLogger(__name__)

CHECKSUM_MAX_BYTES = 256 * 1024 * 1024
STAGING_MAX_AGE_S = 3600  # a temporary folder older than this belongs to a writer that crashed


# --- durability --------------------------------------------------------------------


def fsync_dir(path: Path) -> None:
    """Make a folder's entries (renames, new files) durable."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_tree(root: Path) -> None:
    for path in sorted(root.rglob("*")):
        if path.is_file():
            with path.open("rb") as handle:
                os.fsync(handle.fileno())
    fsync_dir(root)


def _replace_durably(path: Path, text: str) -> None:
    """Give `path` the content `text` all at once: a reader sees the old file or the new one."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    with tmp.open("rb") as handle:
        os.fsync(handle.fileno())
    os.replace(tmp, path)
    fsync_dir(path.parent)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


# --- saving ------------------------------------------------------------------------


def _corpus_json(index: SearchIndex) -> dict[str, Any]:
    return {
        "articles": [asdict(meta) for meta in index.articles.values()],
        "paragraphs": [
            {
                "article_id": p.article_id,
                "number": p.number,
                "heading": p.heading,
                "text": p.text,
                "sentences": [[s.start, s.end] for s in p.sentences],
            }
            for p in index.paragraphs
        ],
    }


def _file_list(version: Path) -> dict[str, dict[str, Any]]:
    """Every file of a version with its size and checksum, as the manifest lists them."""
    return {
        str(path.relative_to(version)): {"bytes": path.stat().st_size, "sha256": _sha256(path)}
        for path in sorted(version.rglob("*"))
        if path.is_file()
    }


def _write_version(index: SearchIndex, target: Path) -> IndexManifest:
    """Write every file of a version into `target` (a fresh folder), the manifest last."""
    corpus_text = json.dumps(_corpus_json(index), ensure_ascii=False)
    (target / layout.CORPUS).write_text(corpus_text, encoding="utf-8")
    np.save(target / layout.PARAGRAPH_VECTORS, index.paragraph_vectors)
    np.save(target / layout.SENTENCE_VECTORS, index.sentence_vectors)
    faiss.write_index(index.dense, str(target / layout.DENSE))
    index.lexical.save(target / layout.LEXICAL)
    manifest = index.manifest.with_files(_file_list(target))
    _fsync_tree(target)
    _replace_durably(target / layout.MANIFEST, manifest.to_json())
    return manifest


def save_index(index: SearchIndex, index_dir: Path, *, keep: int = 2) -> SearchIndex:
    """Write `index` as a new version and make it current.

    Returns the saved index: `index` with the manifest listing its files and `path` set
    (`index` itself is left as it was).
    """
    index_dir.mkdir(parents=True, exist_ok=True)
    name = layout.version_name(index.manifest.fingerprint)
    staging = index_dir / f"{layout.STAGING_PREFIX}{name}"
    staging.mkdir()
    try:
        manifest = _write_version(index, staging)
        final = index_dir / name
        os.replace(staging, final)
        fsync_dir(index_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _replace_durably(index_dir / layout.CURRENT, name + "\n")
    _prune(index_dir, keep=keep, current=name)
    return replace(index, manifest=manifest, path=final)


def _prune(index_dir: Path, *, keep: int, current: str) -> None:
    """Drop old versions and abandoned temporary folders (a crashed writer's)."""
    versions = sorted((p for p in index_dir.glob(f"{layout.VERSION_PREFIX}*") if p.is_dir()), key=lambda p: p.name)
    stale = [p for p in versions if p.name != current][: max(0, len(versions) - keep)]
    stale += [
        p
        for p in index_dir.glob(f"{layout.STAGING_PREFIX}*")
        if p.is_dir() and time.time() - p.stat().st_mtime > STAGING_MAX_AGE_S
    ]
    for path in stale:
        shutil.rmtree(path, ignore_errors=True)


# --- loading -----------------------------------------------------------------------


def current_version(index_dir: Path) -> Path | None:
    """The folder `CURRENT` names, or None when it names nothing usable."""
    try:
        name = (index_dir / layout.CURRENT).read_text(encoding="utf-8").strip()
    except (OSError, UnicodeDecodeError):
        return None
    if not name.startswith(layout.VERSION_PREFIX) or "/" in name:
        return None
    path = index_dir / name
    return path if path.is_dir() else None


def _verify_files(version: Path, manifest: IndexManifest) -> None:
    if not manifest.files:
        raise IndexCorruptError("manifest lists no files")
    for rel, info in manifest.files.items():
        path = version / rel
        if not path.is_file():
            raise IndexCorruptError(f"missing index file {rel}")
        if path.stat().st_size != info.get("bytes"):
            raise IndexCorruptError(f"index file {rel} has {path.stat().st_size} bytes, expected {info.get('bytes')}")
        # Hashing gigabytes of vectors at every start-up costs seconds; large files are
        # checked by size (a torn write changes it), small ones by content too.
        if info["bytes"] <= CHECKSUM_MAX_BYTES and _sha256(path) != info.get("sha256"):
            raise IndexCorruptError(f"index file {rel} does not match its checksum")


def _read_corpus(version: Path) -> tuple[dict[str, ArticleMeta], list[Paragraph]]:
    data = json.loads((version / layout.CORPUS).read_text(encoding="utf-8"))
    articles = {a["article_id"]: ArticleMeta(**a) for a in data["articles"]}
    paragraphs = [
        Paragraph(
            article_id=p["article_id"],
            number=int(p["number"]),
            text=p["text"],
            sentences=tuple(Sentence(int(s), int(e)) for s, e in p["sentences"]),
            heading=p.get("heading"),
        )
        for p in data["paragraphs"]
    ]
    return articles, paragraphs


def _read_vectors(path: Path) -> np.ndarray:
    # Memory-mapped: only the rows a question touches are read, so a large corpus does not hold
    # its vectors twice (FAISS has its own copy). Viewed as a plain array: slicing an np.memmap
    # costs ~7 µs a time.
    return np.asarray(np.load(path, mmap_mode="r"))


def _read_lexical(version: Path, manifest: IndexManifest) -> LexicalIndex:
    # Versions saved before lexical/ held analyzer.json were always built with stemming, and their
    # manifest names the rules.
    unlabelled = Analyzer(stemming=True, rules=manifest.chunking.get("lexical", ""))
    return LexicalIndex.load(version / layout.LEXICAL, unlabelled=unlabelled)


def load_version(version: Path) -> SearchIndex:
    """Load one index version, checking every file against the manifest."""
    manifest = read_manifest(version)
    _verify_files(version, manifest)
    try:
        articles, paragraphs = _read_corpus(version)
        paragraph_vectors = _read_vectors(version / layout.PARAGRAPH_VECTORS)
        sentence_vectors = _read_vectors(version / layout.SENTENCE_VECTORS)
        dense = faiss.read_index(str(version / layout.DENSE))
        lexical = _read_lexical(version, manifest)
    except (OSError, ValueError, KeyError, TypeError, RuntimeError) as exc:
        raise IndexCorruptError(f"cannot load index version {version.name}: {exc}") from exc
    index = SearchIndex(
        manifest=manifest,
        articles=articles,
        paragraphs=paragraphs,
        paragraph_vectors=paragraph_vectors,
        sentence_vectors=sentence_vectors,
        dense=dense,
        lexical=lexical,
        path=version,
    )
    set_search_depth(dense, manifest.faiss_type)
    return index


def load_current(index_dir: Path) -> SearchIndex | None:
    """The live version, or None when there is none or it is damaged (logged)."""
    version = current_version(index_dir)
    if version is None:
        return None
    try:
        return load_version(version)
    except IndexCorruptError as exc:
        log.warning("index at %s is unusable, it will be rebuilt: %s", version, exc)
        return None
