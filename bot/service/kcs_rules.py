"""The rules of a KCS article: what makes one valid, its id, its firmware range, and the policy
(``knowledge/kcs.yaml``: internal tool names, matching thresholds, when to flag for review).

Every rule is checked before anything is written, and all problems are reported at once, each
naming the field and what to do (``KcsError``). Pure apart from reading the policy file.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.errors import ConfigError, KcsError
from bot.escalation.accounts import Accounts
from bot.escalation.releases import Releases, load_releases
from bot.kb.versions import normalize, parse_version
from bot.store.kcs import ArticleFields

ID_PREFIX = "KCS-"
MAX_STEPS = 12
LIMITS = {"title": 200, "symptom": 1000, "cause": 2000, "step": 500, "model": 100}
_ID = re.compile(r"^(?:KCS-?)?0*(\d{1,9})$", re.IGNORECASE)


def article_id(number: int) -> str:
    """``7`` -> ``"KCS-0007"``."""
    return f"{ID_PREFIX}{number:04d}"


def article_number(text: str) -> int:
    """``"KCS-0007"``, ``"kcs-7"`` or ``"7"`` -> ``7``; ``KcsError`` for anything else."""
    m = _ID.match(text.strip())
    if not m or int(m.group(1)) == 0:
        raise KcsError(
            f"{text!r} is not an article id (KCS-0007, or its number)", code="kcs_not_found"
        )
    return int(m.group(1))


class MatchingPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    min_similarity: float = Field(0.55, ge=0, le=1)
    same_flow_min_similarity: float = Field(0.35, ge=0, le=1)
    max_offers: int = Field(2, ge=0, le=10)
    max_suggestions: int = Field(3, ge=0, le=20)


class ReviewPolicy(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    min_failures: int = Field(3, ge=1)


class KcsPolicy(BaseModel):
    """``knowledge/kcs.yaml``. ``found`` is false when no file was read: then articles are still
    matched with the default thresholds, but nothing can be written (the internal-tool check
    would be empty)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    internal_terms: tuple[str, ...] = ()
    internal_patterns: tuple[str, ...] = ()
    matching: MatchingPolicy = MatchingPolicy()
    review: ReviewPolicy = ReviewPolicy()
    found: bool = False
    file: str = ""

    def internal_names(self, text: str) -> list[str]:
        """The internal tool names and hosts ``text`` mentions, in policy order."""
        found = [
            term
            for term in self.internal_terms
            if re.search(rf"(?<![\w-]){re.escape(term)}(?![\w-])", text, re.IGNORECASE)
        ]
        for pattern in self.internal_patterns:
            m = re.search(pattern, text, re.IGNORECASE)
            if m:
                found.append(m.group(0))
        return found


def load_policy(path: Path) -> KcsPolicy:
    """The policy file; the defaults (``found`` false) when there is none. A malformed file is a
    ``ConfigError`` naming the file and the field."""
    if not path.is_file():
        return KcsPolicy(file=str(path))
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        policy = KcsPolicy.model_validate({**data, "found": True, "file": str(path)})
        for pattern in policy.internal_patterns:
            re.compile(pattern)
    except (yaml.YAMLError, ValidationError, re.error, TypeError) as exc:
        reason = str(exc).splitlines()[0]
        raise ConfigError(f"{path}: {reason}", setting="ASSIST_PATHS__KCS_FILE") from None
    return policy


@dataclass(frozen=True)
class Catalogue:
    """What an article's environment is checked against: the release trains (None when the
    file is missing) and the models the accounts list per product line."""

    releases: Releases | None
    models: dict[str, frozenset[str]]
    releases_file: str = ""

    def versions_in(self, product: str, low: str | None, high: str | None) -> list[str]:
        """The product's releases inside ``[low, high]`` (an open end is unbounded)."""
        if self.releases is None:
            return []
        return [v for v in self.releases.versions(product) if in_range(v, low, high)]


def load_catalogue(releases_file: Path, accounts: Accounts) -> Catalogue:
    """The release trains (None when the file is missing: then no article can be written) and
    the models of every site's assets, per product line."""
    releases = load_releases(releases_file) if releases_file.is_file() else None
    models: dict[str, set[str]] = {}
    for site in accounts.sites:
        for asset in site.assets:
            if asset.product:
                models.setdefault(asset.product, set()).add(asset.model.upper())
    return Catalogue(releases, {k: frozenset(v) for k, v in models.items()}, str(releases_file))


def in_range(firmware: str | None, low: str | None, high: str | None) -> bool:
    """Whether ``firmware`` lies inside ``[low, high]``; unknown firmware fits only an open range."""
    if low is None and high is None:
        return True
    version = parse_version(firmware or "")
    if version is None:
        return False
    lo = parse_version(low) if low else None
    hi = parse_version(high) if high else None
    return (lo is None or version >= lo) and (hi is None or version <= hi)


