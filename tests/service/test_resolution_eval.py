"""The eval report's resolution section: the scenarios' database, the plots, the Markdown."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from PIL import Image

from bot.kb.embedder import FakeEmbedder
from bot.service.outcome import UserText
from bot.service.runtime import Runtime
from evals.resolution import gaps_section, render, resolution_section, scenario_settings

DAY1 = datetime(2026, 11, 24, 15, 0, tzinfo=UTC)
ROOM2_BLACK = "the main display in demo room 2 is black and says no input"
FIXED = "found it, it was on HDMI 2. switched to HDMI 1 and the picture is back"


def test_the_section_reports_the_scenarios_with_plots(runtime: Runtime, tmp_path: Path) -> None:
    now = [DAY1]
    runtime.assistant.clock = lambda: now[0]
    for day in (0, 2):  # resolved, then the same room again two days later
        now[0] = DAY1 + timedelta(days=day)
        chat = runtime.assistant.start("DEMO-1234")
        for said in (ROOM2_BLACK, FIXED):
            now[0] += timedelta(minutes=1)
            runtime.assistant.reply(chat.session_id, UserText(said))
    section = resolution_section(runtime.settings, FakeEmbedder(), tmp_path)
    totals = section["totals"]
    assert (totals["conversations"], totals["contained"], totals["repeat_contacts"]) == (2, 1, 1)
    assert totals["window_open"] == 0  # taken as of the window after the last scenario
    assert section["generated_at"].startswith("2026-12-03")
    for png in section["plots"]:
        with Image.open(tmp_path / png) as image:
            assert image.size[0] > 100
    gaps = gaps_section(
        runtime.settings,
        FakeEmbedder(dimension=256),
        {"q1": "pair a bluetooth speaker", "q2": "pair the bluetooth speaker", "q3": "weight"},
        ["q1", "q2"],
        "evals/datasets/x.jsonl",
    )
    assert (gaps["questions"], gaps["abstained"]) == (3, 2)
    text = "\n".join(render({"resolution": section, "content_gaps": gaps}))
    assert "| display-no-signal | 2 | 1 | 1 | 0 | 0 | 0 |" in text
    assert "| 2026-W48 | 2 | 1 | 1 | 0 | 0 | 50% |" in text
    assert "![resolution-weeks.png](resolution-weeks.png)" in text
    assert "2 of 3 in `evals/datasets/x.jsonl` abstained" in text
    assert "Not run (quick)." in "\n".join(render({}))


def test_the_scenarios_get_a_fresh_database_of_their_own(runtime: Runtime) -> None:
    first = scenario_settings(runtime.settings)
    assert first.db_url != runtime.settings.db_url and first.db_url.endswith(
        "eval-conversations.db"
    )
    db = Path(first.db_url.removeprefix("sqlite:///"))
    db.write_text("left over")
    scenario_settings(runtime.settings)
    assert not db.exists()
