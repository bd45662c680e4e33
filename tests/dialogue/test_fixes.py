"""Fixes engineers found, offered by the pure engine: in front of a fault outcome and at a
knowledge-base check, once each, answered in free text; where the fix came from decides where it
is offered."""

from __future__ import annotations

from bot.dialogue.engine import advance
from bot.dialogue.events import Answer, DontKnow, Escalate, KbResult, Start, StartOver
from bot.dialogue.fixes import offer_text
from bot.dialogue.state import DialogueState, KnownFix, SiteContext
from bot.kb.citation import Citation
from tests.dialogue.conftest import AT
from tests.dialogue.test_engine import FLOW

CX900 = SiteContext(product="cx-codec", model="CX-900", firmware="9.4.1")
CEC = KnownFix(
    article_id="KCS-0001",
    title="Display loses the picture when HDMI-CEC switches its input",
    steps=("Open the display's menu and turn HDMI-CEC off.", "Switch the display off and on."),
    fixed_count=3,
    model="CX-900",
    citation=Citation(title="KCS-0001", source="KCS-0001.md", section="reviewed 2026-11-30"),
)
OTHER = KnownFix(article_id="KCS-0002", title="Loose HDMI at the wall plate", steps=("Reseat it.",))


def start(*fixes: KnownFix) -> DialogueState:
    state, _ = advance(FLOW, None, Start(at=AT, flow_id="screen", context=CX900, fixes=fixes))
    return state


def say(state: DialogueState, text: str | None = None, choice: str | None = None):  # type: ignore[no-untyped-def]
    return advance(FLOW, state, Answer(at=AT, text=text, choice=choice))


def to_the_red_led_fault(*fixes: KnownFix):  # type: ignore[no-untyped-def]
    return say(start(*fixes), "it's red")


def test_a_fix_is_offered_in_front_of_the_fault_instead_of_handing_off() -> None:
    state, messages = to_the_red_led_fault(CEC)
    assert state.status == "active" and state.fix_offer is not None
    assert state.fix_offer.article_id == "KCS-0001" and state.step_id == "hardware"
    offer = messages[-1]
    assert offer.type == "question" and [c.id for c in offer.choices] == ["yes", "no"]
    assert offer.text.startswith("Engineers fixed this on 3 other CX-900s by doing this:\n1. Open")
    assert offer.text.endswith("Does that help?")
    assert offer.citations and offer.citations[0].source == "KCS-0001.md"


def test_yes_in_free_text_resolves_with_the_article() -> None:
    state, _ = to_the_red_led_fault(CEC)
    done, messages = say(state, "yes that worked, thanks")
    assert done.status == "resolved" and done.outcome is not None
    assert done.outcome.outcome == "resolved" and "KCS-0001" in done.outcome.summary
    assert [(t.article_id, t.worked) for t in done.fixes_tried] == [("KCS-0001", True)]
    assert messages[-1].type == "outcome" and done.fix_offer is None


def test_no_in_free_text_carries_on_to_the_fault_and_never_offers_it_again() -> None:
    state, _ = to_the_red_led_fault(CEC)
    done, messages = say(state, "no, still broken")
    assert done.status == "fault" and done.outcome and done.outcome.step_id == "hardware"
    assert [(t.article_id, t.worked) for t in done.fixes_tried] == [("KCS-0001", False)]
    assert messages[0].text == "Thanks for trying it. Let's carry on."
    again, _ = advance(FLOW, done, StartOver(at=AT))
    again, messages = say(again, "red")
    assert again.status == "fault" and again.fix_offer is None  # tried once: not offered again
    assert not any("Engineers fixed" in m.text for m in messages)


def test_a_second_fix_is_offered_after_the_first_fails_and_not_sure_means_no() -> None:
    state, _ = to_the_red_led_fault(CEC, OTHER)
    state, messages = say(state, choice="no")
    assert state.fix_offer is not None and state.fix_offer.article_id == "KCS-0002"
    assert "on another CX-900 by doing this: Reseat it." in messages[-1].text
    state, _ = advance(FLOW, state, DontKnow(at=AT))
    assert state.status == "fault"
    assert [t.worked for t in state.fixes_tried] == [False, False]


def test_a_reply_not_understood_asks_again_then_counts_as_no() -> None:
    state, _ = to_the_red_led_fault(CEC)
    state, messages = say(state, "purple elephants")
    assert state.fix_offer is not None and state.misses == 1
    assert "didn't catch" in messages[0].text
    state, _ = say(state, "banana")
    state, _ = say(state, "qwerty")
    assert state.status == "fault" and state.fixes_tried[0].worked is False


def test_asking_for_a_person_while_offered_escalates_without_a_verdict() -> None:
    state, _ = to_the_red_led_fault(CEC)
    state, _ = advance(FLOW, state, Escalate(at=AT))
    assert state.status == "escalated" and state.fix_offer is None and state.fixes_tried == ()


def test_a_fix_learned_at_another_end_of_this_flow_is_not_offered_here() -> None:
    elsewhere = CEC.model_copy(update={"flow_id": "screen", "end_steps": ("software",)})
    state, _ = to_the_red_led_fault(elsewhere)
    assert state.status == "fault" and state.fix_offer is None
    here = CEC.model_copy(update={"flow_id": "screen", "end_steps": ("hardware",)})
    state, _ = to_the_red_led_fault(here)
    assert state.fix_offer is not None


def test_at_a_check_the_fix_comes_first_and_the_finding_after_a_no() -> None:
    state = start()
    for reply in ("white", "Room 4", "no", "5"):
        state, _ = say(state, reply)
    assert state.pending_kb is not None
    learned_at_check = CEC.model_copy(update={"flow_id": "screen", "end_steps": ("software",)})
    found = KbResult(
        at=AT, found=True, summary="CX-4821", fixed_in="9.4.2", fixes=(learned_at_check,)
    )
    state, messages = advance(FLOW, state, found)
    assert state.fix_offer is not None and state.step_id == "kb"
    assert [m.type for m in messages] == ["question"]
    state, messages = say(state, "nope")
    assert "known issue" in messages[1].text  # the check's own finding, after the no
    assert state.status == "fault" and state.outcome and state.outcome.step_id == "software"


def test_the_offer_reads_well_for_one_case_and_an_unknown_model() -> None:
    one = KnownFix(article_id="KCS-0003", title="t", steps=("Do this.",), fixed_count=1)
    assert offer_text(one, "CX-500") == (
        "Engineers fixed this on another CX-500 by doing this: Do this.\nDoes that help?"
    )
    assert offer_text(one, None).startswith("Engineers fixed this on another device like this one")


def test_a_state_with_an_offer_round_trips_through_json() -> None:
    state, _ = to_the_red_led_fault(CEC)
    assert DialogueState.model_validate_json(state.model_dump_json()) == state
