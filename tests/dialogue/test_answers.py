"""Free-text answers: the forms people type, and a promise never to raise."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.dialogue.answers import CONFIRM_BELOW, is_not_sure, parse_answer
from bot.dialogue.schema import (
    AnswerSpec,
    ChoiceAnswer,
    ChoiceOption,
    NumberAnswer,
    TextAnswer,
    YesNoAnswer,
)

YES_NO = YesNoAnswer(type="yes_no")
LED = ChoiceAnswer(
    type="choice",
    options=[
        ChoiceOption(id="white", label="Solid white"),
        ChoiceOption(id="orange", label="Orange"),
        ChoiceOption(id="red_blinking", label="Red, blinking"),
        ChoiceOption(id="off", label="Off, no light at all"),
    ],
)
METRES = NumberAnswer(type="number", unit="m", min=0, max=100)
MINUTES = NumberAnswer(type="number", unit="min")
TEXT = TextAnswer(type="text")


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("yes", "yes"), ("Yes!", "yes"), ("YES", "yes"), ("yep", "yes"), ("yeah it is", "yes"),
        ("y", "yes"), ("sure", "yes"), ("correct", "yes"), ("yes it's on", "yes"),
        ("no", "no"), ("nope it's dark", "no"), ("nah", "no"), ("n", "no"),
        ("no, still nothing", "no"), ("Nope.", "no"),
    ],
)  # fmt: skip
def test_yes_and_no_in_many_forms(text: str, value: str) -> None:
    parsed = parse_answer(YES_NO, text)
    assert (parsed.kind, parsed.value) == ("value", value)
    assert not parsed.needs_confirmation


@pytest.mark.parametrize("text", ["it isn't", "it doesn't", "it is working now"])
def test_indirect_yes_no_is_understood_with_less_confidence(text: str) -> None:
    parsed = parse_answer(YES_NO, text)
    assert parsed.kind == "value" and 0.75 <= parsed.confidence < 1.0


@pytest.mark.parametrize(
    ("text", "value"),
    [("uh, I think so?", "yes"), ("probably", "yes"), ("looks like it", "yes"),
     ("I doubt it", "no"), ("probably not", "no"), ("don't think so", "no")],
)  # fmt: skip
def test_hedged_answers_lean_their_way_without_a_confirmation(text: str, value: str) -> None:
    parsed = parse_answer(YES_NO, text)
    assert (parsed.value, parsed.needs_confirmation) == (value, False)
    assert parsed.confidence < 1.0


def test_mixed_yes_and_no_asks_to_confirm() -> None:
    parsed = parse_answer(YES_NO, "yes but no")
    assert parsed.kind == "value" and parsed.needs_confirmation


@pytest.mark.parametrize(
    "text",
    ["not sure", "I don't know", "I dont know", "no idea", "dunno", "idk", "can't tell", "unsure",
     "Not really sure", "hard to say"],
)  # fmt: skip
def test_not_sure_in_many_forms(text: str) -> None:
    assert is_not_sure(text)
    for spec in (YES_NO, LED, METRES, TEXT):
        assert parse_answer(spec, text).kind == "not_sure"


@pytest.mark.parametrize(
    ("text", "value", "confident"),
    [
        ("the light is orange", "orange", True),
        ("orange", "orange", True),
        ("it's red and blinking", "red_blinking", True),
        ("red_blinking", "red_blinking", True),
        ("Solid white", "white", True),
        ("it's not red, it's white", "white", True),
        ("there's no light at all", "off", True),
        ("3", "red_blinking", True),
        ("the first one", "white", True),
        ("ornage", "orange", False),
        ("maybe orange", "orange", True),
    ],
)
def test_choices_from_free_text(text: str, value: str, confident: bool) -> None:
    parsed = parse_answer(LED, text)
    assert (parsed.kind, parsed.value) == ("value", value)
    assert parsed.needs_confirmation is not confident


def test_a_choice_that_is_not_offered_is_not_understood() -> None:
    assert parse_answer(LED, "purple").kind == "none"
    assert parse_answer(LED, "no idea").kind == "not_sure"


@pytest.mark.parametrize(
    ("spec", "text", "value", "confident"),
    [
        (METRES, "about 20 metres", 20, True),
        (METRES, "20m", 20, True),
        (METRES, "roughly 7.5 meters", 7.5, True),
        (METRES, "60 feet", 18.3, True),
        (METRES, "twenty metres", 20, True),
        (METRES, "10 or 15 m", 10, False),
        (MINUTES, "2 hours", 120, True),
        (MINUTES, "45", 45, True),
        (MINUTES, "5 m", 5, False),  # a length where a time was asked: confirm
    ],
)
def test_numbers_are_unit_aware(
    spec: NumberAnswer, text: str, value: float, confident: bool
) -> None:
    parsed = parse_answer(spec, text)
    assert parsed.kind == "value" and parsed.value == pytest.approx(value)
    assert parsed.needs_confirmation is not confident


def test_feet_are_converted_with_a_note() -> None:
    parsed = parse_answer(METRES, "60 feet")
    assert parsed.display == "18.3 m" and parsed.note == "converted from 60 feet"


def test_text_answers_keep_the_words() -> None:
    parsed = parse_answer(TEXT, "  Call failed:   not registered ")
    assert (parsed.kind, parsed.value, parsed.confidence) == (
        "value",
        "Call failed: not registered",
        1.0,
    )
    assert parse_answer(TEXT, "   ").kind == "none"


SPECS = st.sampled_from([YES_NO, LED, METRES, MINUTES, TEXT])


@settings(max_examples=400, deadline=None)
@given(spec=SPECS, text=st.text(max_size=300))
def test_parse_answer_never_raises(spec: YesNoAnswer, text: str) -> None:
    parsed = parse_answer(spec, text)
    assert parsed.kind in ("value", "not_sure", "none")
    assert 0.0 <= parsed.confidence <= 1.0
    if parsed.kind == "value" and isinstance(spec, ChoiceAnswer):
        assert parsed.value in {o.id for o in spec.options}
    if parsed.kind == "value" and isinstance(spec, YesNoAnswer):
        assert parsed.value in ("yes", "no")
    if parsed.kind == "value" and isinstance(spec, NumberAnswer):
        assert isinstance(parsed.value, float)


@settings(max_examples=50, deadline=None)
@given(chunk=st.text(min_size=1, max_size=40), times=st.integers(100, 400))
def test_long_text_is_safe(chunk: str, times: int) -> None:
    text = chunk * times  # up to 16,000 characters
    for spec in (YES_NO, LED, METRES, TEXT):
        parsed = parse_answer(spec, text)
        assert parsed.kind != "value" or parsed.confidence <= 1.0
    assert CONFIRM_BELOW == 0.75


option_ids = st.from_regex(r"[a-z][a-z0-9_]{0,11}", fullmatch=True)
labels = st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=30)


@st.composite
def choice_specs(draw: st.DrawFn) -> ChoiceAnswer:
    ids = draw(st.lists(option_ids, min_size=2, max_size=5, unique=True))
    return ChoiceAnswer(
        type="choice", options=[ChoiceOption(id=i, label=draw(labels)) for i in ids]
    )


ANY_SPEC = st.one_of(
    SPECS,
    choice_specs(),
    st.builds(
        lambda unit, low: NumberAnswer(type="number", unit=unit, min=low),
        st.sampled_from(["m", "ft", "s", "min", "h", "%", "count", "parsecs"]),
        st.none() | st.floats(-1e6, 1e6),
    ),
)
WORDS = [
    "first", "second", "third", "fourth", "fifth", "last", "the", "not", "sure", "maybe", "yes",
    "no", "nope", "about", "metres", "feet", "min", "%", "~", "1", "2", "99", "-3,5", "dunno",
]  # fmt: skip
# what people type: words the parser looks for, numbers of any size, and any Unicode at all
replies = st.one_of(
    st.text(max_size=200),
    st.lists(st.sampled_from(WORDS), min_size=1, max_size=8).map(" ".join),
    st.builds(
        "about {} {}".format,
        st.integers(0, 10**6) | st.integers(10**300, 10**320),
        st.sampled_from(["m", "feet", "cm", "hours", "min", "s", "%", ""]),
    ),
    st.builds(lambda w, t: f"{w} {t}", st.sampled_from(WORDS), st.text(max_size=30)),
)


@settings(max_examples=500, deadline=None)
@given(spec=ANY_SPEC, text=replies)
def test_any_reply_gives_an_allowed_answer_or_none(spec: AnswerSpec, text: str) -> None:
    parsed = parse_answer(spec, text)
    assert parsed.kind in ("value", "not_sure", "none")
    assert 0.0 <= parsed.confidence <= 1.0 and isinstance(parsed.display, str)
    if parsed.kind != "value":
        assert parsed.value is None
    elif isinstance(spec, ChoiceAnswer):
        assert parsed.value in {o.id for o in spec.options}
    elif isinstance(spec, YesNoAnswer):
        assert parsed.value in ("yes", "no")
    elif isinstance(spec, NumberAnswer):
        assert isinstance(parsed.value, float) and math.isfinite(parsed.value)
    else:
        assert isinstance(parsed.value, str) and parsed.value.strip()
    assert is_not_sure(text) in (True, False)


@pytest.mark.parametrize("word", ["third", "the fourth one", "fifth"])
def test_an_ordinal_past_the_last_option_is_not_understood(word: str) -> None:
    two = ChoiceAnswer(
        type="choice",
        options=[ChoiceOption(id="hdmi", label="HDMI"), ChoiceOption(id="usb_c", label="USB-C")],
    )
    assert parse_answer(two, word).kind == "none"
    assert parse_answer(two, "last").value == "usb_c"


def test_a_number_too_large_for_a_float_is_not_understood() -> None:
    assert parse_answer(METRES, "about 1" + "0" * 400 + " metres").kind == "none"
    seconds = NumberAnswer(type="number", unit="s")
    assert parse_answer(seconds, "1" + "0" * 306 + " hours").kind == "none"  # inf once converted
