"""`make bench`: every benchmark, one after another, each printing its figures beside a reference measured in
the same run (pgbench on this machine's PostgreSQL, or the spiff-arena per-operation figures).

    python -m bench            all of them (about ten minutes on 2 cores)
    python -m bench timers     one: timers, http_load, inbox or operations
"""
from __future__ import annotations

import importlib
import sys
import time

BENCHES = ("operations", "timers", "http_load", "inbox")


def main(names: list[str]) -> None:
    unknown = [name for name in names if name not in BENCHES]
    if unknown:
        sys.exit(f"unknown benchmark {', '.join(unknown)}; choose from {', '.join(BENCHES)}")
    for name in names or BENCHES:
        started = time.monotonic()
        importlib.import_module(f"bench.{name}").main()
        print(f"({name}: {time.monotonic() - started:.0f} s)\n", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
