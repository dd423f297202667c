"""Posters served by the app: fetched once through the guard, re-encoded with Pillow (upright,
within 600x900, a JPEG without metadata), cached with validators, a placeholder without one
or for anything that is not a decodable image, never another user's."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from PIL import Image

from tests.download_helpers import MediaServer
from tests.page_helpers import add_items, quick_user, session_login
from tests.poster_images import (
    CAMERA,
    GREY,
    animated_gif,
    cache_file,
    decoded,
    encoded,
    near,
    poster_jpeg,
    rotated_jpeg,
    transparent_png,
)


def _served(app, client, media: MediaServer, name: str, data: bytes, **item) -> tuple:
    """Serve `data` as the item's poster; the app's answer and the item id."""
    alice = quick_user(app, "alice")
    session_login(client, alice)
    [item_id] = add_items(app, alice, 1, poster_image=media.add(f"/{name}", data), **item)
    return client.get(f"/posters/{item_id}"), item_id


def test_a_large_png_with_alpha_is_stored_and_served_as_a_fitted_jpeg(app, client,
                                                                      media: MediaServer):
    first, item_id = _served(app, client, media, "big.png", transparent_png((1200, 2400)))
    assert first.status_code == 200 and first.headers["Content-Type"] == "image/jpeg"
    assert "max-age=3600" in first.headers["Cache-Control"] and first.headers["ETag"]
    img = decoded(first.data)
    assert img.size == (450, 900) and img.mode == "RGB"  # 1:2 kept, within 600x900
    assert near(img.getpixel((225, 100)), GREY)  # the see-through half, flattened
    assert near(img.getpixel((225, 800)), (255, 0, 0))
    assert "progressive" in img.info and "exif" not in img.info

    again = client.get(f"/posters/{item_id}.webp",
                       headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert client.get(f"/posters/{item_id}").data == first.data
    assert len(media.requests_to("/big.png")) == 1  # fetched once, then the stored JPEG
    stored = cache_file(Path(app.instance_path), media.url("/big.png"), "resized.jpg")
    assert stored.read_bytes() == first.data


def test_a_small_poster_is_not_enlarged(app, client, media: MediaServer):
    resp, _ = _served(app, client, media, "tiny.jpg", poster_jpeg((120, 180)))
    assert decoded(resp.data).size == (120, 180)


def test_an_exif_rotated_jpeg_comes_out_upright_without_its_metadata(app, client,
                                                                     media: MediaServer):
    resp, _ = _served(app, client, media, "rotated.jpg", rotated_jpeg())
    img = decoded(resp.data)
    assert img.size == (200, 300)
    assert near(img.getpixel((190, 10)), (0, 0, 255))  # the blue corner, now top-right
    assert near(img.getpixel((10, 10)), (255, 255, 255))
    assert not img.getexif() and CAMERA.encode() not in resp.data


def test_an_animated_gif_gives_its_first_frame(app, client, media: MediaServer):
    resp, _ = _served(app, client, media, "anim.gif", animated_gif())
    img = decoded(resp.data)
    assert img.size == (100, 150) and near(img.getpixel((50, 75)), (255, 0, 0))


BAD = {
    # 45 megapixels in a 6 KB file: refused from its header, never decoded.
    "bomb.png": lambda: encoded(Image.new("1", (5000, 9000)), "PNG"),
    "corrupt.jpg": lambda: b"\xff\xd8\xff\xe0\x00\x10JFIF" + bytes(range(256)) * 4,
    "truncated.jpg": lambda: poster_jpeg((600, 900))[:1500],
    "page.html": lambda: b"<!doctype html><html><body>Not found</body></html>",
}


@pytest.mark.parametrize("name", sorted(BAD))
def test_what_is_no_decodable_image_gives_the_placeholder_retried_later(
        app, client, media: MediaServer, name: str):
    from webapp.library.posters import MISS_RETRY_SECONDS

    resp, item_id = _served(app, client, media, name, BAD[name](), anime_title="Bad Poster")
    assert resp.status_code == 200 and resp.headers["Content-Type"] == "image/svg+xml"
    assert b">BP</text>" in resp.data
    assert client.get(f"/posters/{item_id}").headers["Content-Type"] == "image/svg+xml"
    assert len(media.requests_to(f"/{name}")) == 1  # a miss is not asked for at every view

    media.add(f"/{name}", poster_jpeg((300, 450)))  # the site fixed it
    miss = cache_file(Path(app.instance_path), media.url(f"/{name}"), "miss")
    past = time.time() - MISS_RETRY_SECONDS - 1
    os.utime(miss, (past, past))
    later = client.get(f"/posters/{item_id}")
    assert later.headers["Content-Type"] == "image/jpeg" and decoded(later.data).size == (300, 450)


def test_a_poster_kept_as_the_site_sent_it_by_an_earlier_version_is_re_encoded(
        app, client, media: MediaServer):
    alice = quick_user(app, "alice")
    session_login(client, alice)
    instance = Path(app.instance_path)
    png, broken = media.url("/old.png"), media.url("/old-broken.jpg")
    legacy = cache_file(instance, png, "png")
    legacy.parent.mkdir(parents=True, exist_ok=True)
    legacy.write_bytes(transparent_png((1000, 1500)))
    cache_file(instance, broken, "jpg").write_bytes(b"\xff\xd8\xff\xe0" + bytes(300))
    [old] = add_items(app, alice, 1, poster_image=png)
    [bad] = add_items(app, alice, 1, poster_image=broken,
                      anime_url="https://files.example.org/anime/broken/")

    resp = client.get(f"/posters/{old}")
    assert resp.headers["Content-Type"] == "image/jpeg" and decoded(resp.data).size == (600, 900)
    assert not legacy.exists() and cache_file(instance, png, "resized.jpg").is_file()
    assert client.get(f"/posters/{bad}").headers["Content-Type"] == "image/svg+xml"
    assert media.requests_to("/old.png") == [] and media.requests_to("/old-broken.jpg") == []


def test_no_poster_or_not_an_image_gives_an_escaped_placeholder(app, client,
                                                                media: MediaServer):
    alice = quick_user(app, "alice")
    session_login(client, alice)
    media.add("/evil.svg", b"<svg onload='alert(1)'></svg>")
    [bad] = add_items(app, alice, 1, anime_title='<b>"Evil"</b> Show',
                      poster_image=media.url("/evil.svg"))
    [none] = add_items(app, alice, 1, anime_title='<b>"Evil"</b> Show',
                       anime_url="https://files.example.org/anime/other/")
    for item_id in (bad, none):
        resp = client.get(f"/posters/{item_id}")
        assert resp.status_code == 200 and resp.headers["Content-Type"] == "image/svg+xml"
        assert b"onload" not in resp.data and b"<b>" not in resp.data
        assert b"&lt;b&gt;" in resp.data


def test_another_users_poster_is_404(app, client):
    bob = quick_user(app, "bob")
    [item_id] = add_items(app, bob, 1)
    session_login(client, quick_user(app, "alice"))
    assert client.get(f"/posters/{item_id}").status_code == 404
    assert client.get("/posters/nope").status_code == 404
