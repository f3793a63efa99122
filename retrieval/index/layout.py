"""What an index directory holds: its file names and the manifest that describes a version.

The format itself is described in FORMAT.md next to this file.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

from retrieval.index.errors import IndexCorruptError
from retrieval.text import lexical_rules, sentence_rules

FORMAT_NAME = "berita-qa-index"
FORMAT_VERSION = 2  # 2: segments (base + deltas), dead articles, texts in a blob; 1 is rebuilt

# In INDEX_DIR
CURRENT = "CURRENT"
VERSION_PREFIX = "v-"
STAGING_PREFIX = ".tmp-"
# In a version folder (a segment's own files are named in `segment.py`)
SEGMENTS = "segments"
MANIFEST = "manifest.json"
SEGMENT_PREFIX = "s-"


def chunking() -> dict[str, str]:
    """How texts became paragraphs, sentences and BM25 terms. Recorded in the manifest and part of
    the fingerprint, so a changed word list rebuilds the index (vectors of unchanged texts reused)."""
    return {"unit": "paragraph", "sentences": sentence_rules(), "lexical": lexical_rules()}


def index_fingerprint(corpus_fp: str, embedder_name: str, rules: dict[str, str] | None = None) -> str:
    """What a version was built from: corpus, model, text rules (`chunking()` unless given) and format.

    An index is reused only when the fingerprint it was saved with is the one wanted now.
    """
    payload = json.dumps(
        {
            "corpus": corpus_fp,
            "embedder": embedder_name,
            "chunking": chunking() if rules is None else rules,
            "version": FORMAT_VERSION,
        },
        sort_keys=True,
    )
    return hashlib.sha256(payload.encode()).hexdigest()


def segment_name() -> str:
    """A new segment's name: sorts by time, unique (nanoseconds and random bits)."""
    return f"{SEGMENT_PREFIX}{time.strftime('%Y%m%d%H%M%S')}-{time.time_ns() % 10**9:09d}-{os.urandom(3).hex()}"


def version_name(fingerprint: str) -> str:
    """A new version's folder name: sorts by time, unique within a second, tells its fingerprint."""
    return f"{VERSION_PREFIX}{time.strftime('%Y%m%d%H%M%S')}-{time.time_ns() % 10**9:09d}-{fingerprint[:8]}"


@dataclass(frozen=True)
class IndexManifest:
    """The small JSON file that describes one index version."""

    fingerprint: str
    corpus_fingerprint: str
    embedder: str
    dim: int
    faiss_type: str
    paragraphs: int
    sentences: int
    articles: int
    chunking: dict[str, str]
    files: dict[str, dict[str, Any]]
    created: float
    format: str = FORMAT_NAME
    version: int = FORMAT_VERSION
    answer_model: str = ""  # the answer model shipped when this version was built ("" before it existed)
    tuning: dict[str, Any] = field(default_factory=dict)  # retrieval.tuning settings it was built for ({} before)
    segments: list[dict[str, Any]] = field(default_factory=list)  # base first, then deltas (Segment.describe)
    dead: list[list[str]] = field(default_factory=list)  # [segment name, article id]: rows left out of search

    def to_json(self) -> str:
        """The manifest as indented JSON with sorted keys."""
        return json.dumps(asdict(self), indent=2, sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> IndexManifest:
        """A manifest read back; IndexCorruptError for another format or version, or unexpected fields."""
        data = json.loads(text)
        if data.get("format") != FORMAT_NAME or data.get("version") != FORMAT_VERSION:
            raise IndexCorruptError(f"unsupported index format {data.get('format')!r} v{data.get('version')!r}")
        try:
            return cls(**data)
        except TypeError as exc:
            raise IndexCorruptError(f"manifest has unexpected fields: {exc}") from exc

    def with_files(self, files: dict[str, dict[str, Any]]) -> IndexManifest:
        """This manifest with the saved files (name → bytes, sha256) filled in."""
        return replace(self, files=files)


def read_manifest(version: Path) -> IndexManifest:
    """The manifest of a version folder; IndexCorruptError when missing or unreadable."""
    try:
        return IndexManifest.from_json((version / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise IndexCorruptError(f"cannot read manifest in {version}: {exc}") from exc
