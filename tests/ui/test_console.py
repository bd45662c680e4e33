"""Every console page under Streamlit's AppTest, on a seeded environment with the fake embedder."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from bot.service.outcome import UserText
from tests.ui.conftest import Console
from tests.ui.environment import REPO

APP = REPO / "ui/console/app.py"
PAGES = ("search", "knowledge", "handoffs", "parts", "flows", "resolution", "evals")
TITLES = {
    "search": "Release-notes search",
    "knowledge": "Knowledge base",
    "handoffs": "Handoff queue",
    "parts": "Parts due and overdue",
    "flows": "Flows",
    "resolution": "Resolution",
    "evals": "Latest eval report",
}


def sign_in(console: Console) -> str:
    """A session token of the development engineer Dana (the console's own sign-in)."""
    return console.other.auth.sign_in("dana@protelecom.example", "dana-dev-password")[0]


def open_page(page: str, token: str | None = None) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=30)
    if token is not None:
        at.session_state["engineer_token"] = token
    at.run()
    if page != "search":  # the first page is the default
        at.switch_page(f"views/{page}.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def markdown_text(at: AppTest) -> str:
    return "\n".join(m.value for m in at.markdown)


def search(at: AppTest, query: str, **filters: str) -> AppTest:
    at.text_input(key="query").input(query)
    for key, value in filters.items():
        widget = at.text_input(key=key) if key == "version" else at.selectbox(key=key)
        widget.set_value(value)
    at.button(key="search").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


@pytest.mark.parametrize("page", PAGES)
def test_no_page_shows_anything_before_sign_in(console: Console, page: str) -> None:
    at = AppTest.from_file(str(APP), default_timeout=30).run()
    if page != "search":
        at.switch_page(f"views/{page}.py").run()
    assert [t.value for t in at.title] == ["Sign in"]
    assert not at.dataframe and console.seeded.chat_handoff not in str(at.markdown)
    at.text_input(key="sign_in_email").input("dana@protelecom.example")
    at.text_input(key="sign_in_password").input("wrong password!")
    at.button[0].click().run()
    assert at.error and "wrong e-mail or password" in at.error[0].value.replace("\\", "")


@pytest.mark.parametrize("page", PAGES)
def test_every_page_renders(console: Console, page: str) -> None:
    at = open_page(page, sign_in(console))
    assert [t.value for t in at.title] == [TITLES[page]]
    assert not at.error


def test_the_runtime_is_built_once_for_every_rerun_and_page(console: Console) -> None:
    at = open_page("search", sign_in(console))
    for page in PAGES:
        at.switch_page(f"views/{page}.py").run()
        at.run()
    assert not at.exception
    assert len(console.builds) == 1


def test_search_shows_a_grounded_answer_with_citations_and_highlighted_evidence(
    console: Console,
) -> None:
    at = search(
        open_page("search", sign_in(console)),
        "which firmware fixed the HDMI handshake on the CX-900?",
    )
    text = markdown_text(at)
    assert "9\\.4\\.1 Release Notes" in text and "CX\\-4821" in text
    assert "**\\[1\\]**" in text  # the first citation
    assert "release\\-notes\\-9\\.4\\.1\\.md" in text  # its source
    assert ":orange[**HDMI**]" in text  # query terms highlighted in the evidence
    assert len(at.expander) >= 3
    assert not at.warning


def test_search_filters_by_product_version_range_and_type(console: Console) -> None:
    at = search(
        open_page("search", sign_in(console)),
        "HDMI handshake display no signal",
        product="cx-codec",
        version="9.0..9.4.1",
        doc_type="release_notes",
    )
    evidence = [c.value for c in at.caption if " · score " in c.value]
    assert len(evidence) == 5
    assert all(" · cx\\-codec · release notes · " in c for c in evidence)
    versions = [e.label.split(" · ")[1] for e in at.expander]
    assert set(versions) <= {
        "9\\.0\\.0",
        "9\\.1\\.0",
        "9\\.2\\.0",
        "9\\.3\\.0",
        "9\\.4\\.0",
        "9\\.4\\.1",
    }


def test_a_version_no_note_speaks_of_names_the_nearest_ones(console: Console) -> None:
    at = search(
        open_page("search", sign_in(console)), "HDMI handshake", product="cx-codec", version="9.9"
    )
    assert at.warning and "nearest" in at.warning[0].value
    assert not at.expander


def test_document_text_is_escaped_never_rendered_as_html(console: Console) -> None:
    at = search(open_page("search", sign_in(console)), "web admin room name field escaping CX-9999")
    text = markdown_text(at)
    assert "\\<img src\\=x onerror\\=alert\\(1\\)\\>" in text
    assert "\\:red\\[styled\\]" in text and "\\$x\\$" in text
    assert "<img" not in text.replace("\\<img", "")


def test_claiming_a_handoff_changes_its_status_in_the_store(console: Console) -> None:
    hid = console.seeded.hardware_handoff
    at = open_page("handoffs", sign_in(console))
    at.selectbox(key="handoff").set_value(hid).run()
    assert console.other.store.handoff(hid).status == "open"
    at.button(key="claim").click().run()
    moved = console.other.store.handoff(hid)
    assert moved.status == "claimed" and moved.claimed_by == "dana"  # signed by who is signed in
    assert at.success and "claimed by Dana Whitfield" in at.success[0].value
    assert at.button(key="claim").disabled and not at.button(key="resolve").disabled

    at.text_area(key="resolve_note").input("Replaced the power supply.")
    at.button(key="resolve").click().run()
    resolved = console.other.store.handoff(hid)
    assert resolved.status == "resolved" and resolved.resolution == "Replaced the power supply."


def test_handing_back_needs_a_step_then_records_it(console: Console) -> None:
    hid = console.seeded.hardware_handoff
    at = open_page("handoffs", sign_in(console))
    at.selectbox(key="handoff").set_value(hid).run()
    assert at.selectbox(key="resume_step").options[0] == "symptom"  # the steps of its flow
    at.selectbox(key="resume_step").set_value("symptom")
    at.button(key="hand_back").click().run()
    moved = console.other.store.handoff(hid)
    assert moved.status == "handed_back" and moved.handed_back_to == "symptom"
    chat = console.other.assistant.open_by_id(console.seeded.hardware_session)
    assert chat.state.public().status == "active"  # the site user's chat resumes too
    assert chat.state.public().phase == "in_flow" and chat.state.public().step_id == "symptom"


def test_a_handoff_shows_its_record_transcript_and_dates(console: Console) -> None:
    at = open_page("handoffs", sign_in(console))
    at.selectbox(key="handoff").set_value(console.seeded.hardware_handoff).run()
    text = markdown_text(at)
    assert console.seeded.hardware_handoff in text  # the record's Markdown
    assert "no power, no lights" in text  # the user's words in the transcript
    assert len(at.chat_message) >= 2
    dates = at.dataframe[1].value
    assert "ship replacement: return due" in set(dates["what"])

    at.selectbox(key="handoff").set_value(console.seeded.chat_handoff).run()
    text = markdown_text(at)
    assert "\\<img" in text and "<img" not in text.replace("\\<img", "")


def test_queue_filters_by_status_site_and_priority(console: Console) -> None:
    at = open_page("handoffs", sign_in(console))
    assert len(at.dataframe[0].value) == 3
    at.selectbox(key="priority").set_value("P2").run()
    assert list(at.dataframe[0].value["id"]) == [console.seeded.chat_handoff]
    at.selectbox(key="priority").set_value("P1").run()
    assert len(at.dataframe[0].value) == 2
    at.selectbox(key="status").set_value("resolved").run()
    assert not at.dataframe and "No handoffs" in at.info[0].value


def test_parts_page_lists_the_overdue_return(console: Console) -> None:
    at = open_page("parts", sign_in(console))
    table = at.dataframe[0].value
    assert list(table["serial"]) == [console.seeded.overdue_serial, console.seeded.due_serial]
    assert list(table["overdue"]) == [True, False]
    assert table["state"].iloc[0].startswith("overdue by")
    assert table["state"].iloc[1].startswith("due in")
    assert [m.value for m in at.metric] == ["2", "1"]
    at.toggle(key="overdue_only").set_value(True).run()
    assert list(at.dataframe[0].value["serial"]) == [console.seeded.overdue_serial]


def test_flows_page_checks_the_folder_and_draws_the_chosen_flow(console: Console) -> None:
    at = open_page("flows", sign_in(console))
    assert at.success and "flow\\(s\\) OK" in at.success[0].value
    at.selectbox(key="flow").set_value("power").run()
    graphs = [m.value for m in at.markdown if m.value.startswith("````mermaid\n")]
    assert len(graphs) == 1 and "flowchart TD\n    %% power:" in graphs[0]
    assert at.code[0].value.startswith("flowchart TD\n    %% power:")


def test_flows_page_lists_definition_errors(
    console: Console, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    flows = tmp_path / "flows"
    shutil.copytree(REPO / "knowledge/flows", flows)
    (flows / "broken.yaml").write_text(
        "id: broken\ntitle: Broken\ndescription: A flow with a dangling link.\nsteps:\n"
        "  - id: first\n    kind: ask\n    question: Is it on?\n    answer: {type: yes_no}\n"
        "    next:\n      - then: nowhere\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("ASSIST_PATHS__FLOWS_DIR", str(flows))
    at = open_page("flows", sign_in(console))
    assert at.error and "problem" in at.error[0].value
    problems = at.dataframe[0].value
    assert set(problems["file"].map(lambda f: Path(f).name)) == {"broken.yaml"}


def test_knowledge_page_counts_per_product_and_lists_failed_files(console: Console) -> None:
    at = open_page("knowledge", sign_in(console))
    table = at.dataframe[0].value
    assert {"cx-codec", "tx-panel", "vx-camera", "ax-audio", "wx-share"} <= set(table["product"])
    assert (table["chunks"] >= table["documents"]).all()
    assert len(at.get("vega_lite_chart")) == 2
    failed = at.dataframe[-1].value
    assert list(failed["source"]) == ["cx-codec/scanned-manual.pdf"]
    assert [m.value for m in at.metric][2:] == [str(len(table)), "1"]
    assert any("with fake\\-64" in c.value for c in at.caption)
    at.button(key="reload").click().run()
    assert not at.exception and len(at.dataframe[0].value) == len(table)


def test_eval_page_says_how_to_make_a_report_then_shows_the_latest(
    console: Console, tmp_path: Path
) -> None:
    at = open_page("evals", sign_in(console))
    assert "make eval" in at.info[0].value
    for day in ("2026-01-05", "2026-02-01"):
        folder = tmp_path / "evals/reports" / day
        folder.mkdir(parents=True)
        (folder / "report.md").write_text(
            f"# Eval report {day}\n\n![recall](recall.png)\n\n| metric | value |\n|---|---|\n"
            "| recall@5 | 0.91 |\n",
            encoding="utf-8",
        )
        Image.new("RGB", (60, 40), "white").save(folder / "recall.png")
    at.run()
    text = markdown_text(at)
    assert "Eval report 2026-02-01" in text and "![recall]" not in text
    assert len(at.get("image")) == 1


def test_resolution_page_counts_the_handoffs_and_a_contained_chat(console: Console) -> None:
    assistant = console.other.assistant
    chat = assistant.start("DEMO-1234")
    for said in (
        "the main display in demo room 2 is black and says no input",
        "found it, it was on HDMI 2. switched to HDMI 1 and the picture is back",
    ):
        assistant.reply(chat.session_id, UserText(said))
    at = open_page("resolution", sign_in(console))
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Conversations"] == "4"  # the seeded three handoffs' chats, and this one
    assert metrics["Contained"] == "1" and metrics["Handed off"] == "3"
    weeks, flows = at.dataframe[0].value, at.dataframe[1].value
    assert weeks["conversations"].sum() == 4 and "display-no-signal" in set(flows["flow_id"])
    assert "No knowledge articles yet." in [i.value for i in at.info]
    at.number_input(key="repeat_days").set_value(30).run()
    assert not at.exception and any("30 days" in c.value for c in at.caption)
