"""The KCS desk over a real runtime: a resolution becomes a draft in the move's transaction, a
second case with the same cause links to it, publishing is all or nothing, and the article's
counters and review flag follow the conversations that used it."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot.errors import ConflictError, KcsError, MoveError, StoreUnavailableError
from bot.kb.service import KnowledgeBase
from bot.kb.vectorstore import InMemoryVectorStore
from bot.service.kcs_index import KcsIndex
from bot.service.runtime import Runtime
from tests.service.kcs_support import (
    CEC_FIX,
    DANA,
    TO_THE_FAULT,
    Clock,
    articles,
    chat,
    claimed,
    clock,
    hand_off_screen,
    runtime,
    say,
)

__all__ = ["clock", "runtime"]  # the fixtures


def resolved_with_fix(runtime: Runtime) -> str:
    handoff = claimed(runtime, hand_off_screen(runtime))
    _, view = articles(runtime).resolve(handoff, DANA, "Turned HDMI-CEC off.", article=CEC_FIX)
    assert view is not None
    return view.id


def test_a_resolution_becomes_a_draft_linked_to_its_handoff(runtime: Runtime) -> None:
    handoff = claimed(runtime, hand_off_screen(runtime))
    moved, view = articles(runtime).resolve(handoff, DANA, "Turned HDMI-CEC off.", article=CEC_FIX)
    assert moved.status == "resolved" and view is not None
    assert (view.id, view.status, view.created_by) == ("KCS-0001", "draft", "dana")
    assert view.fields.title == "The second screen shows no signal"
    assert [(h.handoff_id, h.flow_id, h.end_step) for h in view.handoffs] == [
        (handoff, "display-no-signal", "fault_display_path")
    ]
    assert view.versions == ("9.4.0", "9.4.1") and view.source is None


def test_a_bad_article_resolves_nothing_and_a_refused_move_writes_no_article(
    runtime: Runtime,
) -> None:
    desk = articles(runtime)
    handoff = hand_off_screen(runtime)
    with pytest.raises(MoveError, match="is open; it cannot be resolved"):
        desk.resolve(handoff, DANA, "note", article=CEC_FIX)  # not claimed yet
    claimed(runtime, handoff)
    with pytest.raises(KcsError, match="fix: empty"):
        desk.resolve(handoff, DANA, "note", article=replace(CEC_FIX, fix=()))
    assert desk.views() == []
    assert runtime.engineers.handoff(handoff).status == "claimed"  # type: ignore[union-attr]


def test_a_second_case_with_the_same_cause_links_instead_of_duplicating(runtime: Runtime) -> None:
    desk = articles(runtime)
    first = resolved_with_fix(runtime)
    second = claimed(runtime, hand_off_screen(runtime, "MAPLE-TOR-3310"))
    (best, score), *_ = desk.similar(second)
    assert best.id == first and score > 1.0  # same words, same flow, same end step
    _, linked = desk.resolve(second, DANA, "Same CEC problem.", link=first.lower())
    assert linked is not None and linked.id == first
    assert len(desk.views()) == 1 and linked.counts.linked == 2
    with pytest.raises(KcsError, match="not both"):
        desk.resolve(second, DANA, "x", article=CEC_FIX, link=first)


def test_publishing_writes_the_article_into_the_knowledge_base(
    runtime: Runtime, clock: Clock
) -> None:
    desk = articles(runtime)
    article = resolved_with_fix(runtime)
    clock.advance(hours=3)
    view = desk.publish(article, DANA)
    assert (view.status, view.reviewed_by, view.source) == ("published", "dana", "KCS-0001.md")
    kb = runtime.assistant.conversation.kb
    assert kb is not None
    chunks = kb.document("KCS-0001.md")
    assert chunks and {c.doc_type for c in chunks} == {"kcs"}
    assert {c.audience for c in chunks} == {"customer"} and chunks[0].product == "cx-codec"
    assert chunks[0].doc_versions == ("9.4.0", "9.4.1")
    assert chunks[0].title == "KCS-0001: The second screen shows no signal (reviewed 2026-12-01)"
    answer = kb.ask("the second screen shows no signal HDMI-CEC")
    assert any(c.source == "KCS-0001.md" for c in answer.citations)
    with pytest.raises(KcsError, match="is published; only a draft"):
        desk.publish(article, DANA)


class BrokenVectors(InMemoryVectorStore):
    def upsert(self, *args: object, **kwargs: object) -> None:
        raise StoreUnavailableError("the vector store is down", backend="chroma")


def test_a_publication_whose_ingest_fails_stays_a_draft(runtime: Runtime) -> None:
    desk = articles(runtime)
    article = resolved_with_fix(runtime)
    kb = runtime.assistant.conversation.kb
    assert kb is not None
    kb.store = BrokenVectors()
    with pytest.raises(KcsError, match=r"KCS-0001 could not be written to the knowledge base \(the vector store is down\)") as caught:  # fmt: skip
        desk.publish(article, DANA)
    assert caught.value.code == "kcs_publish_failed"
    assert desk.view(article).status == "draft"
    assert not (desk.index.folder / "KCS-0001.md").exists()
    assert kb.document("KCS-0001.md", "engineer") == []
    desk.index.kb = lambda: None
    with pytest.raises(KcsError, match="knowledge base is not available"):
        desk.publish(article, DANA)
    assert desk.view(article).status == "draft"


def test_a_reviewer_who_lost_a_race_leaves_the_index_as_it_was(runtime: Runtime) -> None:
    desk = articles(runtime)
    article = resolved_with_fix(runtime)
    rows, index = desk.rows, desk.index

    class RacingIndex(KcsIndex):
        def put(self, number: int, text: str | None) -> None:
            super().put(number, text)
            if text is not None and rows.get(number).revision == 1:  # type: ignore[union-attr]
                rows.update(number, 1, datetime.now(UTC), {"cause": "someone else's edit"})

    desk.index = RacingIndex(index.folder, index.kb)
    with pytest.raises(ConflictError, match="changed meanwhile"):
        desk.publish(article, DANA)
    assert desk.view(article).status == "draft"
    assert runtime.kb is not None and runtime.kb.document("KCS-0001.md", "engineer") == []


def test_review_moves_edit_reject_and_engineer_only(runtime: Runtime) -> None:
    desk = articles(runtime)
    article = resolved_with_fix(runtime)
    desk.publish(article, DANA)
    kb = runtime.kb
    assert kb is not None
    internal = desk.set_customer_safe(article, DANA, False)
    assert internal.status == "published" and not internal.fields.customer_safe
    assert kb.document("KCS-0001.md") == [] and kb.document("KCS-0001.md", "engineer")
    edited = desk.edit(article, replace(CEC_FIX, cause="CEC again, reworded."), DANA)
    assert edited.status == "draft" and kb.document("KCS-0001.md", "engineer") == []
    assert edited.fields.cause == "CEC again, reworded." and edited.revision > internal.revision
    with pytest.raises(KcsError, match="why: say why"):
        desk.reject(article, DANA, "  ")
    rejected = desk.reject(article, DANA, "Duplicate of a service bulletin.")
    assert (rejected.status, rejected.rejected_reason) == (
        "rejected",
        "Duplicate of a service bulletin.",
    )
    with pytest.raises(KcsError, match="rejected; only a draft can be published"):
        desk.publish(article, DANA)
    with pytest.raises(KcsError, match="'root shell' in fix step 1"):
        desk.edit(article, replace(CEC_FIX, fix=("Open a root shell.",)), DANA)
    assert desk.view(article).status == "rejected"  # the refused edit changed nothing


def test_counters_follow_the_conversations_and_a_failing_fix_is_flagged(
    runtime: Runtime, clock: Clock
) -> None:
    desk = articles(runtime)
    article = resolved_with_fix(runtime)
    desk.publish(article, DANA)
    clock.advance(days=1)
    _, worked = chat(runtime, "RHEIN-MUC-3056", *TO_THE_FAULT, "yes that worked")
    assert worked.state.public().status == "resolved" and worked.handoff is None
    failed_handoff = hand_off_screen(runtime, "RHEIN-MUC-3056", "no, still broken")
    record = runtime.engineers.handoff(failed_handoff).record  # type: ignore[union-attr]
    assert [(a["id"], a["role"], a["worked"]) for a in record["articles"]] == [
        ("KCS-0001", "tried", False)
    ]
    for _ in range(2):
        chat(runtime, "MAPLE-TOR-3310", *TO_THE_FAULT, "no")
    view = desk.view(article)
    counts = view.counts
    assert (counts.offered, counts.resolved, counts.failed, counts.handed_off) == (4, 1, 3, 1)
    assert counts.used == 4 and counts.linked == 1
    assert view.flagged and view.flag_reason == (
        "the fix failed 3 times since the last review and worked 1 time"
    )
    _, next_one = chat(runtime, "MAPLE-TOR-3310", *TO_THE_FAULT)
    assert not any("Engineers fixed" in m.text for m in next_one.messages)  # flagged: not offered
    desk.edit(article, replace(CEC_FIX, fix=(*CEC_FIX.fix, "Update the display firmware.")), DANA)
    clock.advance(minutes=5)
    assert not desk.publish(article, DANA).flagged  # a new review starts a new count
    _, offered = chat(runtime, "MAPLE-TOR-3310", *TO_THE_FAULT)
    assert "Engineers fixed this on 2 other CX-900s" in offered.messages[-1].text


def test_article_counts_for_reports_by_period(runtime: Runtime, clock: Clock) -> None:
    desk = articles(runtime)
    article = resolved_with_fix(runtime)
    desk.publish(article, DANA)
    start = clock.now
    clock.advance(days=1)
    chat(runtime, "RHEIN-MUC-3056", *TO_THE_FAULT, "yes")
    clock.advance(days=7)
    chat(runtime, "MAPLE-TOR-3310", *TO_THE_FAULT, "no")
    (all_time,) = desk.article_counts()
    assert (all_time.article_id, all_time.created_at) == ("KCS-0001", start)
    assert (all_time.used, all_time.resolved, all_time.failed) == (2, 1, 1)
    (first_week,) = desk.article_counts(start, start + timedelta(days=7))
    assert (first_week.used, first_week.resolved, first_week.failed) == (1, 1, 0)


def test_an_engineer_only_article_goes_to_the_engineer_never_to_the_user(
    runtime: Runtime, clock: Clock
) -> None:
    desk = articles(runtime)
    article = resolved_with_fix(runtime)
    desk.set_customer_safe(article, DANA, False)
    desk.publish(article, DANA)
    clock.advance(days=1)
    session_id, outcome = chat(runtime, "RHEIN-MUC-3056", *TO_THE_FAULT)
    assert not any("Engineers fixed" in m.text for m in outcome.messages)
    handoff = say(runtime, session_id, "Katrin Vogel", "+49 89 5555 0176", "yes", "yes").handoff
    assert handoff is not None
    (note,) = handoff.record.articles
    assert (note.id, note.role, note.audience) == ("KCS-0001", "suggested", "engineer")
    assert (
        "KCS-0001" in handoff.record.to_markdown()
        and "engineer-only" in handoff.record.to_markdown()
    )
    assert desk.view(article).counts.suggested == 1


def test_another_worker_s_knowledge_base_follows_a_publication(runtime: Runtime) -> None:
    kb = runtime.kb
    assert kb is not None
    other = KnowledgeBase(kb.layout.root, kb.embedder, kb.store, abstain_threshold=0.0)
    other.refresh_s = 0  # looks at the live generation on every search
    article = resolved_with_fix(runtime)
    assert other.document("KCS-0001.md") == []
    articles(runtime).publish(article, DANA)  # ingested by this worker
    assert other.document("KCS-0001.md") and other.document("KCS-0001.md")[0].doc_type == "kcs"


def test_publishing_never_rebuilds_an_index_another_model_made(runtime: Runtime) -> None:
    from ingest.manifest import Manifest

    desk = articles(runtime)
    article = resolved_with_fix(runtime)
    assert runtime.kb is not None
    path = runtime.kb.layout.manifest
    path.parent.mkdir(parents=True, exist_ok=True)
    Manifest(roots={"/srv/knowledge/docs": {}}, model="another-model").save(path)
    with pytest.raises(KcsError, match=r"built by another model or splitter \(another-model\)"):
        desk.publish(article, DANA)
    assert desk.view(article).status == "draft"
    assert set(Manifest.load(path).roots) == {"/srv/knowledge/docs"}  # the other root is kept
