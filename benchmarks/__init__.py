"""Benchmarks: each prints both figures of a speed goal and their ratio (docs/architecture.md)."""

from __future__ import annotations

import compileall
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def compile_package() -> None:
    """Write the product's bytecode, as installing it does: the commands timed then start
    as they do for users, even where PYTHONDONTWRITEBYTECODE keeps Python from caching it
    (this machine's setting; the libraries they are compared with are compiled)."""
    compileall.compile_dir(ROOT / "evaluation", quiet=1)
