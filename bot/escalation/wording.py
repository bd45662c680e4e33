"""Plain-words formatting of days, times and places for reasons and user messages.

Locale-independent on purpose: the names are spelled out here, so the same input reads the same
on every machine ("Wednesday 25 Nov", "14:32 Boston time").
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from bot.escalation.accounts import Site
    from bot.escalation.calendar import BusinessCalendar

_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def format_day(day: date, *, reference: date | None = None) -> str:
    """Return "Wednesday 25 Nov"; the year is added when it differs from ``reference``'s year,
    and always when there is no reference ("Friday 31 Dec 2027")."""
    text = f"{_WEEKDAYS[day.weekday()]} {day.day} {_MONTHS[day.month - 1]}"
    if reference is None or reference.year != day.year:
        text += f" {day.year}"
    return text


def format_time(moment: datetime) -> str:
    """Return the wall-clock time of an aware datetime as "14:32", in the zone it carries."""
    return f"{moment.hour:02d}:{moment.minute:02d}"


def place_name(site_name: str, city: str | None, timezone: str) -> str:
    """The name to put before "time": the site's city, else the city of its IANA zone.

    "America/New_York" gives "New York"; a site with ``city: Boston`` gives "Boston".
    ``site_name`` is the last resort for zones without a city part (e.g. "UTC").
    """
    if city:
        return city
    if "/" in timezone:
        return timezone.rsplit("/", 1)[1].replace("_", " ")
    return site_name


def join_words(items: Sequence[str]) -> str:
    """Join ["a", "b", "c"] as "a, b and c"."""
    if not items:
        return ""
    if len(items) == 1:
        return items[0]
    return ", ".join(items[:-1]) + " and " + items[-1]


@dataclass(frozen=True)
class SiteClock:
    """What every sentence about a decision needs: the site, its calendar, the site-local ``now``
    and determination time (``found``), and the place name to say "14:32 Boston time"."""

    site: Site
    calendar: BusinessCalendar
    now: datetime
    found: datetime
    place: str

    def day(self, value: date) -> str:
        """The day in words, with the year only when it is not ``now``'s year."""
        return format_day(value, reference=self.now.date())

    def skipped(self, start: date, end: date) -> str:
        """' (not counting <holiday> on <day>)' for holidays strictly between start and end."""
        found = self.calendar.holidays_between(start, end)
        if not found:
            return ""
        return " (not counting " + join_words([f"{n} on {self.day(d)}" for d, n in found]) + ")"
