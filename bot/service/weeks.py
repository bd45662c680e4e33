"""ISO weeks as the reports label them: ``2026-W01`` (the ISO year, which differs from the
calendar year around New Year), in UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime, time


def week_of(moment: datetime) -> str:
    """The ISO week of a moment in UTC, as ``2026-W01``."""
    year, week, _ = moment.astimezone(UTC).isocalendar()
    return f"{year}-W{week:02d}"


def week_start(label: str) -> date:
    """The Monday of an ISO week label."""
    year, week = label.split("-W")
    return date.fromisocalendar(int(year), int(week), 1)


def week_start_utc(label: str) -> datetime:
    """The first moment of an ISO week, in UTC."""
    return datetime.combine(week_start(label), time(), UTC)
