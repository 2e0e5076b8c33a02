"""The program's configuration, read once at the edges into one frozen object.

The command line and the app build a `Config` from the environment (and the
command line's flags); everything below them receives what it needs from it as
arguments. No core module reads the environment, so a test, a script or a
second app server can run with another configuration in the same process.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

from evaluation.errors import EvaluationError
from evaluation.words import SOURCE_LANGUAGE, _, language_of, offered

PROJECT_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_STORE = PROJECT_ROOT / "data" / "evaluation.duckdb"
_TRUE = ("1", "true", "yes", "on")


@dataclass(frozen=True)
class Config:
    """Where the store is, whether it may be written, how long to wait for it, and which
    browser draws static images (None: look for Chromium; "" : there is none)."""

    store: Path | str = DEFAULT_STORE  # a file, or a PostgreSQL URL kept as written
    read_only: bool = False
    lock_timeout: float = 30.0
    browser: str | None = None
    user: str | None = None
    # The statistics offices' API addresses, by office (ssb, dst, scb), where they are not
    # the offices' own (a mirror, a proxy, the tests' recorded answers).
    statistics_apis: tuple[tuple[str, str], ...] = ()
    # The app's language for a visitor whose link and browser name none of the offered
    # ones (EVALUATION_LANGUAGE: nb, nn, da or en).
    language: str = SOURCE_LANGUAGE

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> Config:
        """From EVALUATION_DB, EVALUATION_READ_ONLY, EVALUATION_LOCK_TIMEOUT,
        EVALUATION_BROWSER ('none' for none), EVALUATION_USER,
        EVALUATION_STATISTICS_API (`ssb=URL,dst=URL,scb=URL`) and EVALUATION_LANGUAGE."""
        env = os.environ if environ is None else environ
        browser = env.get("EVALUATION_BROWSER")
        if browser is not None and browser.strip().lower() in ("", "none"):
            browser = ""
        try:
            timeout = float(env.get("EVALUATION_LOCK_TIMEOUT") or 30)
        except ValueError as e:
            raise EvaluationError(_("EVALUATION_LOCK_TIMEOUT must be a number of seconds, "
                                    "such as 30."), _("Configuration error")) from e
        apis = []
        for part in (env.get("EVALUATION_STATISTICS_API") or "").split(","):
            office, _sep, url = part.strip().partition("=")
            if not part.strip():
                continue
            if office.strip().lower() not in ("ssb", "dst", "scb") or not url.strip():
                raise EvaluationError(_("EVALUATION_STATISTICS_API must be office=URL pairs "
                                        "separated by commas, offices ssb, dst and scb (e.g. "
                                        "ssb=https://data.ssb.no/api/pxwebapi/v2)."),
                                      _("Configuration error"))
            apis.append((office.strip().lower(), url.strip()))
        language = env.get("EVALUATION_LANGUAGE") or SOURCE_LANGUAGE
        if language_of(language) is None:
            raise EvaluationError(_("EVALUATION_LANGUAGE must be one of {codes}.").format(
                codes=", ".join(offered())), _("Configuration error"))
        return cls(store=store_location(env.get("EVALUATION_DB") or DEFAULT_STORE),
                   read_only=env.get("EVALUATION_READ_ONLY", "").strip().lower() in _TRUE,
                   lock_timeout=timeout, browser=browser,
                   user=env.get("EVALUATION_USER") or None, statistics_apis=tuple(apis),
                   language=language_of(language) or SOURCE_LANGUAGE)

    def with_store(self, store: str | Path | None) -> Config:
        """The same configuration with another store (the command line's --db)."""
        return self if not store else replace(self, store=store_location(store))


def store_location(store: str | Path) -> Path | str:
    """A store file's path, or a PostgreSQL URL as written (a path would fold its `//`)."""
    text = str(store)
    if text.split("://", 1)[0].lower() in ("postgresql", "postgres") and "://" in text:
        return text
    return Path(store)
