"""Business calendar: tables to the second, holidays, both DST changes, and properties."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from functools import cache
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.escalation.calendar import BusinessCalendar, BusinessHours

NY = ZoneInfo("America/New_York")


@cache
def calendar(
    zone: str = "America/New_York",
    country: str = "US",
    subdivision: str | None = "MA",
    hours: tuple[tuple[str, str], ...] = (),
) -> BusinessCalendar:
    parsed = BusinessHours.parse(dict(hours)) if hours else None
    return BusinessCalendar(zone, country, subdivision, parsed)


def local(zone: str, text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(zone))


# -- business hours ---------------------------------------------------------------------------


def test_default_hours_are_weekdays_eight_to_five() -> None:
    hours = BusinessHours.default()
    assert hours.week[:5] == ((480, 1020),) * 5
    assert hours.week[5:] == (None, None)
    assert hours.describe() == "Mon-Fri 08:00-17:00"


@pytest.mark.parametrize(
    ("spec", "described"),
    [
        ({"mon-fri": "08:00-17:00", "sat": "09:00-12:00"}, "Mon-Fri 08:00-17:00, Sat 09:00-12:00"),
        ({"mon,wed": "07:30-16:30"}, "Mon 07:30-16:30, Wed 07:30-16:30"),
        ({"mon-sun": "00:00-24:00"}, "Mon-Sun 00:00-24:00"),
        ({"mon-fri": "08:00-17:00", "fri": "closed"}, None),
        ({"MON-Thu": "08:00-17:00", "sun": "closed"}, "Mon-Thu 08:00-17:00"),
    ],
)
def test_hours_parse(spec: dict[str, str], described: str | None) -> None:
    if described is None:
        with pytest.raises(ValueError, match="listed twice"):
            BusinessHours.parse(spec)
    else:
        assert BusinessHours.parse(spec).describe() == described


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"mon-fri": "8-17"}, "HH:MM-HH:MM"),
        ({"mon-fri": "17:00-08:00"}, "opening must be before closing"),
        ({"mon-fri": "08:00-24:30"}, "opening must be before closing"),
        ({"fri-mon": "08:00-17:00"}, "runs backwards"),
        ({"weekdays": "08:00-17:00"}, "unknown day"),
        ({"sat": "closed"}, "at least one day"),
    ],
)
def test_hours_parse_errors(spec: dict[str, str], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        BusinessHours.parse(spec)


def test_calendar_refuses_unknown_region() -> None:
    with pytest.raises(ValueError, match="ISO 3166-1"):
        BusinessCalendar("Europe/Paris", "XX")
    with pytest.raises(ValueError, match="subdivision 'ZZ'"):
        BusinessCalendar("America/New_York", "US", "ZZ")


# -- business days and holidays -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("zone", "country", "subdivision", "day", "business"),
    [
        ("America/New_York", "US", "MA", "2026-11-26", False),  # Thanksgiving
        ("America/New_York", "US", "MA", "2026-11-27", True),  # day after: a business day
        ("America/New_York", "US", "MA", "2026-04-20", False),  # Patriots' Day (MA only)
        ("America/Chicago", "US", None, "2026-04-20", True),
        ("Europe/London", "GB", "ENG", "2026-04-03", False),  # Good Friday
        ("Europe/London", "GB", "ENG", "2026-04-06", False),  # Easter Monday
        ("Europe/London", "GB", "ENG", "2026-12-24", True),
        ("Europe/London", "GB", "ENG", "2026-12-25", False),
        ("Europe/London", "GB", "ENG", "2026-12-28", False),  # Boxing Day (observed)
        ("Europe/Berlin", "DE", None, "2026-12-24", True),  # Heiligabend is not a public holiday
        ("Europe/Berlin", "DE", None, "2026-12-25", False),
        ("Europe/Berlin", "DE", None, "2026-12-26", False),  # a Saturday and a holiday
        ("Europe/Berlin", "DE", "BY", "2027-01-06", False),  # Epiphany in Bavaria
        ("Europe/Berlin", "DE", None, "2027-01-06", True),
        ("America/Toronto", "CA", "ON", "2026-10-12", False),  # Thanksgiving (Canada)
        ("America/Mexico_City", "MX", None, "2026-11-16", False),  # Revolution Day
        ("Asia/Tokyo", "JP", None, "2026-11-23", False),  # Labour Thanksgiving Day
        ("America/New_York", "US", "MA", "2026-11-28", False),  # Saturday
    ],
)
def test_is_business_day(
    zone: str, country: str, subdivision: str | None, day: str, business: bool
) -> None:
    assert calendar(zone, country, subdivision).is_business_day(date.fromisoformat(day)) is business


def test_holiday_name_and_holidays_between() -> None:
    cal = calendar("Europe/London", "GB", "ENG")
    assert cal.holiday_name(date(2026, 12, 25)) == "Christmas Day"
    assert cal.holiday_name(date(2026, 12, 24)) is None
    # Boxing Day itself falls on a Saturday (closed anyway), so only the weekday ones explain.
    assert cal.holidays_between(date(2026, 12, 24), date(2026, 12, 29)) == [
        (date(2026, 12, 25), "Christmas Day"),
        (date(2026, 12, 28), "Boxing Day (observed)"),
    ]


@pytest.mark.parametrize(
    ("day", "count", "expected"),
    [
        ("2026-11-24", 0, "2026-11-24"),
        ("2026-11-24", 1, "2026-11-25"),
        ("2026-11-25", 1, "2026-11-27"),  # over Thanksgiving
        ("2026-11-25", 5, "2026-12-03"),
        ("2026-11-27", 1, "2026-11-30"),  # over the weekend
        ("2026-11-28", 1, "2026-11-30"),  # from a Saturday
        ("2026-12-24", 1, "2026-12-28"),  # over Christmas
        ("2026-12-31", 1, "2027-01-04"),  # over New Year
    ],
)
def test_add_business_days_boston(day: str, count: int, expected: str) -> None:
    result = calendar().add_business_days(date.fromisoformat(day), count)
    assert result == date.fromisoformat(expected)


def test_add_business_days_refuses_negative() -> None:
    with pytest.raises(ValueError, match="negative"):
        calendar().add_business_days(date(2026, 1, 5), -1)


# -- business time -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "open_"),
    [
        ("2026-11-24T07:59:59", False),
        ("2026-11-24T08:00:00", True),
        ("2026-11-24T16:59:59", True),
        ("2026-11-24T17:00:00", False),
        ("2026-11-26T10:00:00", False),  # Thanksgiving
        ("2026-11-22T10:00:00", False),  # Sunday
        ("2026-03-09T08:00:00", True),  # first Monday of EDT
        ("2026-11-02T16:59:59", True),  # first Monday of EST
    ],
)
def test_is_business_time_boston(text: str, open_: bool) -> None:
    assert calendar().is_business_time(local("America/New_York", text)) is open_


def test_is_business_time_reads_utc_on_the_site_clock() -> None:
    cal = calendar()
    # 13:00Z is 08:00 EST in November but 09:00 EDT in March; 12:00Z is 07:00 EST / 08:00 EDT.
    assert cal.is_business_time(datetime(2026, 11, 24, 13, 0, tzinfo=UTC))
    assert not cal.is_business_time(datetime(2026, 11, 24, 12, 59, 59, tzinfo=UTC))
    assert cal.is_business_time(datetime(2026, 3, 9, 12, 0, tzinfo=UTC))


def test_naive_datetimes_are_refused() -> None:
    with pytest.raises(ValueError, match="aware"):
        calendar().is_business_time(datetime(2026, 11, 24, 10, 0))


@pytest.mark.parametrize(
    ("zone", "country", "subdivision", "text", "expected"),
    [
        ("America/New_York", "US", "MA", "2026-11-24T10:00:00", "2026-11-24T10:00:00-05:00"),
        ("America/New_York", "US", "MA", "2026-11-24T06:00:00", "2026-11-24T08:00:00-05:00"),
        ("America/New_York", "US", "MA", "2026-11-24T17:00:00", "2026-11-25T08:00:00-05:00"),
        ("America/New_York", "US", "MA", "2026-11-25T17:30:00", "2026-11-27T08:00:00-05:00"),
        ("America/New_York", "US", "MA", "2026-11-22T23:00:00", "2026-11-23T08:00:00-05:00"),
        ("America/New_York", "US", "MA", "2026-05-24T23:00:00", "2026-05-26T08:00:00-04:00"),
        # US DST: Saturday in EST, opening Monday in EDT, and back.
        ("America/New_York", "US", "MA", "2026-03-07T20:00:00", "2026-03-09T08:00:00-04:00"),
        ("America/New_York", "US", "MA", "2026-10-31T20:00:00", "2026-11-02T08:00:00-05:00"),
        # EU DST (last Sundays of March and October).
        ("Europe/Berlin", "DE", None, "2026-03-28T20:00:00", "2026-03-30T08:00:00+02:00"),
        ("Europe/Berlin", "DE", None, "2026-10-24T20:00:00", "2026-10-26T08:00:00+01:00"),
        ("Europe/London", "GB", "ENG", "2026-03-28T20:00:00", "2026-03-30T08:00:00+01:00"),
        ("Europe/London", "GB", "ENG", "2026-04-05T23:00:00", "2026-04-07T08:00:00+01:00"),
        ("Europe/London", "GB", "ENG", "2026-12-24T17:00:00", "2026-12-29T08:00:00+00:00"),
    ],
)
def test_next_opening(
    zone: str, country: str, subdivision: str | None, text: str, expected: str
) -> None:
    result = calendar(zone, country, subdivision).next_opening(local(zone, text))
    assert result.isoformat() == expected
    assert result.tzinfo == ZoneInfo(zone)


def test_next_opening_inside_a_dst_gap_opens_when_clocks_resume() -> None:
    cal = calendar(hours=(("mon-sun", "02:30-03:30"),))
    # 2026-03-08: New York jumps from 02:00 EST to 03:00 EDT; 02:30 never happens.
    result = cal.next_opening(local("America/New_York", "2026-03-08T01:00:00"))
    assert result.isoformat() == "2026-03-08T03:00:00-04:00"
    assert cal.is_business_time(result)


def test_next_opening_in_a_repeated_hour_takes_the_second_pass() -> None:
    cal = calendar(hours=(("mon-sun", "01:00-01:30"),))
    first_pass_after_window = datetime(2026, 11, 1, 1, 40, tzinfo=NY)  # fold=0: EDT
    result = cal.next_opening(first_pass_after_window)
    assert result.isoformat() == "2026-11-01T01:00:00-05:00"


def test_localize_handles_gap_and_repeat() -> None:
    cal = calendar()
    assert cal.localize(datetime(2026, 3, 8, 2, 30)).isoformat() == "2026-03-08T03:30:00-04:00"
    assert cal.localize(datetime(2026, 11, 1, 1, 30)).isoformat() == "2026-11-01T01:30:00-04:00"
    aware = datetime(2026, 11, 24, 19, 32, tzinfo=UTC)
    assert cal.localize(aware).isoformat() == "2026-11-24T14:32:00-05:00"


# -- properties ------------------------------------------------------------------------------------

CALENDARS = st.sampled_from(
    [
        ("America/New_York", "US", "MA", ()),
        ("Europe/London", "GB", "ENG", ()),
        ("Europe/Berlin", "DE", "BY", (("mon-fri", "07:30-16:30"), ("sat", "09:00-12:00"))),
        ("Australia/Sydney", "AU", "NSW", ()),
        ("Australia/Lord_Howe", "AU", None, (("mon-sun", "01:45-02:45"),)),
        ("Asia/Tokyo", "JP", None, (("mon-fri", "09:00-18:00"),)),
        ("America/Mexico_City", "MX", None, (("mon-sun", "00:00-24:00"),)),
        ("America/New_York", "US", None, (("mon-sun", "02:30-03:30"),)),
        ("America/St_Johns", "CA", "NL", (("mon-fri", "00:30-01:30"),)),
        ("America/New_York", "US", "MA", (("mon-sun", "01:15-01:45"),)),  # the repeated hour
    ]
)
MOMENTS = st.datetimes(
    min_value=datetime(2024, 1, 1), max_value=datetime(2030, 12, 31), timezones=st.just(UTC)
)
DAYS = st.dates(min_value=date(2024, 1, 1), max_value=date(2030, 12, 31))
PROPERTY = settings(max_examples=150, deadline=None, database=None)


@PROPERTY
@given(spec=CALENDARS, moment=MOMENTS)
def test_next_opening_is_the_first_business_moment_not_before(
    spec: tuple[str, str, str | None, tuple[tuple[str, str], ...]], moment: datetime
) -> None:
    cal = calendar(*spec)
    opening = cal.next_opening(moment)
    assert opening >= moment
    assert cal.is_business_time(opening)
    assert opening.tzinfo == cal.zone
    if opening > moment:
        # Step back in UTC: aware arithmetic within one zone is wall-clock arithmetic.
        assert not cal.is_business_time(opening.astimezone(UTC) - timedelta(seconds=1))
        assert not cal.is_business_time(moment)
    assert cal.next_opening(opening) == opening


@PROPERTY
@given(spec=CALENDARS, moment=MOMENTS)
def test_business_time_does_not_depend_on_the_input_zone(
    spec: tuple[str, str, str | None, tuple[tuple[str, str], ...]], moment: datetime
) -> None:
    cal = calendar(*spec)
    in_tokyo = moment.astimezone(ZoneInfo("Asia/Tokyo"))
    assert cal.is_business_time(moment) is cal.is_business_time(in_tokyo)


@PROPERTY
@given(spec=CALENDARS, day=DAYS, n=st.integers(min_value=1, max_value=25))
def test_add_business_days_lands_on_a_later_business_day(
    spec: tuple[str, str, str | None, tuple[tuple[str, str], ...]], day: date, n: int
) -> None:
    cal = calendar(*spec)
    result = cal.add_business_days(day, n)
    assert result > day
    assert cal.is_business_day(result)
    assert cal.add_business_days(day, n - 1) < result  # monotonic in n
    assert cal.next_business_day(cal.add_business_days(day, n - 1)) == result


@PROPERTY
@given(spec=CALENDARS, day=DAYS)
def test_next_business_day_skips_only_closed_days(
    spec: tuple[str, str, str | None, tuple[tuple[str, str], ...]], day: date
) -> None:
    cal = calendar(*spec)
    following = cal.next_business_day(day)
    assert following > day and cal.is_business_day(following)
    gap = (following - day).days
    assert all(not cal.is_business_day(day + timedelta(days=k)) for k in range(1, gap))


@PROPERTY
@given(spec=CALENDARS, first=DAYS, second=DAYS, n=st.integers(min_value=0, max_value=15))
def test_add_business_days_preserves_order(
    spec: tuple[str, str, str | None, tuple[tuple[str, str], ...]],
    first: date,
    second: date,
    n: int,
) -> None:
    cal = calendar(*spec)
    early, late = sorted((first, second))
    assert cal.add_business_days(early, n) <= cal.add_business_days(late, n)
