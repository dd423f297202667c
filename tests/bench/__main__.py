"""Run every benchmark module of this package (`make bench`), or those named on the line.

`python -m tests.bench` runs each `tests/bench/bench_*.py` module's `main()` in turn;
`python -m tests.bench api pages` runs only bench_api and bench_pages.
"""

from __future__ import annotations

import importlib
import sys
import time
from pathlib import Path


def modules(selected: list[str]) -> list[str]:
    """The benchmark module names to run, in name order."""
    found = sorted(p.stem for p in Path(__file__).parent.glob("bench_*.py"))
    if not selected:
        return found
    wanted = {s if s.startswith("bench_") else f"bench_{s}" for s in selected}
    unknown = wanted - set(found)
    if unknown:
        raise SystemExit(f"no such benchmark: {', '.join(sorted(unknown))} "
                         f"(have: {', '.join(found)})")
    return [name for name in found if name in wanted]


def main(argv: list[str]) -> None:
    """Import and run each benchmark, printing how long each took."""
    for name in modules(argv):
        print(f"=== {name}", flush=True)
        started = time.monotonic()
        importlib.import_module(f"tests.bench.{name}").main()
        print(f"=== {name} done in {time.monotonic() - started:.0f} s\n", flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
