"""Benchmark: the HTTP download engine on a 1 GiB file over loopback, against curl and cp.

The file is served by a small Python server of our own that sends bodies with
`socket.sendfile` (zero-copy, like nginx's `sendfile on`; nginx is not installed) in a
separate process. In the same run, on the same disk (a temporary folder on the real
disk, not tmpfs; BENCH_TMP to choose), each of these copies the file, BENCH_ROUNDS
times (default 3) in turn, with a `sync` and a pause (BENCH_SETTLE_SECONDS, default 6:
ext4 commits its journal every 5 s) before each and the output deleted after; each
is timed twice over: until the command returns (data in the page cache) and until a
`sync` after it returns (data on the disk, the fair "disk-write limit" figure):

* our engine (`webapp.downloading.engines.transfer`, kind "file") in a fresh process, reporting
  progress through `ProgressReporter` into our own redis-server;
* `curl -s -o`;
* `cp` (the disk-write limit).

Printed: best and median times, the engine's ratio to curl (target ≤ 1.0) and to cp
(≤ 1.5) for both timings, the engine process's peak RSS (target < 150 MB whatever the
size) and its Redis progress writes per second (≤ 5; counted per started second and in
the busiest 1-second window, since a sub-second transfer still has its first and final
write). Run with `make bench` or `python -m tests.bench.bench_download`;
BENCH_DOWNLOAD_MB changes the size (default 1024).
"""

from __future__ import annotations

import importlib
import json
import multiprocessing
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from email.utils import formatdate
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from tests.bench.support import ROOT, BenchEnv, free_port

