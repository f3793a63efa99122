"""Versions on disk: writing one durably, switching `CURRENT` to it, and reading it back verified.

A version is written into a temporary folder (every file fsynced), renamed into place, and only
then named in CURRENT. A reader therefore sees the old version or the new one, never half of one.
A version whose files do not match its manifest is treated as missing and rebuilt.

Loading checks every file's size, small files' sha256 and large files' sample digest (a fixed set
of blocks): seconds of hashing a multi-GB base at every start and every ingest are not paid.
`verify_version` hashes every file whole (`python -m bot index --verify`, and before a compaction
reuses a version's vectors).
"""

from __future__ import annotations

import errno
import hashlib
import json
import logging
import os
import shutil
import time
import weakref
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np

from retrieval.index import layout
from retrieval.index.core import SearchIndex
from retrieval.index.dense import set_search_depth
from retrieval.index.errors import IndexCorruptError
from retrieval.index.layout import IndexManifest, read_manifest
from retrieval.index.segment import Segment, read_segment, write_segment

log = logging.getLogger(__name__)

# Files up to this size are hashed whole on every load; larger ones by their sample digest (below).
CHECKSUM_MAX_BYTES = 16 * 1024 * 1024
# Before sample digests existed, files up to this size were hashed whole on load: a manifest
# without a file's sample is still checked that way.
LEGACY_CHECKSUM_MAX_BYTES = 256 * 1024 * 1024
SAMPLE_BLOCK = 64 * 1024  # a sample digest hashes the size and this many bytes at SAMPLE_BLOCKS places,
SAMPLE_BLOCKS = 32  # first and last block included: 2 MiB of any file, however large
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


