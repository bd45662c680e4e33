"""Which published articles fit a conversation: the same product line (and model, when the
article names one), the site's firmware inside the article's range, and a symptom close to the
user's words (cosine similarity of the embedder's vectors; a lower bar when the article was
learned in the same flow). Flagged articles (a fix that keeps failing) are never offered.

``ArticleFinder`` is what the conversation asks (``fixes`` for the site user, ``notes`` for the
handoff record); it reads the published articles at most every few seconds, so a turn costs a
query embedding, not a database round trip.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Literal, Protocol

import numpy as np

from bot.dialogue.state import FixTried, KnownFix, SiteContext
from bot.escalation.handoff import ArticleNote
from bot.kb.citation import Citation
from bot.kb.embedder import Embedder
from bot.service.kcs_rules import KcsPolicy, article_id, in_range
from bot.store.kcs import StoredArticle


@dataclass(frozen=True)
class Published:
    """A published article with what matching needs: where its cases ended, how many it fixed,
    whether it is flagged."""

    article: StoredArticle
    flows: dict[str, tuple[str, ...]]  # flow id -> end steps of the linked conversations
    fixed_count: int
    flagged: bool

    @property
    def id(self) -> str:
        return article_id(self.article.number)


@dataclass(frozen=True)
class Match:
    item: Published
    similarity: float
    same_flow: bool


def fits(article: StoredArticle, context: SiteContext) -> bool:
    """Same product line, model (when the article names one) and firmware inside the range."""
    f = article.fields
    if not context.product or f.product != context.product:
        return False
    if f.model and (context.model or "").upper() != f.model.upper():
        return False
    return in_range(context.firmware, f.firmware_from, f.firmware_to)


def cosine(a: Sequence[float], b: Sequence[float]) -> float:
    va, vb = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    norm = float(np.linalg.norm(va) * np.linalg.norm(vb))
    return float(va @ vb / norm) if norm else 0.0


def rank(
    items: Sequence[Published],
    vectors: dict[int, list[float]],
    queries: Sequence[list[float]],
    context: SiteContext,
    flow_id: str | None,
    policy: KcsPolicy,
    *,
    customer: bool,
) -> list[Match]:
    """The articles that fit ``context`` and come close enough to one of the ``queries``, best
    first. ``customer``: only customer-safe, unflagged articles."""
    found = []
    for item in items:
        a = item.article
        if customer and (not a.fields.customer_safe or item.flagged):
            continue
        if not fits(a, context) or a.number not in vectors:
            continue
        similarity = max((cosine(vectors[a.number], q) for q in queries), default=0.0)
        same_flow = flow_id is not None and flow_id in item.flows
        bar = (
            policy.matching.same_flow_min_similarity
            if same_flow
            else policy.matching.min_similarity
        )
        if similarity >= bar:
            found.append(Match(item, similarity, same_flow))
    return sorted(found, key=lambda m: (m.same_flow, m.similarity), reverse=True)


def known_fix(match: Match, flow_id: str | None) -> KnownFix:
    item, f = match.item, match.item.article.fields
    reviewed = item.article.reviewed_at
    day = reviewed.date().isoformat() if reviewed else None
    return KnownFix(
        article_id=item.id,
        title=f.title,
        steps=f.fix,
        fixed_count=item.fixed_count,
        model=f.model,
        flow_id=flow_id if match.same_flow else None,
        end_steps=item.flows.get(flow_id or "", ()) if match.same_flow else (),
        citation=Citation(
            title=f"{item.id}: {f.title}" + (f" (reviewed {day})" if day else ""),
            source=f"{item.id}.md",
            section=f"reviewed {day}" if day else None,
            quote=f.symptom[:300],
        ),
    )


def note(
    item: Published, role: Literal["tried", "suggested"], worked: bool | None = None
) -> ArticleNote:
    reviewed = item.article.reviewed_at
    return ArticleNote(
        id=item.id,
        title=item.article.fields.title,
        role=role,
        audience="customer" if item.article.fields.customer_safe else "engineer",
        fix=item.article.fields.fix,
        reviewed_on=reviewed.date() if reviewed else None,
        worked=worked,
    )


class FixFinder(Protocol):
    """What the conversation asks about KCS articles; never raises for a turn's sake."""

    def fixes(
        self, context: SiteContext, texts: Sequence[str], flow_id: str | None
    ) -> tuple[KnownFix, ...]: ...

    def notes(
        self,
        context: SiteContext,
        texts: Sequence[str],
        flow_id: str | None,
        tried: Sequence[FixTried],
    ) -> tuple[ArticleNote, ...]: ...

    def unfit_sources(self, contexts: Sequence[SiteContext]) -> frozenset[str]: ...


