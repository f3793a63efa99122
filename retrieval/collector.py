"""Python's cyclic garbage collector around work that makes hundreds of thousands of objects.

Reading a large corpus and index version makes ~1M small objects (catalogue entries, article
metadata, dicts). Each full collection walks all of them, and the collector starts one after
every ~25% growth of the long-lived objects: at 1M paragraphs that was seconds of a command
that builds no reference cycles worth collecting early.
"""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def garbage_collection(*, enabled: bool) -> Iterator[None]:
    """Switch the cyclic garbage collector on or off for a block, then back as it was."""
    was = gc.isenabled()
    gc.enable() if enabled else gc.disable()
    try:
        yield
    finally:
        gc.enable() if was else gc.disable()
