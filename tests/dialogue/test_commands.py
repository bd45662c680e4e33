"""The CLI pieces: `flows check`, `flows graph`, `route --json`, `eval router --json`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from bot.cli.flows import (
    eval_dialogue_command,
    eval_router_command,
    flows_app,
    route_command,
)
from bot.dialogue.router import Router
from bot.dialogue.schema import Flow
from bot.kb.embedder import FakeEmbedder
from tests.dialogue.conftest import DATASETS, FLOWS_DIR

runner = CliRunner()


def test_check_passes_on_the_bundled_flows() -> None:
    result = runner.invoke(flows_app, ["check", str(FLOWS_DIR)])
    assert result.exit_code == 0, result.output
    assert result.stdout.startswith("12 flow(s) OK: ")


def test_check_reports_every_problem_and_exits_1(tmp_path: Path) -> None:
    good = (FLOWS_DIR / "echo.yaml").read_text(encoding="utf-8")
    (tmp_path / "echo.yaml").write_text(good, encoding="utf-8")
    (tmp_path / "broken.yaml").write_text(
        good.replace("id: echo\n", "id: echo2\n").replace("then: leave_second", "then: leave"),
        encoding="utf-8",
    )
    result = runner.invoke(flows_app, ["check", str(tmp_path)])
    assert result.exit_code == 1
    assert (
        "broken.yaml, flow 'echo2', step 'second_device': `next` refers to unknown step 'leave'."
        in result.stderr
    )
    assert "Fix: did you mean 'leave_second'?" in result.stderr
    assert "1 flow(s) valid." in result.stderr


def test_check_on_a_missing_folder_is_one_line(tmp_path: Path) -> None:
    result = runner.invoke(flows_app, ["check", str(tmp_path / "nope")])
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("error: ")


def test_graph_prints_mermaid() -> None:
    result = runner.invoke(flows_app, ["graph", "display-no-signal", "--dir", str(FLOWS_DIR)])
    assert result.exit_code == 0
    assert result.stdout.startswith("flowchart TD\n")
    assert 'kb_handshake -->|"found"| fault_firmware' in result.stdout


def test_graph_of_an_unknown_flow_fails_cleanly() -> None:
    result = runner.invoke(flows_app, ["graph", "nope", "--dir", str(FLOWS_DIR)])
    assert result.exit_code == 1
    assert result.stderr.startswith("error: unknown flow 'nope'; known: call-connect")


def _app(bundled_flows: dict[str, Flow]) -> typer.Typer:
    router = Router(list(bundled_flows.values()), FakeEmbedder(dimension=256))
    app = typer.Typer()

    @app.command("route")
    def route(text: str, json_out: bool = typer.Option(False, "--json")) -> None:
        route_command(router, text, json_out)

    @app.command("router")
    def router_eval(dataset: Path, json_out: bool = typer.Option(False, "--json")) -> None:
        eval_router_command(router, dataset, json_out)

    @app.command("dialogue")
    def dialogue_eval(dataset: Path, json_out: bool = typer.Option(False, "--json")) -> None:
        eval_dialogue_command(bundled_flows, None, dataset, json_out)

    return app


def test_route_json_shape(bundled_flows: dict[str, Flow]) -> None:
    result = runner.invoke(_app(bundled_flows), ["route", "the screen says no signal", "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert set(payload) == {"kind", "flow_id", "candidates"}
    assert payload["kind"] in ("flow", "question", "clarify", "none")
    assert all(set(c) == {"flow_id", "score"} for c in payload["candidates"])


def test_eval_router_json(bundled_flows: dict[str, Flow], tmp_path: Path) -> None:
    dataset = tmp_path / "set.jsonl"
    rows = [
        {"id": "a", "text": "the display shows no signal", "expected": "display-no-signal"},
        {"id": "b", "text": "which firmware fixed CX-4821?", "expected": "question"},
    ]
    dataset.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    result = runner.invoke(_app(bundled_flows), ["router", str(dataset), "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert set(payload) == {"accuracy", "items"}
    assert [set(i) for i in payload["items"]] == [{"id", "expected", "predicted"}] * 2
    assert payload["items"][1]["predicted"] == "question"


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "cannot read"), ('{"id": "a"}\n', ":1: missing text, expected"), ("{oops\n", ":1: not valid JSON")],
)  # fmt: skip
def test_eval_router_errors_are_one_line(
    bundled_flows: dict[str, Flow], tmp_path: Path, content: str | None, message: str
) -> None:
    dataset = tmp_path / "set.jsonl"
    if content is not None:
        dataset.write_text(content, encoding="utf-8")
    result = runner.invoke(_app(bundled_flows), ["router", str(dataset), "--json"])
    assert result.exit_code == 1
    assert result.stderr.count("\n") == 1 and message in result.stderr


def test_eval_dialogue_json(bundled_flows: dict[str, Flow]) -> None:
    result = runner.invoke(
        _app(bundled_flows), ["dialogue", str(DATASETS / "scenarios.jsonl"), "--json"]
    )
    assert result.exit_code == 0, result.output
    payload = json.loads(result.stdout)
    assert payload["pass_rate"] == 1.0 and payload["total"] >= 44
    assert payload["mean_turns"] > 1
