"""Run the fixture site alone: `python -m tests.fixture_site --port 8765 [--host 127.0.0.1]`."""

from __future__ import annotations

import argparse
import signal
import threading

from tests.fixture_site.server import FixtureSite


def main() -> None:
    """Serve until SIGINT/SIGTERM."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    site = FixtureSite(args.host, args.port).start()
    print(f"fixture site on {site.url}", flush=True)
    done = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: done.set())
    try:
        done.wait()
    except KeyboardInterrupt:
        pass
    site.stop()


if __name__ == "__main__":
    main()
