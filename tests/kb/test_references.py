"""Advisory ids and tracker entries a question cites: known ones are answered from their notes,
ones no document names are refused, naming the nearest advisories."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.kb.references import advisories_in, cited_numbers, nearest_advisories, trackers_in
from bot.kb.service import KnowledgeBase
from tests.conftest import write
from tests.kb.fake_kb import build


@pytest.mark.parametrize(
    ("question", "advisories", "trackers"),
    [
        ("What did Janus PR-3700 change?", (), (("PR-3700", "3700"),)),
        ("Which release fixed issue #5300?", (), (("issue #5300", "5300"),)),
        ("is #812 fixed in 1.2?", (), (("#812", "812"),)),
        ("Mumble-SA-2015-001 and cve-2014-0044?", ("Mumble-SA-2015-001", "cve-2014-0044"), ()),
        # a room, the customer's own ticket and a dated build are no tracker entries or advisories
        ("the display in room #204 is dark", (), ()),
        ("I opened ticket #48213 yesterday", (), ()),
        ("we run build-2026-03-02", (), ()),
    ],
)
def test_references_a_question_cites(
    question: str, advisories: tuple[str, ...], trackers: tuple[tuple[str, str], ...]
) -> None:
    assert advisories_in(question) == advisories
    assert trackers_in(question) == trackers


def test_references_documents_cite_and_the_nearest_advisories() -> None:
    text = "Fix leak ([PR #1389](https://github.com/x/pull/1389)), #164, issue 77 and [PR-2828]."
    assert cited_numbers(text) == {"1389", "164", "77", "2828"}
    known = ["Mumble-SA-2014-005", "Mumble-SA-2014-006", "Mumble-SA-2016-001", "CVE-2014-0044"]
    assert nearest_advisories("MUMBLE-SA-2015-001", known) == [
        "Mumble-SA-2016-001",
        "Mumble-SA-2014-005",
        "Mumble-SA-2014-006",
    ]


@pytest.fixture
def kb(tmp_path: Path, corpus: Path) -> KnowledgeBase:
    write(
        corpus,
        "codec/security/nsa-2026-03.md",
        "---\ntitle: NSA-2026-03 web admin scripting\nproduct: codec\ndoc_type: security_advisory\n"
        "---\n# NSA-2026-03\n\nCross-site scripting in the web admin. Affected: 9.0.0 to 9.4.0. "
        "Fixed in 9.4.1.\n",
    )
    write(
        corpus,
        "gateway/CHANGELOG.md",
        "---\ntitle: Gateway changelog\nproduct: gateway\ndoc_type: changelog\n---\n"
        "# Changelog\n\n## 1.2.0\n\n- Fixed the SIP plugin crash on an offerless INVITE [PR-2828]\n"
        "- Fixed the VideoRoom publisher leak (#812)\n",
    )
    return build(corpus, tmp_path / "index")


def test_a_reference_no_document_names_is_refused(kb: KnowledgeBase) -> None:
    assert not kb.ask("Which codec versions are hit by NSA-2026-03?").abstained
    assert not kb.ask("What did gateway PR-2828 change?").abstained
    assert not kb.ask("which gateway release fixed #812?").abstained
    advisory = kb.ask("Which codec versions are hit by NSA-2026-05?")
    assert advisory.abstained and not advisory.citations
    assert "never name NSA-2026-05 (the nearest they name: NSA-2026-03)" in advisory.text
    pull = kb.ask("What did gateway PR-3700 change in the VideoRoom plugin?")
    assert pull.abstained and "never name PR-3700" in pull.text
    # a tracker number the named product's notes never cite, though another product's might
    assert kb.ask("Which codec release fixed issue #812?").abstained
