"""Evidence-level retrieval metrics: the normaliser, evidence_hit, and the summary arithmetic."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from evals.datasets import RetrievalQuestion, load_retrieval_questions
from evals.metrics import (
    evidence_hit,
    evidence_mrr_at,
    evidence_ranks,
    evidence_recall_at,
    normalise,
)
from evals.retrieval import Row, _summary

LONG = (
    "With 802.1X enabled, the VX-20 lost its static IP address after a power cycle and fell back "
    "to DHCP and the static address is now kept."
)  # 26 words after normalisation


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("**Fixed** the `AV1` decoder.", "fixed the av1 decoder"),
        ("See [the guide](https://example.com/a_b) now", "see the guide now"),
        ("![alt text](img.png) | # Heading |", "alt text heading"),
        (
            "`Kurento docs <https://kurento.org>`__ and :ref:`upgrade <up-label>`",
            "kurento docs and upgrade",
        ),
        ("<p>Dante&nbsp;Domain <b>Manager</b></p>", "dante domain manager"),
        ("  CX-4821:\tDisplay 2\n\n(HDMI OUT 2)  ", "cx 4821 display 2 hdmi out 2"),
        ("“Smart” quotes — and dashes", "smart quotes and dashes"),
        ("snake_case __init__", "snake case init"),
    ],
)
def test_normalise_drops_markup_case_and_punctuation(text: str, expected: str) -> None:
    assert normalise(text) == expected


def test_a_sentence_matches_through_markup_differences() -> None:
    passage = (
        "## Removed\n\n- **H.263** video and `TLS 1.0` are _no longer_ supported.\n"
        "* See [notes](https://x.example/notes) for details."
    )
    assert evidence_hit(passage, ["Removed - H.263 video and TLS 1.0 are no longer supported."])
    assert evidence_hit(passage, ["See notes for details"])
    rst = "* Old: ``OnIceCandidate`` event\n  New: ``IceCandidateFound`` event"
    assert evidence_hit(rst, ["Old: OnIceCandidate event New: IceCandidateFound event"])


def test_a_different_sentence_is_a_miss() -> None:
    passage = "H.263 video and TLS 1.0 are no longer supported."
    assert not evidence_hit(passage, ["H.264 video and TLS 1.2 are supported."])
    assert not evidence_hit(passage, [])
    assert not evidence_hit(passage, ["", "   ", "**"])


def test_words_must_align() -> None:
    # "tls 1 0" must not match inside "tls 1 05" nor "stls 1 0"
    assert not evidence_hit("stls 1.05 is required", ["TLS 1.0"])


def test_a_long_sentence_cut_by_a_chunk_boundary_matches_on_either_side() -> None:
    words = LONG.split()
    first, second = " ".join(words[:14]), " ".join(words[14:])
    assert len(normalise(first).split()) >= 12 and len(normalise(second).split()) >= 12
    assert evidence_hit(f"Earlier text. {first}", [LONG])  # the chunk ending with its head
    assert evidence_hit(f"{second} Next item.", [LONG])  # the chunk starting with its tail
    # a middle part of 12 words is neither the head nor the tail: no match
    assert not evidence_hit(" ".join(words[5:19]), [LONG])


def test_a_short_sentence_needs_to_be_whole() -> None:
    sentence = "The static address is now kept after a power cycle."  # 10 words
    assert not evidence_hit("The static address is now kept", [sentence])
    assert evidence_hit(f"Intro. {sentence} Outro.", [sentence])


def test_evidence_ranks_and_per_question_figures() -> None:
    passages = ["nothing here", "**TLS 1.0** removed", "also TLS 1.0 removed here"]
    ranks = evidence_ranks(passages, ["TLS 1.0 removed"])
    assert ranks == [2, 3]
    assert evidence_recall_at(ranks, 1) == 0.0
    assert evidence_recall_at(ranks, 2) == 1.0
    assert evidence_mrr_at(ranks, 10) == 0.5
    assert evidence_mrr_at(ranks, 1) == 0.0
    assert evidence_mrr_at([], 10) == 0.0
    assert evidence_ranks(passages, []) == []


def _q(qid: str, kind: str, gold: tuple[str, ...], evidence: tuple[str, ...]) -> RetrievalQuestion:
    return RetrievalQuestion(qid, f"question {qid}?", gold, kind=kind, evidence=evidence)


def _row(q: RetrievalQuestion, files: list[str], ranks: list[int] | None, abstained: bool) -> Row:
    return Row(q, files, abstained, "", [], 0.01, ranks)


def test_summary_arithmetic_on_hand_made_rows() -> None:
    rows = [
        _row(_q("a", "fix", ("a.md",), ("s",)), ["a.md"], [1, 4], False),  # hit at 1
        _row(_q("b", "fix", ("b.md",), ("s",)), ["x.md", "b.md"], [3], False),  # hit at 3
        _row(_q("c", "how", ("c.md",), ("s",)), ["c.md"], [], False),  # file hit, no evidence hit
        _row(_q("d", "how", ("d.md",), ("s",)), ["x.md"], [7], False),  # hit at 7 only
        _row(_q("e", "how", ("e.md",), ()), ["e.md"], [], False),  # answerable, no evidence
        _row(_q("u", "unanswerable", (), ()), [], [], True),  # unanswerable, abstained
    ]
    s = _summary(rows, 5)
    o = s["overall"]
    assert o["n"] == 6
    assert o["evidence_n"] == 4  # a, b, c, d: answerable with evidence sentences
    assert o["evidence_recall@1"] == pytest.approx(1 / 4)
    assert o["evidence_recall@5"] == pytest.approx(2 / 4)
    assert o["evidence_mrr@10"] == pytest.approx((1 + 1 / 3 + 0 + 1 / 7) / 4)
    assert o["recall@5"] == pytest.approx(4 / 5)  # file level: a, b, c, e of 5 answerable
    fix, how, un = s["by_kind"]["fix"], s["by_kind"]["how"], s["by_kind"]["unanswerable"]
    assert fix["evidence_n"] == 2 and fix["evidence_recall@1"] == pytest.approx(0.5)
    assert fix["evidence_mrr@10"] == pytest.approx((1 + 1 / 3) / 2)
    assert how["evidence_n"] == 2 and how["evidence_recall@5"] == 0.0
    assert how["evidence_mrr@10"] == pytest.approx(1 / 7 / 2)
    assert un["evidence_n"] == 0 and un["evidence_recall@5"] == 0.0
    assert s["abstention"]["precision"] == 1.0 and s["abstention"]["recall"] == 1.0


def test_summary_has_no_evidence_figures_without_passage_texts() -> None:
    rows = [_row(_q("a", "fix", ("a.md",), ("s",)), ["a.md"], None, False)]
    s = _summary(rows, 5)
    assert "evidence_recall@5" not in s["overall"]
    assert s["overall"]["recall@5"] == 1.0


def test_the_loader_keeps_evidence(tmp_path: Path) -> None:
    path = tmp_path / "q.jsonl"
    lines = [
        {"id": "1", "question": "q?", "gold_files": ["a.md"], "evidence": ["One.", "Two."]},
        {"id": "2", "question": "q?", "gold_files": []},
    ]
    path.write_text("\n".join(json.dumps(line) for line in lines) + "\n")
    first, second = load_retrieval_questions(path)
    assert first.evidence == ("One.", "Two.")
    assert second.evidence == () and second.unanswerable
