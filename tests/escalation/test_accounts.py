"""Accounts loader: the schema, lookups, access codes, errors naming file and line, the seeds."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from bot.errors import AccountsError, EscalationError
from bot.escalation.accounts import PRODUCT_IDS, Accounts, hash_access_code, load_accounts
from bot.escalation.calendar import BusinessHours
from bot.escalation.decision import Tier
from bot.escalation.releases import load_releases

SEEDS = Path(__file__).resolve().parents[2] / "knowledge" / "accounts"
RELEASES = Path(__file__).resolve().parents[2] / "knowledge" / "releases.yaml"

Write = Callable[[str, str], Path]

SITE = """\
customers:
  - id: acme
    name: Acme Corp
    contracts:
      - {id: C-1, tier: premier, starts: 2026-01-01, ends: 2026-12-31}
    sites:
      - id: acme-boston
        name: Acme Boston
        timezone: @TZ@
        country: @COUNTRY@
        contract: C-1
        access_code: "ACME-0001"
        assets:
          - {serial: CX9-1, product: @PRODUCT@, model: CX-900, firmware: 9.4.0}
"""


def site_yaml(tz: str = "America/New_York", country: str = "US", product: str = "cx-codec") -> str:
    return SITE.replace("@TZ@", tz).replace("@COUNTRY@", country).replace("@PRODUCT@", product)


def load_error(folder: Path) -> AccountsError:
    with pytest.raises(AccountsError) as info:
        load_accounts(folder)
    return info.value


def test_loads_the_issue_schema_with_defaults(write_yaml: Write) -> None:
    accounts = load_accounts(write_yaml("a.yaml", site_yaml()))
    site = accounts.site("acme-boston")
    assert site is not None
    assert site.business_hours == BusinessHours.default()
    assert site.subdivision is None and site.city is None and site.contact is None
    contract = accounts.contract_of(site)
    assert contract is not None and contract.tier is Tier.PREMIER
    assert contract.is_active(date(2026, 12, 31)) and not contract.is_active(date(2027, 1, 1))
    assert accounts.customer_of(site).name == "Acme Corp"
    asset = accounts.asset(site, "CX9-1")
    assert asset is not None and asset.end_of_life is False and asset.firmware == "9.4.0"
    assert accounts.asset(site, "NOPE") is None
    assert accounts.site("nope") is None


def test_lookups_on_the_shared_fixture(accounts: Accounts) -> None:
    bare = accounts.site("bare")
    assert bare is not None and accounts.contract_of(bare) is None
    assert accounts.summary()["sites"] == 11
    assert {s.country for s in accounts.sites} == {"US", "CA", "MX", "GB", "DE", "JP"}


def test_access_codes_are_stored_hashed_and_matched(accounts: Accounts) -> None:
    site = accounts.site("bos")
    assert site is not None
    assert site.access_code_hash == hash_access_code("BOS-0001")
    assert len(site.access_code_hash) == 64
    assert "BOS-0001" not in accounts.model_dump_json()
    assert "BOS-0001" not in repr(site)
    found = accounts.site_for_code("BOS-0001")
    assert found is not None and found.id == "bos"
    same = accounts.site_for_code("  bos-0001 ")
    assert same is not None and same.id == "bos"
    assert accounts.site_for_code("BOS-0003") is None
    assert accounts.site_for_code("") is None


def test_bad_timezone_names_file_and_line(write_yaml: Write) -> None:
    folder = write_yaml("acme.yaml", site_yaml(tz="America/Bostonia"))
    error = load_error(folder)
    assert error.file.endswith("acme.yaml")
    assert error.line == 9
    assert str(error).startswith(f"{folder / 'acme.yaml'}:9: ")
    assert "America/Bostonia" in str(error)
    assert isinstance(error, EscalationError)


def test_bad_country_names_its_line(write_yaml: Write) -> None:
    error = load_error(write_yaml("a.yaml", site_yaml(country="XX")))
    assert error.line == 10 and "country 'XX'" in error.problem


def test_unknown_product_names_its_line(write_yaml: Write) -> None:
    error = load_error(write_yaml("a.yaml", site_yaml(product="zx-fridge")))
    assert error.line == 14
    assert "unknown product 'zx-fridge'" in error.problem and "cx-codec" in error.problem


def test_known_products_are_a_parameter(write_yaml: Write) -> None:
    folder = write_yaml("a.yaml", site_yaml(product="zx-fridge"))
    accounts = load_accounts(folder, products=(*PRODUCT_IDS, "zx-fridge"))
    assert accounts.summary()["assets"] == 1


def test_duplicate_site_id_across_files(write_yaml: Write) -> None:
    write_yaml("a.yaml", site_yaml())
    other = (
        site_yaml()
        .replace("id: acme\n", "id: other\n")
        .replace("C-1", "C-2")
        .replace("ACME-0001", "OTHER-0001")
        .replace("CX9-1", "CX9-2")
    )
    folder = write_yaml("b.yaml", other)
    error = load_error(folder)
    assert error.file.endswith("b.yaml") and error.line == 7
    assert "site 'acme-boston' is already defined at" in error.problem
    assert "a.yaml:7" in error.problem


def test_duplicate_serial_and_access_code(write_yaml: Write) -> None:
    write_yaml("a.yaml", site_yaml())
    clash = site_yaml().replace("id: acme\n", "id: other\n").replace("C-1", "C-2")
    clash = clash.replace("acme-boston", "other-site").replace("ACME-0001", "OTHER-0001")
    error = load_error(write_yaml("b.yaml", clash))
    assert "asset serial 'CX9-1' is already defined" in error.problem and error.line == 14
    (Path(error.file)).write_text(
        clash.replace("CX9-1", "CX9-2").replace("OTHER-0001", "acme-0001")
    )
    error = load_error(Path(error.file).parent)
    assert "already used by site 'acme-boston'" in error.problem and error.line == 12
    assert "ACME" not in error.problem


@pytest.mark.parametrize(
    ("old", "new", "line", "fragment"),
    [
        ("contract: C-1", "contract: C-9", 11, "contract 'C-9' is not one of this customer's"),
        ("country: US", "country: US\n        subdivision: ZZ", 11, "subdivision 'ZZ'"),
        ("country: US", "country: NO", 10, "put the value in quotes"),
        ("tier: premier,", "tier: gold,", 5, "premier"),
        ("ends: 2026-12-31", "ends: 2025-12-31", 5, "ends before it starts"),
        ("firmware: 9.4.0", "firmware: 9.4", 14, "put the value in quotes"),
        ("timezone:", "time_zone:", 9, "sites[0].time_zone: unknown field"),
        ('access_code: "ACME-0001"', "access_code: AB", 12, "at least 4 characters"),
        ("contract: C-1", 'contract: C-1\n        business_hours: {mon-fri: "9-5"}', 12, "HH:MM"),
        ("name: Acme Boston", "name: Acme Boston\n        name: Again", 9, "appears twice"),
        ("assets:", "assets: [", 14, "YAML syntax error"),
    ],
)
def test_schema_errors_name_the_line(
    write_yaml: Write, old: str, new: str, line: int, fragment: str
) -> None:
    text = site_yaml()
    assert old in text
    error = load_error(write_yaml("a.yaml", text.replace(old, new, 1)))
    assert error.line == line, str(error)
    assert fragment in str(error)


def test_missing_required_field_points_at_its_parent(write_yaml: Write) -> None:
    error = load_error(write_yaml("a.yaml", site_yaml().replace("        country: US\n", "")))
    assert "country" in error.problem and "Field required" in error.problem
    assert error.line == 7  # the site's mapping starts on its "- id:" line


def test_folder_errors(tmp_path: Path) -> None:
    assert "no such folder" in str(load_error(tmp_path / "missing"))
    assert "no *.yaml files" in str(load_error(tmp_path))


def test_empty_file_is_an_error(write_yaml: Write) -> None:
    error = load_error(write_yaml("a.yaml", "# nothing yet\n"))
    assert "customers" in error.problem


# -- the seed files ------------------------------------------------------------------------------


def test_seed_accounts_load_and_cover_the_required_ground() -> None:
    accounts = load_accounts(SEEDS)
    sites = accounts.sites
    assert len(accounts.customers) >= 6
    countries = {site.country for site in sites}
    assert {"US", "CA", "MX", "GB", "DE"} <= countries and countries & {"AU", "JP"}
    assert any(site.country == "US" and site.subdivision == "MA" for site in sites)
    assert len({site.timezone for site in sites}) >= 3
    contracts = [c for customer in accounts.customers for c in customer.contracts]
    assert {c.tier for c in contracts} == {Tier.PREMIER, Tier.PREMIER_PLUS}
    assert any(c.ends < date(2026, 1, 1) for c in contracts)  # one expired contract
    assets = [asset for site in sites for asset in site.assets]
    assert any(asset.end_of_life for asset in assets)
    assert any(a.model == "CX-900" and a.firmware == "9.4.0" for a in assets)
    demo = accounts.site_for_code("DEMO-1234")
    assert demo is not None and demo.contact is not None
    assert all(site.contact is not None for site in sites if site.id.endswith(("boston", "london")))


def test_seed_assets_use_portfolio_products_and_released_firmware() -> None:
    accounts = load_accounts(SEEDS)
    releases = load_releases(RELEASES)
    assert set(releases.products) == set(PRODUCT_IDS)
    others = []
    for site in accounts.sites:
        for asset in site.assets:
            if asset.product is None:  # equipment of another maker: a category, no release train
                others.append(asset)
                continue
            assert asset.firmware in releases.versions(asset.product), (site.id, asset.serial)
    assert {a.kind.value for a in others} >= {"display", "microphone", "switch"}
    assert all(a.manufacturer for a in others)


def _with_asset(asset: str) -> str:
    return site_yaml().replace(
        "          - {serial: CX9-1, product: cx-codec, model: CX-900, firmware: 9.4.0}\n",
        asset,
    )


def test_equipment_of_any_maker_is_accepted_with_a_category(write_yaml: Write) -> None:
    folder = write_yaml(
        "a.yaml",
        _with_asset(
            "          - {serial: S1, manufacturer: Samsung, model: QM55C, category: display}\n"
            "          - {serial: S2, manufacturer: Biamp, model: Tesira Forte, category: dsp, "
            "firmware: 4.2.1}\n"
            "          - {serial: S3, product: cx-codec, model: CX-900, firmware: 9.4.1}\n"
        ),
    )
    site = load_accounts(folder).sites[0]
    assert [a.kind.value for a in site.assets] == ["display", "dsp", "codec"]
    assert site.assets[1].maker == "Biamp" and site.assets[2].maker == "Norvale"


@pytest.mark.parametrize(
    ("asset", "problem"),
    [
        ("{serial: S1, manufacturer: Sony, model: X90}", "neither a product line nor a category"),
        ("{serial: S1, product: zx-soundbar, model: ZX-200, firmware: 1.0.0}", "unknown product"),
        ("{serial: S1, product: cx-codec, model: CX-900, firmware: v9}", "must look like 9.4.1"),
        ("{serial: S1, model: X, category: toaster}", "category"),
    ],
)
def test_an_asset_that_cannot_be_placed_is_refused_with_its_line(
    write_yaml: Write, asset: str, problem: str
) -> None:
    error = load_error(write_yaml("a.yaml", _with_asset(f"          - {asset}\n")))
    assert problem in str(error) and "a.yaml:" in str(error)