SIZE_MB = int(os.environ.get("BENCH_DOWNLOAD_MB", "1024"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
SETTLE = float(os.environ.get("BENCH_SETTLE_SECONDS", "6"))
BLOCK = 1024 * 1024


class SendfileHandler(BaseHTTPRequestHandler):
    """GET /<name>: the file with Content-Length, ETag and Range, body sent by sendfile."""

    protocol_version = "HTTP/1.1"
    root: Path = Path(".")

    def log_message(self, *args: Any) -> None:
        """Quiet."""

    def do_GET(self) -> None:  # noqa: N802
        """Serve a file of the root folder (whole, or from a `Range: bytes=N-`)."""
        path = self.root / self.path.lstrip("/")
        size = path.stat().st_size
        match = re.fullmatch(r"bytes=(\d+)-", self.headers.get("Range", ""))
        start = int(match.group(1)) if match else 0
        self.send_response(206 if match else 200)
        self.send_header("Content-Type", "video/mp4")
        self.send_header("Content-Length", str(size - start))
        self.send_header("ETag", f'"{size}"')
        self.send_header("Last-Modified", formatdate(path.stat().st_mtime, usegmt=True))
        if match:
            self.send_header("Content-Range", f"bytes {start}-{size - 1}/{size}")
        self.end_headers()
        self.wfile.flush()
        with open(path, "rb") as fh:
            self.connection.sendfile(fh, start, size - start)


def serve_files(root: str, port: int) -> None:
    """Run the sendfile server (in its own process) until terminated."""
    SendfileHandler.root = Path(root)
    ThreadingHTTPServer(("127.0.0.1", port), SendfileHandler).serve_forever()


def peak_rss_kb() -> int:
    """This process's peak resident set (VmHWM). Unlike `ru_maxrss`, which Linux carries
    over an exec from the parent, it counts only this program's own memory."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    raise RuntimeError("no VmHWM in /proc/self/status")


def engine_run(url: str, part: str, redis_url: str, download_id: int) -> None:
    """One engine transfer in this (fresh) process, which first loads what a downloader
    worker holds (the app and every job module); prints a JSON line of its figures."""
    import redis

    from webapp.downloading.engines.progress import ProgressReporter
    from webapp.downloading.engines.transfer import transfer
    from webapp.sites.http.client import HttpClient
    from webapp.sites.types import MediaSource
    from workers.context import PRELOADED_MODULES, get_app

    get_app()
    for module in PRELOADED_MODULES:
        importlib.import_module(module)
    rss_before = peak_rss_kb()
    client = HttpClient(None, allow_private="127.0.0.1", rate_per_host=0)
    class RecordingReporter(ProgressReporter):
        """Notes when each Redis write happened."""

        times: list[float] = []

        def _write(self, *figures: Any) -> None:
            before = self.writes
            super()._write(*figures)
            if self.writes > before:
                self.times.append(time.perf_counter())

    reporter = RecordingReporter(redis.Redis.from_url(redis_url, socket_timeout=5),
                                 download_id, "bench")
    start = time.perf_counter()
    result = transfer(client, MediaSource(url), Path(part), reporter,
                      max_bytes=1 << 40, should_stop=lambda: False)
    reporter.finish()
    wall = time.perf_counter() - start
    window = max(sum(1 for u in reporter.times if t <= u < t + 1.0) for t in reporter.times)
    print(json.dumps({"wall": wall, "bytes": result.bytes_total, "writes": reporter.writes,
                      "max_writes_in_1s": window,
                      "rss_before_kb": rss_before,
                      "rss_peak_kb": peak_rss_kb()}))


def _timed(cmd: list[str], env: dict[str, str] | None = None) -> tuple[float, float, str]:
    """(seconds until the command returned, seconds until its data was on disk, stdout)."""
    subprocess.run(["sync"], check=True)
    time.sleep(SETTLE)  # let the journal commit the previous run's deletion
    start = time.perf_counter()
    out = subprocess.run(cmd, check=True, capture_output=True, text=True, cwd=ROOT, env=env)
    returned = time.perf_counter() - start
    os.sync()
    return returned, time.perf_counter() - start, out.stdout


def _make_file(path: Path, size_mb: int) -> None:
    block = os.urandom(BLOCK)
    with open(path, "wb") as fh:
        for i in range(size_mb):
            fh.write(block[i % 251:] + block[: i % 251])


def _filesystem(path: Path) -> str:
    out = subprocess.run(["df", "--output=fstype,source", str(path)], capture_output=True,
                         text=True)
    return " ".join(out.stdout.split()[2:]) or "unknown"


def bench(tmp: Path, env: BenchEnv) -> dict[str, Any]:
    """Run the three copies ROUNDS times and return the figures."""
    src_dir = tmp / "served"
    src_dir.mkdir()
    source = src_dir / "episode.mp4"
    _make_file(source, SIZE_MB)
    port = free_port()
    server = multiprocessing.get_context("spawn").Process(
        target=serve_files, args=(str(src_dir), port), daemon=True)
    server.start()
    time.sleep(0.5)
    url = f"http://127.0.0.1:{port}/episode.mp4"
    out = tmp / "out.bin"
    engine_cmd = [sys.executable, "-c",
                  "import sys; from tests.bench.bench_download import engine_run; "
                  "engine_run(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]))"]
    child_env = {**os.environ, **env.process_env(), "PYTHONPATH": str(ROOT)}
    commands = {"engine": None, "curl": ["curl", "-s", "-o", str(out), url],
                "cp": ["cp", str(source), str(out)]}
    times: dict[str, list[float]] = {name: [] for name in commands}
    synced: dict[str, list[float]] = {name: [] for name in commands}
    engine_stats: list[dict[str, Any]] = []
    try:
        for round_no in range(ROUNDS):
            for name, cmd in commands.items():
                if cmd is None:
                    cmd = [*engine_cmd, url, str(out), env.redis_url, str(round_no)]
                returned, on_disk, stdout = _timed(cmd, child_env)
                if name == "engine":
                    stats = json.loads(stdout.strip().splitlines()[-1])
                    engine_stats.append(stats)
                    # The engine's own clock: Python start-up and imports are not transfer.
                    startup = returned - stats["wall"]
                    returned, on_disk = stats["wall"], on_disk - startup
                assert out.stat().st_size == SIZE_MB * BLOCK, name
                times[name].append(returned)
                synced[name].append(on_disk)
                out.unlink()
    finally:
        server.terminate()
        server.join(timeout=10)
    return {"times": times, "synced": synced, "engine": engine_stats,
            "fs": _filesystem(tmp)}


def _print_timing(title: str, times: dict[str, list[float]]) -> None:
    best = {name: min(values) for name, values in times.items()}
    median = {name: statistics.median(values) for name, values in times.items()}
    print(f"  {title}")
    for name in ("engine", "curl", "cp"):
        runs = ", ".join(f"{t:.2f}" for t in times[name])
        print(f"    {name:<7} best {best[name]:6.2f} s ({SIZE_MB / best[name]:6.0f} MiB/s)  "
              f"median {median[name]:6.2f} s   runs: {runs}")
    for other, target in (("curl", "1.0"), ("cp", "1.5")):
        print(f"    engine / {other:<4} best {best['engine'] / best[other]:5.2f}  median "
              f"{median['engine'] / median[other]:5.2f}  (target <= {target})")


def report(figures: dict[str, Any]) -> None:
    """Print the figures and the targets."""
    peak_mb = max(s["rss_peak_kb"] for s in figures["engine"]) / 1024
    base_mb = max(s["rss_before_kb"] for s in figures["engine"]) / 1024
    rate = max(s["writes"] / max(s["wall"], 1.0) for s in figures["engine"])
    window = max(s["max_writes_in_1s"] for s in figures["engine"])
    print(f"download engine: {SIZE_MB} MiB over loopback (sendfile server), disk "
          f"{figures['fs']}, {ROUNDS} rounds")
    _print_timing("until the command returns (page cache):", figures["times"])
    _print_timing("until the data is on disk (command + sync):", figures["synced"])
    print(f"  engine process peak RSS {peak_mb:.0f} MB (with the app and job modules loaded "
          f"as in a downloader worker: {base_mb:.0f} MB before the transfer; target < 150 MB)")
    print(f"  Redis progress writes: {rate:.2f}/s over the transfer (per started second), "
          f"at most {window} in any 1-second window (target <= 5)")


def main() -> None:
    """Run the download benchmark once and print its figures."""
    if shutil.which("curl") is None:
        print("download engine: skipped (curl is not installed)")
        return
    base = os.environ.get("BENCH_TMP") or None
    with tempfile.TemporaryDirectory(dir=base, prefix="bench-download-") as tmp, \
            BenchEnv("sqlite", Path(tmp)) as env:
        report(bench(Path(tmp), env))


if __name__ == "__main__":
    main()
