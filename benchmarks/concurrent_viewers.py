"""Concurrent viewers: 20 sessions paging through the app while an evaluator commits.

Goal (issue 6): the median page time with 20 simulated viewer sessions, paging
through the overview and partnership pages while an evaluator commits an
upload, is at most 2x the median with a single session; both measured here in
one run against a real `streamlit run` server (the repository's config, so
`runner.postScriptGC = false`).

Each session is a websocket client speaking Streamlit's own protocol: a page
view sends `rerun_script` for a page and waits for `script_finished`, the time
a person waits for the page. Viewers pause to read between pages (1-3 s,
seeded), as a steering group does. Run: `python benchmarks/concurrent_viewers.py`
(`--gc` also runs the server with Streamlit's default post-run GC, to show its cost).

Memory: the server's resident memory (VmRSS) is sampled every 0.1 s; per session is the
peak while all sessions are open, less the peak with one session, over the sessions
added.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import shutil
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import websockets  # noqa: E402
from streamlit.proto.BackMsg_pb2 import BackMsg  # noqa: E402
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # noqa: E402

from evaluation.intake.sample import load_sample_data  # noqa: E402
from evaluation.store.connection import Store  # noqa: E402
from tests.test_browser import free_port, start_app  # noqa: E402

PARTNERSHIPS = ["Ungdomsløftet Drammen", "Nettverk friluftsliv Askim",
                "Fællesskaber Høje-Taastrup", "Sammen mot ensomhet Bodø"]
DONE = {ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_WITH_COMPILE_ERROR}


async def view(ws, page: str, query: str = "") -> float:
    """Ask for a page and wait until its script has finished; seconds waited."""
    msg = BackMsg()
    msg.rerun_script.page_name = page
    msg.rerun_script.query_string = query
    start = time.perf_counter()
    await ws.send(msg.SerializeToString())
    while True:
        forward = ForwardMsg()
        forward.ParseFromString(await ws.recv())
        if forward.WhichOneof("type") == "script_finished" and forward.script_finished in DONE:
            return time.perf_counter() - start


async def viewer(url: str, seed: int, pages: int, think: tuple[float, float]) -> list[float]:
    """One session: the overview, then partnerships, back and forth, reading in between."""
    rng = random.Random(seed)
    times: list[float] = []
    async with websockets.connect(f"{url}/_stcore/stream", subprotocols=["streamlit"],
                                  origin=url.replace("ws://", "http://"),
                                  max_size=None) as ws:
        await view(ws, "overview")  # warm the session: not counted
        for n in range(pages):
            await asyncio.sleep(rng.uniform(*think))
            if n % 2:
                times.append(await view(ws, "overview"))
            else:
                name = rng.choice(PARTNERSHIPS)
                times.append(await view(ws, "partnership", f"partnership={quote(name)}"))
    return times


async def evaluator_commits(store: Path, after: float) -> float:
    """An evaluator's upload from the command line, mid-way through the viewers' paging."""
    await asyncio.sleep(after)
    data = store.parent / "commit.csv"
    data.write_text("partnership,indicator,year,value\nNettverk friluftsliv Askim,"
                    "INV_PARTNERS,2031,41\n", encoding="utf-8")
    start = time.perf_counter()
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "evaluation", "import", str(data), "--db", str(store), cwd=ROOT,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE)
    _, err = await proc.communicate()
    assert proc.returncode == 0, err.decode()
    return time.perf_counter() - start


async def run(url: str, store: Path, sessions: int, pages: int,
              think: tuple[float, float]) -> tuple[list[float], float | None]:
    tasks = [viewer(url, n, pages, think) for n in range(sessions)]
    commit = evaluator_commits(store, after=(think[0] + think[1]) / 2 * pages / 2) \
        if sessions > 1 else None
    results = await asyncio.gather(*tasks, *([commit] if commit else []))
    times = [t for r in results[:sessions] for t in r]
    return times, (results[-1] if commit else None)


class Resident:
    """The peak resident memory of a process while sampling (MB)."""

    def __init__(self, pid: int) -> None:
        self.status = Path(f"/proc/{pid}/status")
        self.peak = 0.0
        self.running = True
        self.thread = threading.Thread(target=self._sample, daemon=True)

    def __enter__(self) -> Resident:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.running = False
        self.thread.join()

    def _sample(self) -> None:
        while self.running:
            for line in self.status.read_text().splitlines():
                if line.startswith("VmRSS:"):
                    self.peak = max(self.peak, int(line.split()[1]) / 1024)
            time.sleep(0.1)


def measure(folder: Path, gc: bool,
            args: argparse.Namespace) -> tuple[float, float, float, float, float]:
    store = folder / ("gc" if gc else "nogc") / "app.duckdb"
    store.parent.mkdir()
    load_sample_data(Store(store))
    port = free_port()
    env = {"STREAMLIT_RUNNER_POST_SCRIPT_GC": "true"} if gc else None
    server = start_app(store, port, env)
    try:
        url = f"ws://127.0.0.1:{port}"
        think = (args.think_min, args.think_max)
        with Resident(server.pid) as one:
            single, _ = asyncio.run(run(url, store, 1, args.pages * 2, think))
        with Resident(server.pid) as all_open:
            many, commit = asyncio.run(run(url, store, args.sessions, args.pages, think))
    finally:
        server.terminate()
        server.wait(timeout=20)
    per_session = (all_open.peak - one.peak) / max(args.sessions - 1, 1)
    return (statistics.median(single), statistics.median(many), commit or 0.0, one.peak,
            per_session)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--pages", type=int, default=8, help="page views per session")
    parser.add_argument("--think-min", type=float, default=1.0)
    parser.add_argument("--think-max", type=float, default=3.0)
    parser.add_argument("--gc", action="store_true",
                        help="also measure with Streamlit's default post-run GC")
    args = parser.parse_args()
    os.environ.pop("EVALUATION_READ_ONLY", None)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        rows = [("postScriptGC off (this repository)", *measure(folder, False, args))]
        if args.gc:
            rows.append(("postScriptGC on (Streamlit's default)", *measure(folder, True, args)))
        shutil.rmtree(folder, ignore_errors=True)
    for label, single, many, commit, resident, per_session in rows:
        print(f"{label}:")
        print(f"  one session, median page time: {single * 1000:.0f} ms")
        print(f"  {args.sessions} sessions + an evaluator's commit ({commit:.1f} s), median "
              f"page time: {many * 1000:.0f} ms")
        print(f"  ratio: {many / single:.2f}x (goal: at most 2x)")
        print(f"  server memory with one session: {resident:.0f} MB; each further session "
              f"{per_session:.1f} MB")


if __name__ == "__main__":
    main()
