"""Structured logs over the real app: every line is a JSON object; the lines of a request carry
the id the response names in ``X-Request-ID`` (the caller's own when it is a sane token), a chat
turn's lines its session and turn ids, and error responses' lines their request id; uvicorn's
access line is JSON with its query credentials redacted."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import structlog
from fastapi.testclient import TestClient

from bot.api.app import create_app
from bot.api.state import ServiceState
from bot.config import Settings
from bot.kb.embedder import FakeEmbedder
from bot.logs import AssistLogHandler, configure_logging
from bot.service.runtime import build_runtime
from tests.api.conftest import start


@pytest.fixture
def restore_logging() -> Iterator[None]:
    """The process's logging as it was: these tests set it up as a server would."""
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    yield
    for handler in root.handlers:
        if isinstance(handler, AssistLogHandler) and handler not in handlers:
            root.removeHandler(handler)
    root.setLevel(level)
    structlog.reset_defaults()
    structlog.contextvars.clear_contextvars()


@pytest.fixture
def served(api_settings: Settings, restore_logging: None) -> Iterator[TestClient]:
    """The app as a server builds it: it sets up the logs itself (``configure_logs``)."""
    state = ServiceState(api_settings)
    state.runtime = build_runtime(api_settings, embedder=FakeEmbedder(), metrics=state.metrics)
    app = create_app(api_settings, state=state, start_background=False, configure_logs=True)
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def warming(api_settings: Settings, restore_logging: None) -> Iterator[TestClient]:
    """The app still warming up (no runtime): enough for health checks and refusals."""
    state = ServiceState(api_settings)
    app = create_app(api_settings, state=state, start_background=False, configure_logs=True)
    with TestClient(app) as c:
        yield c


def json_lines(err: str) -> list[dict[str, Any]]:
    """Every line written to stderr, each of which must be one JSON object."""
    return [json.loads(line) for line in err.splitlines() if line.strip()]


def test_a_turns_log_lines_are_json_with_the_response_request_id(
    served: TestClient, capsys: pytest.CaptureFixture[str]
) -> None:
    sid, auth = start(served)
    capsys.readouterr()
    r = served.post(f"/api/v1/sessions/{sid}/messages", json={"text": "help"}, headers=auth)
    assert r.status_code == 200
    request_id = r.headers["X-Request-ID"]
    assert len(request_id) == 32 and int(request_id, 16) >= 0  # made here: a uuid4, as hex
    lines = json_lines(capsys.readouterr().err)
    done = [line for line in lines if line["event"] == "turn.done"]
    assert len(done) == 1, lines
    assert done[0]["request_id"] == request_id
    assert done[0]["session_id"] == sid and len(done[0]["turn_id"]) == 32
    assert done[0]["level"] == "info" and done[0]["logger"] == "bot.service.assistant"
    assert done[0]["reply"] and done[0]["status"] == "active"
    assert {"timestamp", "pid"} <= done[0].keys()


def test_a_sane_incoming_request_id_is_echoed_and_bound(
    warming: TestClient, capsys: pytest.CaptureFixture[str]
) -> None:
    given = "lb-7f3a.9c:01"
    r = warming.get("/api/v1/search", params={"q": "x"}, headers={"X-Request-ID": given})
    assert r.status_code == 401 and r.headers["X-Request-ID"] == given
    errors = [x for x in json_lines(capsys.readouterr().err) if x["event"] == "request.error"]
    assert len(errors) == 1, errors
    assert errors[0]["request_id"] == given
    assert (errors[0]["status"], errors[0]["code"]) == ("401", "unauthorized")


@pytest.mark.parametrize("given", ["", "has space", "a" * 129, "new\nline", "-leading-dash"])
def test_an_unsafe_incoming_request_id_is_replaced(warming: TestClient, given: str) -> None:
    r = warming.get("/healthz", headers={"X-Request-ID": given})
    assert r.headers["X-Request-ID"] != given and len(r.headers["X-Request-ID"]) == 32


def test_every_request_gets_its_own_id(warming: TestClient) -> None:
    ids = {warming.get("/healthz").headers["X-Request-ID"] for _ in range(5)}
    assert len(ids) == 5


def test_an_error_response_log_line_carries_the_request_id(
    served: TestClient, capsys: pytest.CaptureFixture[str]
) -> None:
    sid, _ = start(served)
    capsys.readouterr()
    wrong = {"Authorization": "Bearer not-the-token"}
    r = served.post(f"/api/v1/sessions/{sid}/messages", json={"text": "hi"}, headers=wrong)
    assert r.status_code == 401
    lines = json_lines(capsys.readouterr().err)
    errors = [x for x in lines if x["event"] == "request.error"]
    assert len(errors) == 1, lines
    assert errors[0]["request_id"] == r.headers["X-Request-ID"]
    assert errors[0]["session_id"] == sid and errors[0]["status"] == "401"
    assert "not-the-token" not in json.dumps(lines)


