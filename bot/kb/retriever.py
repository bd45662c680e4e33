"""Hybrid retrieval: BM25 and dense search fused by reciprocal rank, then filters and version logic.

Filters given by the caller are hard (and a version filter that matches nothing fails closed, naming
the nearest versions); products, versions and intents found in the question are soft boosts.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np

from bot.errors import StoreUnavailableError, VersionNotFoundError
from bot.kb.embedder import Embedder
from bot.kb.gaps import find_gaps
from bot.kb.lexical import LexicalIndex
from bot.kb.query import QueryAnalysis, analyse
from bot.kb.schema import Chunk, Passage
from bot.kb.sections import RELEASE_DOCS, lists_items
from bot.kb.vectorstore import VectorStore
from bot.kb.versions import in_family, nearest, parse_range, parse_version, same_version
from bot.kb.vocabulary import ProductVocabulary

Mode = Literal["hybrid", "bm25", "dense"]
# Weight of "the chunks of release V" beside the BM25 and dense rankings when the question asks what
# changed in V: the question's subject is the release itself, which neither ranking sees.
RELEASE_WEIGHT = 2.0


@dataclass(frozen=True)
class Filters:
    product: str | None = None
    version: str | None = (
        None  # exact ('9.4.1'), series ('9.4.x'), range ('9.0..9.4'), bound ('>=9')
    )
    doc_type: str | None = None
    audience: str = "customer"  # customer sees customer documents only; engineer sees all
    # documents that do not apply to the asker (KCS articles for devices the site does not have)
    exclude_sources: frozenset[str] = frozenset()


@dataclass(frozen=True)
class SearchResult:
    passages: list[Passage]
    analysis: QueryAnalysis
    evidence: float  # best dense cosine of any candidate: how close the knowledge base comes at all
    notices: list[str] = field(default_factory=list)
    missing_version: str | None = None
    # what the question names that the notes do not (``bot.kb.gaps.Gaps``)
    unknown_names: tuple[tuple[str, tuple[str, ...]], ...] = ()
    unknown_terms: tuple[str, ...] = ()
    unknown_words: tuple[str, ...] = ()
    foreign_terms: tuple[tuple[str, str, tuple[str, ...]], ...] = ()


@dataclass(frozen=True)
class RetrievalParams:
    candidates: int = 40
    rrf_k: int = 5
    bm25_weight: float = 1.0
    dense_weight: float = 1.0


class HybridRetriever:
    """Searches one live index generation plus its vector store."""

    def __init__(
        self,
        lexical: LexicalIndex,
        store: VectorStore,
        embedder: Embedder,
        params: RetrievalParams | None = None,
        common: frozenset[str] = frozenset(),
    ) -> None:
        self.lexical = lexical
        self.store = store
        self.embedder = embedder
        self.params = params or RetrievalParams()
        self.vocabulary = ProductVocabulary(lexical.chunks, lexical, common)
        chunks = lexical.chunks
        self._product = np.array([c.product for c in chunks], dtype=object)
        self._audience = np.array([c.audience for c in chunks], dtype=object)
        self._doc_type = np.array([c.doc_type for c in chunks], dtype=object)
        self._source = np.array([c.source for c in chunks], dtype=object)
        # versions by product, of every document and of customer documents only: a customer's
        # fail-closed message must not name a version only an engineer-only document speaks of
        self._versions_by_product: dict[str, set[str]] = {}
        self._customer_versions: dict[str, set[str]] = {}
        # positions of the release and patch notes' chunks by version, for "what changed in V"
        self._release_positions: dict[str, list[int]] = {}
        for i, c in enumerate(chunks):
            if c.version:
                if c.doc_type in RELEASE_DOCS:
                    self._release_positions.setdefault(c.version, []).append(i)
                self._versions_by_product.setdefault(c.product, set()).add(c.version)
                if c.audience == "customer":
                    self._customer_versions.setdefault(c.product, set()).add(c.version)

    @property
    def chunks(self) -> list[Chunk]:
        return self.lexical.chunks

    def release_chunks(self, product: str, version: str, audience: str = "customer") -> list[Chunk]:
        """The chunks of the release and patch notes of ``product`` for the releases ``version``
        stands for ('1.6': every 1.6 release), that the audience may see, in table order."""
        return [
            c
            for c in (self.chunks[i] for i in self._release_hits((version,)))
            if c.product == product and (audience == "engineer" or c.audience == "customer")
        ]

    def _release_hits(self, asked: Sequence[str]) -> list[int]:
        """Table positions of the release and patch notes of the releases ``asked`` stands for
        ('1.6': every 1.6 release), in table order."""
        return sorted(
            i
            for known, found in self._release_positions.items()
            if any(in_family(v, known) for v in asked)
            for i in found
        )

    def versions(self, product: str | None = None, audience: str = "engineer") -> set[str]:
        """The versions documents speak of (customer documents only unless ``engineer``)."""
        by_product = (
            self._versions_by_product if audience == "engineer" else self._customer_versions
        )
        if product:
            return set(by_product.get(product, set()))
        return {v for vs in by_product.values() for v in vs}

    def _mask(self, filters: Filters) -> np.ndarray:
        mask = np.ones(len(self.chunks), dtype=bool)
        if filters.audience != "engineer":
            mask &= self._audience == "customer"
        if filters.product:
            mask &= self._product == filters.product
        if filters.doc_type:
            mask &= self._doc_type == filters.doc_type
        if filters.exclude_sources and len(self.chunks):
            mask &= ~np.isin(self._source, list(filters.exclude_sources))
        if filters.version:
            wanted = parse_range(filters.version)
            if wanted is None:
                raise VersionNotFoundError(filters.version, [], filters.product)
            vmask = np.array([bool(c.version) and wanted.contains(c.version) for c in self.chunks])
            if not (mask & vmask).any():
                near = nearest(filters.version, self.versions(filters.product, filters.audience))
                raise VersionNotFoundError(filters.version, near, filters.product)
            mask &= vmask
        return mask

    def _where(self, filters: Filters) -> dict[str, str]:
        """Selective filters go to Chroma; the audience is enforced by the mask afterwards (engineer
        documents are few, and a filter matching nearly everything makes Chroma's search slow)."""
        where: dict[str, str] = {}
        if filters.product:
            where["product"] = filters.product
        if filters.doc_type:
            where["doc_type"] = filters.doc_type
        return where

    def _products(self, analysis: QueryAnalysis, filters: Filters) -> list[str]:
        return [filters.product] if filters.product else list(analysis.products)

    def _missing_version(
        self, analysis: QueryAnalysis, filters: Filters
    ) -> tuple[str, list[str]] | None:
        """A version the question names that no document of the named products speaks of.

        "1.6" stands for the 1.6 line and "6.x" for any 6 release; a version named beside one the
        documents know ("1.5.634 rather than 1.5.0") is a contrast, not the subject, and is let be.
        """
        products = self._products(analysis, filters)
        if not products or not analysis.versions:
            return None  # without a product a version may be anyone's (a dependency, a platform)
        known: set[str] = set()
        for product in products:
            known |= self.versions(product, filters.audience)
        if not known:
            return None
        unknown = [v for v in analysis.versions if not any(in_family(v, k) for k in known)]
        if len(unknown) < len(analysis.versions):
            unknown = [v for v in unknown if not _aside(v, analysis.text)]
            if not unknown:
                return None
        if not filters.product and not analysis.named_products:
            # a product guessed from a word ('audio'), not named: a version another product has
            # is more likely that product's than a missing release
            everyone = self.versions(None, filters.audience)
            if any(in_family(unknown[0], k) for k in everyone):
                return None
        return unknown[0], nearest(unknown[0].removesuffix(".x"), known)

    def _version_hits(
        self, analysis: QueryAnalysis, filters: Filters, mask: np.ndarray
    ) -> list[int]:
        """For "what changed in V": the chunks of the release notes of V (of the named product), in
        document order, so a release's items are candidates even when its words match nothing."""
        if "changes" not in analysis.intents or not analysis.versions:
            return []
        products = set(self._products(analysis, filters))
        hits = [
            i
            for i in self._release_hits(analysis.versions)
            if mask[i] and (not products or self.chunks[i].product in products)
        ]
        # the release's items first (fixed, new, known, changed), release notes before patch notes
        hits.sort(
            key=lambda i: (
                not lists_items(self.chunks[i].section),
                self.chunks[i].doc_type != "release_notes",
                self.chunks[i].source,
                self.chunks[i].position,
            )
        )
        return hits[: self.params.candidates]

    def search(
        self, query: str, k: int = 5, filters: Filters | None = None, mode: Mode = "hybrid"
    ) -> SearchResult:
        filters = filters or Filters()
        analysis = analyse(query, self.vocabulary)
        if not self.chunks:
            return SearchResult(
                [], analysis, 0.0, ["the knowledge base is empty: run assist ingest"]
            )
        mask = self._mask(filters)
        n = self.params.candidates
        ranks: dict[int, float] = {}
        similarity: dict[int, float] = {}
        evidence = 0.0
        if mode in ("hybrid", "bm25"):
            scores = np.where(mask, self.lexical.scores(query), 0.0)
            if len(scores) > n:  # top n without sorting the whole corpus
                part = np.argpartition(-scores, n)[:n]
                top = part[np.argsort(-scores[part], kind="stable")]
            else:
                top = np.argsort(-scores, kind="stable")
            for rank, idx in enumerate(int(i) for i in top if scores[i] > 0):
                ranks[idx] = ranks.get(idx, 0.0) + self.params.bm25_weight / (
                    self.params.rrf_k + rank + 1
                )
        dense_down = False
        if mode in ("hybrid", "dense"):
            vector = self.embedder.embed_query(query)
            try:
                hits = self.store.query(vector, n * 3, self._where(filters))
            except StoreUnavailableError:
                hits, dense_down = [], True  # keep answering from the keyword index
            rank = 0
            for cid, sim in hits:
                pos = self.lexical.position.get(cid)
                if pos is None or not mask[pos]:
                    continue  # a vector of an older generation, or filtered out by version
                similarity[pos] = sim
                evidence = max(evidence, sim)
                ranks[pos] = ranks.get(pos, 0.0) + self.params.dense_weight / (
                    self.params.rrf_k + rank + 1
                )
                rank += 1
                if rank >= n:
                    break
        for rank, idx in enumerate(self._version_hits(analysis, filters, mask)):
            ranks[idx] = ranks.get(idx, 0.0) + RELEASE_WEIGHT / (self.params.rrf_k + rank + 1)
        fused = {
            idx: score * self._boost(self.chunks[idx], analysis) for idx, score in ranks.items()
        }
        order = sorted(fused, key=lambda i: fused[i], reverse=True)[:k]
        passages = [Passage(self.chunks[i], fused[i], similarity.get(i, 0.0)) for i in order]
        notices: list[str] = []
        if dense_down:
            notices.append(
                "semantic search is unavailable; this answer comes from keyword search only"
            )
            evidence = _lexical_evidence(query, passages)
        missing = self._missing_version(analysis, filters)
        if missing:
            version, near = missing
            notices.append(f"no notes for version {version}; nearest: {', '.join(near) or 'none'}")
        gaps = find_gaps(
            analysis, self.vocabulary, self._products(analysis, filters), filters.audience
        )
        notices += gaps.notices()
        if mode == "bm25":
            evidence = _lexical_evidence(query, passages)
        return SearchResult(
            passages,
            analysis,
            evidence,
            notices,
            missing[0] if missing else None,
            gaps.unknown_names,
            gaps.unknown_terms,
            gaps.unknown_words,
            gaps.foreign_terms,
        )

    @staticmethod
    def _boost(chunk: Chunk, analysis: QueryAnalysis) -> float:
        boost = 1.0
        if analysis.products and chunk.product in analysis.products:
            boost *= 1.5
        section = chunk.section.lower()
        release_doc = chunk.doc_type in ("release_notes", "patch_notes")
        fix = "fixed" in analysis.intents
        # which release fixes what the asker sees on the release they run: a later one
        asked = [v for v in analysis.versions if not (fix and v in analysis.running)]
        if chunk.version and analysis.versions:
            if any(same_version(v, chunk.version) for v in asked):
                boost *= 1.6
            elif any(in_family(v, chunk.version) for v in asked) or (
                fix and release_doc and _later(chunk.version, analysis.running)
            ):
                boost *= 1.3
        if fix and release_doc and "fix" in section:
            boost *= 1.3
        if "new" in analysis.intents and any(w in section for w in ("new", "feature", "added")):
            boost *= 1.2
        if "known" in analysis.intents and ("known" in section or chunk.doc_type == "known_issues"):
            boost *= 1.25
        if "how" in analysis.intents and chunk.doc_type in ("how_to", "feature_doc"):
            boost *= 1.2
        if "security" in analysis.intents and chunk.doc_type == "security_advisory":
            boost *= 1.3
        if any(ident in chunk.search_text.upper() for ident in analysis.identifiers):
            boost *= 1.4
        return boost


# "1.5.634 rather than 1.5.0": a version named to contrast
_CONTRAST = re.compile(
    r"\b(rather than|instead of|not|unlike|versus|vs\.?|over)\s+(\w+\s+)?$", re.I
)


def _later(version: str, running: Sequence[str]) -> bool:
    """Whether ``version`` comes after every release in ``running`` (False when none)."""
    have = parse_version(version)
    runs = [r for r in (parse_version(v) for v in running) if r is not None]
    return have is not None and bool(runs) and all(r < have for r in runs)


def _aside(version: str, text: str) -> bool:
    """Whether ``version``, beside one the documents know, is named only to contrast it: then it
    does not fail the question closed ("what changed in 3.14.17? we're on 3.14.16" does)."""
    at = text.find(version)
    if at < 0:
        return True  # a family written otherwise ('6.x' of "6 releases"): let be, as before
    return bool(_CONTRAST.search(text[:at]))


def _lexical_evidence(query: str, passages: Sequence[Passage]) -> float:
    from bot.kb.tokens import tokenize

    wanted = {t for t in tokenize(query) if parse_version(t) is None}
    if not wanted or not passages:
        return 0.0
    have = set(tokenize(passages[0].chunk.search_text))
    return len(wanted & have) / len(wanted)
