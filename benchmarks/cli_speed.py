"""Command-line speed: read commands against Python opening the store with DuckDB.

Goal (issue 15): a read command (`--help`, `template`, `history`, `status`) answers in
at most 2.5x `python -c "import duckdb"` opening the same store, each its own process,
best of `--repeat`, on the sample store, in this one run. The package is compiled as
an installed one is. `status` and `scores` are timed twice: asked for the first time
after a change to the store (nothing kept: the whole method runs) and asked again (the
kept answer). Run: `python benchmarks/cli_speed.py`.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks import compile_package  # noqa: E402
from evaluation.intake.sample import load_sample_data  # noqa: E402
from evaluation.store.connection import Store  # noqa: E402

FLOOR = "import sys, duckdb; duckdb.connect(sys.argv[1], read_only=True).close()"
COMMANDS = (["--help"], ["template", "indicators"], ["history"])
METHOD = (["status"], ["scores"])


def best(args: list[str], repeat: int, env: dict[str, str] | None = None) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        done = subprocess.run(args, cwd=ROOT, capture_output=True, env=env)
        times.append(time.perf_counter() - start)
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(args)} failed: {done.stderr.decode()[-500:]}")
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    compile_package()
    with tempfile.TemporaryDirectory() as tmp:
        store = Path(tmp) / "sample.duckdb"
        load_sample_data(Store(store))
        floor = best([sys.executable, "-c", FLOOR, str(store)], args.repeat)
        print(f"python -c 'import duckdb' opening the store: {floor:.3f} s")
        for command in COMMANDS:
            took = best([sys.executable, "-m", "evaluation", *command, "--db", str(store)]
                        if command != ["--help"] else [sys.executable, "-m", "evaluation",
                                                       "--help"], args.repeat)
            print(f"python -m evaluation {' '.join(command):20} {took:.3f} s; ratio "
                  f"{took / floor:.2f}x (goal: at most 2.5x)")
        for command in METHOD:
            line = [sys.executable, "-m", "evaluation", *command, "--db", str(store)]
            for label, kept in (("first asking", "none"), ("asked again", f"{tmp}/kept")):
                env = {**os.environ, "EVALUATION_CACHE": kept}
                subprocess.run(line, cwd=ROOT, capture_output=True, env=env)
                took = best(line, args.repeat, env)
                print(f"python -m evaluation {' '.join(command):7} {label:12} {took:.3f} s; "
                      f"ratio {took / floor:.2f}x (goal: at most 2.5x)")


if __name__ == "__main__":
    main()
