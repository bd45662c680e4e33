"""A small console environment built through the real code paths, for AppTest and the browser.

``build_index`` ingests documents with ``ingest.pipeline.Ingestor`` (the bundled knowledge base, or
part of it, plus a folder with a hostile document and an unreadable file). ``seed_store`` opens
three handoffs: one through the assistant's conversation (talk to a person), and two for hardware
faults (decided 20 days ago and today, each saved with its chat session as one turn), the older
one's replacement part now overdue. ``console_env`` is the ``ASSIST_*`` environment the console reads its settings from.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.config import Settings
from bot.dialogue.contact import ContactDetails
from bot.dialogue.state import DialogueState, Outcome
from bot.kb.embedder import Embedder
from bot.kb.schema import IndexLayout
from bot.kb.service import open_vector_store
from bot.service.escalating import CaseFacts, open_handoff
from bot.service.outcome import TurnOutcome, UserChoice, UserText
from bot.service.runtime import Runtime
from bot.service.state import WaitingForEngineer
from ingest.pipeline import Ingestor

REPO = Path(__file__).resolve().parents[2]
DEMO_CODE = "DEMO-1234"
HOSTILE_DOC = (  # plain text keeps the tag as typed (the Markdown and HTML loaders drop tags)
    "Title: Codec web admin escaping note\nProduct: cx-codec\nDoc-Type: known_issues\n"
    "Audience: engineer\n\nKnown issues\n============\n\n"
    "CX-9999: The web admin echoed <img src=x onerror=alert(1)> and :red[styled] text "
    "and $x$ maths from the room name field without escaping.\n"
)


@dataclass(frozen=True)
class Seeded:
    """What ``seed_store`` created: the chat handoff, the overdue hardware handoff (P1) and a
    recent one whose part is still due."""

    chat_handoff: str
    hardware_handoff: str
    hardware_session: str
    overdue_serial: str
    due_handoff: str
    due_serial: str


def console_env(data_dir: Path, index_dir: Path) -> dict[str, str]:
    """The settings of a console over ``index_dir``, with its database in ``data_dir``."""
    return {
        "ASSIST_PATHS__DATA_DIR": str(data_dir),
        "ASSIST_INDEX__CHROMA_PATH": str(index_dir),
        "ASSIST_PATHS__DOCS_DIR": str(REPO / "knowledge/docs"),
        "ASSIST_PATHS__FLOWS_DIR": str(REPO / "knowledge/flows"),
        "ASSIST_PATHS__ACCOUNTS_DIR": str(REPO / "knowledge/accounts"),
    }


def build_index(
    index_dir: Path, work: Path, embedder: Embedder, folders: list[str] | None = None
) -> None:
    """Ingest the bundled docs (or only ``folders`` of them) plus a hostile and a broken file."""
    docs = REPO / "knowledge/docs"
    if folders:
        subset = work / "docs"
        for folder in folders:
            shutil.copytree(docs / folder, subset / folder)
        docs = subset
    extra = work / "extra"
    (extra / "cx-codec").mkdir(parents=True)
    (extra / "cx-codec/escaping-note.txt").write_text(HOSTILE_DOC, encoding="utf-8")
    (extra / "cx-codec/scanned-manual.pdf").write_bytes(b"%PDF-1.4 not really a pdf")
    settings = Settings(index={"chroma_path": index_dir})  # type: ignore[arg-type]
    store = open_vector_store(settings, index_dir, embedder)
    Ingestor(IndexLayout(index_dir), embedder, store).run([docs, extra])


HOSTILE_OPENING = (
    "the screen shows <img src=x onerror=alert(1)> [link](javascript:x) and www.evil.example, "
    "see https://evil.example/a or mail help@evil.example"
)


def seed_store(runtime: Runtime) -> Seeded:
    """Open the handoffs described in the module docstring."""
    assistant = runtime.assistant
    chat = assistant.start(DEMO_CODE)
    for event in (
        UserText(HOSTILE_OPENING),
        UserChoice("person"),
        UserText("Dana"),
        UserText("+1 617 555 0100"),
        UserChoice("yes"),
        UserChoice("yes"),
    ):
        outcome = assistant.reply(chat.session_id, event)
    chat_handoff = outcome.state.handoff_id
    assert chat_handoff is not None, [m.text for m in outcome.messages]

    overdue = _hardware_handoff(runtime, "CX9-9001", "the codec has no power, no lights at all", 20)
    due = _hardware_handoff(runtime, "VX20-9101", "the camera is dead, no light on the front", 0)
    return Seeded(chat_handoff, overdue[0], overdue[1], "CX9-9001", due[0], "VX20-9101")


def _hardware_handoff(runtime: Runtime, serial: str, issue: str, days_ago: int) -> tuple[str, str]:
    """A chat about ``issue`` ``days_ago`` days ago whose power check isolated a hardware fault:
    the decision, the record and its part return are saved with the chat's turn."""
    past = datetime.now(UTC) - timedelta(days=days_ago)
    assistant, clock = runtime.assistant, runtime.assistant.clock
    assistant.clock = lambda: past
    try:
        session = assistant.start(DEMO_CODE)
        assistant.reply(session.session_id, UserText(issue))
    finally:
        assistant.clock = clock
    diagnosis = DialogueState(
        flow_id="power",
        step_id="fault_psu",
        status="fault",
        outcome=Outcome(
            step_id="fault_psu",
            outcome="fault",
            category="hardware",
            component="power supply",
            summary="The device has no power with a known-good outlet and cable.",
        ),
        started_at=past,
        updated_at=past,
    )
    facts = CaseFacts(
        site_id="demo-boston",
        serial=serial,
        issue=issue,
        diagnosis=diagnosis,
        contact=ContactDetails("Sam Rivera", "+16175550100", True, True),
        kb_sources=(),
    )
    handoff = open_handoff(runtime.accounts, facts, past, latest_versions={}, sinks=())
    opened = assistant.open_by_id(session.session_id)
    state = opened.state.model_copy(
        update={
            "phase": WaitingForEngineer(handoff_id=handoff.record.id),
            "diagnosis": diagnosis,
            "asset_serial": serial,
        }
    )
    assistant.save(TurnOutcome(opened.id, opened.version, past, state, (), (), handoff))
    return handoff.record.id, session.session_id
