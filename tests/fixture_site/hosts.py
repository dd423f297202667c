"""Video-host pages on the fixture site, so anime-sama's players resolve and download end to end.

With the hosts' base URLs on the site (`site_config`: SIBNET_, EMBED4ME_, ANSEMBED_… =
site.url), for any id:

- Sibnet (tests/fixtures/SOURCES.md Part 2 §6): `https://video.sibnet.ru/shell.php?videoid=N`
  is the shell page in windows-1251, naming `/v/<hash>/N.mp4`; that answers 302 with a
  protocol-relative `Location: //<site host>/media/sibnet-N.mp4` (a Range-capable file).
  Both answer 400 to a client without a browser User-Agent, and `/v/` 403 without a
  shell.php Referer, like the real host.
- Embed4me (§2): `https://lpayer.embed4me.com/#<id>` → `GET /api/v1/video?id=<id>&…&r=…`
  answers the encrypted description (embed4me/video.json, encrypted now) whose
  `cfNative` is `/hls/e4m-<id>/master.m3u8` on the site.
- AnsEmbed (§1.1): `https://ansembed.net/embed-<id>.html` → the JW Player page whose master
  is `/hls/<id>/master.m3u8` on the site.
- `/hls/<token>/master.m3u8`, `/hls/<token>/<variant>/index.m3u8` and `…/seg<N>.ts`: the
  two-variant HLS stream of tests/fixtures/hosts/hls for any token.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from werkzeug.wrappers import Request, Response

from tests.fixtures.hosts.pages import embed4me_answer, embed4me_description, fixture
from tests.fixtures.hosts.servers import FIXTURES

if TYPE_CHECKING:
    from tests.fixture_site.server import FixtureSite

SIBNET_PATH = "/v/1d5f2c9a8b7e3f60a1b2c3d4e5f60718/4242.mp4"
ANSEMBED_CDN = "https://prx-1328-ant.vmget.online/hls2/01/00001/abc123def456_,l,n,.urlset"
HLS_TYPES = {".m3u8": "application/vnd.apple.mpegurl", ".ts": "video/mp2t"}


def _bad_request() -> Response:
    return Response("<html><body><h1>400 Bad Request</h1></body></html>", status=400,
                    content_type="text/html")


def _browser(request: Request) -> bool:
    return "Mozilla/5.0" in request.headers.get("User-Agent", "")


def _shell(site: FixtureSite, request: Request, match: re.Match) -> Response:
    if not _browser(request):
        return _bad_request()
    video_id = request.args.get("videoid", "")
    if not video_id.isdigit():
        return Response("<html><body>Видео не существует или было удалено.</body></html>",
                        status=404, content_type="text/html; charset=utf-8")
    text = fixture("sibnet", "shell.html").replace(SIBNET_PATH, f"/v/5f3a9c/{video_id}.mp4")
    return Response(text.encode("cp1251"), content_type="text/html; charset=windows-1251")


def _video(site: FixtureSite, request: Request, match: re.Match) -> Response:
    if not _browser(request):
        return _bad_request()
    if "shell.php" not in request.headers.get("Referer", ""):
        return Response("Forbidden", status=403, content_type="text/plain")
    location = f"//{request.host}/media/sibnet-{match['id']}.mp4"
    return Response("", status=302, headers={"Location": location})


def _embed4me_api(site: FixtureSite, request: Request, match: re.Match) -> Response:
    video_id = request.args.get("id", "")
    if not re.fullmatch(r"[A-Za-z0-9]+", video_id) or not request.args.get("r"):
        return Response('"error"', content_type="text/plain")
    origin = site.origin(request)
    description = embed4me_description("video", origin)
    description["cfNative"] = f"{origin}/hls/e4m-{video_id}/master.m3u8?k=sig"
    description["source"] = description["cf"] = ""
    return Response(embed4me_answer(description), content_type="text/plain")


def _ansembed(site: FixtureSite, request: Request, match: re.Match) -> Response:
    text = fixture("ansembed", "embed.html").replace(
        ANSEMBED_CDN, f"{site.origin(request)}/hls/{match['token']}")
    return Response(text, content_type="text/html; charset=utf-8")


def _hls(site: FixtureSite, request: Request, match: re.Match) -> Response:
    path = (FIXTURES / "hls" / match["file"]).resolve()
    if not path.is_file() or not path.is_relative_to((FIXTURES / "hls").resolve()):
        return Response("not found", status=404, content_type="text/plain")
    return Response(path.read_bytes(), content_type=HLS_TYPES.get(path.suffix, "video/mp2t"))


ROUTES = [
    (r"/shell\.php", "animesama", _shell),
    (r"/v/[0-9a-f]+/(?P<id>\d+)\.mp4", "animesama", _video),
    (r"/api/v1/video", "animesama", _embed4me_api),
    (r"/embed-(?P<token>[A-Za-z0-9]+)\.html", "animesama", _ansembed),
    (r"/hls/[A-Za-z0-9-]+/(?P<file>(?:[0-9]+x[0-9]+/)?[a-z0-9]+\.(?:m3u8|ts))", "animesama",
     _hls),
]
