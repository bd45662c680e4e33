"""Facts a user gives before being asked: "the second screen says no signal" answers "Which screen?"
and "the far end can't hear us" answers "Which way is the sound missing?".

``facts_in(flow, text)`` finds, for every ask step with a ``prefill`` mapping, the answer the text
gives unambiguously (one option's phrases match and no other's); the engine applies it when the
flow reaches that step and says what it understood, instead of asking again. Pure.
"""

from __future__ import annotations

from bot.dialogue.answers import NUMBER_WITH_UNIT, parse_number
from bot.dialogue.cues import KeywordIndex, words
from bot.dialogue.schema import AskStep, ChoiceAnswer, Flow, NumberAnswer, YesNoAnswer
from bot.dialogue.state import Given

_NUMBER_WINDOW = 6  # words between a number and the word it must stand near ("usb cable ... 10 m")


def facts_in(flow: Flow, text: str) -> dict[str, Given]:
    """The answers ``text`` gives to the flow's steps, by step id."""
    tokens = words(text[:2000])
    if not tokens:
        return {}
    found: dict[str, Given] = {}
    quote = " ".join(text.split())[:200]
    for step in flow.steps:
        if not isinstance(step, AskStep) or not step.prefill:
            continue
        if isinstance(step.answer, NumberAnswer):
            value = _number_near(step, text, tokens)
            if value is not None:
                found[step.id] = Given(value=value[0], display=value[1], said=quote)
            continue
        matched = [
            answer
            for answer, phrases in step.prefill.items()
            if KeywordIndex.of(phrases).hits(tokens)
        ]
        if len(matched) != 1:
            continue  # nothing said, or two answers at once: ask as usual
        answer = matched[0]
        display = _label(step, answer)
        if display is not None:
            found[step.id] = Given(value=answer, display=display, said=quote)
    return found


def _label(step: AskStep, answer: str) -> str | None:
    spec = step.answer
    if isinstance(spec, ChoiceAnswer):
        option = spec.option(answer)
        return option.label if option else None
    if isinstance(spec, YesNoAnswer) and answer in ("yes", "no"):
        return answer
    return None


def _number_near(step: AskStep, text: str, tokens: list[str]) -> tuple[float, str] | None:
    anchors = {a for phrase in step.prefill.get("number", []) for a in words(phrase)}
    if not anchors:
        return None
    spec = step.answer
    assert isinstance(spec, NumberAnswer)
    for index, token in enumerate(tokens):
        if token not in anchors:
            continue
        window = " ".join(tokens[max(0, index - _NUMBER_WINDOW) : index + _NUMBER_WINDOW + 1])
        # "room 1" is no length or duration: only a number said with its unit counts
        for match in NUMBER_WITH_UNIT.finditer(window):
            if not match.group(2):
                continue
            parsed = parse_number(spec, match.group(0))
            if (
                parsed.kind == "value"
                and parsed.value is not None
                and not parsed.needs_confirmation
            ):
                return float(parsed.value), parsed.display
    return None
