"""Customers, their contracts and sites, and the assets at each site: the loaded, validated form.

The YAML schema (issue 5) is ``customers -> contracts, sites -> assets``; ``load_accounts``
reads every ``*.yaml`` of a folder. Loaded models are frozen and hold no access code, only its
keyed hash (``hash_access_code``); ``Accounts.site_for_code`` compares hashes in constant time.
Extension fields beyond the issue's schema: ``Site.city``, ``Site.contact``, and on assets ``room``,
``manufacturer`` and ``category``: equipment of any maker is registered with a category (codec,
display, camera, ...) and no product line; the bundled Norvale lines know their category.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import re
from collections.abc import Collection, Iterable
from datetime import date
from pathlib import Path
from typing import Any, NoReturn
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError

from bot.config import DEV_CODE_KEY
from bot.devices import DeviceCategory, category_of
from bot.errors import AccountsError
from bot.escalation.calendar import BusinessHours, region_problem
from bot.escalation.decision import Tier
from bot.escalation.yamlnodes import Loc, explain, line_of, read_yaml

PRODUCT_IDS: tuple[str, ...] = ("cx-codec", "vx-camera", "ax-audio", "tx-panel", "wx-share")
NORTH_AMERICA: frozenset[str] = frozenset({"US", "CA", "MX"})
ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"
_SEMVER = re.compile(r"^\d+\.\d+\.\d+$")
MIN_CODE_BITS = 60


def hash_access_code(code: str, key: str = DEV_CODE_KEY) -> str:
    """The stored form of an access code: HMAC-SHA256 (keyed, hex) of the code stripped of
    surrounding spaces and upper-cased, so "demo-1234 " and "DEMO-1234" are the same code."""
    normalised = code.strip().upper().encode("utf-8")
    return hmac.new(key.encode("utf-8"), normalised, hashlib.sha256).hexdigest()


def code_bits(code: str) -> float:
    """A generous estimate of a code's strength: its length (separators aside) times the bits of
    the alphabet it draws from (digits 3.3, letters 4.7, both 5.2). "DEMO-1234" has 41."""
    chars = [c for c in code.strip().upper() if c.isalnum()]
    digits, letters = any(c.isdigit() for c in chars), any(c.isalpha() for c in chars)
    size = 10 * digits + 26 * letters
    return len(chars) * math.log2(size) if size else 0.0


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Contact(_Strict):
    """Who to reach at a site (extension field)."""

    name: str = Field(min_length=1)
    phone: str | None = None
    email: str | None = None


class Asset(_Strict):
    """One serial-numbered unit at a site. ``product`` is a bundled product line of
    docs/portfolio.md (its release notes are in the knowledge base); equipment of other makers
    leaves it out and names its ``manufacturer`` and ``category`` instead."""

    serial: str = Field(pattern=ID_PATTERN)
    product: str | None = None
    manufacturer: str | None = Field(None, max_length=80)
    model: str = Field(min_length=1, max_length=80)
    category: DeviceCategory | None = None
    firmware: str | None = Field(None, max_length=40, pattern=r"^[0-9A-Za-z][0-9A-Za-z._+-]*$")
    end_of_life: bool = False
    room: str | None = None

    @property
    def kind(self) -> DeviceCategory:
        """The category given, else the one of its bundled model or product line."""
        return category_of(self.product, self.model, self.category)

    @property
    def maker(self) -> str:
        return self.manufacturer or ("Norvale" if self.product else "")

    def describe(self) -> str:
        """ "CX-900 room system (codec) in Demo Room 1" """
        where = f" in {self.room}" if self.room else ""
        return f"{self.model} {self.kind.words}{where}"


class Contract(_Strict):
    """A service contract, valid from ``starts`` to ``ends``, both days included."""

    id: str = Field(pattern=ID_PATTERN)
    tier: Tier
    starts: date
    ends: date

    def is_active(self, day: date) -> bool:
        """True from ``starts`` to ``ends``, both included; ``day`` is a site-local day."""
        return self.starts <= day <= self.ends


class Site(BaseModel):
    """A customer's location: where the calendar, the contract and the assets meet."""

    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    customer_id: str
    timezone: str
    country: str
    subdivision: str | None = None
    contract: str | None = None
    access_code_hash: str = Field(repr=False)
    business_hours: BusinessHours = Field(default_factory=BusinessHours.default)
    assets: tuple[Asset, ...] = ()
    city: str | None = None
    contact: Contact | None = None

    @property
    def north_america(self) -> bool:
        """True for US, CA and MX sites (5-day part returns instead of 10)."""
        return self.country in NORTH_AMERICA


