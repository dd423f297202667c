"""Feed tokens travel in the query string; the web servers' request logs show them redacted
(issue 17): the development server's request lines, and gunicorn's access and error logs."""

from __future__ import annotations

import logging
import threading
import urllib.request
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from werkzeug.serving import make_server

from tests.helpers import free_port


def _feeds_token(app: Any, make_user: Any) -> str:
    from webapp.auth.tokens import create_token

    user = make_user("alice")
    with app.app_context():
        return create_token(user, "reader", "feeds")[1]


def test_the_development_server_logs_the_request_without_the_token(
        app: Any, make_user: Any, caplog: Any) -> None:
    token = _feeds_token(app, make_user)
    caplog.set_level(logging.INFO, logger="werkzeug")
    port = free_port()
    server = make_server("127.0.0.1", port, app)
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{port}/feeds/new-episodes.xml?token={token}"
        with urllib.request.urlopen(url, timeout=10) as resp:
            assert resp.status == 200 and b"<feed" in resp.read()
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
    lines = [r.getMessage() for r in caplog.records if r.name == "werkzeug"]
    assert any("/feeds/new-episodes.xml?token=[redacted]" in line for line in lines), lines
    assert not any(token in line for line in lines)


def test_gunicorns_access_and_error_logs_show_the_token_redacted(
        app: Any, tmp_path: Path) -> None:
    from gunicorn.config import Config
    from gunicorn.glogging import Logger

    loggers = [logging.getLogger(name) for name in ("gunicorn.access", "gunicorn.error")]
    saved = [(lg.handlers[:], lg.propagate, lg.level) for lg in loggers]
    cfg = Config()
    cfg.set("accesslog", str(tmp_path / "access.log"))
    cfg.set("errorlog", str(tmp_path / "error.log"))
    log = Logger(cfg)
    uri = "/feeds/downloads.xml?token=wl_SeCrEt-123"
    environ = {"REQUEST_METHOD": "GET", "RAW_URI": uri, "SERVER_PROTOCOL": "HTTP/1.1",
               "PATH_INFO": "/feeds/downloads.xml", "QUERY_STRING": "token=wl_SeCrEt-123",
               "REMOTE_ADDR": "127.0.0.1"}
    try:
        log.access(SimpleNamespace(status="200 OK", sent=10, headers=[]),
                   SimpleNamespace(headers=[]), environ, timedelta(milliseconds=5))
        try:
            raise RuntimeError("boom")
        except RuntimeError:
            log.exception("Error handling request %s", uri)   # gunicorn's own words
    finally:
        for lg, (handlers, propagate, level) in zip(loggers, saved, strict=True):
            for handler in lg.handlers:
                handler.close()
            lg.handlers, lg.propagate, lg.level = handlers, propagate, level
    access = (tmp_path / "access.log").read_text()
    error = (tmp_path / "error.log").read_text()
    assert "GET /feeds/downloads.xml?token=[redacted] HTTP/1.1" in access
    assert "Error handling request /feeds/downloads.xml?token=[redacted]" in error
    assert "SeCrEt" not in access + error
