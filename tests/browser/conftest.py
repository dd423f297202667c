"""Browser tests: the app served on 127.0.0.1 by a threaded werkzeug server, driven by
Playwright in Debian's chromium (never a downloaded browser), with screenshots."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import pytest
from werkzeug.serving import make_server

from tests.browser.helpers import DESKTOP
from tests.page_helpers import quick_user

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args: dict) -> dict:
    """Debian's chromium with the flags that keep it off the network."""
    return {**browser_type_launch_args, "executable_path": "/usr/bin/chromium",
            "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args: dict) -> dict:
    """A desktop-sized window; screenshots switch to phone width themselves."""
    return {**browser_context_args, "viewport": DESKTOP}


@pytest.fixture
def live(app: Any) -> Iterator[str]:
    """The app served on a free port of 127.0.0.1; its base URL."""
    app.config["LIVE_POLL_SECONDS"] = 1
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


@pytest.fixture
def users(app: Any) -> dict[str, Any]:
    """root (admin), alice and bob; every password is "password123"."""
    return {name: quick_user(app, name, admin=name == "root") for name in ("root", "alice", "bob")}
