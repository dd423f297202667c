"""Video-host pages on the fixture site, so anime-sama players resolve end to end.

With SIBNET_BASE_URL = site.url, a player `https://video.sibnet.ru/shell.php?videoid=N`
is fetched here: the shell page names `/v/<hash>/N.mp4`, which answers 302 to
`/media/sibnet-N.mp4` (a Range-capable file) — and 403 without a Sibnet Referer, like
the real host.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from werkzeug.utils import redirect
from werkzeug.wrappers import Request, Response

if TYPE_CHECKING:
    from tests.fixture_site.server import FixtureSite

SHELL = """<!DOCTYPE html><html><head><title>Sibnet</title></head><body>
<video id="video" class="video-js"></video>
<script>var player = videojs('video');
player.src([{src: "/v/5f3a9c/%(id)s.mp4", type: "video/mp4"}]);</script>
</body></html>"""


def _shell(site: FixtureSite, request: Request, match: re.Match) -> Response:
    video_id = request.args.get("videoid", "")
    if not video_id.isdigit():
        return Response("<html><body>Video not found</body></html>", status=404,
                        content_type="text/html")
    return Response(SHELL % {"id": video_id}, content_type="text/html; charset=utf-8")


def _video(site: FixtureSite, request: Request, match: re.Match) -> Response:
    if "shell.php" not in request.headers.get("Referer", ""):
        return Response("Forbidden", status=403, content_type="text/plain")
    return redirect(f"/media/sibnet-{match['id']}.mp4", code=302)


ROUTES = [
    (r"/shell\.php", "animesama", _shell),
    (r"/v/[0-9a-f]+/(?P<id>\d+)\.mp4", "animesama", _video),
]
