"""Entry of the engineer console (``make console``): page setup, navigation, the shared sidebar.

Every page is a thin module in ``views/``; the runtime (model, index, stores) is built once per
process by ``ui.console.runtime.get_runtime``.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from bot.errors import AssistError
from ui.console.markdown import escape
from ui.console.runtime import get_runtime

VIEWS = Path(__file__).parent / "views"

st.set_page_config(
    page_title="ProTelecom Assist · Engineer console",
    page_icon=":material/support_agent:",
    layout="wide",
)
navigation = st.navigation(
    {
        "Knowledge": [
            st.Page(VIEWS / "search.py", title="Release-notes search", icon=":material/search:"),
            st.Page(VIEWS / "knowledge.py", title="Knowledge base", icon=":material/database:"),
        ],
        "Support": [
            st.Page(VIEWS / "handoffs.py", title="Handoff queue", icon=":material/inbox:"),
            st.Page(VIEWS / "parts.py", title="Parts due", icon=":material/local_shipping:"),
        ],
        "Operations": [
            st.Page(VIEWS / "flows.py", title="Flows", icon=":material/account_tree:"),
            st.Page(VIEWS / "evals.py", title="Eval report", icon=":material/monitoring:"),
        ],
    }
)
with st.sidebar:
    st.text_input("Engineer", key="engineer", placeholder="Your name, for claims")
    st.caption("ProTelecom Assist · engineer console")

try:
    get_runtime()
except AssistError as exc:
    st.error(f"The assistant could not start: {escape(str(exc))}", icon=":material/error:")
    st.stop()
navigation.run()
