"""A runtime for KCS tests: the bundled flows, accounts, releases and KCS policy, the fake
embedder, an in-memory vector store behind a real index folder, and a clock the test moves."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from bot.config import Settings
from bot.kb.embedder import FakeEmbedder
from bot.kb.service import KnowledgeBase
from bot.kb.vectorstore import InMemoryVectorStore
from bot.service.identity import Engineer
from bot.service.kcs import ArticleFields, KnowledgeArticles
from bot.service.outcome import TurnOutcome, UserText
from bot.service.runtime import Runtime, build_runtime

REPO = Path(__file__).resolve().parents[2]
DANA = Engineer("dana", "Dana Whitfield", "dana@protelecom.example", "engineer")
DAY_1 = datetime(2026, 12, 1, 10, 0, tzinfo=ZoneInfo("Europe/London"))
SCREEN = "the second screen shows no signal"
TO_THE_FAULT = (SCREEN, "no", "no", "no")  # input, cable, power-cycle: the display path fault
CONTACTS = {
    "DEMOPLUS-5678": ("Amelia Clarke", "+44 20 7946 0500"),
    "RHEIN-MUC-3056": ("Katrin Vogel", "+49 89 5555 0176"),
    "MAPLE-TOR-3310": ("Priya Natarajan", "+1 416 555 0117"),
}
CEC_FIX = ArticleFields(
    title="",
    product="cx-codec",
    model="CX-900",
    firmware_from="9.4.0",
    firmware_to="9.4.1",
    symptom="The second screen shows no signal",
    cause="The display's HDMI-CEC switched it to another input when it woke from standby.",
    fix=(
        "With the display's remote, open Settings > External devices and turn HDMI-CEC off.",
        "Switch the display off and on, then select HDMI 1.",
    ),
    customer_safe=True,
)


def kcs_settings(tmp_path: Path) -> Settings:
    return Settings(
        paths={  # type: ignore[arg-type]
            "data_dir": tmp_path / "var",
            "accounts_dir": REPO / "knowledge/accounts",
            "flows_dir": REPO / "knowledge/flows",
            "releases_file": REPO / "knowledge/releases.yaml",
            "kcs_file": REPO / "knowledge/kcs.yaml",
        },
        server={"engineer_api_keys": ["test-key"], "stream_seconds": 0.05},  # type: ignore[arg-type]
    )


class Clock:
    """The one clock of the assistant, the engineers' desk and the article desk."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def kcs_runtime(settings: Settings, clock: Clock) -> Runtime:
    runtime = build_runtime(settings, embedder=FakeEmbedder())
    index = settings.paths.data_dir / "kb-index"
    runtime.kb = runtime.assistant.conversation.kb = KnowledgeBase(
        index, runtime.embedder, InMemoryVectorStore(), abstain_threshold=0.0
    )
    runtime.assistant.clock = clock
    runtime.engineers.clock = clock
    assert runtime.kcs is not None
    runtime.kcs.finder.ttl_s = 0  # read the articles on every turn: no wall-clock waits in tests
    return runtime


@pytest.fixture
def clock() -> Clock:
    return Clock(DAY_1)


@pytest.fixture
def runtime(tmp_path: Path, clock: Clock) -> Iterator[Runtime]:
    built = kcs_runtime(kcs_settings(tmp_path), clock)
    yield built
    built.store.engine.dispose()


def articles(runtime: Runtime) -> KnowledgeArticles:
    assert runtime.kcs is not None
    return runtime.kcs


def chat(runtime: Runtime, code: str, *texts: str) -> tuple[str, TurnOutcome]:
    """A new conversation at ``code`` saying ``texts``: its id and the last turn."""
    assistant = runtime.assistant
    session_id = assistant.start(code).session_id
    outcome = None
    for said in texts:
        outcome = assistant.reply(session_id, UserText(said))
    assert outcome is not None
    return session_id, outcome


def say(runtime: Runtime, session_id: str, *texts: str) -> TurnOutcome:
    outcome = None
    for said in texts:
        outcome = runtime.assistant.reply(session_id, UserText(said))
    assert outcome is not None
    return outcome


def hand_off_screen(runtime: Runtime, code: str = "DEMOPLUS-5678", *after: str) -> str:
    """A second screen with no signal walked to the display-path fault and handed off (``after``:
    replies between the fault and the contact questions, e.g. to a fix offered): the handoff."""
    name, phone = CONTACTS[code]
    session_id, _ = chat(runtime, code, *TO_THE_FAULT, *after)
    outcome = say(runtime, session_id, name, phone, "yes", "yes")
    assert outcome.state.handoff_id, [m.text for m in outcome.messages]
    return outcome.state.handoff_id


def claimed(runtime: Runtime, handoff_id: str) -> str:
    from bot.service.moves import Move

    runtime.engineers.move(handoff_id, Move.CLAIM, engineer=DANA)
    return handoff_id
