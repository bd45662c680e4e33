"""The latest eval report (``evals/reports/<date>/report.md``) with its plots, or how to make one."""

from __future__ import annotations

import streamlit as st

from ui.console import status
from ui.console.markdown import demote_headings

st.title("Latest eval report")
report = status.latest_report(status.REPORTS_DIR)
if report is None:
    st.info(
        "No eval report yet. `make eval` runs the evals and "
        f"writes `{status.REPORTS_DIR}/<date>/report.md` with its plots."
    )
    st.stop()

st.caption(f"{report.folder} · {len(report.plots)} plot(s)")
st.markdown(demote_headings(report.markdown, 1))  # our own eval harness wrote it
if report.plots:
    st.subheader("Plots")
    columns = st.columns(2)
    for n, plot in enumerate(report.plots):
        columns[n % 2].image(str(plot), caption=plot.stem.replace("_", " ").replace("-", " "))
