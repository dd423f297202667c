"""Start and stop the app's real processes (gunicorn, rq worker, rq cron) for e2e tests.

Each process is started from its own line of the `Procfile`, so the tests run exactly
the commands `make run` runs (with the test's environment filled in).
"""

from __future__ import annotations

import os
import re
import shlex
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
_VARIABLE = re.compile(r"\$\{(\w+)(?::-([^}]*))?\}|\$(\w+)")


def procfile_argv(name: str, env: dict[str, str]) -> list[str]:
    """The Procfile's command for process `name`, its `$VAR`/`${VAR:-default}` filled
    from `env`, the executables taken from this virtualenv."""
    for line in (ROOT / "Procfile").read_text().splitlines():
        label, _, command = line.partition(":")
        if label.strip() == name:
            break
    else:
        raise KeyError(f"no process {name!r} in the Procfile")

    def fill(match: re.Match) -> str:
        var = match.group(1) or match.group(3)
        return env.get(var) or match.group(2) or ""

    argv = shlex.split(_VARIABLE.sub(fill, command))
    return [str(BIN / argv[0]), *argv[1:]]


class Processes:
    """A set of named subprocesses with their logs kept for failure messages."""

    def __init__(self, env: dict[str, str], log_dir: Path) -> None:
        self.env = {**os.environ, **env, "PYTHONPATH": str(ROOT)}
        self.log_dir = log_dir
        self.procs: dict[str, subprocess.Popen] = {}

    def start(self, name: str, argv: list[str]) -> subprocess.Popen:
        log = open(self.log_dir / f"{name}.log", "ab")  # noqa: SIM115 - closed with the process
        proc = subprocess.Popen(argv, cwd=ROOT, env=self.env, stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True)
        self.procs[name] = proc
        return proc

    def web(self, port: int) -> None:
        """The Procfile's `web` (gunicorn) on 127.0.0.1:`port`, once it answers."""
        env = {**self.env, "HOST": "127.0.0.1", "PORT": str(port)}
        self.start("web", procfile_argv("web", env))
        wait_until(lambda: _answers(f"http://127.0.0.1:{port}/healthz"), 30, "gunicorn")

    def worker(self, name: str) -> None:
        """The Procfile's `worker` or `downloader` process."""
        self.start(name, procfile_argv(name, self.env))

    def cron(self) -> None:
        """The Procfile's `scheduler` (`rq cron`)."""
        self.start("cron", procfile_argv("scheduler", self.env))

    def stop(self, name: str, sig: int = signal.SIGTERM) -> None:
        proc = self.procs.pop(name, None)
        if proc is None or proc.poll() is not None:
            return
        try:
            os.killpg(proc.pid, sig)
            proc.wait(timeout=15)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait(timeout=5)

    def stop_all(self) -> None:
        for name in list(self.procs):
            self.stop(name)

    def logs(self) -> str:
        parts = []
        for path in sorted(self.log_dir.glob("*.log")):
            parts.append(f"--- {path.name} ---\n{path.read_text(errors='replace')[-4000:]}")
        return "\n".join(parts)


def _answers(url: str) -> bool:
    try:
        requests.get(url, timeout=2)
        return True
    except requests.RequestException:
        return False


def wait_until(predicate: Callable[[], bool], timeout: float, what: str,
               interval: float = 0.2) -> None:
    """Poll `predicate` until it is true; raise AssertionError naming `what` on timeout."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")
