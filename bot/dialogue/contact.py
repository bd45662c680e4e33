"""The built-in flow that collects the site representative before a handoff.

It is an ordinary flow run by the same pure engine, so its answers are typed (a person's name, a
phone number, yes/no), misunderstood answers get a validation message, and "go back" / "start
over" work as in any flow. Its slots (``name``, ``phone``, ``on_site``, ``available``) are what
the handoff record's site representative is built from; the router never offers it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bot.dialogue.schema import Flow

CONTACT_FLOW_ID = "site-representative"

_DEFINITION = {
    "id": CONTACT_FLOW_ID,
    "title": "Who the engineer works with on site",
    "description": "Collects the site representative: name, phone, on site now, available.",
    "intro": "",
    "routed": False,
    "steps": [
        {
            "id": "name",
            "kind": "ask",
            "question": "Before I hand this to an engineer: who on site will work the problem "
            "with them? Please type their name.",
            "answer": {"type": "person_name"},
            "slot": "name",
            "next": "phone",
            "not_sure": "phone",
        },
        {
            "id": "phone",
            "kind": "ask",
            "question": "Thanks. What phone number can the engineer call {slot.name} on?",
            "answer": {"type": "phone"},
            "slot": "phone",
            "next": "on_site",
            "not_sure": "on_site",
        },
        {
            "id": "on_site",
            "kind": "ask",
            "question": "Is {slot.name} on site now, next to the equipment?",
            "answer": {"type": "yes_no"},
            "slot": "on_site",
            "next": "available",
            "not_sure": "available",
        },
        {
            "id": "available",
            "kind": "ask",
            "question": "Can {slot.name} stay available for the whole troubleshooting and repair?",
            "answer": {"type": "yes_no"},
            "slot": "available",
            "next": "collected",
            "not_sure": "collected",
        },
        {
            "id": "collected",
            "kind": "outcome",
            "outcome": "resolved",
            "summary": "Site representative collected.",
            "message": "Thank you, that is everything the engineer needs from you.",
        },
    ],
}


def contact_flow() -> Flow:
    """The flow, validated like any flow (``assist flows check`` rules)."""
    return Flow.model_validate(_DEFINITION).with_source("<built-in>")


@dataclass(frozen=True)
class ContactDetails:
    """What the contact flow collected; a question the user could not answer stays unset."""

    name: str | None
    phone: str | None
    on_site: bool | None
    available: bool | None

    @classmethod
    def from_slots(cls, slots: Mapping[str, str]) -> ContactDetails:
        def flag(key: str) -> bool | None:
            value = slots.get(key)
            return None if value is None else value == "yes"

        return cls(slots.get("name"), slots.get("phone"), flag("on_site"), flag("available"))
