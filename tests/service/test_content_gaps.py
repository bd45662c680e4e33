"""Content gaps: unanswered questions grouped by meaning with the embedder (the fake one here)."""

from __future__ import annotations

import numpy as np

from bot.kb.embedder import FakeEmbedder
from bot.service.content_gaps import cluster, find_gaps

BLUETOOTH = [
    "can I pair the AX-8 with a bluetooth speaker",
    "pair the WX-4 with a bluetooth speaker",
    "how do I pair a bluetooth speaker with the codec",
]
RELEASES = [
    "release notes for codec firmware 9.9.0",
    "where are the release notes for firmware 9.9.0",
]
OTHER = "what is the weight of the camera bracket"


def test_similar_questions_group_together_and_different_ones_do_not() -> None:
    questions = [*BLUETOOTH, OTHER, *RELEASES, BLUETOOTH[0]]  # one asked twice
    gaps = find_gaps(questions, FakeEmbedder(dimension=256), threshold=0.3, top=5)
    groups = [set(g.examples) for g in gaps]
    assert gaps[0].size == 4  # the three bluetooth questions, one of them twice
    assert set(BLUETOOTH) == groups[0]
    assert set(RELEASES) in groups
    assert {OTHER} in groups
    assert "bluetooth" in gaps[0].terms and "speaker" in gaps[0].terms
    assert gaps[0].label in BLUETOOTH
    assert sum(g.size for g in gaps) == len(questions)


def test_the_result_does_not_depend_on_the_order_asked() -> None:
    questions = [*BLUETOOTH, OTHER, *RELEASES]
    embedder = FakeEmbedder(dimension=256)
    forward = find_gaps(questions, embedder, threshold=0.3)
    backward = find_gaps(list(reversed(questions)), embedder, threshold=0.3)
    assert forward == backward


def test_top_limits_and_examples_are_at_most_three() -> None:
    many = [f"pair bluetooth speaker number {n}" for n in range(6)]
    gaps = find_gaps([*many, OTHER], FakeEmbedder(dimension=256), threshold=0.3, top=1)
    assert len(gaps) == 1 and gaps[0].size == 6 and len(gaps[0].examples) == 3
    assert find_gaps([], FakeEmbedder()) == [] and find_gaps(["  "], FakeEmbedder()) == []


def test_average_linkage_stops_at_the_threshold() -> None:
    x = np.array([[1.0, 0.0], [0.9, 0.1], [0.0, 1.0]])
    x = x / np.linalg.norm(x, axis=1, keepdims=True)
    assert cluster(x, [1, 1, 1], 0.9) == [[0, 1], [2]]
    assert cluster(x, [1, 1, 1], 0.0) == [[0, 1, 2]]
    assert cluster(x, [1, 1, 1], 0.999) == [[0], [1], [2]]
