"""Questions about what the notes do not cover are refused whatever the similarity: a rare word no
document uses (unless the evidence is strong), a name only other products' notes use, a rare word
only the notes of another product the question names use ("positional audio like the panel has"),
a price or date no passage states."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from bot.kb.answer import compose_extractive, refusal
from bot.kb.facts import counted, states, wanted_fact
from bot.kb.lexicon import common_words, misspelling
from bot.kb.names import split_names
from bot.kb.query import analyse, product_versions
from bot.kb.schema import Chunk
from bot.kb.service import KnowledgeBase
from bot.kb.vocabulary import ProductVocabulary
from tests.conftest import write
from tests.kb.fake_kb import build


@pytest.fixture
def kb(tmp_path: Path, corpus: Path) -> KnowledgeBase:
    write(
        corpus,
        "panel/guides/audio.md",
        "---\ntitle: Panel audio guide\nproduct: panel\ndoc_type: how_to\n---\n"
        "# Panel audio\n\nThe panel plays positional audio cues and reports over SNMPv3.\n\n"
        "Pair the panel with a Dante network switch before a call.\n",
    )
    return build(corpus, tmp_path / "index")


def test_common_words_come_from_the_packaged_vocabulary() -> None:
    common = common_words()
    assert {"freeze", "shipping", "people", "firmware"} <= common  # firmware: a question frame
    assert not {"bluetooth", "speakerphone", "io_uring"} & common
    assert {"dont", "cant", "doesnt"} <= common  # contractions typed without the apostrophe
    assert common_words(Path("/nonexistent")) >= {"firmware"}  # no vocabulary: frame words only


def test_misspellings_of_known_words_say_nothing() -> None:
    known = {"doesnt", "display", "handshake"}.__contains__
    assert misspelling("dispaly", known) and misspelling("handshak", known)
    assert not misspelling("bluetooth", known)
    assert not misspelling("rtmp", {"ramp"}.__contains__)  # too short to call a misspelling


def test_rare_words_unknown_and_foreign_terms(kb: KnowledgeBase) -> None:
    vocabulary = kb.retriever.vocabulary
    analysis = analyse("Does the codec play positional audio like the panel does?", vocabulary)
    assert analysis.rare == ("positional",) and "codec" in analysis.named_products
    assert vocabulary.foreign_terms(["positional"], ["codec", "panel"], "engineer") == [
        ("positional", "codec", ["panel"])
    ]
    # words no document uses: rare ones count, misspellings of known words and everyday ones not
    assert vocabulary.unknown_words(["bluetooth", "handshakee", "people"], "engineer") == [
        "bluetooth"
    ]
    # a compound counts as used when each of its rare parts is
    assert vocabulary.unknown_words(["snmpv3-positional"], "engineer") == []


def test_a_term_only_another_named_products_notes_use_is_refused(kb: KnowledgeBase) -> None:
    answer = kb.ask("Does the codec play positional audio like the panel does?")
    assert answer.abstained and not answer.citations
    assert "The codec notes never mention positional (only the panel notes do)" in answer.text
    # a name only the panel's notes use, asked of the codec: refused even without the comparison
    named = kb.ask("Does the codec support Dante?")
    assert named.abstained and "codec notes never mention Dante" in named.text
    # asked of the product whose notes have it: answered
    assert not kb.ask("Does the panel play positional audio cues?").abstained


def test_a_rare_unknown_word_refuses_only_weak_evidence(kb: KnowledgeBase) -> None:
    question = "Why is the codec sound quiet on a Bluetooth speakerphone?"
    result = kb.search(question)
    assert result.unknown_words == ("bluetooth", "speakerphone")
    weak, strong = replace(result, evidence=0.5), replace(result, evidence=0.7)
    refused = refusal(question, weak, doubt_threshold=0.61)
    assert refused is not None and refused.abstained
    assert "never mention Bluetooth or speakerphone" in refused.text
    assert refusal(question, strong, doubt_threshold=0.61) is None
    # answered from strong evidence, the unknown words are no note under the answer
    answered = compose_extractive(question, strong, threshold=0.0)
    assert not answered.abstained and "no document mentions" not in answered.text
    # the vocabulary alone: no documents, no product, nothing is foreign
    empty = ProductVocabulary([])
    assert empty.foreign_terms(["bluetooth"], ["codec"]) == []


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("What does one AX-CM3 cost?", "price"),
        ("list price of the panel?", "price"),
        ("When was codec 9.4.1 released?", "date"),
        ("release date of panel firmware 2.3.1?", "date"),
        ("When did codec 9.2.0 come out?", "date"),
        ("how heavy is a cx-900?", "weight"),
        ("What is the native resolution of the panel's display?", "resolution"),
        ("How many years of warranty does the gateway have?", "time period"),
        ("minimum android version needed for the app?", "Android version"),
        ("Which iOS version is required?", "iOS version"),
        ("When does Norvale end support for the 9.x train?", "end-of-support date"),
        ("When does the panel end the meeting?", None),
        ("What is the screen resolution of the panel?", "resolution"),
        ("What is the standard warranty period for a codec?", "time period"),
        ("What's the operating temperature range of the camera?", "temperature"),
        ("What is the camera's field of view, in degrees?", "angle"),
        ("whats the default sleep timer on the panel?", "default value"),
        ("How many PTZ presets does the camera keep?", "number"),
        ("Can the panel show how many people are in the room?", None),
        ("What's the maximum number of input streams the mixer takes?", "number"),
        ("How many watts does the codec draw in standby?", "wattage"),
        ("What's the power consumption of the gateway?", "wattage"),
        ("What is the standard hardware warranty on a new panel, 1, 3 or 5 years?", "time period"),
        ("When does the 1.5 series stop getting security fixes?", "end-of-support date"),
        ("Which release dropped support for Ubuntu 16.04?", None),
        ("Which codec release fixed the HDMI handshake?", None),
        ("When the panel wakes up, the screen stays black", None),
    ],
)
def test_the_kind_of_fact_a_question_asks_for(question: str, kind: str | None) -> None:
    assert wanted_fact(question) == kind


def test_what_a_how_many_question_counts() -> None:
    assert counted("How many Dante transmit and receive channels does the AX-8 have?") == "channels"
    assert counted("Roughly how many consumers can one worker handle per core?") == "consumers"
    assert counted("How many watts does a CX-500 draw?") == "watts"
    assert counted("What's the maximum number of input streams a mixer takes?") == "streams"
    assert counted("Which release fixed the HDMI handshake?") is None


def test_accented_words_are_read_whole_and_never_taken_for_gaps() -> None:
    question = "Users named José or Jürgen cannot start the app"
    analysis = analyse(question, ProductVocabulary([]))  # no common words: every word is rare
    assert "jürgen" in analysis.subject
    assert analysis.rare == ("users", "named", "cannot", "start", "app")  # no 'rgen', no 'jürgen'


def test_everyday_words_with_a_prefix_are_common() -> None:
    vocabulary = ProductVocabulary([], common=frozenset({"boot", "plug", "name"}))
    assert vocabulary.is_common("reboots") and vocabulary.is_common("unplugging")
    assert vocabulary.is_common("rename") and not vocabulary.is_common("syslog")
    # an ending that took the stem's e away ('fiddling' of 'fiddle')
    fiddle = ProductVocabulary([], common=frozenset({"fiddle", "save"}))
    assert fiddle.is_common("fiddling") and fiddle.is_common("saved")
    # everyday abbreviations ("esp. in the SIP plugin")
    assert {"esp", "etc", "approx"} <= common_words()


def test_a_release_date_must_be_the_asked_release_s() -> None:
    notes = Chunk(
        id="k-7.2#0", source="kurento/7.2.rst", title="Kurento 7.2 Release Notes",
        product="kurento", doc_type="release_notes", audience="engineer", version="7.2", text="",
    )  # fmt: skip
    other = (
        "Kurento 7.2.0 is a minor release. Kurento 7.1.0 was originally released on september 2024."
    )
    assert not states("date", replace(notes, text=other), ("7.2.0",))
    assert states("date", replace(notes, text=other), ("7.1.0",))  # the sentence names 7.1.0
    assert states("date", replace(notes, text="Published on 2 May 2025."), ("7.2.0",))
    assert states("date", replace(notes, text="No date.", released="2025-05-02"), ("7.2",))
    # '1.5' is the 1.5 line: a dated sentence naming 1.5.634 dates it
    line = replace(notes, version="", text="Mumble 1.5.634 was released on 19 May 2024.")
    assert states("date", line, ("1.5",)) and not states("date", line, ("1.4",))


def test_a_fact_no_passage_states_is_refused(kb: KnowledgeBase, tmp_path: Path) -> None:
    chunk = kb.retriever.chunks[0]
    assert states("price", replace(chunk, text="One licence costs EUR 120 per room."))
    assert states("date", replace(chunk, text="Released on 8 June 2026.", released=""))
    assert states("date", replace(chunk, text="No date here.", released="2026-06-08"))
    assert not states("price", replace(chunk, text="Lock the panel with a PIN of 4 to 8 digits."))
    assert states("Android version", replace(chunk, text="Requires Android 8 or later."))
    assert states("Safari version", replace(chunk, text="| Safari | ✅ | >= 14.3 |"))
    assert not states("Android version", replace(chunk, text="The Android app shows the PIN."))
    assert states("time period", replace(chunk, text="Covered for two years from delivery."))
    assert not states("resolution", replace(chunk, text="A 10-inch touch display."))
    # a value must be stated beside what it is the value of
    presets = replace(chunk, text="The camera keeps 64 PTZ presets. It has 2 HDMI outputs.")
    assert states("number", presets, subject=("ptz", "presets", "many"))
    assert not states("number", presets, subject=("usb", "ports"))
    # a count stands before what it counts, or right after it, and a model may stand for it
    arrays = replace(chunk, text="Four arrays per AX-8 (AX-1520).")
    assert states("number", arrays, subject=("arrays",))
    silent = replace(chunk, text="The AX-8 went silent on all Dante channels at 48 kHz.")
    assert not states("number", silent, subject=("channels",))
    assert states("number", replace(silent, text="Dante channels: 64."), subject=("channels",))
    models = "The AX-8 finds AX-CM3 arrays on its network. It supports up to 2 AX-CM3 per AX-8."
    assert states("number", replace(chunk, text=models), subject=("arrays",))
    # a power figure must be of what is asked: a power supply's rating is no standby draw
    psu = replace(chunk, text="The CX-900 shipped with the 180 W external power supply.")
    assert not states("wattage", psu, subject=("watts", "draw", "standby"))
    assert states("wattage", replace(psu, text="It draws 9 W in standby."), subject=("standby",))
    warranty = replace(chunk, text="Return the old part within 10 business days.")
    assert not states("time period", warranty, subject=("hardware", "warranty", "period"))
    assert states("time period", warranty, subject=("return", "period"))
    timer = replace(chunk, text="| Setting | Default |\n|---|---|\n| Sleep timer | 10 min |")
    assert states("default value", timer, subject=("default", "sleep", "timer"))
    assert not states("default value", replace(timer, text="Sleep timer: 10 min."), ("sleep",))
    # support ends on a date only where a sentence says so, not where a release is dated
    eos = "end-of-support date"
    assert states(eos, replace(chunk, text="9.x is supported until 2028-06-30.", released=""))
    assert not states(eos, replace(chunk, text="Released on 8 June 2026.", released="2026-06-08"))
    # the changelog has no price: refused, whatever the similarity
    answer = kb.ask("How much does the panel lock feature cost per panel?")
    assert answer.abstained and "give no price" in answer.text
    # a release date in the release notes' metadata answers "when", first
    dated = kb.ask("When was codec 9.4.1 released?")
    assert dated.text.startswith("9.4.1 was released on 2026-06-08 ["), dated.text


def test_addresses_are_not_versions_and_plain_names_are_kept_apart() -> None:
    assert product_versions("Every morning the AX-8 has a 169.254 address again") == ()
    assert product_versions("the panels in the 10.20 subnet lose the booking") == ()
    assert product_versions("what changed in 9.4 and 10.0.1?") == ("9.4", "10.0.1")
    # measurements and channel layouts are no versions
    assert product_versions("it resamples 44.1 kHz material to 48 kHz") == ()
    assert product_versions("the laptop outputs 7.1 surround on 9.4.1") == ("9.4.1",)
    assert product_versions("a 2.5 m cable, a 5.1 stream") == ()
    # a library's version is not the product's
    assert product_versions("janus 1.2.0 built against libsrtp 2.x and libnice 0.1.21") == (
        "1.2.0",
    )
    # a hyphenated name is one name; a capability question makes capitalised words names
    assert split_names("Does Mumble's positional audio work with Counter-Strike 2?")[0] == (
        "mumble",
        "counter-strike",
    )
    shared = "Can people share to the gateway from a Microsoft Teams meeting?"
    assert split_names(shared) == (("microsoft", "teams"), ())
    assert split_names("Is there a way to export the stats to Prometheus?")[0] == ("prometheus",)
    assert split_names("Is there an official Linphone build for the Raspberry Pi?")[0] == (
        "linphone",
        "raspberry",
    )
    compared = "How does the codec compare with a Cisco Room Kit in bandwidth?"
    assert split_names(compared)[0] == ("cisco", "room", "kit")
    dialled = "We have an old Polycom system. Can it dial into our meetings?"
    assert split_names(dialled)[0] == ("polycom",)
    question = "Which device type do I pick in Cisco Unified CM for a CX-500?"
    assert split_names(question) == ((), ("cisco", "unified"))
    # a place is no name, before a place noun or after one
    opening = "We're opening an office in Osaka; the VX cameras flicker there. Which value?"
    assert split_names(opening) == ((), ())
    assert split_names("The panel in meeting room Oak is stuck") == ((), ())
    # in a question about what a product works with, they are names
    assert split_names("Does the CX-500 work with Cisco Unified CM?")[1] == ()


def test_a_name_of_several_words_counts_as_one(tmp_path: Path, corpus: Path) -> None:
    write(
        corpus,
        "panel/guides/recording.md",
        "---\ntitle: Panel recording guide\nproduct: panel\ndoc_type: how_to\n---\n"
        "# Recording\n\nThe panel saves recordings to a shared drive.\n\n"
        "Open the recording page in Google Chrome.\n",
    )
    kb = build(corpus, tmp_path / "index")
    vocabulary = kb.retriever.vocabulary
    # each word is used, but never side by side: the name is unknown
    assert vocabulary.unknown_phrases(["google drive", "google chrome"], "engineer") == [
        "google drive"
    ]
    asked = "Can the panel export its recordings to Google Drive?"
    assert analyse(asked, vocabulary).phrases == ("google drive",)
    answer = kb.ask(asked)
    assert answer.abstained and "never mention Google Drive" in answer.text
    assert not kb.ask("Can the panel open its recording page in Google Chrome?").abstained
    # beside the name, rare words the notes lack ("natively") are not listed: the name says enough
    natively = "Can the panel export its recordings to Google Drive natively?"
    weak = replace(kb.search(natively), evidence=0.3)
    assert weak.unknown_words == ("natively",)
    refused = refusal(natively, weak, doubt_threshold=0.61)
    assert refused is not None and "never mention Google Drive, so" in refused.text
    # describing the user's own set-up, it refuses only weak evidence, as a rare word does
    told = "Our recordings should end up in Google Drive; where does the panel save them?"
    result = kb.search(told)
    assert result.unknown_words == ("google drive",) and not result.unknown_terms
    assert refusal(told, replace(result, evidence=0.7), doubt_threshold=0.61) is None


@pytest.mark.parametrize(
    ("question", "phrases"),
    [
        ("Does the codec work with Microsoft Teams Rooms?", ("microsoft teams rooms",)),
        ("Microsoft Teams crashes when I share", ()),  # a sentence's first word is no name
        ("Why? Microsoft Teams crashes", ()),
        ("The panel in our New York office is black", ()),  # a place
        ("Our office in New York has a black panel", ()),
        ("The panel in room Blue Lagoon is black", ()),
        ("Does it compare with a Cisco Room Kit?", ("cisco room kit",)),
        ("Does the Panel Audio guide cover it?", ()),  # holds a product's name
        ("Is Apple CarPlay or Android Auto supported?", ("apple carplay", "android auto")),
    ],
)
def test_which_capitalised_runs_are_names(
    question: str, phrases: tuple[str, ...], kb: KnowledgeBase
) -> None:
    assert analyse(question, kb.retriever.vocabulary).phrases == phrases
