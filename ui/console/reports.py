"""What the resolution page shows, as plain data (no Streamlit): the report from the service, the
headline figures, the weekly and per-flow tables, and the content gaps."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pandas as pd

from bot.service.resolution import ResolutionReports
from bot.service.runtime import Runtime

OUTCOME_COLUMNS = ["contained", "repeat_contacts", "handed_off", "unresolved"]
TABLE_COLUMNS = [
    "conversations",
    *OUTCOME_COLUMNS,
    "abstained_questions",
    "containment_rate",
    "reported_resolution_rate",
    "window_open",
    "articles_created",  # per week only: the articles' counts carry no flow
    "article_uses",
]


@dataclass(frozen=True)
class ResolutionView:
    """The report as the page lays it out."""

    data: dict[str, Any]
    weeks: pd.DataFrame
    flows: pd.DataFrame
    gaps: list[dict[str, Any]]

    @property
    def totals(self) -> dict[str, Any]:
        return dict(self.data["totals"])

    @property
    def empty(self) -> bool:
        return not self.data["totals"]["conversations"]


def resolution_view(runtime: Runtime, now: datetime, days: int) -> ResolutionView:
    """The resolution report over the runtime's store as of ``now``, with a ``days`` window."""
    reports = ResolutionReports(
        runtime.store,
        runtime.embedder,
        settings=runtime.settings.reports,
        articles=runtime.kcs.article_counts if runtime.kcs is not None else None,
    )
    data = reports.report(now, days=days).to_json()
    weeks = pd.DataFrame(data["by_week"], columns=["week", "week_start", *TABLE_COLUMNS])
    flows = pd.DataFrame(data["by_flow"], columns=["flow_id", *TABLE_COLUMNS[:-2]])
    gaps = [
        {
            "asked": g["size"],
            "shared words": ", ".join(g["terms"]),
            "examples": " · ".join(g["examples"]),
        }
        for g in data["content_gaps"]
    ]
    return ResolutionView(data, weeks, flows, gaps)
