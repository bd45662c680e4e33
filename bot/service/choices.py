"""The buttons every part of a conversation offers."""

from __future__ import annotations

from bot.dialogue.state import Choice

PERSON = Choice(id="person", label="Talk to a person")
YES_NO = (Choice(id="yes", label="Yes"), Choice(id="no", label="No"))