def test_an_unexpected_failure_is_logged_and_answered_with_the_request_id(
    served: TestClient, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    sid, auth = start(served)
    runtime = served.app.state.service.runtime  # type: ignore[attr-defined]

    def broken(*_: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(runtime.assistant, "reply", broken)
    capsys.readouterr()
    given = "trace-500"
    r = served.post(
        f"/api/v1/sessions/{sid}/messages",
        json={"text": "hi"},
        headers={**auth, "X-Request-ID": given},
    )
    assert r.status_code == 500 and r.headers["X-Request-ID"] == given
    reference = r.json()["error"]["message"].rsplit(" ", 1)[-1]
    lines = [x for x in json_lines(capsys.readouterr().err) if x.get("request_id") == given]
    failed = next(x for x in lines if x["event"] == "request.failed")
    assert failed["reference"] == reference and failed["level"] == "error"
    assert "RuntimeError: disk on fire" in failed["exception"]
    assert failed["session_id"] == sid and failed["turn_id"]
    assert any(x["event"] == "request.error" and x["status"] == "500" for x in lines)


def test_the_access_line_is_json_and_keeps_no_query_credential(
    warming: TestClient, capsys: pytest.CaptureFixture[str]
) -> None:
    """uvicorn's access record, as uvicorn writes it (the app installed the redaction)."""
    capsys.readouterr()
    secret = "SeCrEt" + "x" * 20
    path = f"/api/v1/sessions/abc?token={secret}&access_code=DEMO-1234&after=3"
    structlog.contextvars.bind_contextvars(request_id="r-1")
    logging.getLogger("uvicorn.access").info(
        '%s - "%s %s HTTP/%s" %d', "203.0.113.9:5000", "GET", path, "1.1", 401
    )
    err = capsys.readouterr().err
    (line,) = json_lines(err)
    assert line["event"] == "http.access" and line["request_id"] == "r-1"
    assert line["path"] == "/api/v1/sessions/abc?token=[redacted]&access_code=[redacted]&after=3"
    assert line["method"] == "GET" and line["status"] == 401
    assert secret not in err and "DEMO-1234" not in err


def test_logging_is_set_up_once_per_process(restore_logging: None) -> None:
    root = logging.getLogger()
    configure_logging()
    assert configure_logging("console", "DEBUG") is False  # the first set-up stays
    assert sum(isinstance(h, AssistLogHandler) for h in root.handlers) == 1
    assert root.level == logging.INFO


def test_console_format_is_a_readable_line(
    api_settings: Settings, restore_logging: None, capsys: pytest.CaptureFixture[str]
) -> None:
    settings = api_settings.model_copy(
        update={"log": api_settings.log.model_copy(update={"format": "console"})}
    )
    state = ServiceState(settings)
    app = create_app(settings, state=state, start_background=False, configure_logs=True)
    with TestClient(app) as c:
        capsys.readouterr()
        r = c.get("/api/v1/search", params={"q": "x"}, headers={"X-Request-ID": "rid-1"})
    assert r.status_code == 401
    err = capsys.readouterr().err
    assert "request.error" in err and "request_id=rid-1" in err and "status=401" in err
    with pytest.raises(json.JSONDecodeError):
        json.loads(err.splitlines()[0])


def test_serve_sets_up_json_logs_and_a_fresh_metrics_folder_for_its_workers(
    restore_logging: None, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import uvicorn
    from typer.testing import CliRunner

    from bot.cli import build_app
    from bot.metrics import MULTIPROC_ENV

    monkeypatch.delenv(MULTIPROC_ENV, raising=False)
    runs: list[dict[str, Any]] = []

    def run(app: object, **options: Any) -> None:
        folder = os.environ.get(MULTIPROC_ENV)
        runs.append({**options, "folder": folder, "empty": not any(Path(folder or ".").iterdir())})

    monkeypatch.setattr(uvicorn, "run", run)
    for _ in range(2):
        done = CliRunner().invoke(build_app(), ["serve", "--workers", "2"])
        assert done.exit_code == 0, done.output
    first, second = runs
    assert first["folder"] and first["empty"] and first["folder"] != second["folder"]
    assert Path(first["folder"]).parent == tmp_path / "var" / "metrics"
    assert not Path(first["folder"]).exists() and MULTIPROC_ENV not in os.environ
    config = first["log_config"]
    assert config["handlers"]["assist"]["class"] == "bot.logs.AssistLogHandler"
    assert config["root"]["level"] == "INFO" and first["log_level"] == "info"
    assert any(isinstance(h, AssistLogHandler) for h in logging.getLogger().handlers)
