"""Calling the statistics offices' APIs: where each is, what it allows, and how a call
is made: at most the office's number of calls in its window (a sliding window),
a 429 or 503 waited out (the office's Retry-After, else 2, 4, 8, 16 s) and tried
again, and one clear message when the office cannot be reached or refuses.
"""

from __future__ import annotations

import json
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field

from evaluation.errors import EvaluationError
from evaluation.words import _


@dataclass(frozen=True)
class Office:
    """One office's API: where it is, what it allows."""

    key: str
    name: str
    base: str
    max_cells: int  # per call
    calls: int  # at most this many calls ...
    per_seconds: float  # ... in any window of this many seconds
    kind: str  # "pxweb2" or "statbank"
    langs: tuple[str, str]  # the office's language, then English


OFFICES: dict[str, Office] = {o.key: o for o in (
    Office("ssb", "Statistics Norway", "https://data.ssb.no/api/pxwebapi/v2", 800_000, 30, 60,
           "pxweb2", ("no", "en")),
    Office("scb", "Statistics Sweden", "https://statistikdatabasen.scb.se/api/v2", 150_000,
           30, 10, "pxweb2", ("sv", "en")),
    Office("dst", "Statistics Denmark", "https://api.statbank.dk/v1", 1_000_000, 30, 10,
           "statbank", ("da", "en")),
)}
TIMEOUT = 30  # seconds a call may take
RETRIES = 4  # a 429, 502, 503 or 504 is tried again this many times, waiting longer each time
_RETRY = (429, 502, 503, 504)

Transport = Callable[[str, str, bytes | None, float], tuple[int, dict[str, str], bytes]]


def office_of(statistic: str) -> tuple[Office, str]:
    """The office and table of an indicator's statistic: `ssb:07459` or `dst:FOLK1A` say
    it; else five digits are SSB's, `TAB…` Statistics Sweden's, other ids Denmark's."""
    text = statistic.strip()
    if ":" in text and text.split(":", 1)[0].lower() in OFFICES:
        key, table = text.split(":", 1)
        return OFFICES[key.lower()], table.strip()
    if text.isdigit():
        return OFFICES["ssb"], text
    if text.upper().startswith("TAB") and text[3:].isdigit():
        return OFFICES["scb"], text
    return OFFICES["dst"], text


def urllib_transport(method: str, url: str, body: bytes | None, timeout: float
                     ) -> tuple[int, dict[str, str], bytes]:
    """One HTTP call; an HTTP error status is returned, not raised."""
    request = urllib.request.Request(url, data=body, method=method, headers={
        "Accept": "application/json", "User-Agent": "partnership-evaluation-dashboard",
        **({"Content-Type": "application/json"} if body is not None else {})})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as e:
        return e.code, dict(e.headers or {}), e.read() or b""


@dataclass
class Limiter:
    """At most `calls` in any `seconds`: waits (with `sleep`) only when the window is full."""

    calls: int
    seconds: float
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    _times: deque = field(default_factory=deque)

    def wait(self) -> None:
        now = self.clock()
        while self._times and now - self._times[0] >= self.seconds:
            self._times.popleft()
        if len(self._times) >= self.calls:
            self.sleep(self.seconds - (now - self._times[0]))
            self._times.popleft()
        self._times.append(self.clock())


@dataclass
class Client:
    """Calls to the offices with their limits, retries and one clear message when offline."""

    transport: Transport = urllib_transport
    bases: dict[str, str] = field(default_factory=dict)  # office key -> base URL (tests)
    clock: Callable[[], float] = time.monotonic
    sleep: Callable[[float], None] = time.sleep
    _limits: dict[str, Limiter] = field(default_factory=dict)
    calls: int = 0

    def base(self, office: Office) -> str:
        return self.bases.get(office.key, office.base).rstrip("/")

    def call(self, office: Office, method: str, url: str, body: dict | None = None) -> bytes:
        limiter = self._limits.setdefault(office.key, Limiter(
            office.calls, office.per_seconds, self.clock, self.sleep))
        data = json.dumps(body, ensure_ascii=False).encode() if body is not None else None
        for attempt in range(RETRIES + 1):
            limiter.wait()
            self.calls += 1
            try:
                status, headers, payload = self.transport(method, url, data, TIMEOUT)
            except (urllib.error.URLError, socket.timeout, TimeoutError, ConnectionError,
                    OSError) as e:
                if attempt < RETRIES and _passing(e):
                    self.sleep(2 ** attempt)
                    continue
                raise EvaluationError(_(
                    "{office} cannot be reached ({host}: {reason}); check the internet "
                    "connection and try again. Nothing was imported.").format(
                        office=_(office.name), host=urllib.parse.urlsplit(url).netloc,
                        reason=_reason(e)), _("No connection")) from e
            if status == 200:
                return payload
            if status in _RETRY and attempt < RETRIES:
                self.sleep(_retry_after(headers, attempt))
                continue
            raise EvaluationError(_answer_error(office, status, payload, url),
                                  _("The statistics office refused the request"))
        raise AssertionError("unreachable")


def _passing(e: Exception) -> bool:
    """A timeout or a dropped connection is tried again; no name resolution is not."""
    reason = getattr(e, "reason", e)
    return isinstance(reason, (socket.timeout, TimeoutError, ConnectionResetError))


def _reason(e: Exception) -> str:
    reason = getattr(e, "reason", e)
    if isinstance(reason, socket.gaierror):
        return _("the address cannot be looked up: offline?")
    return str(reason) or type(reason).__name__


def _retry_after(headers: dict[str, str], attempt: int) -> float:
    """The office's Retry-After (seconds), else 2, 4, 8, 16 seconds."""
    value = {k.lower(): v for k, v in headers.items()}.get("retry-after", "")
    try:
        return min(max(float(value), 0.0), 120.0)
    except ValueError:
        return float(2 ** (attempt + 1))


def _answer_error(office: Office, status: int, payload: bytes, url: str) -> str:
    """The office's own words for a refused call (its JSON's title, detail or message)."""
    detail = ""
    try:
        doc = json.loads(payload.decode("utf-8", errors="replace"))
        if isinstance(doc, dict):
            detail = " ".join(str(doc[k]) for k in ("title", "detail", "message") if doc.get(k))
    except ValueError:
        detail = payload.decode("utf-8", errors="replace").strip()[:300]
    if status == 429:
        return _("{office} answered that too many requests were made ({detail}); wait a "
                 "minute and fetch again. Nothing was imported.").format(
            office=_(office.name), detail=detail or status)
    return _("{office} answered {status} to {url}: {detail}. Check the indicator's statistic "
             "and selection. Nothing was imported.").format(
        office=_(office.name), status=status, url=url, detail=detail or _("no reason given"))
