"""Several app servers on one PostgreSQL store, while evaluators import from the command line.

Goal (issue 16), measured in one run:
- three `streamlit run` servers on one PostgreSQL database, 20 websocket viewers on
  each, paging through the overview and partnership pages (reading 1-3 s between
  pages), while two evaluators import uploads through the command line;
- nothing lost: every import's upload and value is in the store afterwards;
- every server shows each new upload within 2 s of its commit (a watcher session per
  server asks for the settings page every 0.2 s and looks for "upload N" in what the
  server sends; the commit's moment is taken by polling the database every 20 ms);
- the viewers' median page time at most 2x one viewer on one server with the DuckDB
  file (measured first, in the same run).

Each viewer is a websocket client speaking Streamlit's protocol, as in
`concurrent_viewers.py`. Needs PostgreSQL's server binaries (Debian's `postgresql`);
the cluster is a throwaway one in a temporary folder, as in the tests.
Run: `python benchmarks/shared_store.py` (`--servers`, `--viewers`, `--imports`).
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import re
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import psycopg  # noqa: E402
import websockets  # noqa: E402
from streamlit.proto.BackMsg_pb2 import BackMsg  # noqa: E402
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # noqa: E402

from benchmarks.concurrent_viewers import viewer  # noqa: E402
from evaluation.intake.sample import load_sample_data  # noqa: E402
from evaluation.store.connection import Store  # noqa: E402
from evaluation.store.moving import copy_store  # noqa: E402
from tests import postgres_server  # noqa: E402
from tests.test_browser import free_port, start_app  # noqa: E402

NO = "Nettverk friluftsliv Askim"
DONE = {ForwardMsg.FINISHED_SUCCESSFULLY, ForwardMsg.FINISHED_WITH_COMPILE_ERROR}


class Commits:
    """When each upload id first appears in the database (polled every 20 ms)."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.seen: dict[int, float] = {}
        self.running = True
        self.thread = threading.Thread(target=self._poll, daemon=True)

    def __enter__(self) -> Commits:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.running = False
        self.thread.join()

    def _poll(self) -> None:
        with psycopg.connect(self.url, autocommit=True) as con:
            while self.running:
                for (upload,) in con.execute("SELECT upload_id FROM uploads").fetchall():
                    self.seen.setdefault(int(upload), time.perf_counter())
                time.sleep(0.02)


async def watcher(url: str, wanted: list[int], shown: dict[int, float],
                  stop: asyncio.Event) -> None:
    """A session on one server asking for a page every 0.2 s; records when each
    upload id in `wanted` is first shown (named, or a later one named: the sidebar
    names the latest upload)."""
    async with websockets.connect(f"{url}/_stcore/stream", subprotocols=["streamlit"],
                                  origin=url.replace("ws://", "http://"),
                                  max_size=None) as ws:
        while not stop.is_set():
            sent = BackMsg()
            sent.rerun_script.page_name = "settings"  # a light page: the watcher is load too
            await ws.send(sent.SerializeToString())
            page = b""
            while True:
                raw = await ws.recv()
                page += raw
                forward = ForwardMsg()
                forward.ParseFromString(raw)
                if forward.WhichOneof("type") == "script_finished" and \
                        forward.script_finished in DONE:
                    break
            now = time.perf_counter()
            named = [int(n) for n in re.findall(rb"upload (\d+) ", page)]
            latest = max(named, default=0)  # the page names the latest upload only
            for upload in wanted:
                if upload not in shown and upload <= latest:
                    shown[upload] = now
            await asyncio.sleep(0.2)


async def importer(url: str, folder: Path, who: int, imports: int, gap: float,
                   rng: random.Random) -> list[int]:
    """An evaluator importing `imports` small files, one every `gap` seconds or so."""
    years = []
    for n in range(imports):
        await asyncio.sleep(gap * rng.uniform(0.6, 1.4))
        year = 2040 + who * 20 + n
        data = folder / f"import_{who}_{n}.csv"
        data.write_text(f"partnership,indicator,year,value\n{NO},INV_PARTNERS,{year},"
                        f"{who * 10 + n}\n", encoding="utf-8")
        proc = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "evaluation", "import", str(data), "--db", url,
            "--user", f"evaluator{who}", cwd=ROOT, stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.PIPE)
        _, err = await proc.communicate()
        assert proc.returncode == 0, err.decode()
        years.append(year)
    return years


async def shared_run(urls: list[str], store_url: str, folder: Path, args: argparse.Namespace,
                     commits: Commits) -> tuple[list[float], dict[str, dict[int, float]],
                                                list[int]]:
    think = (1.0, 3.0)
    wanted = list(range(2, 2 + 2 * args.imports))
    shown: dict[str, dict[int, float]] = {u: {} for u in urls}
    stop = asyncio.Event()
    watchers = [asyncio.create_task(watcher(u, wanted, shown[u], stop)) for u in urls]
    viewers = [viewer(u, n * 100 + s, args.pages, think)
               for s, u in enumerate(urls) for n in range(args.viewers)]
    rng = random.Random(16)
    gap = args.pages * 2.0 / (args.imports + 1)
    importers = [importer(store_url, folder, who, args.imports, gap, rng) for who in range(2)]
    results = await asyncio.gather(*viewers, *importers)
    await asyncio.sleep(2.5)  # the last upload's 2 s
    stop.set()
    await asyncio.gather(*watchers)
    times = [t for r in results[:len(viewers)] for t in r]
    years = [y for r in results[len(viewers):] for y in r]
    return times, shown, years


