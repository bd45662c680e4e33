"""Flows: the ``assist flows check`` result for the flow folder, and each flow drawn as a graph
(Mermaid, rendered by Streamlit's bundled renderer: no network), with its source."""

from __future__ import annotations

import streamlit as st

from ui.console import status
from ui.console.markdown import escape
from ui.console.runtime import get_runtime

runtime = get_runtime()
folder = runtime.settings.paths.flows_dir
check = status.check_flows(folder)

st.title("Flows")
st.caption(f"Folder {escape(str(folder))} · checked as `assist flows check` does")
if check.ok:
    st.success(escape(check.summary), icon=":material/check_circle:")
else:
    st.error(escape(check.summary), icon=":material/error:")
    st.dataframe(check.problems, hide_index=True, width="stretch")

if check.flows:
    st.dataframe(status.flow_rows(check.flows), hide_index=True, width="stretch", height="content")
    by_id = {f.id: f for f in check.flows}
    chosen = st.selectbox(
        "Flow", list(by_id), format_func=lambda i: f"{i} · {by_id[i].title}", key="flow"
    )
    source = status.flow_graph(by_id[chosen])
    st.mermaid_chart(status.renderable(source), alt=f"Flow {chosen} as a graph of its steps")
    with st.expander("Mermaid source (as `assist flows graph` prints it)"):
        st.code(source, language="text")
