from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from bot import errors
from bot.cli import build_app
from bot.config import Settings, load_settings
from bot.errors import ConfigError

runner = CliRunner()


def test_settings_from_env_with_nested_delimiter(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSIST_SERVER__PORT", "9001")
    monkeypatch.setenv("ASSIST_RETRIEVAL__K", "7")
    s = load_settings()
    assert s.server.port == 9001 and s.retrieval.k == 7
    assert s.db_url.startswith("sqlite:///") and s.chroma_dir == Path("var/index")


def test_bad_value_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASSIST_SERVER__PORT", "not-a-port")
    with pytest.raises(ConfigError) as err:
        load_settings()
    assert err.value.setting == "ASSIST_SERVER__PORT" and "ASSIST_SERVER__PORT" in str(err.value)


def test_production_refuses_insecure_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    strong = "k" * 32
    with pytest.raises(ConfigError, match="access_code_key"):
        load_settings(environment="production", server={"engineer_api_keys": [strong]})
    monkeypatch.setenv("ASSIST_SERVER__ACCESS_CODE_KEY", "c" * 32)
    with pytest.raises(ConfigError, match="development key"):
        load_settings(environment="production")
    for weak in ([""], ["k3y"], [strong, " " * 40]):
        with pytest.raises(ConfigError, match="at least 32 characters"):
            load_settings(environment="production", server={"engineer_api_keys": weak})
    with pytest.raises(ConfigError, match="cors"):
        load_settings(
            environment="production",
            server={"engineer_api_keys": [strong], "cors_origins": ["*"]},
        )
    ok = load_settings(environment="production", server={"engineer_api_keys": [strong]})
    assert isinstance(ok, Settings)
    assert isinstance(
        load_settings(environment="production", server={"engineer_api_keys": []}), Settings
    )


def test_error_tree_is_drawn_and_carries_context() -> None:
    doc = errors.__doc__ or ""
    for name in (
        "ConfigError",
        "DocumentReadError",
        "StoreUnavailableError",
        "FlowDefinitionError",
    ):
        assert name in doc and issubclass(getattr(errors, name), errors.AssistError)
    e = errors.FlowDefinitionError(
        "unknown step 'x'", file="f.yaml", flow="echo", step="s1", fix="add it"
    )
    assert (e.file, e.flow, e.step) == ("f.yaml", "echo", "s1")
    assert str(e) == "f.yaml, flow 'echo', step 's1': unknown step 'x' Fix: add it"


def test_cli_version_and_help() -> None:
    app = build_app()
    result = runner.invoke(app, ["--version"])
    assert result.exit_code == 0 and result.stdout.startswith("assist ")
    helped = runner.invoke(app, ["--help"])
    for command in ("ingest", "ask", "eval", "serve"):
        assert command in helped.stdout


def test_cli_unknown_setting_value_is_one_line(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("ASSIST_INDEX__CHROMA_MODE", "cloud")
    result = runner.invoke(build_app(), ["ask", "hello", "--index", str(tmp_path)])
    assert result.exit_code == 1
    assert result.stderr.strip().startswith("error: ASSIST_INDEX__CHROMA_MODE")
    assert "Traceback" not in result.output


def test_cli_ingest_missing_folder(tmp_path: Path) -> None:
    result = runner.invoke(build_app(), ["ingest", str(tmp_path / "nope")])
    assert result.exit_code == 1 and "is not a folder" in result.stderr


def test_eval_dataset_errors_are_specific(tmp_path: Path) -> None:
    bad = tmp_path / "q.jsonl"
    bad.write_text('{"id": "a", "question": "x", "gold_files": []}\nnot json\n')
    result = runner.invoke(
        build_app(),
        ["eval", "retrieval", "--corpus", str(tmp_path), "--questions", str(bad), "--json"],
    )
    assert result.exit_code == 1 and "q.jsonl:2: not valid JSON" in result.stderr
    bad.write_text(json.dumps({"id": "a", "question": "x"}) + "\n")
    result = runner.invoke(
        build_app(),
        ["eval", "retrieval", "--corpus", str(tmp_path), "--questions", str(bad), "--json"],
    )
    assert result.exit_code == 1 and "q.jsonl:1: missing gold_files" in result.stderr
