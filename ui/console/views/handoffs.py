"""The handoff queue: filter, read a record with its transcript and dates, claim, resolve or hand
back. Moves go through ``services.move_handoff`` (the engineers' service and its table of moves),
run as button callbacks so the page renders the new status on the same rerun."""

from __future__ import annotations

import streamlit as st

from ui.console import services
from ui.console.login import current
from ui.console.markdown import demote_headings, escape, escape_lines, with_tables
from ui.console.runtime import get_runtime

runtime = get_runtime()
desk = runtime.engineers
sites = {site.id: site.name for site in runtime.accounts.sites}


def move(handoff_id: str, kind: str) -> None:
    result = services.move_handoff(
        desk,
        handoff_id,
        kind,
        engineer=current(runtime.auth),
        note=st.session_state.get("resolve_note"),
        step=st.session_state.get("resume_step"),
    )
    st.session_state["handoff_flash"] = (result.ok, result.message)
    if result.ok and kind == "resolve":
        st.session_state["resolve_note"] = ""


st.title("Handoff queue")
status_col, site_col, priority_col = st.columns(3)
status = status_col.selectbox(
    "Status",
    ["", *services.STATUSES],
    key="status",
    format_func=lambda s: s.replace("_", " ") or "any status",
)
site_id = site_col.selectbox(
    "Site",
    ["", *sorted(sites, key=sites.__getitem__)],
    key="site",
    format_func=lambda s: sites.get(s, "any site"),
)
priority = priority_col.selectbox(
    "Priority",
    ["", *services.PRIORITIES],
    key="priority",
    format_func=lambda p: p or "any priority",
)

if flash := st.session_state.pop("handoff_flash", None):
    ok, message = flash
    (st.success if ok else st.error)(escape(message))

handoffs = desk.queue(status or None, site_id or None)
rows = services.handoff_rows(handoffs, priority or None)
if not rows:
    st.info("No handoffs match these filters.")
    st.stop()
st.dataframe(
    rows,
    hide_index=True,
    width="stretch",
    column_config={
        "id": st.column_config.TextColumn("Handoff"),
        "priority": st.column_config.TextColumn("Priority", width="small"),
        "status": st.column_config.TextColumn("Status"),
        "created": st.column_config.TextColumn("Opened (UTC)"),
        "site": st.column_config.TextColumn("Site"),
        "asset": st.column_config.TextColumn("Asset"),
        "category": st.column_config.TextColumn("Category", width="small"),
        "issue": st.column_config.TextColumn("Issue", width="large"),
    },
)

by_id = {h.id: h for h in handoffs}
chosen = st.selectbox(
    "Handoff",
    [r["id"] for r in rows],
    key="handoff",
    format_func=lambda i: services.handoff_label(by_id[i]),
)
handoff = desk.handoff(chosen)
if handoff is None:
    st.stop()

record_col, side_col = st.columns([3, 2], gap="large")
with record_col:
    record_tab, transcript_tab, json_tab = st.tabs(["Record", "Transcript", "JSON"])
    with record_tab:
        # rendered by the record's own renderer, which escapes every user-typed string
        st.markdown(demote_headings(handoff.markdown))
    with transcript_tab:
        lines = desk.transcript(handoff)
        if not lines:
            st.info("No transcript: this handoff is not linked to a chat session.")
        for line in lines:
            with st.chat_message(line.who):
                st.caption(line.at.strftime("%Y-%m-%d %H:%M:%S UTC"))
                # escaped; the assistant's tables (from the documents) shown as tables
                shown = with_tables if line.who == "assistant" else escape_lines
                st.markdown(shown(line.text))
                if line.choices:
                    st.caption("Offered: " + escape(" · ".join(line.choices)))
    with json_tab:
        st.json(handoff.record)

with side_col:
    st.subheader("Dates")
    st.dataframe(services.handoff_dates(handoff), hide_index=True, width="stretch")
    st.subheader("Actions")
    st.caption(
        f"Status **{escape(handoff.status.replace('_', ' '))}**"
        + (f" · claimed by {escape(handoff.claimed_by)}" if handoff.claimed_by else "")
        + (f" · handed back at {escape(handoff.handed_back_to)}" if handoff.handed_back_to else "")
    )
    if handoff.resolution:
        st.caption("Resolution: " + escape(handoff.resolution))
    st.button(
        "Claim",
        key="claim",
        icon=":material/assignment_ind:",
        disabled=not services.allowed(handoff, "claim"),
        help="Claims it under your name (the engineer signed in).",
        on_click=move,
        args=(handoff.id, "claim"),
    )
    st.text_area("Resolution note", key="resolve_note", height=80)
    st.button(
        "Resolve",
        key="resolve",
        icon=":material/task_alt:",
        disabled=not services.allowed(handoff, "resolve"),
        on_click=move,
        args=(handoff.id, "resolve"),
    )
    st.selectbox(
        "Resume at step",
        desk.resume_steps(handoff),
        key="resume_step",
        index=None,
        accept_new_options=True,
        placeholder="The open question, or choose a flow step",
    )
    st.button(
        "Hand back to the assistant",
        key="hand_back",
        icon=":material/undo:",
        disabled=not services.allowed(handoff, "hand_back"),
        on_click=move,
        args=(handoff.id, "hand_back"),
    )
