"""``assist kcs`` on a real SQLite database and index folder: list, show, publish, reject. The
embedder is the fake one (the model is a seam); Chroma is the embedded one the CLI opens."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner, Result

from bot.cli import build_app
from bot.config import load_settings
from bot.kb.embedder import FakeEmbedder
from bot.kb.service import KnowledgeBase
from tests.service.kcs_support import (
    CEC_FIX,
    DANA,
    DAY_1,
    REPO,
    Clock,
    claimed,
    hand_off_screen,
    kcs_runtime,
    kcs_settings,
)


@pytest.fixture
def draft(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A draft KCS-0001 from a resolved handoff, in the database the CLI will open."""
    settings = kcs_settings(tmp_path)
    for name, value in {
        "ASSIST_PATHS__DATA_DIR": settings.paths.data_dir,
        "ASSIST_PATHS__ACCOUNTS_DIR": REPO / "knowledge/accounts",
        "ASSIST_PATHS__FLOWS_DIR": REPO / "knowledge/flows",
        "ASSIST_PATHS__RELEASES_FILE": REPO / "knowledge/releases.yaml",
        "ASSIST_PATHS__KCS_FILE": REPO / "knowledge/kcs.yaml",
    }.items():
        monkeypatch.setenv(name, str(value))
    monkeypatch.setattr("bot.kb.service.make_embedder", lambda settings: FakeEmbedder())
    runtime = kcs_runtime(settings, Clock(DAY_1))
    assert runtime.kcs is not None
    runtime.kcs.resolve(
        claimed(runtime, hand_off_screen(runtime)), DANA, "CEC off", article=CEC_FIX
    )
    runtime.store.engine.dispose()
    return settings.paths.data_dir


def run(*args: str) -> Result:
    return CliRunner().invoke(build_app(), list(args))


def test_list_show_publish_and_reject_from_the_command_line(draft: Path) -> None:
    listed = run("kcs", "list", "--status", "draft", "--json")
    assert listed.exit_code == 0, listed.output
    (article,) = json.loads(listed.stdout)
    assert (article["id"], article["status"], article["audience"]) == (
        "KCS-0001",
        "draft",
        "customer",
    )
    assert article["versions"] == ["9.4.0", "9.4.1"] and len(article["handoffs"]) == 1
    assert json.loads(run("kcs", "list", "--status", "published", "--json").stdout) == []
    table = run("kcs", "list")
    assert "KCS-0001" in table.stdout and "1 articles" in table.stdout
    shown = run("kcs", "show", "kcs-1")
    assert (
        shown.exit_code == 0
        and "KCS-0001 [draft] The second screen shows no signal" in shown.stdout
    )
    assert "fix 1:" in shown.stdout and "HDMI-CEC off" in shown.stdout

    published = run("kcs", "publish", "KCS-0001", "--by", "Dana")
    assert published.exit_code == 0, published.output
    assert "ok: KCS-0001 published as KCS-0001.md" in published.stdout
    kb = KnowledgeBase.from_settings(load_settings(), embedder=FakeEmbedder())
    chunks = kb.document("KCS-0001.md")
    assert chunks and chunks[0].doc_type == "kcs"
    shown = json.loads(run("kcs", "show", "KCS-0001", "--json").stdout)
    assert (shown["status"], shown["reviewed_by"], shown["source"]) == (
        "published",
        "cli:Dana",
        "KCS-0001.md",
    )

    rejected = run("kcs", "reject", "KCS-0001", "--why", "Superseded by SB-CX-2026-05.")
    assert rejected.exit_code == 0 and "rejected (Superseded by SB-CX-2026-05.)" in rejected.stdout
    kb.reload()
    assert kb.document("KCS-0001.md", "engineer") == []  # withdrawn from the knowledge base
    assert not (draft / "kcs" / "KCS-0001.md").exists()


def test_mistakes_are_one_line_errors(draft: Path) -> None:
    again = run("kcs", "reject", "KCS-0001", "--why", "dup")
    assert again.exit_code == 0
    twice = run("kcs", "publish", "KCS-0001")
    assert twice.exit_code == 1 and "is rejected; only a draft can be published" in twice.output
    unknown = run("kcs", "show", "KCS-0009")
    assert unknown.exit_code == 1 and "no article KCS-0009" in unknown.output
    bad_id = run("kcs", "show", "HO-1234")
    assert bad_id.exit_code == 1 and "is not an article id" in bad_id.output
    assert run("kcs", "list", "--status", "lost").exit_code == 2
    assert run("kcs", "reject", "KCS-0001").exit_code == 2  # --why is required
    assert "Traceback" not in twice.output + unknown.output + bad_id.output
