"""The rules of a KCS article: every problem named at once, the firmware range checked against
the release catalogue, no internal tools in a customer-safe text, the policy file, the ids, and
when an article is flagged for review."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from bot.errors import ConfigError, KcsError
from bot.escalation.accounts import load_accounts
from bot.service.kcs_rules import (
    Catalogue,
    KcsPolicy,
    article_id,
    article_number,
    check,
    in_range,
    load_catalogue,
    load_policy,
)
from bot.service.kcs_views import flag
from bot.store.kcs import ArticleFields, UseCounts

REPO = Path(__file__).resolve().parents[2]
POLICY = load_policy(REPO / "knowledge/kcs.yaml")
CATALOGUE = load_catalogue(
    REPO / "knowledge/releases.yaml", load_accounts(REPO / "knowledge/accounts")
)
GOOD = ArticleFields(
    title="",
    product=" CX-Codec ",
    model="cx-900",
    firmware_from="v9.4.0",
    firmware_to="9.4.1",
    symptom="  The second   screen shows no signal ",
    cause="HDMI-CEC on the display switched its input after standby.",
    fix=("Turn HDMI-CEC off in the display's menu.", "  ", "Switch the display off and on."),
    customer_safe=True,
)


def problems_of(fields: ArticleFields, catalogue: Catalogue = CATALOGUE) -> list[str]:
    with pytest.raises(KcsError) as caught:
        check(fields, catalogue, POLICY)
    assert caught.value.code == "kcs_invalid"
    return caught.value.problems


def test_a_good_article_is_normalised() -> None:
    clean = check(GOOD, CATALOGUE, POLICY)
    assert (clean.product, clean.model, clean.firmware_from) == ("cx-codec", "CX-900", "9.4.0")
    assert clean.title == clean.symptom == "The second screen shows no signal"
    assert clean.fix == (
        "Turn HDMI-CEC off in the display's menu.",
        "Switch the display off and on.",
    )
    assert CATALOGUE.versions_in("cx-codec", "9.4.0", None) == ["9.4.0", "9.4.1", "10.0.0"]


def test_an_empty_fix_and_empty_texts_are_each_named() -> None:
    found = problems_of(replace(GOOD, fix=("", " "), cause=" ", symptom=""))
    assert any(p.startswith("fix: empty") for p in found)
    assert any(p.startswith("cause: empty") for p in found)
    assert any(p.startswith("symptom: empty") for p in found)
    assert len(found) >= 3  # every problem at once, not the first only


def test_a_firmware_range_no_release_has_is_refused_with_the_releases() -> None:
    found = problems_of(replace(GOOD, firmware_from="9.5.0", firmware_to="9.6"))
    assert "firmware_from: cx-codec has no release 9.5.0; releases: 8.0.0" in found[0]
    assert "9.4.1, 10.0.0" in found[0]
    assert found[1].startswith("firmware_to: cx-codec has no release 9.6")
    reversed_range = problems_of(replace(GOOD, firmware_from="10.0.0", firmware_to="9.4.0"))
    assert reversed_range == [
        "firmware range: 10.0.0 is newer than 9.4.0; give the oldest release first"
    ]
    assert check(replace(GOOD, firmware_from=None, firmware_to="9.0.0"), CATALOGUE, POLICY)


def test_unknown_products_and_models_list_the_known_ones() -> None:
    (product,) = problems_of(replace(GOOD, product="zx-codec"))
    assert product.startswith("product: unknown product line 'zx-codec'; known: ax-audio, cx-codec")
    (model,) = problems_of(replace(GOOD, model="CX-950"))
    assert model == "model: CX-950 is not a cx-codec model of any site; known: CX-500, CX-900"


def test_a_customer_safe_text_may_not_name_internal_tools() -> None:
    internal = replace(
        GOOD,
        cause="Seen in the debug menu: the EDID cache was stale.",
        fix=("Open a root shell and clear /var/edid.", "Check eng-tools.corp for the unit."),
    )
    (problem,) = problems_of(internal)
    assert problem.startswith("customer_safe: the article names internal tools or hosts (")
    for named in (
        "'debug menu' in cause",
        "'root shell' in fix step 1",
        "'eng-tools.corp' in fix step 2",
    ):
        assert named in problem
    assert "mark the article engineer-only" in problem
    assert check(replace(internal, customer_safe=False), CATALOGUE, POLICY).customer_safe is False
    assert not POLICY.internal_names("SSHD-free text: the sshtunnel word and a classy menu")


def test_without_a_policy_or_a_catalogue_nothing_can_be_written(tmp_path: Path) -> None:
    missing = load_policy(tmp_path / "kcs.yaml")
    assert not missing.found and missing.matching.min_similarity == 0.55
    with pytest.raises(KcsError, match=r"KCS policy file .*kcs.yaml is missing"):
        check(GOOD, CATALOGUE, missing)
    bare = Catalogue(None, {}, str(tmp_path / "releases.yaml"))
    assert any("no release catalogue" in p for p in problems_of(GOOD, bare))


def test_a_malformed_policy_names_the_file(tmp_path: Path) -> None:
    (tmp_path / "kcs.yaml").write_text("internal_patterns: ['(unclosed']\n")
    with pytest.raises(ConfigError, match=r"kcs.yaml"):
        load_policy(tmp_path / "kcs.yaml")
    (tmp_path / "kcs.yaml").write_text("matching: {min_similarity: 2}\n")
    with pytest.raises(ConfigError, match=r"kcs.yaml"):
        load_policy(tmp_path / "kcs.yaml")


def test_firmware_inside_a_range() -> None:
    assert in_range("9.4.1", "9.4.0", "9.4.1") and in_range("10.0.0", "9.4.0", None)
    assert not in_range("9.3.0", "9.4.0", None) and not in_range("10.0.0", None, "9.4.1")
    assert in_range(None, None, None) and not in_range(None, "9.4.0", None)


def test_article_ids_read_every_way_they_are_written() -> None:
    assert article_id(7) == "KCS-0007"
    assert [article_number(t) for t in ("KCS-0007", "kcs-7", "7", "KCS7")] == [7, 7, 7, 7]
    for bad in ("", "KCS-0", "HO-1234", "7; drop table"):
        with pytest.raises(KcsError):
            article_number(bad)


def test_an_article_is_flagged_when_its_fix_keeps_failing() -> None:
    policy = KcsPolicy()
    assert flag(UseCounts({"failed": 3, "resolved": 1}), policy) == (
        "the fix failed 3 times since the last review and worked 1 time"
    )
    assert flag(UseCounts({"failed": 3, "resolved": 3}), policy) is None  # as often as it worked
    assert flag(UseCounts({"failed": 2}), policy) is None  # not yet 3 failures
    assert flag(UseCounts({"failed": 2}), KcsPolicy(review={"min_failures": 2})) is not None  # type: ignore[arg-type]
