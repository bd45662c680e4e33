"""The router with the deterministic FakeEmbedder (no model load): kinds, clarifying, JSON shape."""

from __future__ import annotations

from collections.abc import Sequence

import pytest
import yaml

from bot.dialogue.cues import keyword_hits, question_shape, similar, words
from bot.dialogue.loader import load_flow_text
from bot.dialogue.router import QUESTION, Router, RouterConfig
from bot.dialogue.schema import Flow
from bot.kb.embedder import FakeEmbedder


def flow(fid: str, label: str, examples: Sequence[str], keywords: Sequence[str] = ()) -> Flow:
    data = {
        "id": fid,
        "title": f"{fid} title",
        "label": label,
        "description": f"{fid} description",
        "products": ["cx-codec"],
        "keywords": list(keywords),
        "examples": list(examples),
        "steps": [{"id": "done", "kind": "outcome", "outcome": "resolved", "summary": "ok"}],
    }
    return load_flow_text(yaml.safe_dump(data), file=f"{fid}.yaml")


PICTURE = flow(
    "no-video",
    "the picture",
    ["far end cannot see us", "our video is black", "no picture from our camera",
     "they see a black screen of us", "video missing on their side", "camera image not sent"],
    ["no video", "can't see us"],
)  # fmt: skip
SOUND = flow(
    "no-audio",
    "the sound",
    ["far end cannot hear us", "no sound from the speakers", "our microphone is muted",
     "they hear nothing from us", "audio missing on their side", "volume is silent"],
    ["no sound", "can't hear"],
)  # fmt: skip


class CountingEmbedder(FakeEmbedder):
    def __init__(self) -> None:
        super().__init__(dimension=256)
        self.documents = 0

    def embed_documents(self, texts: Sequence[str]) -> list[list[float]]:
        self.documents += len(texts)
        return super().embed_documents(texts)


def make(config: RouterConfig | None = None) -> tuple[Router, CountingEmbedder]:
    embedder = CountingEmbedder()
    return Router([PICTURE, SOUND], embedder, config=config), embedder


def test_warm_up_embeds_once_and_route_warms_up_on_demand() -> None:
    router, embedder = make()
    assert not router.is_warm
    router.route("our video is black")
    first = embedder.documents
    router.warm_up()
    router.route("no sound at all")
    assert router.is_warm and embedder.documents == first == 2 * 8 + 14


def test_routes_symptoms_to_flows() -> None:
    router, _ = make()
    assert router.route("the far end says our video is black").flow_id == "no-video"
    route = router.route("no sound from the speakers today")
    assert (route.kind, route.flow_id) == ("flow", "no-audio")
    assert [c[0] for c in route.candidates] == ["no-audio", "no-video"]


def test_keywords_tolerate_typos() -> None:
    router, _ = make()
    assert router.route("they cant hear anyting").flow_id == "no-audio"


def test_knowledge_questions_are_questions() -> None:
    router, _ = make()
    for text in (
        "which firmware fixed the HDMI handshake on the CX-900?",
        "what changed in 10.0.0?",
        "does the CX-500 support AV1?",
        "what does CX-4821 refer to?",
    ):
        route = router.route(text)
        assert (route.kind, route.flow_id, route.predicted) == ("question", None, QUESTION), text


def test_close_flows_ask_a_clarifying_question() -> None:
    router, _ = make(RouterConfig(clarify_margin=1.0))
    route = router.route("far end cannot see or hear us")
    assert route.kind == "clarify" and route.flow_id is None
    assert route.question in ("Is it the picture or the sound?", "Is it the sound or the picture?")
    assert {c.id for c in route.choices} == {"no-video", "no-audio"}
    assert {c.label for c in route.choices} == {"The picture", "The sound"}


def test_nothing_fits() -> None:
    router, _ = make()
    for text in ("", "   ", "pizza margherita", "thank you"):
        route = router.route(text)
        assert (route.kind, route.flow_id) == ("none", None), text


def test_json_shape_is_the_contract() -> None:
    router, _ = make()
    payload = router.route("our video is black").to_json()
    assert set(payload) == {"kind", "flow_id", "candidates"}
    assert payload["kind"] == "flow" and payload["flow_id"] == "no-video"
    assert all(set(c) == {"flow_id", "score"} for c in payload["candidates"])
    assert all(isinstance(c["score"], float) for c in payload["candidates"])


def test_long_input_is_fine() -> None:
    router, _ = make()
    assert router.route("video " * 5000).kind in ("flow", "clarify", "none")


@pytest.mark.parametrize(
    ("word", "keyword", "same"),
    [("ehco", "echo", True), ("camra", "camera", True), ("hearing", "hear", True),
     ("registraion", "registration", True), ("video", "audio", False), ("here", "hear", False)],
)  # fmt: skip
def test_typo_tolerance(word: str, keyword: str, same: bool) -> None:
    assert similar(word, keyword) is same


def test_keyword_phrases_contractions_and_wildcards() -> None:
    said = words("Why can't they hear us? They can see us fine")
    assert keyword_hits(said, ["not * hear", "can't hear", "not see", "see us"]) == [
        "not * hear",
        "see us",
    ]


def test_question_shape() -> None:
    assert question_shape("which firmware fixed CX-4821?").score == 1.0
    assert question_shape("why is the screen black?").score < 0.2
    assert question_shape("the screen is black").score == 0.0
    assert question_shape("does the VX-12U work with a 10 m cable?").knowledge
    # what a product does, asked of the site's own device: a knowledge question, not a fault
    asked = "can the codec in our boardroom join Microsoft Teams Rooms meetings natively?"
    assert question_shape(asked).knowledge and question_shape(asked).score == 1.0
    assert question_shape("will the camera work with a Crestron panel?").knowledge
    reported = question_shape("our codec can not join the meeting, it fails")
    assert not reported.knowledge and reported.score == 0.0
