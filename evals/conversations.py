"""Whole conversations over the REST API, typed by a simulated user in free text only.

A scenario (``evals/datasets/conversations.yaml``) names a site's access code, the site-local
moment the chat starts, the user's messages, and what the user and the engineer must end up
with: the handoff's device, route, actions and dates, the representative's name and E.164 phone,
the priority; texts that must (or must never) appear; the safety instruction as the first reply;
the contract state before the first contact question. Each message is sent one minute after the
last. The runner drives a FastAPI ``TestClient`` on a runtime whose clock it sets, and reads the
handoff through the engineer API.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import yaml
from pydantic import BaseModel, ConfigDict, Field

ENGINEER_KEY = "conversation-suite-key"
CONTACT_QUESTION = "who on site will work the problem"
NOT_UNDERSTOOD = ("didn't catch", "not one of the options", "I'm not sure I understood")


class HandoffExpect(BaseModel):
    model_config = ConfigDict(extra="forbid")

    asset_serial: str | None = None
    route: str | None = None
    actions: list[str] | None = None  # action kinds, in order
    dates: dict[str, str] = Field(default_factory=dict)  # "ship_replacement.delivery_date": day
    priority: str | None = None
    entitled: bool | None = None
    representative_name: str | None = None
    representative_phone: str | None = None  # E.164
    identification: str | None = None  # words of environment.asset_identification
    issue_contains: list[str] = Field(default_factory=list)


class Expect(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: str | None = None
    handoff: HandoffExpect | None = None
    no_handoff: bool = False
    contains: list[str] = Field(default_factory=list)  # in the bot's replies, in this order
    never: list[str] = Field(default_factory=list)
    first_reply_contains: str | None = None
    before_contact: str | None = None  # must be said before the first contact question
    understood: bool = (
        True  # no "didn't catch" / "not one of the options" / "not sure I understood"
    )


class Scenario(BaseModel):
    model_config = ConfigDict(extra="forbid")

    id: str
    note: str = ""
    site: str = "DEMO-1234"
    at: str  # site-local ISO date and time of the first message
    user: list[str] = Field(min_length=1)
    expect: Expect


@dataclass
class Result:
    id: str
    passed: bool
    problems: list[str]
    transcript: list[tuple[str, str]] = field(default_factory=list)


def load_scenarios(path: Path) -> list[Scenario]:
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or []
    return [Scenario.model_validate(item) for item in data]


def run_scenarios(
    client: Any,
    runtime: Any,
    scenarios: Sequence[Scenario],
    progress: Callable[[int], None] | None = None,
) -> list[Result]:
    """Play every scenario on ``client`` (a TestClient of an app serving ``runtime``)."""
    results = []
    for n, scenario in enumerate(scenarios, 1):
        results.append(play(client, runtime, scenario))
        if progress:
            progress(n)
    return results


def play(client: Any, runtime: Any, scenario: Scenario) -> Result:
    site = runtime.accounts.site_for_code(scenario.site)
    if site is None:
        return Result(scenario.id, False, [f"unknown access code {scenario.site}"])
    start = datetime.fromisoformat(scenario.at).replace(tzinfo=ZoneInfo(site.timezone))
    moments = iter(start + timedelta(minutes=n) for n in range(len(scenario.user) + 2))
    transcript: list[tuple[str, str]] = []
    with _clock(runtime, moments):
        r = client.post("/api/v1/sessions", json={"access_code": scenario.site})
        if r.status_code != 201:
            return Result(scenario.id, False, [f"session start: {r.status_code} {r.text[:200]}"])
        body = r.json()
        sid, auth = body["session_id"], {"Authorization": f"Bearer {body['token']}"}
        replies: list[list[dict[str, Any]]] = []
        transcript += [("bot", m["text"]) for m in body["messages"]]
        state = body["state"]
        for said in scenario.user:
            transcript.append(("user", said))
            r = client.post(f"/api/v1/sessions/{sid}/messages", json={"text": said}, headers=auth)
            if r.status_code != 200:
                return Result(
                    scenario.id, False, [f"{said!r}: {r.status_code} {r.text[:200]}"], transcript
                )
            turn = r.json()
            replies.append(turn["messages"])
            transcript += [("bot", m["text"]) for m in turn["messages"]]
            state = turn["state"]
    problems = _check(client, scenario.expect, state, replies)
    return Result(scenario.id, not problems, problems, transcript)


@contextmanager
def _clock(runtime: Any, moments: Iterator[datetime]) -> Iterator[None]:
    assistant, engineers = runtime.assistant, runtime.engineers
    saved = assistant.clock, engineers.clock
    current: list[datetime] = []

    def tick() -> datetime:
        current[:] = [next(moments, current[0] if current else datetime.now().astimezone())]
        return current[0]

    assistant.clock = tick
    engineers.clock = lambda: current[0] if current else tick()
    try:
        yield
    finally:
        assistant.clock, engineers.clock = saved


def _check(
    client: Any, expect: Expect, state: Mapping[str, Any], replies: list[list[dict[str, Any]]]
) -> list[str]:
    problems: list[str] = []
    texts = [m["text"] for turn in replies for m in turn]
    everything = "\n".join(texts)
    if expect.status and state.get("status") != expect.status:
        problems.append(f"status {state.get('status')!r}, expected {expect.status!r}")
    if expect.first_reply_contains:
        first = " ".join(m["text"] for m in replies[0]) if replies else ""
        if expect.first_reply_contains.lower() not in first.lower():
            problems.append(f"first reply lacks {expect.first_reply_contains!r}: {first[:160]!r}")
    position = 0
    for wanted in expect.contains:
        found = everything.lower().find(wanted.lower(), position)
        if found < 0:
            problems.append(f"never said {wanted!r} (in order)")
        else:
            position = found
    for banned in expect.never:
        if banned.lower() in everything.lower():
            problems.append(f"said {banned!r}")
    if expect.understood:
        for text in texts:
            if any(n.lower() in text.lower() for n in NOT_UNDERSTOOD):
                problems.append(f"did not understand: {text[:120]!r}")
                break
    if expect.before_contact:
        ask = everything.lower().find(CONTACT_QUESTION)
        told = everything.lower().find(expect.before_contact.lower())
        if ask >= 0 and not 0 <= told < ask:
            problems.append(f"{expect.before_contact!r} not said before the contact questions")
    handoff_id = state.get("handoff_id")
    if expect.no_handoff and handoff_id:
        problems.append(f"a handoff was opened ({handoff_id})")
    if expect.handoff is not None:
        if not handoff_id:
            problems.append("no handoff was opened")
        else:
            r = client.get(f"/api/v1/handoffs/{handoff_id}", headers={"X-API-Key": ENGINEER_KEY})
            problems += _check_handoff(expect.handoff, r.json())
    return problems


def _check_handoff(expect: HandoffExpect, handoff: Mapping[str, Any]) -> list[str]:
    record = handoff["record"]
    env, decision = record["environment"], record["decision"]
    rep = record.get("site_representative") or {}
    found = {
        "asset_serial": env.get("asset_serial"),
        "route": decision.get("route"),
        "priority": record.get("priority"),
        "entitled": decision.get("entitled"),
        "representative_name": rep.get("name"),
        "representative_phone": rep.get("phone"),
    }
    problems = [
        f"handoff {name} {found[name]!r}, expected {wanted!r}"
        for name, wanted in expect.model_dump(include=set(found)).items()
        if wanted is not None and found[name] != wanted
    ]
    kinds = [a["kind"] for a in decision.get("actions") or ()]
    if expect.actions is not None and kinds != expect.actions:
        problems.append(f"handoff actions {kinds}, expected {expect.actions}")
    for key, day in expect.dates.items():
        kind, _, date_field = key.partition(".")
        got = next(
            (a.get(date_field) for a in decision.get("actions") or () if a["kind"] == kind), None
        )
        if got != day:
            problems.append(f"handoff {key} {got!r}, expected {day!r}")
    how = env.get("asset_identification") or ""
    if expect.identification and expect.identification not in how:
        problems.append(f"asset identification {how!r}, expected {expect.identification!r}")
    for words in expect.issue_contains:
        if words.lower() not in str(record.get("issue", "")).lower():
            problems.append(f"issue lacks {words!r}")
    return problems


def summary(results: Sequence[Result]) -> dict[str, Any]:
    passed = sum(r.passed for r in results)
    return {
        "scenarios": len(results),
        "passed": passed,
        "pass_rate": round(passed / len(results), 4) if results else 0.0,
        "failed": [{"id": r.id, "problems": r.problems} for r in results if not r.passed],
    }


def transcript_markdown(result: Result) -> str:
    lines = [f"### {result.id}", ""]
    for who, said in result.transcript:
        text = said.replace("\n", "\n> ")
        lines.append(f"> **{'User' if who == 'user' else 'Assistant'}:** {text}")
        lines.append(">")
    return "\n".join(lines[:-1]) + "\n"


def run_suite(
    settings: Any,
    embedder: Any,
    index: Path,
    dataset: Path,
    progress: Callable[[int], None] | None = None,
) -> tuple[dict[str, Any], list[Result]]:
    """Serve the assistant over ``index`` (an index of knowledge/docs) in-process and play every
    scenario of ``dataset`` through its REST API."""
    from fastapi.testclient import TestClient
    from pydantic import SecretStr

    from bot.api.app import create_app
    from bot.api.state import ServiceState
    from bot.service.runtime import build_runtime

    settings = settings.model_copy(
        update={
            "index": settings.index.model_copy(update={"chroma_path": index}),
            "server": settings.server.model_copy(
                update={"engineer_api_keys": [SecretStr(ENGINEER_KEY)]}
            ),
        }
    )
    runtime = build_runtime(settings, embedder=embedder)
    service = ServiceState(settings)
    service.runtime = runtime
    try:
        with TestClient(create_app(settings, state=service, start_background=False)) as client:
            results = run_scenarios(client, runtime, load_scenarios(dataset), progress)
    finally:
        runtime.store.engine.dispose()
    return summary(results), results
