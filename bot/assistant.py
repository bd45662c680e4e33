"""The service the API, the CLI chat and the console call. One turn = load the session, understand the
words (route or interpret), consult the knowledge base, advance the pure engine, escalate, save.

The service holds no conversation in memory: every turn reads the session from the store and writes
it back with its events in one transaction, so any worker can serve any turn.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bot.dialogue.engine import advance
from bot.dialogue.events import Answer, KbResult, Start
from bot.dialogue.intents import control_intent, interpret
from bot.dialogue.router import Router
from bot.dialogue.schema import Flow
from bot.dialogue.state import Choice, DialogueState, Message, SiteContext
from bot.dialogue.steps import text
from bot.errors import AssistError, InvalidQueryError, SessionError
from bot.escalation.accounts import Accounts, Asset, Site
from bot.escalation.handover import REP_STEPS, open_handoff, read_rep_answer, rep_question
from bot.kb.known_issues import find_fix
from bot.kb.service import KnowledgeBase
from bot.store.store import SessionTurn, Store

PERSON = Choice(id="person", label="Talk to a person")
MAX_KB_ROUNDS = 5


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def clean_text(text: str) -> str:
    """Typed text as it is stored and shown: line breaks (CR LF, CR and the Unicode line and
    paragraph separators become one newline) and tabs kept, other spaces (no-break, ideographic)
    as plain spaces, every other control or format character (NUL, ESC, the bidi override U+202E,
    zero-width characters, lone surrogates) removed; trimmed."""
    kept: list[str] = []
    for ch in text.replace("\r\n", "\n"):
        if ch in "\n\t" or ch.isprintable():
            kept.append(ch)
        elif ch in "\r\u2028\u2029":
            kept.append("\n")
        elif unicodedata.category(ch) == "Zs":
            kept.append(" ")
    return "".join(kept).strip()


@dataclass(frozen=True)
class TurnResult:
    session_id: str
    messages: list[Message]
    state: dict[str, Any]
    token: str | None = None


def public_state(state: Mapping[str, Any]) -> dict[str, Any]:
    phase = state["phase"]
    status = {"handed_off": "handed_off", "resolved": "resolved"}.get(phase, "active")
    dialogue = state.get("dialogue") or {}
    return {
        "status": status,
        "phase": phase,
        "flow_id": dialogue.get("flow_id"),
        "step_id": dialogue.get("step_id"),
        "handoff_id": state.get("handoff_id"),
    }


class Assistant:
    """Conversations for site users; stateless between turns."""

    def __init__(
        self,
        *,
        accounts: Accounts,
        flows: Mapping[str, Flow],
        router: Router,
        kb: KnowledgeBase | None,
        store: Store,
        latest_versions: Mapping[str, str],
        sinks: Sequence[str] = ("jsonl",),
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        max_message_chars: int = 4000,
    ) -> None:
        self.accounts = accounts
        self.flows = dict(flows)
        self.router = router
        self.kb = kb
        self.store = store
        self.latest_versions = dict(latest_versions)
        self.sinks = list(sinks)
        self.clock = clock
        self.max_message_chars = max_message_chars

    # --- sessions --------------------------------------------------------------------------
    def start(self, access_code: str) -> TurnResult:
        site = self.accounts.site_for_code(access_code)
        if site is None:
            raise SessionError("unknown access code", code="unauthorized")
        now = self.clock()
        session_id, token = secrets.token_hex(16), secrets.token_urlsafe(32)
        state: dict[str, Any] = {
            "phase": "idle",
            "session_id": session_id,
            "site_id": site.id,
            "issue": None,
            "dialogue": None,
            "clarify": [],
            "rep": {},
            "rep_step": None,
            "kb_sources": [],
            "handoff_id": None,
            "serial": None,
        }
        greeting = text(
            f'Hello, {site.name}. Tell me what is wrong in your own words (for example "the screen '
            'in room 4 is black"), or ask a question about your equipment.',
            [PERSON],
        )
        self.store.create_session(
            session_id,
            site.id,
            _hash(token),
            state,
            "active",
            now,
            [("bot", greeting.model_dump(mode="json"))],
        )
        return TurnResult(session_id, [greeting], public_state(state), token)

    def authorize(self, session_id: str, token: str) -> Site:
        stored = self.store.load_session(session_id)
        if stored is None or not hmac.compare_digest(stored.token_hash, _hash(token)):
            raise SessionError("unknown session or token", code="unauthorized")
        site = self.accounts.site(stored.site_id)
        if site is None:
            raise SessionError("the session's site no longer exists", code="unauthorized")
        return site

    def transcript(self, session_id: str) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        stored = self.store.load_session(session_id)
        if stored is None:
            raise SessionError("no such session", code="session_not_found")
        events = [
            {"seq": e.seq, "at": e.at.isoformat(), "kind": e.kind, **e.payload}
            for e in self.store.events(session_id)
        ]
        return public_state(stored.state), events

    def reply(
        self, session_id: str, *, text_in: str | None = None, choice: str | None = None
    ) -> TurnResult:
        stored = self.store.load_session(session_id)
        if stored is None:
            raise SessionError("no such session", code="session_not_found")
        if text_in is not None:
            text_in = clean_text(text_in)
            if len(text_in) > self.max_message_chars:
                raise InvalidQueryError(
                    f"the message is {len(text_in)} characters; the limit is {self.max_message_chars}"
                )
        state = dict(stored.state)
        now = self.clock()
        user = {"text": text_in} if text_in is not None else {"choice": choice}
        if not (text_in or choice):
            messages = [
                text("I didn't get any text. Describe the problem or pick one of the options.")
            ]
        else:
            messages = self._turn(state, text_in, choice, now)
        events = [("user", user)] + [("bot", m.model_dump(mode="json")) for m in messages]
        self.store.save_turn(
            session_id, stored.version, state, public_state(state)["status"], now, events
        )
        return TurnResult(session_id, messages, public_state(state))

    # --- one turn ----------------------------------------------------------------------------
    def _turn(
        self, state: dict[str, Any], said: str | None, choice: str | None, now: datetime
    ) -> list[Message]:
        phase = state["phase"]
        if phase in ("handed_off", "resolved"):
            ref = f" (reference {state['handoff_id']})" if state.get("handoff_id") else ""
            return [
                text(f"This conversation has ended{ref}. Start a new chat for another problem.")
            ]
        if phase == "collect_rep":
            return self._collect_rep(state, said, choice, now)
        wants_person = choice == PERSON.id or (
            said is not None and control_intent(said) == "escalate"
        )
        if wants_person:
            return self._begin_handoff(state, "the user asked to talk to a person", now)
        if phase == "clarify" and choice is not None and choice in state["clarify"]:
            return self._start_flow(state, choice, now)
        if phase == "flow":
            return self._flow_turn(state, said, choice, now)
        if said is None:
            return [text("Please describe the problem in a few words.", [PERSON])]
        return self._route(state, said, now)

    def _route(self, state: dict[str, Any], said: str, now: datetime) -> list[Message]:
        state["issue"] = state["issue"] or said
        route = self.router.route(said)
        if route.kind == "flow" and route.flow_id:
            return self._start_flow(state, route.flow_id, now)
        if route.kind == "clarify":
            state["phase"], state["clarify"] = "clarify", [c.id for c in route.choices]
            return [
                Message(
                    type="question",
                    text=route.question or "Which is closer?",
                    choices=(*route.choices, PERSON),
                )
            ]
        if route.kind == "question":
            return self._answer(state, said)
        return [
            text(
                "I'm not sure I understood. Could you say what you see or hear in the room, or "
                "ask a question about your equipment?",
                [PERSON],
            )
        ]

    def _answer(self, state: dict[str, Any], question: str) -> list[Message]:
        if self.kb is None:
            return [text("The knowledge base is not available right now.", [PERSON])]
        try:
            answer = self.kb.ask(question)
        except AssistError as exc:
            return [text(str(exc), [PERSON])]
        citations = [c.to_dict() for c in answer.citations]
        state["kb_sources"] = [*state["kb_sources"], *citations][-20:]
        return [
            Message(
                type="text",
                text=answer.text,
                choices=(PERSON,) if answer.abstained else (),
                citations=tuple(citations),
            )
        ]

    def _asset_for(self, site: Site, flow: Flow) -> Asset | None:
        assets = list(site.assets)
        for asset in assets:
            if asset.product in flow.products:
                return asset
        return assets[0] if assets else None

    def _start_flow(self, state: dict[str, Any], flow_id: str, now: datetime) -> list[Message]:
        site = self.accounts.site(state["site_id"])
        flow = self.flows[flow_id]
        asset = self._asset_for(site, flow) if site else None
        state["serial"] = asset.serial if asset else None
        context = (
            SiteContext(product=asset.product, model=asset.model, firmware=asset.firmware)
            if asset
            else None
        )
        dialogue, messages = advance(
            self.flows, None, Start(at=now, flow_id=flow_id, context=context)
        )
        state["phase"], state["clarify"] = "flow", []
        return self._settle(state, dialogue, list(messages), now)

    def _flow_turn(
        self, state: dict[str, Any], said: str | None, choice: str | None, now: datetime
    ) -> list[Message]:
        dialogue = DialogueState.model_validate(state["dialogue"])
        if choice is not None:
            event: Any = Answer(at=now, choice=choice)
        else:
            event = interpret(self.flows, dialogue, said or "", now)
        extra: list[Message] = []
        if event.type == "side_question":
            extra = self._answer(state, event.text)
        dialogue, messages = advance(self.flows, dialogue, event)
        return self._settle(state, dialogue, [*extra, *messages], now)

    def _settle(
        self, state: dict[str, Any], dialogue: DialogueState, messages: list[Message], now: datetime
    ) -> list[Message]:
        """Answer pending knowledge-base checks, then hand off or close when the flow ends."""
        for _ in range(MAX_KB_ROUNDS):
            request = dialogue.pending_kb
            if request is None:
                break
            if self.kb is None:
                result = KbResult(at=now, found=False)
            else:
                finding = find_fix(self.kb, request.query, request.product, request.firmware)
                result = KbResult(
                    at=now,
                    found=finding.found,
                    summary=finding.summary,
                    citations=finding.citations,
                    fixed_in=finding.fixed_in,
                )
                state["kb_sources"] = [*state["kb_sources"], *finding.citations][-20:]
            dialogue, more = advance(self.flows, dialogue, result)
            messages.extend(more)
        state["dialogue"] = dialogue.model_dump(mode="json")
        if not dialogue.finished:
            return messages
        if dialogue.status == "resolved":
            state["phase"] = "resolved"
            return messages
        return [
            *messages,
            *self._begin_handoff(state, dialogue.escalation_reason or "fault isolated", now),
        ]

    # --- handoff -----------------------------------------------------------------------------
    def _begin_handoff(self, state: dict[str, Any], reason: str, now: datetime) -> list[Message]:
        state["phase"], state["rep_step"], state["rep"] = "collect_rep", REP_STEPS[0], {}
        state["escalation_reason"] = reason
        return [rep_question(REP_STEPS[0], {})]

    def _collect_rep(
        self, state: dict[str, Any], said: str | None, choice: str | None, now: datetime
    ) -> list[Message]:
        step = state["rep_step"]
        value, problem = read_rep_answer(step, said, choice)
        if problem:
            return [text(problem), rep_question(step, state["rep"])]
        state["rep"] = {**state["rep"], step: value}
        index = REP_STEPS.index(step)
        if index + 1 < len(REP_STEPS):
            state["rep_step"] = REP_STEPS[index + 1]
            return [rep_question(state["rep_step"], state["rep"])]
        return self._finish_handoff(state, now)

    def _finish_handoff(self, state: dict[str, Any], now: datetime) -> list[Message]:
        dialogue = (
            DialogueState.model_validate(state["dialogue"]) if state.get("dialogue") else None
        )
        site = self.accounts.site(state["site_id"])
        serial = state.get("serial") or (site.assets[0].serial if site and site.assets else "")
        record = open_handoff(
            accounts=self.accounts,
            store=self.store,
            site_id=state["site_id"],
            serial=serial,
            session_id=state["session_id"],
            issue=state.get("issue") or state.get("escalation_reason") or "",
            dialogue=dialogue,
            rep=state["rep"],
            kb_sources=state["kb_sources"],
            latest_versions=self.latest_versions,
            sinks=self.sinks,
            now=now,
        )
        state["phase"], state["handoff_id"], state["rep_step"] = "handed_off", record.id, None
        return [Message(type="handoff", text=record.user_summary())]

    # --- engineers ---------------------------------------------------------------------------
    def resume_at(self, session_id: str, step_id: str | None, note: str | None = None) -> None:
        """An engineer handed the case back: the session continues the flow at ``step_id``.

        Without a step (or without a flow) the session goes back to the open question.
        """
        turn = self.hand_back_turn(session_id, step_id, note)
        self.store.save_turn(
            turn.session_id, turn.expected_version, turn.state, turn.status, turn.at, turn.events
        )

    def hand_back_turn(
        self, session_id: str, step_id: str | None, note: str | None = None
    ) -> SessionTurn:
        """The turn that resumes a handed-off session (see ``resume_at``), not yet written: the
        engineer route writes it with the handoff's move, in one transaction."""
        stored = self.store.load_session(session_id)
        if stored is None:
            raise SessionError("no such session", code="session_not_found")
        state = dict(stored.state)
        now = self.clock()
        note = clean_text(note) if note else None
        dialogue = (
            DialogueState.model_validate(state["dialogue"]) if state.get("dialogue") else None
        )
        flow = self.flows.get(dialogue.flow_id) if dialogue else None
        if dialogue and flow and step_id and flow.has_step(step_id):
            resumed = dialogue.model_copy(
                update={
                    "step_id": step_id,
                    "status": "active",
                    "outcome": None,
                    "escalation_reason": None,
                    "pending_kb": None,
                    "pending_confirm": None,
                    "updated_at": now,
                }
            )
            state["dialogue"], state["phase"] = resumed.model_dump(mode="json"), "flow"
            message = Message(
                type="text",
                text=(
                    note
                    or "An engineer has looked at this and handed it "
                    "back to me; let's continue from here."
                ),
            )
        else:
            state["dialogue"], state["phase"] = None, "idle"
            message = text(note or "An engineer has handed this back to me. What is wrong now?")
        state["handoff_id"], state["rep_step"] = None, None
        events = [
            ("engineer_hand_back", {"step": step_id}),
            ("bot", message.model_dump(mode="json")),
        ]
        return SessionTurn(session_id, stored.version, state, "active", now, events)
