"""The printed answers of `status` and `scores`, kept for the same question on the same store.

Both apply the whole method, and pandas alone takes longer to import than Python takes
to open the store. What they print depends only on the store's bytes, the command's
arguments, the language, the day and the product's own code, so the answer is kept in
the user's cache folder ($XDG_CACHE_HOME, else ~/.cache) under a key made of exactly
those. Any write to the store changes its file's or its write-ahead log's time and size,
and with it the key; a restore is a new file. Reading the store stays the authority: a
cache that cannot be read or written is passed by silently and the command computes.
Set EVALUATION_CACHE=none to switch it off.
"""

from __future__ import annotations

import argparse
import contextlib
import functools
import hashlib
import io
import json
import os
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path

from evaluation.words import current_language

KEEP = 64  # answers kept; the oldest go first
ROOT = Path(__file__).resolve().parent


def cache_folder() -> Path | None:
    """Where answers are kept, or None when switched off."""
    chosen = os.environ.get("EVALUATION_CACHE", "")
    if chosen.strip().lower() == "none":
        return None
    if chosen:
        return Path(chosen)
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "partnership-evaluation"


def kept(command: Callable[[argparse.Namespace], int]) -> Callable[[argparse.Namespace], int]:
    """A read command's answer from the cache when its key is there, else computed, printed
    and kept. Errors are never kept: they raise before anything is stored."""

    @functools.wraps(command)
    def answer(args: argparse.Namespace) -> int:
        folder, key = cache_folder(), _key(args)
        entry = folder / f"{key}.txt" if folder and key else None
        if entry is not None:
            with contextlib.suppress(OSError):
                sys.stdout.write(entry.read_text(encoding="utf-8"))
                return 0
        printed = io.StringIO()
        with contextlib.redirect_stdout(printed):
            code = command(args)
        sys.stdout.write(printed.getvalue())
        if code == 0 and entry is not None:
            _keep(entry, printed.getvalue())
        return code

    return answer


def _key(args: argparse.Namespace) -> str | None:
    """The question and everything its answer depends on; None when the store is not a
    plain file (missing: the command says so itself)."""
    store = Path(args.config.store)
    state: list[object] = [str(store.resolve())]
    for part in (store, Path(f"{store}.wal")):
        try:
            found = part.stat()
        except FileNotFoundError:
            if part == store:
                return None
            state.append(None)
            continue
        except OSError:
            return None
        state.append([found.st_ino, found.st_mtime_ns, found.st_size])
    question = [args.command, getattr(args, "partnership", None), getattr(args, "year", None),
                getattr(args, "format", None), current_language(), date.today().isoformat()]
    text = json.dumps([question, state, _code()], default=str)
    return hashlib.sha256(text.encode()).hexdigest()


@functools.cache
def _code() -> list[list[object]]:
    """The product's code and catalogues as they are installed: a new version answers anew."""
    files = sorted([*ROOT.rglob("*.py"), *ROOT.rglob("*.mo")])
    return [[str(f.relative_to(ROOT)), f.stat().st_mtime_ns, f.stat().st_size] for f in files]


def _keep(entry: Path, text: str) -> None:
    """Write the answer atomically (readers never see half of it) and drop the oldest."""
    with contextlib.suppress(OSError):
        entry.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        partial = entry.with_suffix(f".{os.getpid()}.tmp")
        partial.write_text(text, encoding="utf-8")
        partial.chmod(0o600)  # the answers name partnerships and their statuses
        partial.replace(entry)
        answers = sorted(entry.parent.glob("*.txt"), key=lambda p: p.stat().st_mtime_ns)
        for old in answers[:-KEEP]:
            old.unlink(missing_ok=True)
