"""Which published articles fit a conversation: product line, model, firmware range, the user's
words (closer than the bar, a lower bar in the flow the article was learned in), customer-safe
and unflagged for site users; what the handoff record lists for the engineer."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from bot.dialogue.state import FixTried, SiteContext
from bot.kb.embedder import FakeEmbedder
from bot.service.kcs_match import ArticleFinder, Published, fits, rank
from bot.service.kcs_rules import KcsPolicy
from bot.store.kcs import ArticleFields, StoredArticle

AT = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
CX900 = SiteContext(product="cx-codec", model="CX-900", firmware="9.4.1")
POLICY = KcsPolicy(found=True)
EMBEDDER = FakeEmbedder(dimension=256)


def article(number: int, symptom: str, **changes: object) -> StoredArticle:
    fields = ArticleFields(
        title=symptom,
        product="cx-codec",
        model="CX-900",
        firmware_from="9.4.0",
        firmware_to="9.4.1",
        symptom=symptom,
        cause="cause",
        fix=("step one",),
        customer_safe=True,
    )
    fields = replace(fields, **{k: v for k, v in changes.items() if hasattr(fields, k)})  # type: ignore[arg-type]
    return StoredArticle(number, "published", fields, 2, "dana", AT, AT, "dana", AT)


def published(
    a: StoredArticle, flows: dict[str, tuple[str, ...]] | None = None, **kw: object
) -> Published:
    return Published(a, flows or {}, int(kw.get("fixed", 2)), bool(kw.get("flagged", False)))  # type: ignore[call-overload]


SCREEN = article(1, "the second screen shows no signal after standby")
ECHO = article(2, "far end hears an echo of their own voice")


def ranked(items: list[Published], said: str, context: SiteContext = CX900, flow: str | None = None, customer: bool = True) -> list[int]:  # fmt: skip
    vectors = dict(zip([i.article.number for i in items], EMBEDDER.embed_documents([i.article.fields.symptom for i in items]), strict=True))  # fmt: skip
    found = rank(
        items, vectors, [EMBEDDER.embed_query(said)], context, flow, POLICY, customer=customer
    )
    return [m.item.article.number for m in found]


def test_the_same_model_and_firmware_in_range_fit() -> None:
    assert fits(SCREEN, CX900)
    assert not fits(SCREEN, CX900.model_copy(update={"model": "CX-500"}))
    assert not fits(SCREEN, CX900.model_copy(update={"firmware": "10.0.0"}))  # newer than the range
    assert not fits(SCREEN, CX900.model_copy(update={"product": "vx-camera"}))
    assert not fits(SCREEN, CX900.model_copy(update={"firmware": None}))
    any_model = article(3, "x", model=None, firmware_from=None, firmware_to=None)
    assert fits(any_model, CX900.model_copy(update={"model": "CX-500", "firmware": None}))


def test_close_words_match_and_other_symptoms_do_not() -> None:
    items = [published(SCREEN), published(ECHO)]
    assert ranked(items, "the second screen shows no signal") == [1]
    assert ranked(items, "far end hears an echo of their voice") == [2]
    assert ranked(items, "the camera does not move") == []


def test_the_flow_an_article_was_learned_in_lowers_the_bar() -> None:
    items = [published(SCREEN, {"display-no-signal": ("fault_display_path",)})]
    vague = "second screen no picture"  # 0.53 with the fake embedder: under 0.55, over 0.35
    assert ranked(items, vague) == []
    assert ranked(items, vague, flow="display-no-signal") == [1]


def test_site_users_never_get_engineer_only_or_flagged_articles() -> None:
    internal = published(article(4, "the second screen shows no signal", customer_safe=False))
    failing = published(article(5, "the second screen shows no signal after standby"), flagged=True)
    assert ranked([internal, failing], "the second screen shows no signal") == []
    assert ranked([internal, failing], "the second screen shows no signal", customer=False) == [
        4,
        5,
    ]


def test_the_finder_gives_the_engine_facts_and_the_record_notes() -> None:
    items = [
        published(SCREEN, {"display-no-signal": ("fault_display_path",)}, fixed=3),
        published(article(6, "the second screen shows no signal at all", customer_safe=False)),
    ]
    finder = ArticleFinder(lambda: items, EMBEDDER, POLICY)
    (fix,) = finder.fixes(CX900, ["the second screen shows no signal"], "display-no-signal")
    assert (fix.article_id, fix.fixed_count, fix.model) == ("KCS-0001", 3, "CX-900")
    assert (fix.flow_id, fix.end_steps) == ("display-no-signal", ("fault_display_path",))
    assert fix.citation is not None and fix.citation.source == "KCS-0001.md"
    assert fix.citation.section == "reviewed 2026-12-01"
    elsewhere = finder.fixes(CX900, ["the second screen shows no signal"], "call-quality")
    assert elsewhere[0].flow_id is None and elsewhere[0].end_steps == ()
    tried = [FixTried(article_id="KCS-0001", step_id="s", worked=False, at=AT)]
    notes = finder.notes(CX900, ["the second screen shows no signal"], "display-no-signal", tried)
    assert [(n.id, n.role, n.audience, n.worked) for n in notes] == [
        ("KCS-0001", "tried", "customer", False),
        ("KCS-0006", "suggested", "engineer", None),
    ]
    assert notes[1].fix == ("step one",)


def test_the_finder_offers_at_most_the_policy_s_number() -> None:
    many = [published(article(n, "the second screen shows no signal")) for n in range(10, 15)]
    finder = ArticleFinder(lambda: many, EMBEDDER, POLICY)
    assert len(finder.fixes(CX900, ["the second screen shows no signal"], None)) == 2
