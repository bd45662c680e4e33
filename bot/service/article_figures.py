"""Knowledge articles (KCS) created and used, for the resolution report.

The report does not know how articles are stored: it takes an ``ArticleSource``, a function
``(since, until) -> counts per article`` (``KnowledgeArticles.article_counts`` is one), and reads
three things of each count: ``article_id``, ``created_at`` and ``used``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Protocol

from bot.service.weeks import week_of, week_start_utc


class ArticleUse(Protocol):
    """One article's counts in a period: its id, when it was created, how often it was used."""

    @property
    def article_id(self) -> str: ...

    @property
    def created_at(self) -> datetime | None: ...

    @property
    def used(self) -> int: ...


ArticleSource = Callable[[datetime | None, datetime | None], Sequence[ArticleUse]]


@dataclass(frozen=True)
class ArticleFigures:
    """Articles created (from ``since`` on) and used, in all and per ISO week label."""

    created: int = 0
    used: int = 0
    top: tuple[tuple[str, int], ...] = ()  # (article id, uses), most used first
    created_by_week: Mapping[str, int] = field(default_factory=dict)
    used_by_week: Mapping[str, int] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "available": True,
            "created": self.created,
            "used": self.used,
            "top": [{"id": a, "uses": n} for a, n in self.top],
        }


NO_ARTICLES: dict[str, Any] = {"available": False, "created": 0, "used": 0, "top": []}


def gather(
    source: ArticleSource,
    weeks: Iterable[str],
    since: datetime | None,
) -> ArticleFigures:
    """Ask ``source`` for the whole period, then once per week (``weeks``: ISO labels) for the
    uses of that week; articles are counted as created in the week of their ``created_at``."""
    counts = list(source(since, None))
    created = [
        a for a in counts if a.created_at is not None and (since is None or a.created_at >= since)
    ]
    created_by_week: dict[str, int] = {}
    for a in created:
        assert a.created_at is not None
        label = week_of(a.created_at)
        created_by_week[label] = created_by_week.get(label, 0) + 1
    used_by_week = {
        w: sum(a.used for a in source(week_start_utc(w), week_start_utc(w) + timedelta(days=7)))
        for w in sorted({*weeks, *created_by_week})
    }
    ranked = sorted(((a.article_id, a.used) for a in counts if a.used), key=lambda x: (-x[1], x[0]))
    return ArticleFigures(
        created=len(created),
        used=sum(a.used for a in counts),
        top=tuple(ranked[:10]),
        created_by_week=created_by_week,
        used_by_week={w: n for w, n in used_by_week.items() if n},
    )
