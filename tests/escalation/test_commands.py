"""The CLI groups, through a tiny Typer app as bot.cli mounts them."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner, Result

from bot.cli.escalation import accounts_app, escalation_app

SEEDS = Path(__file__).resolve().parents[2] / "knowledge" / "accounts"
RELEASES_YAML = """\
products:
  cx-codec:
    - {version: "9.4.1", date: 2026-06-08}
    - {version: "10.0.0", date: 2026-09-14}
"""


def invoke(*args: str) -> Result:
    app = typer.Typer()
    app.add_typer(escalation_app, name="escalation")
    app.add_typer(accounts_app, name="accounts")
    return CliRunner().invoke(app, list(args))


@pytest.fixture
def releases(tmp_path: Path) -> Path:
    path = tmp_path / "releases.yaml"
    path.write_text(RELEASES_YAML, encoding="utf-8")
    return path


def decide_json(accounts_dir: Path, releases: Path, *extra: str) -> dict[str, object]:
    result = invoke(
        "escalation", "decide", "--accounts", str(accounts_dir), "--releases", str(releases),
        *extra, "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output + result.stderr
    data = json.loads(result.stdout)
    assert isinstance(data, dict)
    return data


def test_decide_json_with_utc_input(accounts_dir: Path, releases: Path) -> None:
    data = decide_json(
        accounts_dir, releases,
        "--site", "bos", "--asset", "BOS-1", "--category", "hardware",
        "--remote-resolution", "failed", "--determined-at", "2026-11-24T19:32:00Z",
    )  # fmt: skip
    assert data["entitled"] is True and data["tier"] == "premier"
    assert data["route"] == "live_transfer" and data["callback_at"] is None
    assert data["site_representative_required"] is True
    actions = data["actions"]
    assert isinstance(actions, list)
    assert {k: v for k, v in actions[0].items() if k != "reason"} == {
        "kind": "ship_replacement",
        "dispatch_date": "2026-11-24",
        "delivery_date": "2026-11-25",
        "return_due_date": "2026-12-03",
    }
    reasons = data["reasons"]
    assert isinstance(reasons, list)
    assert any("confirmed at 14:32 Boston time, before the 15:00 cutoff" in r for r in reasons)


def test_decide_local_time_and_later_now(accounts_dir: Path, releases: Path) -> None:
    data = decide_json(
        accounts_dir, releases,
        "--site", "bos", "--asset", "BOS-1", "--category", "hardware",
        "--remote-resolution", "failed", "--determined-at", "2026-11-20T15:30",
        "--now", "2026-11-20T17:45:00",
    )  # fmt: skip
    assert data["route"] == "callback"
    assert data["callback_at"] == "2026-11-23T08:00:00-05:00"
    actions = data["actions"]
    assert isinstance(actions, list) and actions[0]["dispatch_date"] == "2026-11-23"


def test_decide_premier_plus_and_software_target(accounts_dir: Path, releases: Path) -> None:
    data = decide_json(
        accounts_dir, releases,
        "--site", "bos-plus", "--asset", "BOSP-1", "--category", "hardware",
        "--remote-resolution", "failed", "--unrepairable", "--determined-at", "2026-11-24T03:00",
    )  # fmt: skip
    actions = data["actions"]
    assert isinstance(actions, list)
    assert [a["kind"] for a in actions] == ["onsite_dispatch", "tm_quote"]
    assert actions[0]["onsite_date"] == "2026-11-25"
    data = decide_json(
        accounts_dir, releases,
        "--site", "bos", "--asset", "BOS-1", "--category", "software",
        "--remote-resolution", "not_attempted", "--determined-at", "2026-11-24T10:00",
    )  # fmt: skip
    actions = data["actions"]
    assert isinstance(actions, list) and actions[0]["target_version"] == "10.0.0"
    # As of a day before 10.0.0 was released, the target is the newest release then.
    data = decide_json(
        accounts_dir, releases,
        "--site", "bos", "--asset", "BOS-1", "--category", "software",
        "--remote-resolution", "not_attempted", "--determined-at", "2026-08-01T10:00",
    )  # fmt: skip
    actions = data["actions"]
    assert isinstance(actions, list) and actions[0]["target_version"] == "9.4.1"


def test_decide_not_covered(accounts_dir: Path, releases: Path) -> None:
    data = decide_json(
        accounts_dir, releases,
        "--site", "old", "--asset", "OLD-A", "--category", "hardware",
        "--remote-resolution", "failed", "--determined-at", "2026-06-01T10:00",
    )  # fmt: skip
    assert data["entitled"] is False and data["tier"] is None
    assert data["route"] == "not_covered" and data["actions"] == []


def test_decide_table_output(accounts_dir: Path, releases: Path) -> None:
    result = invoke(
        "escalation", "decide", "--accounts", str(accounts_dir), "--releases", str(releases),
        "--site", "lon", "--asset", "LON-1", "--category", "hardware",
        "--remote-resolution", "failed", "--determined-at", "2026-12-24T16:00",
    )  # fmt: skip
    assert result.exit_code == 0
    assert "ship_replacement" in result.stdout and "2026-12-29" in result.stdout
    assert "Boxing Day" in result.stdout


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--site", "nope", "--determined-at", "2026-11-24T10:00"], "unknown site 'nope'"),
        (["--site", "bos", "--determined-at", "24/11/2026 10:00"], "--determined-at: '24/11"),
        (["--site", "bos", "--determined-at", "2026-11-24"], "not an ISO 8601 date and time"),
        (
            ["--site", "bos", "--determined-at", "2026-11-24T10:00", "--now", "soon"],
            "--now: 'soon'",
        ),
    ],
)
def test_decide_errors_are_one_line(
    accounts_dir: Path, releases: Path, args: list[str], message: str
) -> None:
    result = invoke(
        "escalation", "decide", "--accounts", str(accounts_dir), "--releases", str(releases),
        "--asset", "BOS-1", "--category", "hardware", "--remote-resolution", "failed", *args,
    )  # fmt: skip
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr.startswith("error: ") and message in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr


def test_decide_reports_bad_accounts(tmp_path: Path, releases: Path) -> None:
    folder = tmp_path / "broken"
    folder.mkdir()
    (folder / "x.yaml").write_text("customers:\n  - id: a\n    name: A\n    colour: red\n")
    result = invoke(
        "escalation", "decide", "--accounts", str(folder), "--releases", str(releases),
        "--site", "a", "--asset", "X", "--category", "hardware",
        "--determined-at", "2026-11-24T10:00",
    )  # fmt: skip
    assert result.exit_code == 1 and f"{folder / 'x.yaml'}:4:" in result.stderr


def test_accounts_check_counts_seeds() -> None:
    result = invoke("accounts", "check", str(SEEDS))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("ok: ") and "customers" in result.stdout
    data = json.loads(invoke("accounts", "check", str(SEEDS), "--json").stdout)
    assert data["ok"] is True and data["customers"] >= 6 and data["countries"] >= 5


def test_accounts_check_names_file_and_line(tmp_path: Path) -> None:
    folder = tmp_path / "bad"
    folder.mkdir()
    (folder / "sites.yaml").write_text(
        "customers:\n"
        "  - id: a\n"
        "    name: A\n"
        "    sites:\n"
        "      - {id: s, name: S, timezone: Mars/Olympus, country: US, access_code: ABCD-1}\n"
    )
    result = invoke("accounts", "check", str(folder))
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        f"error: {folder / 'sites.yaml'}:5: unknown IANA timezone 'Mars/Olympus' "
        "(e.g. Europe/London)"
    )


def test_building_the_cli_loads_no_models_or_holiday_tables() -> None:
    code = (
        "import sys, bot.cli.escalation; "
        "print(sorted(m for m in ('holidays', 'pydantic', 'yaml', 'rich') if m in sys.modules))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


def test_rotate_code_prints_a_strong_code_once_and_stores_only_its_hash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    from bot.errors import AccountsError
    from bot.escalation.accounts import MIN_CODE_BITS, code_bits, load_accounts

    key = "k" * 40
    monkeypatch.setenv("ASSIST_SERVER__ACCESS_CODE_KEY", key)
    folder = tmp_path / "accounts"
    shutil.copytree(SEEDS, folder)
    before = (folder / "demo.yaml").read_text()
    result = invoke("accounts", "rotate-code", "demo-boston", "--dir", str(folder))
    assert result.exit_code == 0, result.output
    code = result.stdout.split(": ", 1)[1].splitlines()[0]
    assert code_bits(code) >= MIN_CODE_BITS and code_bits("DEMO-1234") < MIN_CODE_BITS
    after = (folder / "demo.yaml").read_text()
    assert code not in after and 'access_code: "DEMO-1234"' not in after
    assert "access_code_hash" in after
    assert "DEMOPLUS-5678" in after and len(after.splitlines()) == len(before.splitlines())
    accounts = load_accounts(folder, code_key=key)
    site = accounts.site_for_code(code.lower())
    assert site is not None and site.id == "demo-boston"
    assert accounts.site_for_code("DEMO-1234") is None
    assert load_accounts(folder).site_for_code(code) is None  # another key: no match
    with pytest.raises(AccountsError, match="too weak for production"):
        load_accounts(folder, code_key=key, strong_codes=True)  # the other sites' codes
    missing = invoke("accounts", "rotate-code", "nowhere", "--dir", str(folder))
    assert missing.exit_code == 1 and "no site" in missing.output