MIRROR = """
import sys, time
from pathlib import Path
def resident():
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
from evaluation.store.connection import Store
from evaluation.store import pg_store, postgres
store = Store(sys.argv[1])
store.exists(); postgres.arrow_schemas()
before = resident()
start = time.perf_counter()
with store.connect() as con:
    con.execute("SELECT count(*) FROM observations").fetchall()
loaded = time.perf_counter() - start
grown = resident() - before
import subprocess
row = Path(sys.argv[2])
row.write_text("partnership,indicator,year,value\nPartnership 000,IND_00,2031,5\n")
subprocess.run([sys.executable, "-m", "evaluation", "import", str(row), "--db", sys.argv[1]],
               check=True, capture_output=True)
type(store).poll_seconds = 0.0
start = time.perf_counter()
with store.connect() as con:
    con.execute("SELECT count(*) FROM observations").fetchall()
print(f"{grown:.1f} {loaded:.3f} {time.perf_counter() - start:.3f}")
"""


def national_mirror(folder: Path, cluster: object) -> tuple[float, float, float]:
    """The memory one server's mirror of the national store takes, the time to load it
    (a server's start), and the time to bring it up to date after another process's
    one-row upload (what every server spends after every write)."""
    import subprocess

    from benchmarks.national import national_store

    url = cluster.database()
    copy_store(national_store(folder / "national").path, url)
    out = subprocess.run([sys.executable, "-c", MIRROR, url, str(folder / "row.csv")],
                         cwd=ROOT, capture_output=True, text=True, check=True).stdout.split()
    return float(out[0]), float(out[1]), float(out[2])


def one_viewer_on_a_file(folder: Path, pages: int) -> float:
    store = folder / "file" / "app.duckdb"
    store.parent.mkdir()
    load_sample_data(Store(store))
    port = free_port()
    server = start_app(store, port)
    try:
        times = asyncio.run(viewer(f"ws://127.0.0.1:{port}", 1, pages * 2, (1.0, 3.0)))
    finally:
        server.terminate()
        server.wait(timeout=20)
    return statistics.median(times)


def main() -> None:
    """Long because it is the whole run: the floor, the cluster, the servers, the run and
    the checks, in the order they happen."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--servers", type=int, default=3)
    parser.add_argument("--viewers", type=int, default=20, help="viewer sessions per server")
    parser.add_argument("--pages", type=int, default=8, help="page views per viewer")
    parser.add_argument("--imports", type=int, default=1, help="uploads per evaluator")
    parser.add_argument("--no-national", dest="national", action="store_false",
                        help="skip measuring a server's mirror of the national store")
    args = parser.parse_args()
    if postgres_server.binaries() is None:
        raise SystemExit("PostgreSQL 15 or newer is needed (apt-get install postgresql)")
    os.environ.pop("EVALUATION_READ_ONLY", None)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        single = one_viewer_on_a_file(folder, args.pages)
        with postgres_server.running() as cluster:
            url = cluster.database()
            load_sample_data(Store(folder / "sample.duckdb"))
            copy_store(folder / "sample.duckdb", url)
            ports = [free_port() for _ in range(args.servers)]
            servers = [start_app(url, port, log=folder / f"server{n}.log")
                       for n, port in enumerate(ports)]
            try:
                urls = [f"ws://127.0.0.1:{port}" for port in ports]
                with Commits(url) as commits:
                    times, shown, years = asyncio.run(
                        shared_run(urls, url, folder, args, commits))
            finally:
                for server in servers:
                    server.terminate()
                for server in servers:
                    server.wait(timeout=20)
            with psycopg.connect(url) as con:
                uploads = con.execute("SELECT count(*) FROM uploads").fetchone()[0]
                stored = sorted(y for (y,) in con.execute(
                    "SELECT year FROM observations WHERE valid_to IS NULL AND year >= 2040"
                ).fetchall())
            mirror_mb, mirror_s, refresh_s = (national_mirror(folder, cluster) if args.national
                                              else (0, 0, 0))
    lags = {u: [shown[u][n] - commits.seen[n] if n in shown[u] else None
                for n in sorted(commits.seen) if n > 1] for u in shown}
    every = [lag for server in lags.values() for lag in server]
    missing = sum(lag is None for lag in every)
    worst = max((lag for lag in every if lag is not None), default=0.0)
    many = statistics.median(times)
    print(f"one viewer, one server, DuckDB file: median page time {single * 1000:.0f} ms")
    print(f"{args.servers} servers x {args.viewers} viewers on PostgreSQL, 2 evaluators "
          f"importing {args.imports} uploads each: median page time {many * 1000:.0f} ms "
          f"over {len(times)} pages")
    print(f"  ratio: {many / single:.2f}x (goal: at most 2x)")
    print(f"  nothing lost: {uploads} uploads (expected {1 + 2 * args.imports}), "
          f"{len(stored)} of {len(years)} imported values stored: "
          f"{'yes' if uploads == 1 + 2 * args.imports and stored == sorted(years) else 'NO'}")
    print(f"  new uploads shown by every server: {len(every) - missing} of {len(every)}; "
          f"slowest {worst:.2f} s after its commit (goal: within 2 s)")
    for n, server in enumerate(lags.values()):
        print(f"    server {n + 1}: " + ", ".join(
            "never" if lag is None else f"{lag:.2f} s" for lag in server))
    if args.national:
        print(f"a server's mirror of the national store: {mirror_mb:.0f} MB resident, loaded "
              f"in {mirror_s:.2f} s when a server starts; brought up to date after another "
              f"process's upload in {refresh_s:.3f} s")


if __name__ == "__main__":
    main()
