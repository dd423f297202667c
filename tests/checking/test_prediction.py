"""Release prediction from the history of first-seen times: weekly shows get their slot,
irregular or finished ones get nothing."""

from __future__ import annotations

from datetime import datetime, timedelta

from webapp.checking.prediction import predict_weekly, releases

SAT_1700 = datetime(2026, 10, 3, 17, 0)  # a Saturday


def weekly(count: int, jitter_minutes: list[int] | None = None) -> list[datetime]:
    jitter = jitter_minutes or [0] * count
    return [SAT_1700 + timedelta(weeks=n, minutes=jitter[n % len(jitter)]) for n in range(count)]


def test_a_weekly_show_is_expected_on_its_slot_next_week() -> None:
    seen = weekly(8, [0, 12, -20, 5, 30, -10, 0, 8])
    now = seen[-1] + timedelta(days=2)
    prediction = predict_weekly(seen, now)
    assert prediction is not None and prediction.source == "history"
    expected = seen[-1].replace(hour=17, minute=0) + timedelta(weeks=1)
    assert abs(prediction.expected_at - expected) < timedelta(minutes=20)
    assert prediction.expected_at.weekday() == 5
    assert prediction.confidence >= 0.9


def test_a_batch_counts_once_and_a_slot_across_midnight_works() -> None:
    start = datetime(2026, 10, 4, 23, 50)  # Sunday, just before midnight
    seen = [start + timedelta(weeks=n, minutes=(-15, 20)[n % 2]) for n in range(6)]
    seen += [seen[0] + timedelta(minutes=3), seen[0] + timedelta(minutes=4)]  # a first batch
    assert len(releases(seen)) == 6
    prediction = predict_weekly(seen, seen[-3] + timedelta(days=1))
    assert prediction is not None
    assert abs(prediction.expected_at - (start + timedelta(weeks=6))) < timedelta(minutes=20)


def test_no_prediction_for_too_short_irregular_or_finished_shows() -> None:
    now = SAT_1700 + timedelta(weeks=10)
    assert predict_weekly(weekly(2), now) is None
    irregular = [SAT_1700 + timedelta(days=d) for d in (0, 3, 11, 12, 30, 33)]
    assert predict_weekly(irregular, now) is None
    scattered_hours = [SAT_1700 + timedelta(weeks=n, hours=(0, 9, -8, 5, -11)[n])
                       for n in range(5)]
    assert predict_weekly(scattered_hours, now) is None
    finished = weekly(6)
    assert predict_weekly(finished, finished[-1] + timedelta(weeks=3)) is None


def test_a_late_episode_keeps_its_expected_slot_for_a_while() -> None:
    seen = weekly(6)
    slot = seen[-1] + timedelta(weeks=1)
    late = predict_weekly(seen, slot + timedelta(days=2))
    assert late is not None and late.expected_at == slot
