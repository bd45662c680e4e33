"""The eval report's resolution section: the resolution report over the bundled conversation
scenarios (played into a database of their own), and the content gaps of the evaluation
questions the knowledge base abstains on.

The scenarios are a test set, not a week of traffic: their moments are chosen for the contract
rules, and several play the same rooms, so a "repeat contact" here is a scenario that came back
to a room an earlier one resolved. The report is taken as of ``days`` after the last scenario,
so every repeat window has closed.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

from bot.config import Settings
from bot.kb.embedder import Embedder
from bot.service.content_gaps import find_gaps
from bot.service.resolution import ResolutionReports, stored_article_counts
from bot.store.store import Store
from evals import plots


def scenario_settings(settings: Settings) -> Settings:
    """The settings with a fresh database of their own for the conversation scenarios (so the
    report counts only them, and earlier runs leave nothing behind)."""
    db = settings.paths.data_dir / "eval-conversations.db"
    db.parent.mkdir(parents=True, exist_ok=True)
    for leftover in (db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")):
        leftover.unlink(missing_ok=True)
    return settings.model_copy(update={"database_url": f"sqlite:///{db}"})


def resolution_section(settings: Settings, embedder: Embedder, out: Path) -> dict[str, Any]:
    """The resolution report over the scenarios' database, with its two plots."""
    store = Store.from_url(settings.db_url)
    try:
        reports = ResolutionReports(
            store,
            embedder,
            settings=settings.reports,
            articles=stored_article_counts(store, settings.paths.kcs_file),
        )
        conversations, _ = reports.facts()
        days = settings.reports.repeat_window_days
        last = max((c.ended_at for c in conversations), default=None)
        if last is None:
            return {"totals": {"conversations": 0}, "plots": []}
        data = reports.report(last + timedelta(days=days)).to_json(details=True)
    finally:
        store.engine.dispose()
    data["plots"] = [
        plots.resolution_bars(
            "Scenario outcomes per week", data["by_week"], "week", out / "resolution-weeks.png"
        ).name,
        plots.resolution_bars(
            "Scenario outcomes per flow", data["by_flow"], "flow_id", out / "resolution-flows.png"
        ).name,
    ]
    return data


def gaps_section(
    settings: Settings,
    embedder: Embedder,
    questions: dict[str, str],
    abstained_ids: list[str],
    dataset: str,
) -> dict[str, Any]:
    """Content gaps of the evaluation questions (``id -> text``) the retriever abstained on."""
    texts = [questions[i] for i in abstained_ids if i in questions]
    gaps = find_gaps(
        texts,
        embedder,
        threshold=settings.reports.gap_similarity,
        top=settings.reports.gap_clusters,
    )
    return {
        "dataset": dataset,
        "questions": len(questions),
        "abstained": len(texts),
        "gaps": [g.to_json() for g in gaps],
    }


def _pct(value: float) -> str:
    return f"{value:.0%}"


def render(report: dict[str, Any]) -> list[str]:
    """The Markdown lines of the section."""
    lines = ["## Resolution (conversation scenarios)", ""]
    res = report.get("resolution")
    if not res:
        lines += ["Not run (quick).", ""]
    elif not res["totals"]["conversations"]:
        lines += ["No conversations were stored.", ""]
    else:
        t = res["totals"]
        lines += [
            f"{res['definition']}. Taken as of {res['generated_at'][:10]}, {res['days']} days "
            "after the last scenario. The scenarios are a test set: several play the same rooms, "
            "so a repeat is a later scenario about a room an earlier one resolved.",
            "",
            f"{t['conversations']} conversations: {t['contained']} contained "
            f"({_pct(t['containment_rate'])}; said fixed: {_pct(t['reported_resolution_rate'])}), "
            f"{t['repeat_contacts']} repeat contacts, {t['handed_off']} handed off, "
            f"{t['unresolved']} unresolved; {t['abstained_questions']} abstained knowledge "
            "questions.",
            "",
            "| flow | conv. | contained | repeat | handed off | unresolved | abstained |",
            "|---|---|---|---|---|---|---|",
            *(
                f"| {f['flow_id']} | {f['conversations']} | {f['contained']} | "
                f"{f['repeat_contacts']} | {f['handed_off']} | {f['unresolved']} | "
                f"{f['abstained_questions']} |"
                for f in res["by_flow"]
            ),
            "",
            "| week | conv. | contained | repeat | handed off | unresolved | containment |",
            "|---|---|---|---|---|---|---|",
            *(
                f"| {w['week']} | {w['conversations']} | {w['contained']} | "
                f"{w['repeat_contacts']} | {w['handed_off']} | {w['unresolved']} | "
                f"{_pct(w['containment_rate'])} |"
                for w in res["by_week"]
            ),
            "",
            *(f"![{png}]({png})" for png in res["plots"]),
            "",
        ]
        articles = res["articles"]
        lines += [
            f"Knowledge articles: {articles['created']} created, {articles['used']} uses."
            if articles["available"]
            else "Knowledge articles: none (no article service).",
            "",
        ]
        repeats = [c for c in res.get("conversations", []) if c["outcome"] == "repeat"]
        if repeats:
            lines += [
                "Repeats: "
                + "; ".join(
                    f"{c['flow_id']} on {c['asset_serial'] or c['site_id']}" for c in repeats
                ),
                "",
            ]
        lines += _gap_lines(
            "Content gaps of the scenarios' unanswered questions", res["content_gaps"]
        )
    gaps = report.get("content_gaps")
    if gaps:
        title = (
            f"Content gaps of the evaluation questions ({gaps['abstained']} of "
            f"{gaps['questions']} in `{gaps['dataset']}` abstained)"
        )
        lines += _gap_lines(title, gaps["gaps"])
    return lines


def _gap_lines(title: str, gaps: list[dict[str, Any]]) -> list[str]:
    lines = [f"### {title}", ""]
    if not gaps:
        return [*lines, "None.", ""]
    lines += ["| asked | shared words | examples |", "|---|---|---|"]
    for g in gaps:
        examples = "<br>".join(e.replace("|", "\\|") for e in g["examples"])
        lines.append(f"| {g['size']} | {', '.join(g['terms'])} | {examples} |")
    return [*lines, ""]
