"""The twelve bundled flows: valid, complete, and consistent with docs/portfolio.md."""

from __future__ import annotations

import re

from bot.dialogue.loader import LoadResult
from bot.dialogue.schema import KNOWN_PRODUCTS, AskStep, CheckKbStep, Flow

FLOW_IDS = {
    "no-video", "no-audio", "echo", "camera", "display-no-signal", "call-connect", "call-quality",
    "content-sharing", "touch-panel", "network-registration", "power", "firmware-update",
}  # fmt: skip


def test_flows_check_passes(bundled: LoadResult) -> None:
    assert [str(e) for e in bundled.errors] == []
    assert {f.id for f in bundled.flows} == FLOW_IDS


def test_each_flow_is_complete(bundled_flows: dict[str, Flow]) -> None:
    for flow in bundled_flows.values():
        assert 5 <= len(flow.steps) <= 15, flow.id
        assert len(set(flow.examples)) >= 6, flow.id
        assert set(flow.products) <= KNOWN_PRODUCTS and flow.products, flow.id
        assert any(isinstance(s, CheckKbStep) for s in flow.steps), flow.id
        outcomes = flow.outcomes()
        assert any(o.outcome == "resolved" for o in outcomes), flow.id
        faults = {o.category for o in outcomes if o.outcome == "fault"}
        assert len(faults) >= 2, flow.id
        assert flow.label, flow.id


def test_fault_categories_cover_the_taxonomy(bundled_flows: dict[str, Flow]) -> None:
    categories = {o.category for f in bundled_flows.values() for o in f.outcomes()}
    assert {"hardware", "network", "software", "configuration", "unknown"} <= categories


def test_safety_notes_where_they_matter(bundled_flows: dict[str, Flow]) -> None:
    notes = {f.id: " ".join(s.safety or "" for s in f.steps) for f in bundled_flows.values()}
    assert "amber" in notes["display-no-signal"].lower()  # never power off while updating
    assert "ceiling" in notes["no-audio"].lower()
    assert "open" in notes["power"].lower()  # never open the chassis
    assert "updating" in notes["firmware-update"].lower()


def _all_text(flow: Flow) -> str:
    parts: list[str] = []
    for step in flow.steps:
        parts.extend(str(v) for v in step.model_dump().values() if isinstance(v, str))
        if isinstance(step, AskStep):
            parts.extend(o.label for o in getattr(step.answer, "options", []))
    return " ".join(parts)


def test_consistent_with_the_portfolio(bundled_flows: dict[str, Flow]) -> None:
    text = " ".join(_all_text(f) for f in bundled_flows.values())
    # port names and menu paths that exist in docs/portfolio.md
    for name in ("HDMI OUT 1", "HDMI OUT 2", "USB-C", "LAN port", "Settings > About",
                 "Settings > Calling", "https://<codec-ip>/"):  # fmt: skip
        assert name in text, name
    # no port or menu the portfolio does not know
    assert not re.search(r"HDMI OUT [3-9]|HDMI IN [4-9]|Settings > Restart", text)
    codec_led = bundled_flows["display-no-signal"].step("codec_led")
    assert isinstance(codec_led, AskStep)
    assert {o.id for o in getattr(codec_led.answer, "options", [])} == {
        "white",
        "amber",
        "red",
        "off",
    }
    mic = bundled_flows["no-audio"].step("mic_ring")
    assert isinstance(mic, AskStep)
    assert {o.id for o in getattr(mic.answer, "options", [])} == {
        "green",
        "red",
        "amber_blinking",
        "off",
    }


def test_known_issues_are_looked_up_for_the_right_product(bundled_flows: dict[str, Flow]) -> None:
    checks = {
        (f.id, s.id): s
        for f in bundled_flows.values()
        for s in f.steps
        if isinstance(s, CheckKbStep)
    }
    assert "Display 2" in checks[("display-no-signal", "kb_handshake")].query
    assert checks[("touch-panel", "kb_certificate")].product == "tx-panel"
    assert checks[("content-sharing", "kb_pairing")].product == "wx-share"
    assert checks[("echo", "kb_aec")].product == "ax-audio"