class ArticleFinder:
    """``FixFinder`` over the published articles (``load``), with the symptoms' vectors kept per
    article revision and the article list kept for ``ttl_s`` seconds."""

    def __init__(
        self,
        load: Callable[[], list[Published]],
        embedder: Embedder,
        policy: KcsPolicy,
        *,
        ttl_s: float = 2.0,
    ) -> None:
        self._load = load
        self.embedder = embedder
        self.policy = policy
        self.ttl_s = ttl_s
        self._lock = threading.Lock()
        self._items: list[Published] = []
        self._loaded_at = -1e9
        self._vectors: dict[tuple[int, int], list[float]] = {}

    def forget(self) -> None:
        """Read the articles again on the next call (after a change in this process)."""
        with self._lock:
            self._loaded_at = -1e9

    def published(self) -> tuple[list[Published], dict[int, list[float]]]:
        with self._lock:
            if time.monotonic() - self._loaded_at > self.ttl_s:
                self._items, self._loaded_at = self._load(), time.monotonic()
            items = list(self._items)
            missing = [
                i.article
                for i in items
                if (i.article.number, i.article.revision) not in self._vectors
            ]
        if missing:
            computed = self.embedder.embed_documents([a.fields.symptom for a in missing])
            with self._lock:
                for a, vector in zip(missing, computed, strict=True):
                    self._vectors[(a.number, a.revision)] = vector
        with self._lock:
            vectors = {
                i.article.number: self._vectors[(i.article.number, i.article.revision)]
                for i in items
                if (i.article.number, i.article.revision) in self._vectors
            }
        return items, vectors

    def unfit_sources(self, contexts: Sequence[SiteContext]) -> frozenset[str]:
        """The documents of published articles that fit none of ``contexts`` (a site's
        devices): its knowledge answers leave them out."""
        items, _ = self.published()
        return frozenset(
            f"{i.id}.md" for i in items if not any(fits(i.article, c) for c in contexts)
        )

    def _matches(
        self, context: SiteContext, texts: Sequence[str], flow_id: str | None, customer: bool
    ) -> list[Match]:
        texts = [t.strip() for t in texts if t and t.strip()]
        if not texts or not context.product:
            return []
        items, vectors = self.published()
        if not items:
            return []
        queries = [self.embedder.embed_query(t) for t in texts]
        return rank(items, vectors, queries, context, flow_id, self.policy, customer=customer)

    def fixes(
        self, context: SiteContext, texts: Sequence[str], flow_id: str | None
    ) -> tuple[KnownFix, ...]:
        """Customer-safe fixes for the site user, best first, at most ``max_offers``."""
        matches = self._matches(context, texts, flow_id, customer=True)
        limit = self.policy.matching.max_offers
        return tuple(known_fix(m, flow_id) for m in matches[:limit])

    def notes(
        self,
        context: SiteContext,
        texts: Sequence[str],
        flow_id: str | None,
        tried: Sequence[FixTried],
    ) -> tuple[ArticleNote, ...]:
        """For the handoff record: the fixes the user tried (with the verdict), then the other
        matching articles (engineer-only ones included), at most ``max_suggestions``."""
        items, _ = self.published()
        by_id = {i.id: i for i in items}
        verdicts: dict[str, bool] = {}
        for t in tried:
            verdicts[t.article_id] = t.worked
        notes = [note(by_id[a], "tried", w) for a, w in verdicts.items() if a in by_id]
        others = [
            m.item
            for m in self._matches(context, texts, flow_id, customer=False)
            if m.item.id not in verdicts
        ]
        notes += [note(i, "suggested") for i in others[: self.policy.matching.max_suggestions]]
        return tuple(notes)
