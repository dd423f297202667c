"""The calendar page (`/calendar`): released and predicted episodes by week and month.

`?view=week|month&start=YYYY-MM-DD` (default: this week); previous and next move by one
period. Days are UTC days. Released episodes show when they were first seen on the site
and whether their file reached the library; predicted ones are marked as expected.
"""

from __future__ import annotations

from datetime import date

from flask import request
from flask_login import current_user
from werkzeug.wrappers import Response

from webapp.clock import utcnow
from webapp.errors import Invalid
from webapp.pages import bp
from webapp.pages.htmx import page_or_fragment
from webapp.watchlist.calendar import VIEWS, Period, calendar_days

FIRST_YEAR, LAST_YEAR = 2000, 2100
MAX_PER_DAY = 30   # entries listed per day; the rest are counted


def _period(today: date) -> Period:
    """The period the query string asks for (a clear error for a bad view or date)."""
    view = request.args.get("view") or "week"
    if view not in VIEWS:
        raise Invalid("The calendar view must be week or month.",
                      [{"field": "view", "message": "must be week or month"}])
    start = request.args.get("start") or ""
    try:
        day = date.fromisoformat(start) if start and len(start) == 10 else \
            (today if not start else None)
    except ValueError:
        day = None
    if day is None or not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise Invalid("The calendar start must be a date like 2026-12-01.",
                      [{"field": "start", "message": "must be a date YYYY-MM-DD"}])
    return Period.of(view, day)


@bp.get("/calendar")
def calendar() -> Response:
    """The user's week or month of released and expected episodes."""
    today = utcnow().date()
    period = _period(today)
    days = calendar_days(current_user.id, period, today)
    return page_or_fragment("calendar/page.html", "calendar/_calendar.html",
                            period=period, days=days, today=today,
                            max_per_day=MAX_PER_DAY)
