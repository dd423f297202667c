"""`flask sites try URL [--from BASE]` and `flask sites capture URL` (SPEC §8).

`try` prints as one JSON document what the app reads at a URL (webapp.sites.inspect),
touching neither the database nor the library; `--from BASE` sends every request of the
run to BASE instead of the URL's own host (same path and query) while the URL's host
still decides which provider or host reads it. A URL nothing recognises, a page that
cannot be read or a layout change exits 1 with a one-line reason on stderr.

`capture` does the same read while keeping every exchange, and saves them with the date
and the result into a folder under the fixtures' captures (webapp.infra.captures).
"""

from __future__ import annotations

import json
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import click
from flask import current_app
from flask.cli import AppGroup

if TYPE_CHECKING:
    from webapp.sites.http.client import HttpClient

# The providers, hosts and yt-dlp load only when a command runs, not in every process
# that builds the app.
sites_cli = AppGroup("sites", help="Read a site's page or a player as the app does.")


def _config(url: str) -> dict[str, Any]:
    """The app's config with the URL's site fetched from the URL's own origin."""
    from webapp.sites.providers.registry import build_registry

    config = dict(current_app.config)
    registry = build_registry(config)
    provider = registry.for_url(url)
    if provider is not None and not provider.generic:
        parts = urlsplit(url)
        config["BASE_URLS"] = {**(config.get("BASE_URLS") or {}),
                               provider.id: f"{parts.scheme}://{parts.netloc}"}
    return config


def _client(config: Mapping[str, Any], base: str | None, *, record: bool) -> HttpClient:
    """An HTTP client for one read: no shared pacing (no Redis), the base host allowed."""
    from webapp.infra.captures import RebasedClient, recording
    from webapp.sites.http.client import HttpClient

    cls: type[HttpClient] = RebasedClient if base else HttpClient
    if record:
        cls = recording(cls)
    allow = config.get("ALLOW_PRIVATE_HOSTS") or ""
    kwargs: dict[str, Any] = {
        "redis": None, "rate_per_host": 0,
        "timeout": tuple(config.get("HTTP_TIMEOUT") or (5.0, 30.0)),
        "retries": 1, "backoff": 0.5,
    }
    if base:
        host = urlsplit(base).hostname or ""
        kwargs["allow_private"] = ",".join(x for x in (str(allow), host) if x)
        return cls(base, **kwargs)  # type: ignore[call-arg]
    kwargs["allow_private"] = allow
    return cls(**kwargs)


def _read(url: str, base: str | None, *, record: bool) -> tuple[dict | None, Any, str | None]:
    from webapp.sites.http.errors import FetchError
    from webapp.sites.inspect import read_url
    from webapp.sites.providers.registry import build_registry
    from webapp.sites.types import HostError, ProviderError, UrlError

    config = _config(url)
    client = _client(config, base, record=record)
    try:
        document = read_url(url, build_registry(config), client, config)
    except (UrlError, ProviderError, HostError, FetchError) as exc:
        return None, client, " ".join(str(exc).split()) or type(exc).__name__
    finally:
        client.close()
    return document, client, None


def _fail(reason: str) -> None:
    click.echo(f"error: {reason}", err=True)
    sys.exit(1)


@sites_cli.command("try")
@click.argument("url")
@click.option("--from", "base", metavar="BASE", default=None,
              help="Fetch every request from BASE (same path and query) instead.")
def sites_try(url: str, base: str | None) -> None:
    """Print what the app reads at URL as JSON (no database, no download)."""
    document, _client_used, error = _read(url, base, record=False)
    if error is not None:
        _fail(error)
    click.echo(json.dumps(document, indent=2, ensure_ascii=False))


@sites_cli.command("capture")
@click.argument("url")
@click.option("--from", "base", metavar="BASE", default=None,
              help="Fetch every request from BASE (same path and query) instead.")
@click.option("--into", "into", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Captures folder (default: tests/fixtures/captures of this checkout).")
@click.option("--name", default=None, help="Folder name (default: from the URL).")
def sites_capture(url: str, base: str | None, into: Path | None, name: str | None) -> None:
    """Save the page at URL, what it loads, its headers and the date as a fixture."""
    from webapp.infra.captures import capture_name, save_capture

    document, client, error = _read(url, base, record=True)
    recorder = getattr(client, "recorder", None)
    if recorder is None or not recorder.exchanges:
        _fail(error or "nothing was fetched.")
    root = into or Path(current_app.root_path).parent / "tests" / "fixtures" / "captures"
    folder = save_capture(root / (name or capture_name(url)), url, recorder, document)
    click.echo(f"saved {len(recorder.exchanges)} exchange(s) in {folder}")
    if error is not None:
        click.echo(f"warning: the app could not read it: {error} (no expected.json written)",
                   err=True)
