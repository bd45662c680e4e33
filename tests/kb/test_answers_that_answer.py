"""Questions the knowledge base must answer directly, or refuse whatever the similarity: version
families, "what changed in V" and "between V1 and V2", direct fix answers, names no document uses."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from bot.kb.names import split_names
from bot.kb.query import analyse, product_versions
from bot.kb.releases import items_in
from bot.kb.sections import group_of, issue_id
from bot.kb.service import KnowledgeBase
from bot.kb.versions import in_family, running_versions
from bot.kb.vocabulary import ProductVocabulary
from tests.conftest import write
from tests.kb.fake_kb import build


@pytest.fixture
def kb(tmp_path: Path, corpus: Path) -> KnowledgeBase:
    write(
        corpus,
        "codec/release-notes/9.5.0.md",
        "---\ntitle: Codec 9.5.0 Release Notes\nproduct: codec\ndoc_type: release_notes\n"
        'versions: ["9.5.0"]\n---\n# Codec 9.5.0 Release Notes\n\n## New features\n\n'
        "- Speaker tracking on the second camera (CX-5001).\n\n## Fixed issues\n\n"
        "- CX-4809: Far-end camera control on H.323 calls answers at once again.\n",
    )
    return build(corpus, tmp_path / "index")


def test_a_version_family_stands_for_its_releases() -> None:
    assert in_family("9.4", "9.4.1") and in_family("9.4", "9.4.0") and not in_family("9.4", "9.5.0")
    assert in_family("6.x", "6.18.0") and not in_family("6.x", "7.0.0")
    assert in_family("9.4.1", "9.4.1") and not in_family("9.4.1", "9.4.10")
    assert product_versions("moving from 6.x to 7.0") == ("7.0", "6.x")
    # addresses and platforms are not product versions
    assert product_versions("it shows 169.254.x.x and 10.0.0.1") == ()
    assert product_versions("an HDMI 1.4 display on 9.4.1") == ("9.4.1",)


@pytest.mark.parametrize(
    ("question", "running"),
    [
        (
            "Since we rolled 9.2.0 onto the codecs, registration fails. Which release fixes it?",
            "9.2.0",
        ),
        ("CX-900 on 9.4.0: the second display stays black after standby", "9.4.0"),
        ("we're on 3.14.8, which version fixes the freeze?", "3.14.8"),
        ("after the upgrade to 6.2 the panel reboots", "6.2"),
        ("Is CX-4821 fixed on 9.4.1?", None),  # asked about, not run
        ("what changed in 9.4.1?", None),
    ],
)
def test_the_release_the_asker_runs(question: str, running: str | None) -> None:
    assert running_versions(question, product_versions(question)) == ((running,) if running else ())


def test_a_fix_question_about_the_release_one_runs_looks_at_later_ones(
    kb: KnowledgeBase,
) -> None:
    question = (
        "we are on 9.4.0 and display 2 shows no signal after standby; which release fixes it?"
    )
    assert kb.search(question).passages[0].chunk.version == "9.4.1"


def test_a_family_or_a_contrast_does_not_fail_closed(kb: KnowledgeBase) -> None:
    assert not kb.ask("what is new in codec 9.4?").abstained
    contrast = kb.ask("why is the codec fix numbered 9.4.1 rather than 9.4.7?")
    assert "nothing about version" not in contrast.text
    assert kb.ask("what changed in codec 9.9?").abstained  # no release of that line at all
    # beside a known version, a missing one the question asks about still fails closed
    asked = kb.ask("what changed in codec 9.4.7? we are on 9.4.1 and wonder whether to upgrade")
    assert asked.abstained and "9.4.7" in asked.text and "9.4.1" in asked.text


def test_what_changed_in_a_release_lists_its_items_grouped_and_cited(kb: KnowledgeBase) -> None:
    answer = kb.ask("what changed in codec 9.4.1?")
    assert not answer.abstained
    lines = answer.text.splitlines()
    assert lines[1] == "9.4.1 fixes CX-4821 and CX-4838 [1]."
    assert "Fixed:" in lines and "Known issues:" in lines
    assert lines.index("Fixed:") < lines.index("Known issues:")
    # the patch note's line about CX-4821 is the same item: listed once
    assert sum("CX-4821" in line for line in lines if line.startswith("- ")) == 1
    assert all(line.rstrip().endswith("]") for line in lines if line.startswith("- "))
    assert {c.version for c in answer.citations} == {"9.4.1"}


def test_between_two_releases_lists_every_release_after_the_first(kb: KnowledgeBase) -> None:
    answer = kb.ask("what changed between 9.4.0 and 9.5.0 on the codec?")
    assert "9.4.1 fixes CX-4821" in answer.text and "9.5.0 fixes CX-4809" in answer.text
    assert "CEC display standby" not in answer.text  # 9.4.0 itself is not "after 9.4.0"
    assert answer.text.index("9.4.1") < answer.text.index("9.5.0")


def test_new_besides_fixes_asks_for_the_release_s_additions(kb: KnowledgeBase) -> None:
    vocabulary = kb.retriever.vocabulary
    besides = analyse("codec 9.5.0 - anything new besides fixes?", vocabulary)
    assert "fixed" not in besides.intents and {"new", "changes"} <= set(besides.intents)
    apart = analyse("Apart from bug fixes, what does codec 9.5.0 bring?", vocabulary)
    assert "fixed" not in apart.intents and "changes" in apart.intents
    answer = kb.ask("codec 9.5.0 - anything new besides fixes?")
    lines = answer.text.splitlines()
    assert lines[1] == "9.5.0 adds CX-5001 [1]." and "New:" in lines
    assert "9.5.0 fixes CX-4809" in kb.ask("what changed in codec 9.5.0?").text


def test_a_fix_question_leads_with_the_answer(kb: KnowledgeBase) -> None:
    answer = kb.ask("CX-4821 fixed where?")
    first = answer.text.splitlines()[0]
    assert first.startswith("CX-4821 is fixed in 9.4.1 [")
    number = int(first.split("[")[1].split("]")[0])
    cited = next(c for c in answer.citations if c.n == number)
    assert cited.version == "9.4.1" and "CX-4821" in cited.quote


def test_an_issue_its_notes_call_open_is_said_to_be_open(tmp_path: Path, corpus: Path) -> None:
    write(
        corpus,
        "codec/troubleshooting/known-issues.md",
        "---\ntitle: Codec known issues\nproduct: codec\ndoc_type: known_issues\n---\n"
        "# Codec known issues\n\n## Open issues\n\n### CX-4990: Echo on calls longer than a day\n\n"
        "- **Reported in:** 9.4.1\n- **Status:** open; a fix is planned for a future release.\n",
    )
    kb = build(corpus, tmp_path / "i")
    first = kb.ask("Which release fixes CX-4990?").text.splitlines()[0]
    assert first.startswith("CX-4990 is still open: the notes name no release"), first
    assert kb.ask("CX-4821 fixed where?").text.startswith("CX-4821 is fixed in 9.4.1 [")


def test_a_model_the_question_names_is_not_taken_for_the_fixed_issue(
    tmp_path: Path, corpus: Path
) -> None:
    write(
        corpus,
        "codec/release-notes/9.6.1.md",
        "---\ntitle: Codec 9.6.1 Release Notes\nproduct: codec\ndoc_type: release_notes\n"
        'versions: ["9.6.1"]\n---\n# Codec 9.6.1 Release Notes\n\n## Fixed issues\n\n'
        "- CX-5100: On the CX-900 the far-end video froze after a content share.\n",
    )
    answer = build(corpus, tmp_path / "i").ask(
        "Our CX-900 freezes the far-end video after a content share, which release fixed it?"
    )
    first = answer.text.splitlines()[0]
    assert "CX-900 is fixed" not in answer.text and first.startswith("Fixed in 9.6.1 ["), first


def test_a_name_no_document_uses_is_refused_as_written(kb: KnowledgeBase) -> None:
    answer = kb.ask("How do I set up the panel to control the lights over KNX?")
    assert answer.abstained and not answer.citations
    assert "never mention KNX" in answer.text
    # describing the user's own set-up, an unknown name refuses only with weak evidence
    described = kb.search(
        "The codec crashes on laptops with NVIDIA graphics, which release fixed it?"
    )
    assert described.unknown_terms == () and "nvidia" in described.unknown_words
    assert kb.search("Does the codec support NVIDIA graphics?").unknown_terms == ("nvidia",)
    # inflections and common capitalised words are not unknown names
    assert not kb.ask("Does the Panel lock work in German?").abstained
    assert not kb.ask("Which codec Releases fixed the HDMI Handshakes?").abstained


def test_names_and_glued_model_ids_in_questions(tmp_path: Path, corpus: Path) -> None:
    chunks = build(corpus, tmp_path / "i").retriever.chunks
    vocabulary = ProductVocabulary(chunks)
    analysis = analyse(
        "Our CX4821, the ARM64 build: does it work with Zoom? Monday fails.", vocabulary
    )
    assert "CX-4821" in analysis.identifiers and "ARM-64" not in analysis.identifiers
    # a plural of a named model is that model; an unknown one stays unknown
    models = ProductVocabulary([*chunks, replace(chunks[0], text="Applies to the CX-900.")])
    assert analyse("both our CX-900s and a CX-777s reboot", models).identifiers == (
        "CX-900",
        "CX-777S",
    )
    assert analysis.names == ("arm64", "zoom")
    assert vocabulary.unknown_terms(["zoom", "locks", "standby"]) == ["zoom"]
    # a plain capitalised word is a name only in a question about what a product works with
    assert split_names("Our Boardroom codec says no signal, is that fixed in 9.4.1?")[0] == ()
    assert split_names("Does the London office codec support Zoom Rooms?")[0] == ("zoom", "rooms")


def test_release_items_and_groups() -> None:
    assert issue_id("CX-4821: On the CX-900, Display 2 ...") == "CX-4821"
    assert issue_id("64 PTZ presets (VX-3188). Both models ...") == "VX-3188"
    assert issue_id("On the CX-900 the display stays dark") is None
    text = "- First item that\n  continues here.\n- Second item.\n\nNone."
    assert items_in(text) == ["First item that continues here.", "Second item."]
    assert group_of("Release 9.4.1 > Fixed issues") == "Fixed"
    assert group_of("Fixed issues > Audio") == "Fixed"
    assert group_of("Upgrade notes") is None
    assert group_of("Highlights") == "New"


def test_a_table_row_is_answered_as_a_table_under_its_header(tmp_path: Path, corpus: Path) -> None:
    write(
        corpus,
        "codec/guides/ports.md",
        "---\ntitle: Codec firewall ports\nproduct: codec\ndoc_type: feature_doc\n---\n"
        "# Firewall ports\n\nOpen these ports for cloud calls.\n\n"
        "| Port | Protocol | Used for |\n|---|---|---|\n| 443 | TCP | provisioning |\n"
        "| 5061 | TCP | SIP signalling over TLS |\n| 3478 | UDP | media relay (TURN) |\n",
    )
    kb = build(corpus, tmp_path / "t")
    answer = kb.ask("which port does the media relay TURN use, UDP or TCP?")
    lines = answer.text.splitlines()
    at = lines.index("| Port | Protocol | Used for |")
    assert lines[at - 1].startswith("- From the table [") and lines[at + 1] == "|---|---|---|"
    assert "| 3478 | UDP | media relay (TURN) |" in lines[at + 2 :]


def test_a_release_is_named_only_when_its_quoted_line_is_about_the_question(
    kb: KnowledgeBase,
) -> None:
    # no fix or feature word: either list answers, by its group
    accepts = kb.ask(
        "Which codec firmware gets the HDMI handshake on Display 2 right after standby?"
    )
    assert accepts.text.startswith("Fixed in 9.4.1 [")
    # a release whose quoted lines are about something else is no answer
    echo = kb.ask("Which codec firmware fixed the loud echo in our meeting room?")
    assert not echo.abstained and not echo.text.startswith(("Fixed in", "Added in"))


def test_a_model_prefix_in_capitals_names_its_product(tmp_path: Path, corpus: Path) -> None:
    # 'ax' is an everyday word in lower case; "AX" names the audio line outright
    write(
        corpus,
        "audio/release-notes/4.1.0.md",
        "---\ntitle: AX Audio 4.1.0 Release Notes\nproduct: audio\ndoc_type: release_notes\n"
        'versions: ["4.1.0"]\n---\n# AX Audio 4.1.0\n\n## Fixed issues\n\n'
        "- AX-1873: The AX-8 fell back to a link-local address.\n- AX-1877: Echo on Line Out 2.\n",
    )
    kb = build(corpus, tmp_path / "index")
    vocabulary = kb.retriever.vocabulary
    assert vocabulary.products_in("what changed in AX 4.2?", strong=True) == ("audio",)
    assert vocabulary.products_in("an ax to grind", strong=True) == ()
    answer = kb.ask("what changed in AX 4.2?")
    assert answer.abstained and "nothing about version 4.2" in answer.text
