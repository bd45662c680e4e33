"""Names and phone numbers found inside what people type."""

from __future__ import annotations

import pytest

from bot.dialogue.people import display_phone, parse_person_name, parse_phone


@pytest.mark.parametrize(
    ("said", "name"),
    [
        ("Priya", "Priya"),
        ("its me, Priya", "Priya"),
        ("it's me Priya", "Priya"),
        ("this is Dana from facilities", "Dana"),
        ("Dana Whitfield", "Dana Whitfield"),
        ("priya natarajan", "Priya Natarajan"),
        ("My name is Sam Rivera, AV lead", "Sam Rivera"),
        ("Tom here", "Tom"),
        ("José Núñez", "José Núñez"),
        ("Mary-Jane O'Brien", "Mary-Jane O'Brien"),
        ("Priya (AV lead)", "Priya"),
        ("sorry - Dana Whitfield", "Dana Whitfield"),  # an apology first is no name
        ("oh sorry, it's Priya", "Priya"),
        ("Thanks! Sam Rivera", "Sam Rivera"),
        ("Ah-young Kim", "Ah-young Kim"),  # a hyphenated name is no filler word
    ],
)
def test_a_name_is_taken_out_of_the_phrase(said: str, name: str) -> None:
    parsed = parse_person_name(said)
    assert parsed.kind == "value" and parsed.value == name


@pytest.mark.parametrize(
    "said",
    ["me", "yes", "not sure", "Dana <img src=x onerror=alert(1)>", "https://evil.example/a",
     "dana@evil.example", "call 617 555 0142", "", "both ends are pushed in, still nothing",
     "it is still black", "tried that already", "nope the socket works, I plugged a lamp into it",
     "yeah the lights are off", "sorry"],
)  # fmt: skip
def test_no_name_is_made_up(said: str) -> None:
    assert parse_person_name(said).kind == "none"


@pytest.mark.parametrize(
    ("said", "region", "e164", "shown"),
    [
        ("my mobile is +1 (617) 555-0142", "US", "+16175550142", "(617) 555-0142"),
        ("call me on 617 555 0142", "US", "+16175550142", "(617) 555-0142"),
        ("+52 55 5555 0190", "MX", "+525555550190", "55 5555 0190"),
        ("020 7946 0958", "GB", "+442079460958", "020 7946 0958"),
        ("+44 20 7946 0958", "US", "+442079460958", "+44 20 7946 0958"),
    ],
)
def test_phone_numbers_are_found_and_normalised(
    said: str, region: str, e164: str, shown: str
) -> None:
    parsed = parse_phone(said, region)
    assert (parsed.kind, parsed.value, parsed.display) == ("value", e164, shown)
    assert display_phone(e164, region) == shown


def test_two_numbers_or_none_are_not_taken_blindly() -> None:
    assert parse_phone("617 555 0142 or 617 555 0143", "US").needs_confirmation
    assert parse_phone("not a phone", "US").kind == "none"
    assert parse_phone("ext 42", "US").kind == "none"
