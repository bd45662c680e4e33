"""Firmware release trains (``knowledge/releases.yaml``): which version is newest per product.

The entitlement rules never hard-code versions; they take a ``product id -> newest version``
mapping, and this module computes it from the data file (optionally as of a day, so a decision
dated before a release does not name it).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.errors import AccountsError
from bot.escalation.yamlnodes import explain, line_of, read_yaml

VERSION_PATTERN = r"^\d+(\.\d+)*$"


def version_key(version: str) -> tuple[int, ...]:
    """Sort key of a dotted version: "10.0.0" sorts after "9.4.1"."""
    return tuple(int(part) for part in version.split("."))


class Release(BaseModel):
    """One published firmware version and its release day."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    version: str = Field(pattern=VERSION_PATTERN)
    date: dt.date


class Releases(BaseModel):
    """Every product's release train."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    products: dict[str, tuple[Release, ...]]

    def versions(self, product: str) -> list[str]:
        """The product's versions, oldest first (empty for an unknown product)."""
        train = sorted(self.products.get(product, ()), key=lambda r: version_key(r.version))
        return [release.version for release in train]

    def latest_versions(self, as_of: dt.date | None = None) -> dict[str, str]:
        """``product id -> highest version`` released on or before ``as_of`` (all when None);
        products with nothing released yet are left out."""
        latest: dict[str, str] = {}
        for product, train in self.products.items():
            released = [r.version for r in train if as_of is None or r.date <= as_of]
            if released:
                latest[product] = max(released, key=version_key)
        return latest


def load_releases(path: Path | str) -> Releases:
    """Read a releases file. Raises ``AccountsError`` (escalation reference data) naming the file
    and the line of the first problem."""
    file = Path(path)
    if not file.is_file():
        raise AccountsError("no such file", file=str(file))
    data, root = read_yaml(file)
    try:
        return Releases.model_validate(data if data is not None else {})
    except ValidationError as exc:
        message, loc = explain(exc)
        raise AccountsError(message, file=str(file), line=line_of(root, loc)) from None