class Customer(BaseModel):
    """A customer with its contracts and sites."""

    model_config = ConfigDict(frozen=True)

    id: str
    name: str
    contracts: tuple[Contract, ...] = ()
    sites: tuple[Site, ...] = ()


class Accounts(BaseModel):
    """Every loaded customer, with lookups by site, contract, serial and access code."""

    model_config = ConfigDict(frozen=True)

    customers: tuple[Customer, ...] = ()
    sources: tuple[str, ...] = ()
    code_key: str = Field(DEV_CODE_KEY, repr=False, exclude=True)

    _sites: dict[str, Site] = PrivateAttr(default_factory=dict)
    _customers: dict[str, Customer] = PrivateAttr(default_factory=dict)
    _contracts: dict[str, Contract] = PrivateAttr(default_factory=dict)

    def model_post_init(self, context: object, /) -> None:
        for customer in self.customers:
            self._customers[customer.id] = customer
            for contract in customer.contracts:
                self._contracts[contract.id] = contract
            for site in customer.sites:
                self._sites[site.id] = site

    @property
    def sites(self) -> tuple[Site, ...]:
        """All sites, in file order."""
        return tuple(self._sites.values())

    def site(self, site_id: str) -> Site | None:
        """The site with that id, or None."""
        return self._sites.get(site_id)

    def site_for_code(self, code: str) -> Site | None:
        """The site whose access code this is, or None. Every site's hash is compared, each with
        ``hmac.compare_digest``, so the time taken does not depend on which site matched."""
        wanted = hash_access_code(code, self.code_key)
        found: Site | None = None
        for site in self._sites.values():
            if hmac.compare_digest(site.access_code_hash, wanted):
                found = site
        return found

    def customer_of(self, site: Site) -> Customer:
        """The customer owning the site."""
        return self._customers[site.customer_id]

    def contract_of(self, site: Site) -> Contract | None:
        """The site's contract (active or not), or None when the site has none."""
        return self._contracts.get(site.contract) if site.contract else None

    def asset(self, site: Site, serial: str) -> Asset | None:
        """The asset with that serial at that site; None if the serial is not registered there."""
        return next((asset for asset in site.assets if asset.serial == serial), None)

    def to_documents(self) -> list[dict[str, Any]]:
        """Every customer as JSON-ready data (hashes only), for the database."""
        return [customer.model_dump(mode="json") for customer in self.customers]

    @classmethod
    def from_documents(
        cls,
        documents: Iterable[dict[str, Any]],
        sources: tuple[str, ...] = (),
        code_key: str = DEV_CODE_KEY,
    ) -> Accounts:
        """Rebuild from ``to_documents`` output; a document that no longer validates raises
        ``AccountsError`` naming the customer."""
        customers = []
        for doc in documents:
            try:
                customers.append(Customer.model_validate(doc))
            except ValidationError as exc:
                where = doc.get("id", "?") if isinstance(doc, dict) else "?"
                raise AccountsError(
                    f"stored customer {where!r} is invalid: {exc.errors()[0]['msg']}",
                    file="database",
                ) from None
        return cls(customers=tuple(customers), sources=sources, code_key=code_key)

    def summary(self) -> dict[str, int]:
        """Counts for ``assist accounts check``."""
        sites = self.sites
        return {
            "files": len(self.sources),
            "customers": len(self.customers),
            "contracts": len(self._contracts),
            "sites": len(sites),
            "assets": sum(len(site.assets) for site in sites),
            "countries": len({site.country for site in sites}),
            "timezones": len({site.timezone for site in sites}),
        }


