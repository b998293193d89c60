"""The shared kernel: one clock with the register's day, and the rules the code itself keeps."""

from datetime import UTC, date, datetime

import pytest

from measures.core import clock


@pytest.mark.parametrize(
    ("moment", "day"),
    [
        (datetime(2026, 1, 15, 23, 30, tzinfo=UTC), date(2026, 1, 16)),  # 00:30 in Amsterdam (winter)
        (datetime(2026, 7, 15, 22, 30, tzinfo=UTC), date(2026, 7, 16)),  # 00:30 in Amsterdam (summer)
        (datetime(2026, 7, 15, 21, 59, tzinfo=UTC), date(2026, 7, 15)),
    ],
)
def test_the_registers_day_is_amsterdams(moment, day):
    assert clock.day_of(moment) == day


def test_today_follows_the_clock(monkeypatch):
    monkeypatch.setattr(clock, "now", lambda: datetime(2026, 12, 31, 23, 30, tzinfo=UTC))
    assert clock.today() == date(2027, 1, 1)


def test_the_end_of_a_day_is_midnight_in_amsterdam():
    assert clock.end_of_day(date(2026, 7, 15)) == datetime(2026, 7, 15, 22, 0, tzinfo=UTC)
