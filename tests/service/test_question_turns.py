"""The question the knowledge base reads leaves out the site's own places: no release note names
a customer's room or city, so they must not read as something the notes lack."""

from __future__ import annotations

from bot.service.runtime import Runtime


def test_the_site_s_rooms_and_city_are_left_out_of_the_question(runtime: Runtime) -> None:
    assistant = runtime.assistant
    harbour = assistant.open_by_id(assistant.start("HARBOUR-SYD-2000").session_id).state
    read = assistant.conversation.questions._for_notes
    assert read(harbour, "does the codec in Circular Quay support two displays?") == (
        "does the codec support two displays?"
    )
    assert read(harbour, "our office in sydney has a CX-500") == "our office has a CX-500"
    # another site's room is no place of this one
    assert read(harbour, "the codec in Shibuya Hall") == "the codec in Shibuya Hall"