class _SiteIn(_Strict):
    id: str = Field(pattern=ID_PATTERN)
    name: str = Field(min_length=1)
    timezone: str
    country: str
    subdivision: str | None = None
    contract: str | None = None
    access_code: str | None = Field(None, min_length=4)
    access_code_hash: str | None = Field(None, pattern=r"^[0-9a-f]{64}$")
    business_hours: dict[str, str] | None = None
    assets: list[Asset] = Field(default_factory=list)
    city: str | None = None
    contact: Contact | None = None


class _CustomerIn(_Strict):
    id: str = Field(pattern=ID_PATTERN)
    name: str = Field(min_length=1)
    contracts: list[Contract] = Field(default_factory=list)
    sites: list[_SiteIn] = Field(default_factory=list)


class _FileIn(_Strict):
    customers: list[_CustomerIn]


def load_accounts(
    directory: Path | str,
    products: Collection[str] = PRODUCT_IDS,
    *,
    code_key: str = DEV_CODE_KEY,
    strong_codes: bool = False,
) -> Accounts:
    """Load and validate every ``*.yaml`` in ``directory`` (sorted by name) into one ``Accounts``.

    Raises ``AccountsError`` naming the file and line of the first problem: YAML syntax, a schema
    violation (unknown fields included), bad business hours, an unknown timezone, country or
    subdivision, a product id not in ``products``, a site contract that is not one of its customer's
    contracts, or an id, serial or access code used twice (across files too). A site has a
    plain ``access_code`` (hashed here with ``code_key``) or the ``access_code_hash`` that
    ``assist accounts rotate-code`` wrote; with ``strong_codes`` (production) a plain code under
    60 bits is refused.
    """
    folder = Path(directory)
    if not folder.is_dir():
        raise AccountsError("no such folder", file=str(folder))
    files = sorted(folder.glob("*.yaml"))
    if not files:
        raise AccountsError("no *.yaml files in this folder", file=str(folder))
    loader = _Loader(frozenset(products), code_key, strong_codes)
    customers = [customer for path in files for customer in loader.read(path)]
    return Accounts(
        customers=tuple(customers),
        sources=tuple(str(path) for path in files),
        code_key=code_key,
    )


