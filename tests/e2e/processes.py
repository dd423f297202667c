"""Start and stop the app's real processes for e2e tests.

Every process is started from the `Procfile`'s `app` line (workers/pool.py), so the tests
run exactly the command `make run` runs (with the test's environment filled in): the whole
stack at once (`stack`), or one role of it per process (`web`, `worker`, `cron`), as
machines of a scaled-out install run them.
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
NO_WORKERS = {"CHECK_CONCURRENCY": "0", "DOWNLOAD_CONCURRENCY": "0"}
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


def site_env(site_url: str, database_url: str, redis_url: str, root: Path,
             **overrides: str) -> dict[str, str]:
    """The environment of a stack on the fixture site: every provider and 2026 player host
    fetched from it, the library and instance folder under `root`."""
    return {
        "DATABASE_URL": database_url, "REDIS_URL": redis_url,
        "DOWNLOAD_DIR": str(root / "library"), "SECRET_KEY": "e2e",
        "INSTANCE_PATH": str(root / "instance"), "ALLOW_PRIVATE_HOSTS": "127.0.0.0/8,::1",
        "ANIMESAMA_BASE_URL": site_url, "SIBNET_BASE_URL": site_url,
        "EMBED4ME_BASE_URL": site_url, "ANSEMBED_BASE_URL": site_url,
        "HOST_RATE_LIMIT_PER_SECOND": "50", "MAX_PARALLEL_DOWNLOADS": "2", **overrides}


class Processes:
    """A set of named subprocesses with their logs kept for failure messages."""

    def __init__(self, env: dict[str, str], log_dir: Path) -> None:
        self.env = {**os.environ, **env, "PYTHONPATH": str(ROOT)}
        self.log_dir = log_dir
        self.procs: dict[str, subprocess.Popen] = {}

    def start(self, name: str, argv: list[str],
              env: dict[str, str] | None = None) -> subprocess.Popen:
        log = open(self.log_dir / f"{name}.log", "ab")  # noqa: SIM115 - closed with the process
        proc = subprocess.Popen(argv, cwd=ROOT, env={**self.env, **(env or {})}, stdout=log,
                                stderr=subprocess.STDOUT, start_new_session=True)
        self.procs[name] = proc
        return proc

    def app(self, name: str, roles: dict[str, str]) -> subprocess.Popen:
        """The Procfile's `app` (workers/pool.py) with its roles set by `roles`."""
        env = {**self.env, **roles}
        return self.start(name, procfile_argv("app", env), env)

    def stack(self, port: int, name: str = "stack", **settings: str) -> None:
        """The whole app as `make run` starts it (web, checks, downloads, scheduler in one
        process tree) on 127.0.0.1:`port`, once it answers."""
        self.app(name, {"HOST": "127.0.0.1", "PORT": str(port), **settings})
        wait_until(lambda: _answers(f"http://127.0.0.1:{port}/healthz"), 30, "the web server")

    def web(self, port: int) -> None:
        """Only the web server (gunicorn) on 127.0.0.1:`port`, once it answers."""
        self.app("web", {"HOST": "127.0.0.1", "PORT": str(port), **NO_WORKERS,
                         "RUN_SCHEDULER": "0"})
        wait_until(lambda: _answers(f"http://127.0.0.1:{port}/healthz"), 30, "gunicorn")

    def worker(self, name: str = "worker", **settings: str) -> None:
        """Only check and download workers (as a second machine would run them)."""
        self.app(name, {"WEB_WORKERS": "0", "RUN_SCHEDULER": "0", **settings})

    def cron(self) -> None:
        """Only the scheduler (the cron tick and RQ's delayed jobs)."""
        self.app("cron", {"WEB_WORKERS": "0", **NO_WORKERS, "RUN_SCHEDULER": "1"})

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


def told_episodes(notes: list[dict], title: str) -> list[int]:
    """The episodes of `title` the `download_completed` notifications tell, once per
    mention: one message per episode, or one for a burst ("<title> S01 complete: 3
    episodes…" tells 1-3; "<title>: episodes 4 and 5 are…" tells 4 and 5)."""
    episodes: list[int] = []
    for note in notes:
        if note["kind"] != "download_completed":
            continue
        text = note["message"]
        if " complete: " in text:
            episodes += list(range(1, int(text.split(" complete: ")[1].split()[0]) + 1))
        else:
            episodes += [int(n) for n in re.findall(r"\d+", text.split(title, 1)[1])]
    return sorted(episodes)
