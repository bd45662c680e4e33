"""A site's business calendar: opening hours in its time zone, minus its public holidays.

Promises, for every method that takes or returns a moment: aware datetimes in (any zone), aware
datetimes out in the site's zone; a naive datetime is refused with ``ValueError``. Wall-clock rules
(opening at 08:00, the 15:00 cutoff) follow the site's clock across both DST changes, because
every comparison is made on the site-local wall time and every constructed moment is normalised
through UTC.

A *business day* is a weekday with opening hours that is not a public holiday of the site's
country and subdivision (the ``holidays`` package's default public set). The holiday table is
built on first use and grows by itself for the years asked about.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import holidays
from pydantic import BaseModel, ConfigDict

if TYPE_CHECKING:
    from bot.escalation.accounts import Site

DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_HOURS = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
# Longest run of closed days we accept before deciding the data is wrong (a year plus slack).
_MAX_SCAN_DAYS = 800

Window = tuple[int, int]


class BusinessHours(BaseModel):
    """Opening hours per weekday: ``week[0]`` is Monday; a window is (open, close) in minutes after
    local midnight, close exclusive (with 17:00, 16:59:59 is open and 17:00:00 closed); ``None`` is
    closed all day."""

    model_config = ConfigDict(frozen=True)

    week: tuple[Window | None, ...]

    @classmethod
    def default(cls) -> BusinessHours:
        """Monday to Friday, 08:00-17:00."""
        return cls.parse({"mon-fri": "08:00-17:00"})

    @classmethod
    def parse(cls, spec: Mapping[str, object] | None) -> BusinessHours:
        """Read the YAML form ``{mon-fri: "08:00-17:00", sat: "09:00-12:00", sun: closed}``.

        Keys are day names (mon..sun), ranges (mon-fri) or comma lists (mon,wed); days not named
        are closed.
        Raises ``ValueError`` with a sentence saying what to fix.
        """
        if spec is None:
            return cls.default()
        week: list[Window | None] = [None] * 7
        named: set[int] = set()
        for key, value in spec.items():
            for day in _parse_days(str(key)):
                if day in named:
                    raise ValueError(f"'{DAY_NAMES[day]}' is listed twice in business_hours")
                named.add(day)
                week[day] = _parse_window(value)
        if all(window is None for window in week):
            raise ValueError("business_hours must open on at least one day")
        return cls(week=tuple(week))

    def window(self, weekday: int) -> Window | None:
        """The (open, close) minutes of a weekday (0 = Monday), or None when closed all day."""
        return self.week[weekday]

    def describe(self) -> str:
        """Human form, consecutive equal days grouped: "Mon-Fri 08:00-17:00, Sat 09:00-12:00"."""
        parts: list[str] = []
        day = 0
        while day < 7:
            window = self.week[day]
            end = day
            while end + 1 < 7 and self.week[end + 1] == window:
                end += 1
            if window is not None:
                days = DAY_NAMES[day].title()
                if end > day:
                    days += "-" + DAY_NAMES[end].title()
                parts.append(f"{days} {_hhmm(window[0])}-{_hhmm(window[1])}")
            day = end + 1
        return ", ".join(parts)


def _parse_days(key: str) -> list[int]:
    days: list[int] = []
    for part in key.lower().replace(" ", "").split(","):
        first, _, last = part.partition("-")
        if first not in DAY_NAMES or (last and last not in DAY_NAMES):
            raise ValueError(f"unknown day '{part}' in business_hours; use mon..sun, e.g. mon-fri")
        start = DAY_NAMES.index(first)
        stop = DAY_NAMES.index(last) if last else start
        if stop < start:
            raise ValueError(f"day range '{part}' runs backwards; write it as e.g. mon-fri")
        days.extend(range(start, stop + 1))
    return days


def _parse_window(value: object) -> Window | None:
    if isinstance(value, str) and value.strip().lower() == "closed":
        return None
    match = _HOURS.match(value) if isinstance(value, str) else None
    if match is None:
        raise ValueError(f'business hours {value!r} must read "HH:MM-HH:MM" (quoted) or "closed"')
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    start, stop = h1 * 60 + m1, h2 * 60 + m2
    if h1 > 23 or m1 > 59 or m2 > 59 or stop > 24 * 60 or start >= stop:
        raise ValueError(f"business hours {value!r}: opening must be before closing, up to 24:00")
    return (start, stop)


@functools.cache
def supported_regions() -> dict[str, list[str]]:
    """Every country ``holidays`` has a calendar for, with its subdivisions; the first call imports
    every country module (about a second), so a worker makes it while warming up."""
    return dict(holidays.list_supported_countries())


def region_problem(country: str, subdivision: str | None) -> str | None:
    """Why ``holidays`` has no calendar for this country / subdivision, or None when it has one."""
    supported = supported_regions()
    if country not in supported:
        return f"country '{country}' is not an ISO 3166-1 alpha-2 code with a holiday calendar"
    if subdivision is not None and subdivision not in supported[country]:
        known = ", ".join(supported[country]) or "none"
        return f"subdivision '{subdivision}' is not one of country '{country}' (known: {known})"
    return None


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


class BusinessCalendar:
    """Business time of one site. Cheap to build; the holiday table is built lazily on first use."""

    def __init__(
        self,
        timezone: str | ZoneInfo,
        country: str,
        subdivision: str | None = None,
        hours: BusinessHours | None = None,
    ) -> None:
        problem = region_problem(country, subdivision)
        if problem:
            raise ValueError(problem)
        self.zone = timezone if isinstance(timezone, ZoneInfo) else ZoneInfo(timezone)
        self.country = country
        self.subdivision = subdivision
        self.hours = hours or BusinessHours.default()
        self._holiday_table: holidays.HolidayBase | None = None

    @classmethod
    def for_site(cls, site: Site) -> BusinessCalendar:
        """The calendar of a loaded site (its zone, country, subdivision and hours)."""
        return cls(site.timezone, site.country, site.subdivision, site.business_hours)

    # -- moments -----------------------------------------------------------------------------

    def to_local(self, moment: datetime) -> datetime:
        """The same instant on the site's clock; refuses naive datetimes."""
        if moment.tzinfo is None or moment.utcoffset() is None:
            raise ValueError("an aware datetime is required (give it an offset or a zone)")
        return moment.astimezone(self.zone)

    def localize(self, wall: datetime) -> datetime:
        """Read a naive wall-clock time as site-local. A time skipped by a DST change moves forward
        by the gap; a repeated time takes its first occurrence. Aware input is just converted."""
        if wall.tzinfo is not None:
            return self.to_local(wall)
        return self._normalise(wall.replace(tzinfo=self.zone))

    def _normalise(self, local: datetime) -> datetime:
        return local.astimezone(UTC).astimezone(self.zone)

    # -- days --------------------------------------------------------------------------------

    def _holidays(self) -> holidays.HolidayBase:
        if self._holiday_table is None:
            self._holiday_table = holidays.country_holidays(self.country, subdiv=self.subdivision)
        return self._holiday_table

    def holiday_name(self, day: date) -> str | None:
        """The public holiday's name on that day, or None."""
        name = self._holidays().get(day)
        return str(name) if name is not None else None

    def is_business_day(self, day: date) -> bool:
        """True when the weekday has opening hours and the day is not a public holiday."""
        return self.hours.window(day.weekday()) is not None and day not in self._holidays()

    def next_business_day(self, day: date) -> date:
        """The first business day strictly after ``day``."""
        candidate = day
        for _ in range(_MAX_SCAN_DAYS):
            candidate += timedelta(days=1)
            if self.is_business_day(candidate):
                return candidate
        raise ValueError(f"no business day within {_MAX_SCAN_DAYS} days after {day}")

    def add_business_days(self, day: date, count: int) -> date:
        """``count`` business days after ``day``: ``day`` itself for 0, strictly later for 1 or
        more."""
        if count < 0:
            raise ValueError("count must not be negative")
        for _ in range(count):
            day = self.next_business_day(day)
        return day

    def holidays_between(self, start: date, end: date) -> list[tuple[date, str]]:
        """Public holidays strictly between two days that fall on a weekday with opening hours:
        the days that pushed a date later, for explaining it."""
        found: list[tuple[date, str]] = []
        day = start + timedelta(days=1)
        while day < end:
            name = self.holiday_name(day)
            if name is not None and self.hours.window(day.weekday()) is not None:
                found.append((day, name))
            day += timedelta(days=1)
        return found

    # -- business time -----------------------------------------------------------------------

    def is_business_time(self, moment: datetime) -> bool:
        """True when the site is open at that instant: a business day, at or after opening, before
        closing (wall-clock, so 16:59:59 is open and 17:00:00 is closed)."""
        local = self.to_local(moment)
        window = self.hours.window(local.weekday())
        if window is None or not self.is_business_day(local.date()):
            return False
        seconds = local.hour * 3600 + local.minute * 60 + local.second + local.microsecond / 1e6
        return window[0] * 60 <= seconds < window[1] * 60

    def next_opening(self, moment: datetime) -> datetime:
        """``moment`` itself (site-local) when open, else the first opening after it.

        An opening hour skipped by a DST change opens when the clocks resume; in a repeated hour
        (fall-back) the wall-clock window is open on both passes.
        """
        local = self.to_local(moment)
        if self.is_business_time(local):
            return local
        # Compare instants in UTC: within one zone Python compares wall times and ignores fold.
        instant = local.astimezone(UTC)
        day = local.date()
        for _ in range(_MAX_SCAN_DAYS):
            opening = self._opening(day)
            if opening is not None:
                if opening.astimezone(UTC) < instant:  # a repeated hour's second pass may be ahead
                    opening = self._normalise(opening.replace(fold=1))
                if opening.astimezone(UTC) > instant:
                    return opening
            day = self.next_business_day(day)
        raise ValueError(f"no opening within {_MAX_SCAN_DAYS} days after {local.isoformat()}")

    def _opening(self, day: date) -> datetime | None:
        """The first existing site-local moment of a business day's window (None: no window, or
        a window entirely inside a DST gap)."""
        window = self.hours.window(day.weekday())
        if window is None or not self.is_business_day(day):
            return None
        midnight = datetime.combine(day, time(0))
        for minute in range(window[0], window[1]):
            wall = midnight + timedelta(minutes=minute)
            local = self._normalise(wall.replace(tzinfo=self.zone))
            if local.replace(tzinfo=None) == wall:  # not inside a DST gap
                return local
        return None