def _clean(text: str | None) -> str:
    return " ".join((text or "").split())


def normalised(fields: ArticleFields) -> ArticleFields:
    """Whitespace folded, empty optional fields as None, versions canonical, steps trimmed, and
    a title from the symptom when none is given."""
    steps = tuple(_clean(s) for s in fields.fix if _clean(s))
    symptom = _clean(fields.symptom)
    title = _clean(fields.title) or symptom[:120]
    title = title[:1].upper() + title[1:]
    return replace(
        fields,
        title=title,
        product=_clean(fields.product).lower(),
        model=_clean(fields.model).upper() or None,
        firmware_from=normalize(_clean(fields.firmware_from)) or None,
        firmware_to=normalize(_clean(fields.firmware_to)) or None,
        symptom=symptom,
        cause=_clean(fields.cause),
        fix=steps,
    )


def problems(fields: ArticleFields, catalogue: Catalogue, policy: KcsPolicy) -> list[str]:
    """Everything wrong with an (already normalised) article, each naming its field."""
    found: list[str] = []
    if not policy.found:
        found.append(
            f"the KCS policy file {policy.file or 'knowledge/kcs.yaml'} is missing "
            "(ASSIST_PATHS__KCS_FILE): it lists the internal tool names a customer-safe article "
            "may not name, so no article can be written without it"
        )
    for name, text in (
        ("title", fields.title),
        ("symptom", fields.symptom),
        ("cause", fields.cause),
    ):
        if not text:
            found.append(f"{name}: empty; write the {_WHAT[name]}")
        elif len(text) > LIMITS[name]:
            found.append(f"{name}: {len(text)} characters; the limit is {LIMITS[name]}")
    if not fields.fix:
        found.append("fix: empty; write at least one step that fixes the problem")
    elif len(fields.fix) > MAX_STEPS:
        found.append(f"fix: {len(fields.fix)} steps; at most {MAX_STEPS}")
    for n, step in enumerate(fields.fix, 1):
        if len(step) > LIMITS["step"]:
            found.append(f"fix step {n}: {len(step)} characters; the limit is {LIMITS['step']}")
    found += _environment(fields, catalogue)
    if fields.customer_safe:
        named = _internal(fields, policy)
        if named:
            found.append(
                "customer_safe: the article names internal tools or hosts ("
                + "; ".join(named)
                + "); rewrite those steps for a site user or mark the article engineer-only"
            )
    return found


_WHAT = {
    "title": "article's title",
    "symptom": "symptom in the user's words",
    "cause": "cause the engineer found",
}


def _environment(fields: ArticleFields, catalogue: Catalogue) -> list[str]:
    releases = catalogue.releases
    if releases is None:
        where = catalogue.releases_file or "knowledge/releases.yaml"
        return [f"product: no release catalogue to check against ({where} is missing)"]
    products = sorted(releases.products)
    if fields.product not in releases.products:
        return [f"product: unknown product line {fields.product!r}; known: {', '.join(products)}"]
    found = []
    models = catalogue.models.get(fields.product, frozenset())
    if fields.model and models and fields.model not in models:
        found.append(
            f"model: {fields.model} is not a {fields.product} model of any site; known: "
            + ", ".join(sorted(models))
        )
    train = releases.versions(fields.product)
    bounds = [("firmware_from", fields.firmware_from), ("firmware_to", fields.firmware_to)]
    for name, version in bounds:
        if version and not any(parse_version(v) == parse_version(version) for v in train):
            found.append(
                f"{name}: {fields.product} has no release {version}; releases: {', '.join(train)}"
            )
    low, high = fields.firmware_from, fields.firmware_to
    lo, hi = parse_version(low or ""), parse_version(high or "")
    if not found and lo is not None and hi is not None and lo > hi:
        found.append(f"firmware range: {low} is newer than {high}; give the oldest release first")
    if not found and (low or high) and not catalogue.versions_in(fields.product, low, high):
        found.append(
            f"firmware range: no {fields.product} release lies in {low or '…'}–{high or '…'}"
        )
    return found


def _internal(fields: ArticleFields, policy: KcsPolicy) -> list[str]:
    parts: Iterable[tuple[str, str]] = [
        ("title", fields.title),
        ("symptom", fields.symptom),
        ("cause", fields.cause),
        *((f"fix step {n}", s) for n, s in enumerate(fields.fix, 1)),
    ]
    named = []
    for where, text in parts:
        for term in policy.internal_names(text):
            named.append(f"{term!r} in {where}")
    return named


def check(fields: ArticleFields, catalogue: Catalogue, policy: KcsPolicy) -> ArticleFields:
    """The normalised article, or ``KcsError`` listing every problem."""
    clean = normalised(fields)
    found = problems(clean, catalogue, policy)
    if found:
        raise KcsError("the article cannot be saved: " + "; ".join(found), problems=found)
    return clean
