"""Parts due and overdue: defective parts shipped out under Premier that have not come back."""

from __future__ import annotations

from datetime import date

import streamlit as st

from ui.console import services
from ui.console.runtime import get_runtime

runtime = get_runtime()
today = date.today()

st.title("Parts due and overdue")
st.caption(
    "A defective part goes back within 5 business days of the replacement's dispatch (North "
    "America) or 10 (elsewhere)."
)
overdue_only = st.toggle("Overdue only", key="overdue_only")
rows = services.part_rows(runtime.engineers, runtime.accounts, today, overdue_only)
everything = (
    rows if not overdue_only else services.part_rows(runtime.engineers, runtime.accounts, today)
)
due_col, overdue_col, _ = st.columns([1, 1, 3])
due_col.metric("Awaiting return", len(everything))
overdue_col.metric("Overdue", sum(r["overdue"] for r in everything))

if not rows:
    st.info("No overdue parts." if overdue_only else "No parts are awaiting return.")
else:
    st.dataframe(
        rows,
        hide_index=True,
        width="stretch",
        column_config={
            "state": st.column_config.TextColumn("State"),
            "overdue": st.column_config.CheckboxColumn("Overdue"),
            "return_due": st.column_config.DateColumn("Return due"),
            "serial": st.column_config.TextColumn("Serial"),
            "site": st.column_config.TextColumn("Site"),
            "dispatched": st.column_config.DateColumn("Dispatched"),
            "handoff": st.column_config.TextColumn("Handoff"),
        },
    )
