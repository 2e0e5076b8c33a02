"""Survey speed: scoring a national survey, and 500 respondents answering in one minute.

Goals (issue 11), each measured against its floor in this one run:

1. Results for 400 partnerships x 3 rounds x 40 respondents x 40 items (1.92 million
   answers): computing every factor result with suppression (and the response
   rates) takes at most 3x reading those answers from the store.
2. 500 respondents submitting within a minute to one `streamlit run` server all
   succeed and none is lost, and the other users' median page time (sessions
   paging through the overview and partnership pages meanwhile) stays within 2x of
   the same sessions' median without respondents.

Respondents and viewers are websocket clients speaking Streamlit's own protocol
(as in `concurrent_viewers.py`): a respondent opens the link, picks an actor type
and answers every statement on the form, and presses "Send my answers", exactly
the widget states a browser sends; a page view waits for `script_finished`.
Run: `python benchmarks/survey_speed.py` (`--skip-server` for part 1 only).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import websockets  # noqa: E402
from streamlit.proto.BackMsg_pb2 import BackMsg  # noqa: E402
from streamlit.proto.ForwardMsg_pb2 import ForwardMsg  # noqa: E402

from benchmarks.concurrent_viewers import view  # noqa: E402
from benchmarks.model_speed import best  # noqa: E402
from evaluation.intake import rounds  # noqa: E402
from evaluation.intake.sample import load_sample_data  # noqa: E402
from evaluation.method.survey import survey_results  # noqa: E402
from evaluation.store.connection import Store  # noqa: E402
from evaluation.store.snapshot import read_snapshot  # noqa: E402
from tests.test_browser import free_port, start_app  # noqa: E402

FAILURES: dict[str, int] = {}  # why a respondent was not thanked, by exception
ACTORS = ["Municipality", "State", "Civil society", "Business", "Citizens and users"]
ANSWERS = ["1", "2", "3", "4", "5", "Don't know"]


# -- 1. scoring against reading ----------------------------------------------------------

def national_survey(path: Path, partnerships: int, rounds_: int, people: int,
                    items: int) -> Store:
    """A store holding the answers of every round, written straight into its tables."""
    store = Store(path)
    with store.transaction() as con:
        con.execute("INSERT INTO uploads VALUES (1, 'import', now(), 'benchmark', '', NULL, "
                    "NULL)")
        con.execute(f"""INSERT INTO partnerships (partnership_id, name, start_year,
                        horizon_years, valid_from) SELECT i, 'Partnership ' || i, 2018, 10, 1
                        FROM range({partnerships}) t(i)""")
        con.execute(f"""INSERT INTO instrument (item, factor, statement, reverse, position,
                        valid_from) SELECT 'item_' || i, 'factor_' || (i % 10), 'Statement ' || i,
                        i % 7 = 0, i, 1 FROM range({items}) t(i)""")
        con.execute(f"""INSERT INTO partners SELECT p, 'Partner ' || k,
                        ['municipality', 'state', 'civil_society', 'business',
                         'citizens_users'][k % 5 + 1], 2018, NULL, NULL, NULL, NULL, 1, NULL
                        FROM range({partnerships}) a(p), range(10) b(k)""")
        con.execute(f"""
            INSERT INTO answers
            SELECT p, 2019 + 2 * r, 'r' || n, 'item_' || i,
                   ['municipality', 'state', 'civil_society', 'business',
                    'citizens_users'][(hash(p, r, n) % 5)::INTEGER + 1],
                   CASE WHEN n % 3 = 0 THEN 'Partner ' || (n % 10) END,
                   CASE WHEN hash(p, r, n, i) % 25 = 0 THEN NULL
                        ELSE 1 + (hash(p, r, n, i) % 5)::INTEGER END, 1, NULL
            FROM range({partnerships}) a(p), range({rounds_}) b(r), range({people}) c(n),
                 range({items}) d(i)""")
    return store


def scoring(folder: Path, repeat: int) -> tuple[float, float, int]:
    store = national_survey(folder / "national.duckdb", 400, 3, 40, 40)
    snap = read_snapshot(store)

    def read_answers():
        with store.connect() as con:
            return con.execute("""
                SELECT p.name AS partnership, x.year, x.respondent, x.item, x.actor_type,
                       x.partner, x.value, x.valid_from AS upload_id
                FROM answers x JOIN partnerships p ON p.partnership_id = x.partnership_id
                AND p.valid_to IS NULL WHERE x.valid_to IS NULL""").df()

    read, answers = best(read_answers, repeat)
    compute, result = best(lambda: survey_results(answers, snap.instrument, snap.partners, 5),
                           repeat)
    return read, compute, len(answers)


# -- 2. respondents and viewers on one server --------------------------------------------

async def _until_finished(ws) -> list:
    """The elements of one script run, until it finishes."""
    elements = []
    while True:
        forward = ForwardMsg()
        forward.ParseFromString(await ws.recv())
        kind = forward.WhichOneof("type")
        if kind == "delta" and forward.delta.WhichOneof("type") == "new_element":
            elements.append(forward.delta.new_element)
        if kind == "script_finished":
            return elements


async def respondent(url: str, token: str, seed: int) -> bool:
    """Open the link, fill the form as a browser would, send it; True on 'Thank you!'."""
    rng = random.Random(seed)
    async with websockets.connect(f"{url}/_stcore/stream", subprotocols=["streamlit"],
                                  origin=url.replace("ws://", "http://"), max_size=None) as ws:
        first = BackMsg()
        first.rerun_script.query_string = f"survey={token}"
        await ws.send(first.SerializeToString())
        form = await _until_finished(ws)
        send = BackMsg()
        send.rerun_script.query_string = f"survey={token}"
        states = send.rerun_script.widget_states.widgets
        radios = [e.radio for e in form if e.WhichOneof("type") == "radio"]
        for n, radio in enumerate(radios):
            state = states.add()
            state.id = radio.id
            state.string_value = rng.choice(ACTORS) if n == 0 else rng.choice(ANSWERS)
        submit = next(e.button for e in form if e.WhichOneof("type") == "button"
                      and e.button.is_form_submitter)
        state = states.add()
        state.id = submit.id
        state.trigger_value = True
        await ws.send(send.SerializeToString())
        # The run that stores the answers ends in st.rerun; the next run thanks them.
        return await asyncio.wait_for(_thanked(ws), timeout=60)


async def _thanked(ws) -> bool:
    while True:
        forward = ForwardMsg()
        forward.ParseFromString(await ws.recv())
        if forward.WhichOneof("type") == "delta" and forward.delta.WhichOneof(
                "type") == "new_element":
            element = forward.delta.new_element
            if element.WhichOneof("type") == "heading" and "Thank you" in element.heading.body:
                return True
            if element.WhichOneof("type") == "alert":
                return False  # refused: a message instead of the thanks


async def viewers(url: str, sessions: int, seconds: float) -> list[float]:
    names = ["Ungdomsløftet Drammen", "Nettverk friluftsliv Askim", "Sammen mot ensomhet Bodø"]

    async def one(seed: int) -> list[float]:
        rng, times = random.Random(seed), []
        async with websockets.connect(f"{url}/_stcore/stream", subprotocols=["streamlit"],
                                      origin=url.replace("ws://", "http://"),
                                      max_size=None) as ws:
            await view(ws, "overview")
            end = time.monotonic() + seconds
            n = 0
            while time.monotonic() < end:
                await asyncio.sleep(rng.uniform(1.0, 3.0))
                if n % 2:
                    times.append(await view(ws, "overview"))
                else:
                    query = f"partnership={quote(rng.choice(names))}"
                    times.append(await view(ws, "partnership", query))
                n += 1
        return times

    return [t for r in await asyncio.gather(*(one(s) for s in range(sessions))) for t in r]


async def with_respondents(url: str, token: str, count: int, seconds: float,
                           sessions: int) -> tuple[list[float], list[bool], float]:
    async def spaced(n: int) -> bool:
        await asyncio.sleep(n * seconds / count)
        try:
            return await respondent(url, token, n)
        except Exception as e:  # noqa: BLE001 - a lost submission is what is counted
            FAILURES[type(e).__name__] = FAILURES.get(type(e).__name__, 0) + 1
            return False

    start = time.perf_counter()
    results = await asyncio.gather(viewers(url, sessions, seconds),
                                   *(spaced(n) for n in range(count)))
    return results[0], list(results[1:]), time.perf_counter() - start


def server_part(folder: Path, count: int, seconds: float, sessions: int) -> dict:
    path = folder / "app.duckdb"
    store = Store(path)
    load_sample_data(store)
    token = rounds.open_round(store, "Ungdomsløftet Drammen", 2026, "benchmark")
    port = free_port()
    server = start_app(path, port)
    try:
        url = f"ws://127.0.0.1:{port}"
        quiet = asyncio.run(viewers(url, sessions, seconds))
        busy, sent, elapsed = asyncio.run(with_respondents(url, token, count, seconds,
                                                           sessions))
    finally:
        server.terminate()
        server.wait(timeout=30)
    stored = int(rounds.round_overview(store).query("year == 2026")["respondents"].iloc[0])
    return {"quiet": statistics.median(quiet), "busy": statistics.median(busy),
            "ok": sum(sent), "count": count, "stored": stored, "elapsed": elapsed,
            "views": (len(quiet), len(busy))}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--respondents", type=int, default=500)
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--sessions", type=int, default=5, help="other users paging")
    parser.add_argument("--skip-server", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        read, compute, rows = scoring(Path(tmp), args.repeat)
        print(f"1. {rows:,} answers (400 partnerships x 3 rounds x 40 respondents x 40 items)")
        print(f"   reading them from the store: {read:.2f} s")
        print(f"   every factor result with suppression and response rates: {compute:.2f} s")
        print(f"   ratio: {compute / read:.2f}x (goal: at most 3x)")
        if args.skip_server:
            return
        r = server_part(Path(tmp), args.respondents, args.seconds, args.sessions)
        print(f"2. {r['count']} respondents within {args.seconds:.0f} s on one server "
              f"(took {r['elapsed']:.0f} s): {r['ok']} thanked, {r['stored']} stored "
              f"(goal: all {r['count']}, none lost)")
        print(f"   {args.sessions} other users' median page time: {r['quiet'] * 1000:.0f} ms "
              f"without respondents, {r['busy'] * 1000:.0f} ms with them "
              f"({r['views'][0]} and {r['views'][1]} page views)")
        print(f"   ratio: {r['busy'] / r['quiet']:.2f}x (goal: at most 2x)")
        if FAILURES:
            print(f"   not thanked: {FAILURES}")


if __name__ == "__main__":
    main()
