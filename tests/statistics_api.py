"""A local HTTP server answering as the statistics offices' APIs do, from recordings.

Tests point the program at it (`Client(bases=...)` or EVALUATION_STATISTICS_API) so a
fetch goes through the real HTTP stack (urllib, timeouts, status codes, headers)
without the network. Each route answers with a recorded file from
`tests/fixtures/api/`; a route may answer a scripted series first (a 429 with
`Retry-After`, then the data), and every request is kept for the test to inspect.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, unquote, urlsplit

RECORDINGS = Path(__file__).parent / "fixtures" / "api"


@dataclass
class Answer:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


def recorded(name: str, status: int = 200, **headers: str) -> Answer:
    return Answer(status, (RECORDINGS / name).read_bytes(),
                  {"Content-Type": "application/json; charset=utf-8", **headers})


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]]
    body: dict | None


class OfficeServer:
    """`routes[(method, path)]` -> answers, the last one repeated (paths under the base,
    such as `/ssb/tables/07459/metadata`)."""

    def __init__(self) -> None:
        self.routes: dict[tuple[str, str], list[Answer]] = {}
        self.requests: list[Request] = []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def _answer(self, method: str) -> None:
                url = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length) if length else b""
                body = json.loads(raw) if raw else None
                path = unquote(url.path)
                server.requests.append(Request(method, path, parse_qs(url.query), body))
                answers = server.routes.get((method, path)) or [
                    Answer(404, b'{"title": "Non-existent table", "status": 404}')]
                answer = answers.pop(0) if len(answers) > 1 else answers[0]
                self.send_response(answer.status)
                for k, v in answer.headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(answer.body)))
                self.end_headers()
                self.wfile.write(answer.body)

            def do_GET(self) -> None:  # noqa: N802 - http.server's name
                self._answer("GET")

            def do_POST(self) -> None:  # noqa: N802
                self._answer("POST")

            def log_message(self, *args) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    def route(self, method: str, path: str, *answers: Answer) -> None:
        self.routes[(method, path)] = list(answers)

    @property
    def bases(self) -> dict[str, str]:
        return {office: f"{self.url}/{office}" for office in ("ssb", "dst", "scb")}

    def environment(self) -> str:
        return ",".join(f"{k}={v}" for k, v in self.bases.items())

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()
