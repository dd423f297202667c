"""The fixture site runs alone (`python -m tests.fixture_site`) with its HTTP control API."""

from __future__ import annotations

import subprocess
import sys
import time

import requests

from tests.conftest import ROOT
from tests.helpers import free_port


def test_standalone_site_and_its_control_api():
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "tests.fixture_site", "--port", str(port)],
                            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                requests.get(base + "/", timeout=1)
                break
            except requests.ConnectionError:
                time.sleep(0.05)
        path = "/catalogue/frieren/saison1/vostfr/episodes.js"
        before = requests.get(base + path, timeout=2).text.count("sibnet.ru/shell.php?videoid=")
        resp = requests.post(base + "/_control/publish_episode", timeout=2,
                             json={"key": "/catalogue/frieren/saison1/vostfr/"})
        assert resp.json() == {"result": 4}
        after = requests.get(base + path, timeout=2).text.count("sibnet.ru/shell.php?videoid=")
        assert after == before + 1
        requests.post(base + "/_control/fail", json={"prefix": "/dir/", "status": 503},
                      timeout=2)
        assert requests.get(base + "/dir/python/show/", timeout=2).status_code == 503
        assert requests.get(base + "/_control/hits?path=/dir/python/show/",
                            timeout=2).json() == {"result": 1}
        assert requests.post(base + "/_control/nope", timeout=2).status_code == 404
    finally:
        proc.terminate()
        proc.wait(timeout=10)
