"""Stored captures: every capture under tests/fixtures/captures reads, through
`flask sites try URL --from <replay>`, exactly as its expected.json says; and
`sites capture` records what such a replay needs."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.capture_replay import Replay
from tests.fixtures.hosts.servers import serve
from webapp.infra.captures import CAPTURE_FILE, EXPECTED_FILE

CAPTURES = Path(__file__).resolve().parents[1] / "fixtures" / "captures"
STORED = sorted(p.parent for p in CAPTURES.glob(f"*/{EXPECTED_FILE}"))


def sites(app, *args: str):
    return app.test_cli_runner().invoke(args=["sites", *args])


@pytest.mark.parametrize("folder", STORED, ids=[p.name for p in STORED])
def test_every_stored_capture_reads_as_expected(app, folder: Path) -> None:
    replay = Replay(folder)
    expected = json.loads((folder / EXPECTED_FILE).read_text(encoding="utf-8"))
    with serve(replay) as base:
        result = sites(app, "try", replay.meta["url"], "--from", base)
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == expected


def test_there_are_stored_captures_of_every_kind() -> None:
    kinds = {json.loads((f / EXPECTED_FILE).read_text())["kind"] for f in STORED}
    assert kinds >= {"anime", "season", "search", "player"}


def test_capture_then_replay_reads_the_same(app, fixture_site, tmp_path) -> None:
    url = "https://anime-sama.to/catalogue/frieren/saison1/vostfr/"
    result = sites(app, "capture", url, "--from", fixture_site.url, "--into", str(tmp_path),
                   "--name", "frieren")
    assert result.exit_code == 0, result.stderr
    folder = tmp_path / "frieren"
    meta = json.loads((folder / CAPTURE_FILE).read_text())
    assert meta["url"] == url and meta["captured_at"].endswith("Z")
    paths = [e["path"] for e in meta["exchanges"]]
    assert any(p.startswith("/catalogue/frieren/saison1/vostfr/episodes.js") for p in paths)
    assert "/catalogue/frieren/saison1/vostfr/" in paths
    expected = json.loads((folder / EXPECTED_FILE).read_text())
    assert expected["kind"] == "season" and expected["title"] == "Frieren"
    fixture_site.break_layout("/")  # the replay, not the site, answers from here on
    with serve(Replay(folder)) as base:
        again = sites(app, "try", url, "--from", base)
    assert again.exit_code == 0, again.stderr
    assert json.loads(again.stdout) == expected


def test_unknown_url_and_layout_change_exit_non_zero_with_one_line(app, fixture_site) -> None:
    nothing = sites(app, "try", "https://example.com/nothing", "--from", fixture_site.url)
    assert nothing.exit_code == 1 and nothing.stdout == ""
    assert nothing.stderr.startswith("error: ") and nothing.stderr.count("\n") == 1
    fixture_site.break_layout("/catalogue/frieren/")
    broken = sites(app, "try", "https://anime-sama.to/catalogue/frieren/saison1/vostfr/",
                   "--from", fixture_site.url)
    assert broken.exit_code == 1 and "changed" in broken.stderr
    assert broken.stderr.count("\n") == 1
