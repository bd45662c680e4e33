"""Resolution measured honestly: contained conversations (resolved, no handoff, and the same room
did not come back within the window), repeat contacts, handoffs and content gaps, per week and
per flow."""

from __future__ import annotations

from datetime import UTC, datetime

import streamlit as st

from ui.console.markdown import escape
from ui.console.reports import OUTCOME_COLUMNS, resolution_view
from ui.console.runtime import get_runtime

runtime = get_runtime()

st.title("Resolution")
days = int(
    st.number_input(
        "Repeat window (days)",
        min_value=1,
        max_value=365,
        value=runtime.settings.reports.repeat_window_days,
        key="repeat_days",
    )
)
view = resolution_view(runtime, datetime.now(UTC), days)
st.caption(escape(view.data["definition"]))
if view.empty:
    st.info("No conversations yet.")
    st.stop()

totals = view.totals
cols = st.columns(5)
cols[0].metric("Conversations", totals["conversations"])
cols[1].metric(
    "Contained",
    totals["contained"],
    f"{totals['containment_rate']:.0%} (said fixed: {totals['reported_resolution_rate']:.0%})",
    delta_color="off",
)
cols[2].metric("Repeat contacts", totals["repeat_contacts"])
cols[3].metric("Handed off", totals["handed_off"])
cols[4].metric("Abstained questions", totals["abstained_questions"])
for note in view.data["notes"]:
    st.caption(escape(note))

st.subheader("Per week")
st.bar_chart(view.weeks, x="week", y=OUTCOME_COLUMNS, stack=True, height=280)
st.dataframe(view.weeks, hide_index=True, width="stretch")

st.subheader("Per flow")
st.dataframe(view.flows, hide_index=True, width="stretch")

st.subheader("Content gaps")
if view.gaps:
    st.dataframe(view.gaps, hide_index=True, width="stretch")
else:
    st.success("Every knowledge question was answered.", icon=":material/check_circle:")

st.subheader("Knowledge articles")
articles = view.data["articles"]
if articles["created"] or articles["used"]:
    st.write(f"{articles['created']} created, {articles['used']} uses")
    if articles["top"]:
        st.dataframe(articles["top"], hide_index=True, width="stretch")
else:
    st.info("No knowledge articles yet.")
