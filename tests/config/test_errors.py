"""One root for the project's own errors, found by walking the packages (a new error class that
forgets the root fails here)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest

import bot
import config
import retrieval
from config.errors import BeritaQAError


def _project_errors() -> dict[str, type[BaseException]]:
    found: dict[str, type[BaseException]] = {}
    for package in (config, retrieval, bot):
        for info in pkgutil.walk_packages(package.__path__, f"{package.__name__}."):
            if info.name.endswith(".__main__"):
                continue  # running it starts the CLI
            try:
                module = importlib.import_module(info.name)
            except ImportError:  # an adapter whose extra is not installed
                continue
            for name, value in vars(module).items():
                if (
                    inspect.isclass(value)
                    and issubclass(value, BaseException)
                    and value.__module__ == module.__name__
                    and not name.startswith("_")
                ):
                    found[f"{module.__name__}.{name}"] = value
    return found


def test_every_project_error_has_the_one_root() -> None:
    errors = _project_errors()
    assert {"config.settings.SettingsError", "retrieval.index.errors.IndexCorruptError"} <= errors.keys()
    assert [name for name, cls in errors.items() if not issubclass(cls, BeritaQAError)] == []


@pytest.mark.parametrize(
    ("name", "builtin"),
    [
        ("config.settings.SettingsError", ValueError),
        ("retrieval.formats.RejectedDocument", ValueError),
        ("retrieval.engine.EmptyCorpusError", RuntimeError),
        ("retrieval.embedding.EmbedderError", RuntimeError),
    ],
)
def test_errors_keep_their_builtin_base(name: str, builtin: type[Exception]) -> None:
    # `except ValueError` around settings parsing, and the like, keep working.
    assert issubclass(_project_errors()[name], builtin)