class _Loader:
    """Reads files one by one, remembering every id across them to refuse duplicates."""

    def __init__(self, products: frozenset[str], code_key: str, strong_codes: bool) -> None:
        self.products = products
        self.code_key = code_key
        self.strong_codes = strong_codes
        self.seen: dict[str, str] = {}  # "kind 'id'" -> "file:line" of its first definition
        self.codes: dict[str, str] = {}  # access-code hash -> site id
        self.path = Path()
        self.root: yaml.Node | None = None

    def fail(self, problem: str, loc: Loc) -> NoReturn:
        raise AccountsError(problem, file=str(self.path), line=line_of(self.root, loc))

    def code_hash(self, raw: _SiteIn, at: Loc) -> str:
        if (raw.access_code is None) == (raw.access_code_hash is None):
            self.fail("a site needs one of access_code or access_code_hash", (*at, "id"))
        if raw.access_code_hash is not None:
            return raw.access_code_hash
        assert raw.access_code is not None
        bits = code_bits(raw.access_code)
        if self.strong_codes and bits < MIN_CODE_BITS:
            self.fail(
                f"this access code is too weak for production ({bits:.0f} bits, at least "
                f"{MIN_CODE_BITS}): run assist accounts rotate-code {raw.id}",
                (*at, "access_code"),
            )
        return hash_access_code(raw.access_code, self.code_key)

    def claim(self, what: str, loc: Loc) -> None:
        if what in self.seen:
            self.fail(f"{what} is already defined at {self.seen[what]}", loc)
        self.seen[what] = f"{self.path}:{line_of(self.root, loc)}"

    def read(self, path: Path) -> list[Customer]:
        data, self.root = read_yaml(path)
        self.path = path
        try:
            parsed = _FileIn.model_validate(data if data is not None else {})
        except ValidationError as exc:
            message, loc = explain(exc)
            self.fail(message, loc)
        return [self.customer(raw, ("customers", ci)) for ci, raw in enumerate(parsed.customers)]

    def customer(self, raw: _CustomerIn, at: Loc) -> Customer:
        self.claim(f"customer '{raw.id}'", (*at, "id"))
        for ki, contract in enumerate(raw.contracts):
            self.claim(f"contract '{contract.id}'", (*at, "contracts", ki, "id"))
            if contract.ends < contract.starts:
                self.fail(f"contract '{contract.id}' ends before it starts", (*at, "contracts", ki))
        own = {contract.id for contract in raw.contracts}
        sites = [
            self.site(site, raw.id, own, (*at, "sites", si)) for si, site in enumerate(raw.sites)
        ]
        return Customer(
            id=raw.id, name=raw.name, contracts=tuple(raw.contracts), sites=tuple(sites)
        )

    def site(self, raw: _SiteIn, customer_id: str, own_contracts: set[str], at: Loc) -> Site:
        self.claim(f"site '{raw.id}'", (*at, "id"))
        try:
            ZoneInfo(raw.timezone)
        except (ZoneInfoNotFoundError, ValueError):
            self.fail(
                f"unknown IANA timezone '{raw.timezone}' (e.g. Europe/London)", (*at, "timezone")
            )
        problem = region_problem(raw.country, raw.subdivision)
        if problem:
            field = "subdivision" if problem.startswith("subdivision") else "country"
            self.fail(problem, (*at, field))
        if raw.contract is not None and raw.contract not in own_contracts:
            self.fail(
                f"contract '{raw.contract}' is not one of this customer's contracts",
                (*at, "contract"),
            )
        code_hash = self.code_hash(raw, at)
        if code_hash in self.codes:  # name the other site, never the code: messages reach logs
            self.fail(
                f"this access code is already used by site '{self.codes[code_hash]}'",
                (*at, "access_code"),
            )
        self.codes[code_hash] = raw.id
        for ai, asset in enumerate(raw.assets):
            self.claim(f"asset serial '{asset.serial}'", (*at, "assets", ai, "serial"))
            if asset.product is not None and asset.product not in self.products:
                known = ", ".join(sorted(self.products))
                self.fail(
                    f"unknown product '{asset.product}'; known: {known} (equipment of another "
                    "maker: leave `product` out and give `manufacturer` and `category`)",
                    (*at, "assets", ai, "product"),
                )
            if asset.product is None and asset.category is None:
                self.fail(
                    f"asset '{asset.serial}' has neither a product line nor a category; give "
                    "`category` (one of: " + ", ".join(c.value for c in DeviceCategory) + ")",
                    (*at, "assets", ai),
                )
            if asset.product is not None and not _SEMVER.match(asset.firmware or ""):
                self.fail(
                    f"firmware '{asset.firmware}' of a {asset.product} asset must look like 9.4.1",
                    (*at, "assets", ai, "firmware"),
                )
        try:
            hours = BusinessHours.parse(raw.business_hours)
        except ValueError as exc:
            self.fail(str(exc), (*at, "business_hours"))
        fields = raw.model_dump(exclude={"access_code", "access_code_hash", "business_hours"})
        return Site(
            **fields, customer_id=customer_id, access_code_hash=code_hash, business_hours=hours
        )