def sample_offsets(size: int) -> list[int]:
    """Where a sample digest reads its blocks: the first, the last, and evenly spaced between."""
    if size <= SAMPLE_BLOCK:
        return [0]
    last = size - SAMPLE_BLOCK
    return sorted({last * i // (SAMPLE_BLOCKS - 1) for i in range(SAMPLE_BLOCKS)})


def sample_sha256(path: Path) -> str:
    """sha256 of a file's size and SAMPLE_BLOCKS blocks of it (header, end and between): a cheap
    check of a large file at load (a torn write, a truncated or overwritten end, a damaged header)."""
    size = path.stat().st_size
    digest = hashlib.sha256(f"{size}\n".encode())
    with path.open("rb") as handle:
        for offset in sample_offsets(size):
            handle.seek(offset)
            digest.update(handle.read(SAMPLE_BLOCK))
    return digest.hexdigest()


def _file_info(path: Path) -> dict[str, Any]:
    """A file as the manifest lists it: bytes and sha256, and a large file's sample digest."""
    size = path.stat().st_size
    info: dict[str, Any] = {"bytes": size, "sha256": _sha256(path)}
    if size > CHECKSUM_MAX_BYTES:
        info["sample"] = sample_sha256(path)
    return info


# --- saving ------------------------------------------------------------------------


def _file_list(folder: Path, prefix: str) -> dict[str, dict[str, Any]]:
    """Every file under `folder` with its size and checksum, named `prefix/relative path`."""
    paths = sorted(path for path in folder.rglob("*") if path.is_file())
    return {f"{prefix}/{path.relative_to(folder)}": _file_info(path) for path in paths}


def _link_or_copy(source: Path, target: Path) -> None:
    """Give `target` the content of an unchanged file of the previous version: a hard link (no copy,
    no extra space), or a copy where the file system has none."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        os.link(source, target)
    except OSError as exc:
        if exc.errno not in (errno.EXDEV, errno.EPERM, errno.EMLINK, errno.ENOTSUP):
            raise
        shutil.copy2(source, target)


def _saved_segment(index_dir: Path, segment: Segment) -> Path | None:
    """A folder in INDEX_DIR holding `segment` as saved (same files, same sizes), if any."""
    if not segment.files:
        return None
    for version in sorted(index_dir.glob(f"{layout.VERSION_PREFIX}*"), reverse=True):
        folder = version / layout.SEGMENTS / segment.name
        if all((folder / rel).is_file() and (folder / rel).stat().st_size == info["bytes"]
               for rel, info in segment.files.items()):  # fmt: skip
            return folder
    return None


def _write_version(index: SearchIndex, target: Path) -> tuple[IndexManifest, list[Segment]]:
    """Write every file of a version into `target` (a fresh folder), the manifest last.

    A segment already saved in INDEX_DIR (`target`'s folder: an earlier version's, unchanged) is
    hard-linked from there; a new one is written. Returns the manifest and the segments with their files.
    """
    index_dir = target.parent
    files: dict[str, dict[str, Any]] = {}
    saved: list[Segment] = []
    for segment in index.segments:
        folder = target / layout.SEGMENTS / segment.name
        source = _saved_segment(index_dir, segment)
        if source is not None:
            own = {}
            for rel, info in segment.files.items():
                _link_or_copy(source / rel, folder / rel)
                if info["bytes"] > CHECKSUM_MAX_BYTES and "sample" not in info:  # listed before samples existed
                    info = {**info, "sample": sample_sha256(folder / rel)}
                own[rel] = info
        else:
            write_segment(segment, folder)
            own = {rel.split("/", 1)[1]: info for rel, info in _file_list(folder, "x").items()}
            _fsync_tree(folder)
        files.update({f"{layout.SEGMENTS}/{segment.name}/{rel}": info for rel, info in own.items()})
        saved.append(replace(segment, files=own))
    manifest = replace(
        index.manifest,
        files=files,
        segments=[s.describe() for s in index.segments],
        dead=sorted([name, article] for name, article in index.dead),
    )
    fsync_dir(target / layout.SEGMENTS)
    fsync_dir(target)
    _replace_durably(target / layout.MANIFEST, manifest.to_json())
    return manifest, saved


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
        manifest, segments = _write_version(index, staging)
        final = index_dir / name
        os.replace(staging, final)
        fsync_dir(index_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _replace_durably(index_dir / layout.CURRENT, name + "\n")
    _prune(index_dir, keep=keep, current=name)
    saved = SearchIndex(manifest, segments, index.dead, final, index.embedded_texts)
    for segment in segments:
        _LOADED[segment.name] = segment
    return saved


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


def _verify_files(version: Path, manifest: IndexManifest, *, full: bool = False) -> None:
    """Every listed file exists with its size; small ones match their sha256, large ones their sample
    digest (`full`: every file its sha256). A segment already in memory is checked as well: its files
    on disk are what the next process will read."""
    if not manifest.files:
        raise IndexCorruptError("manifest lists no files")
    for rel, info in manifest.files.items():
        path = version / rel
        if not path.is_file():
            raise IndexCorruptError(f"missing index file {rel}")
        if path.stat().st_size != info.get("bytes"):
            raise IndexCorruptError(f"index file {rel} has {path.stat().st_size} bytes, expected {info.get('bytes')}")
        # Hashing gigabytes at every start and every ingest costs seconds: a large file is checked
        # by its sample digest (a manifest from before samples: by size only above the old limit).
        size = int(info["bytes"])
        whole = full or size <= CHECKSUM_MAX_BYTES or ("sample" not in info and size <= LEGACY_CHECKSUM_MAX_BYTES)
        if whole and _sha256(path) != info.get("sha256"):
            raise IndexCorruptError(f"index file {rel} does not match its checksum")
        if not whole and "sample" in info and sample_sha256(path) != info["sample"]:
            raise IndexCorruptError(f"index file {rel} does not match its sample checksum")


def verify_version(version: Path) -> None:
    """Hash every file of a version whole against its manifest; IndexCorruptError on the first mismatch."""
    _verify_files(version, read_manifest(version), full=True)


def _article_sum(described: dict[str, Any]) -> int | None:
    """A segment entry's sum of article fingerprints (None: a manifest from before it was listed)."""
    value = described.get("article_sum")
    if value is None:
        return None
    if not isinstance(value, str) or len(value) != 64:
        raise ValueError(f"bad article_sum {value!r}")
    return int(value, 16)


def _segment_files(manifest: IndexManifest, name: str) -> dict[str, dict[str, Any]]:
    prefix = f"{layout.SEGMENTS}/{name}/"
    return {rel.removeprefix(prefix): info for rel, info in manifest.files.items() if rel.startswith(prefix)}


# Segments already in memory, by name: a segment never changes once written, so a new version that
# keeps the base (every ingest) reuses it instead of reading the base's FAISS and arrays again.
_LOADED: weakref.WeakValueDictionary[str, Segment] = weakref.WeakValueDictionary()


def load_version(version: Path) -> SearchIndex:
    """Load one index version, checking every file against the manifest."""
    manifest = read_manifest(version)
    if not manifest.segments:
        raise IndexCorruptError(f"index version {version.name} lists no segments")
    reused: dict[str, Segment] = {}
    for described in manifest.segments:
        name = str(described.get("name", ""))
        known = _LOADED.get(name)
        if known is not None and known.files == _segment_files(manifest, name):
            reused[name] = known
    _verify_files(version, manifest)
    segments: list[Segment] = []
    try:
        for described in manifest.segments:
            name = str(described["name"])
            if "/" in name or not name.startswith(layout.SEGMENT_PREFIX):
                raise ValueError(f"bad segment name {name!r}")
            segment = reused.get(name)
            if segment is None:
                kind, faiss_type = str(described["kind"]), str(described["faiss_type"])
                segment = read_segment(version / layout.SEGMENTS / name, name, kind, faiss_type)
                segment.files = _segment_files(manifest, name)
                segment.fingerprint_sum = _article_sum(described)
                set_search_depth(segment.dense, faiss_type)
                _LOADED[name] = segment
            segments.append(segment)
        dead = frozenset((str(name), str(article)) for name, article in manifest.dead)
    except (OSError, ValueError, KeyError, TypeError, RuntimeError) as exc:
        raise IndexCorruptError(f"cannot load index version {version.name}: {exc}") from exc
    return SearchIndex(manifest=manifest, segments=segments, dead=dead, path=version)


def format_1_vectors(version: Path) -> Iterator[tuple[str, np.ndarray]]:
    """(text, vector) of every paragraph and sentence of a version saved by format 1 (corpus.json),
    so the rebuild into today's format embeds nothing again. Nothing when it cannot be read."""
    try:
        data = json.loads((version / "corpus.json").read_text(encoding="utf-8"))
        paragraph_vectors = np.load(version / "paragraph_vectors.npy", mmap_mode="r")
        sentence_vectors = np.load(version / "sentence_vectors.npy", mmap_mode="r")
        row = 0
        pairs: list[tuple[str, np.ndarray]] = []
        for i, p in enumerate(data["paragraphs"]):
            pairs.append((p["text"], np.asarray(paragraph_vectors[i])))
            for start, end in p["sentences"]:
                pairs.append((p["text"][start:end], np.asarray(sentence_vectors[row])))
                row += 1
    except (OSError, ValueError, KeyError, TypeError, IndexError) as exc:
        log.info("format-1 index at %s not reused: %s", version, exc)
        return
    yield from pairs


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
