"""KCS articles in a conversation turn: the fixes handed to the engine as facts, the articles a
handoff record lists, the filters of a site user's knowledge answers, and what the turn did with
articles (read from the state before and after it: a fix offered, a fix that worked or failed, a
handoff that still came, the articles suggested to its engineer). The turn saves these uses in
its own transaction, so an article's counters move exactly when the conversation does. A
failing article lookup never stops a conversation.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence

from bot.dialogue.state import DialogueState, KnownFix, SiteContext
from bot.errors import AssistError, KcsError
from bot.escalation.accounts import Asset
from bot.escalation.handoff import ArticleNote
from bot.kb.retriever import Filters
from bot.service.kcs_match import FixFinder
from bot.service.kcs_rules import article_number
from bot.service.outcome import OpenedHandoff
from bot.service.state import InFlow, SessionState

log = logging.getLogger(__name__)

Use = tuple[int, str]  # (article number, kind of use)


def _dialogue(state: SessionState) -> DialogueState | None:
    phase = state.phase
    return phase.dialogue if isinstance(phase, InFlow) else state.diagnosis


def _number(article: str) -> int | None:
    try:
        return article_number(article)
    except KcsError:
        return None


def article_uses(
    before: SessionState, after: SessionState, handoff: OpenedHandoff | None
) -> tuple[Use, ...]:
    """The uses of this turn, in the order they happened."""
    found: list[tuple[str, str]] = []
    old, new = _dialogue(before), _dialogue(after)
    if new is not None:
        seen = {(t.article_id, t.at) for t in (old.fixes_tried if old else ())}
        for tried in new.fixes_tried:
            if (tried.article_id, tried.at) not in seen:
                found.append((tried.article_id, "resolved" if tried.worked else "failed"))
        offer = new.fix_offer
        if offer is not None and (old is None or old.fix_offer != offer):
            found.append((offer.article_id, "offered"))
    if handoff is not None:
        for note in handoff.record.articles:
            found.append((note.id, "handed_off" if note.role == "tried" else "suggested"))
    uses = []
    for article, kind in found:
        number = _number(article)
        if number is not None:
            uses.append((number, kind))
    return tuple(uses)


def fixes_for(
    finder: FixFinder | None, context: SiteContext, texts: Sequence[str], flow_id: str | None
) -> tuple[KnownFix, ...]:
    """The fixes to hand the engine as facts; none when there is no finder or it fails (a
    missing article never stops a conversation)."""
    if finder is None:
        return ()
    try:
        return finder.fixes(context, texts, flow_id)
    except AssistError as exc:
        log.warning("kcs.fixes.unavailable reason=%s", exc)
        return ()


def notes_for(
    finder: FixFinder | None, state: SessionState, asset: SiteContext
) -> tuple[ArticleNote, ...]:
    """The articles a handoff record lists: those tried in this chat, then those for the
    engineer, matched on the flow's device (or the conversation's) and the user's words."""
    if finder is None:
        return ()
    dialogue = _dialogue(state)
    context = dialogue.context if dialogue and dialogue.context.product else asset
    texts = [state.issue or ""]
    tried = dialogue.fixes_tried if dialogue else ()
    try:
        return finder.notes(context, texts, dialogue.flow_id if dialogue else None, tried)
    except AssistError as exc:
        log.warning("kcs.notes.unavailable reason=%s", exc)
        return ()


def answer_filters(finder: FixFinder | None, assets: Sequence[Asset]) -> Filters:
    """The filters of a site user's knowledge answer: no KCS article for a device or firmware
    the site does not have."""
    if finder is None:
        return Filters()
    contexts = [
        SiteContext(product=a.product, model=a.model, firmware=a.firmware)
        for a in assets
        if a.product
    ]
    try:
        return Filters(exclude_sources=finder.unfit_sources(contexts))
    except AssistError as exc:
        log.warning("kcs.filters.unavailable reason=%s", exc)
        return Filters()
