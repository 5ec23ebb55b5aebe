"""`make bench`: every benchmark, one after another, each printing its figures beside a reference measured in
the same run (pgbench on this machine's PostgreSQL, or the spiff-arena backend run beside zhifa).

    python -m bench            all of them (about ten minutes on 2 cores, more with the peer)
    python -m bench timers     one: timers, http_load, inbox or operations
    python -m bench operations --peer-source PATH
                               the spiff-arena source tree to run as the peer (or ZHIFA_BENCH_PEER_SOURCE)
"""
from __future__ import annotations

import importlib
import os
import sys
import time

BENCHES = ("operations", "timers", "http_load", "inbox")


def main(args: list[str]) -> None:
    names = []
    while args:
        arg = args.pop(0)
        if arg == "--peer-source" and args:
            os.environ["ZHIFA_BENCH_PEER_SOURCE"] = args.pop(0)
        elif arg.startswith("--peer-source="):
            os.environ["ZHIFA_BENCH_PEER_SOURCE"] = arg.split("=", 1)[1]
        else:
            names.append(arg)
    unknown = [name for name in names if name not in BENCHES]
    if unknown:
        sys.exit(f"unknown benchmark {', '.join(unknown)}; choose from {', '.join(BENCHES)}")
    for name in names or BENCHES:
        started = time.monotonic()
        importlib.import_module(f"bench.{name}").main()
        print(f"({name}: {time.monotonic() - started:.0f} s)\n", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
