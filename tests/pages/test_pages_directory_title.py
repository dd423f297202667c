"""A directory listing gives no title: the item added with a title names the library
folder, never the URL's folder (issue 15, point 6; SPEC §5 `<Title>`)."""

from __future__ import annotations

from pathlib import Path

from tests.check_helpers import configure, new_show
from tests.download_helpers import run_worker
from tests.page_helpers import post


def test_the_title_given_on_add_names_the_library_folder(logged, app, fixture_site,
                                                          redis_conn):
    from webapp.checking.checker import EpisodeChecker
    from webapp.downloading.dispatch import dispatch_pending
    from webapp.extensions import db
    from webapp.models import Download, Source, WatchlistItem

    configure(app)
    url = new_show(fixture_site, "flat", episodes=1)
    resp = post(logged, "/add", {"anime_url": url, "provider_id": "directory",
                                 "anime_title": "My Show", "auto_download": "on"})
    assert resp.status_code == 303, resp.get_data(as_text=True)[:300]
    with app.app_context():
        item = db.session.query(WatchlistItem).one()
        assert EpisodeChecker().check_source(item.source_id).error is None
        assert db.session.get(Source, item.source_id).title is None  # the listing has none
        dispatch_pending()
        run_worker(redis_conn)   # the job runs in this app's context, as in tests/downloading
        download = db.session.query(Download).one()
        assert download.status == "completed", download.error
        path = Path(download.path)
    assert path.parent.name == "Season 01" and path.parent.parent.name == "My Show"
    assert path.name.startswith("My Show - S01E01")
