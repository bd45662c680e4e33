"""Entry of the engineer console (``make console``): page setup, sign-in, navigation, the sidebar.

Nothing is shown before an engineer signs in with their own e-mail and password (the same
identities as the workspace; sessions expire); every move is signed with that engineer. Every
page is a thin module in ``views/``; the runtime (model, index, stores) is built once per process
by ``ui.console.runtime.get_runtime``. ``make console`` binds it to 127.0.0.1 only.
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st

from bot.errors import AssistError
from ui.console.login import sign_in_form, sign_out, signed_in
from ui.console.markdown import escape
from ui.console.runtime import get_runtime

VIEWS = Path(__file__).parent / "views"

st.set_page_config(
    page_title="ProTelecom Assist · Engineer console",
    page_icon=":material/support_agent:",
    layout="wide",
)
try:
    runtime = get_runtime()
except AssistError as exc:
    st.error(f"The assistant could not start: {escape(str(exc))}", icon=":material/error:")
    st.stop()

engineer = signed_in(runtime.auth)
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
            st.Page(VIEWS / "resolution.py", title="Resolution", icon=":material/task_alt:"),
            st.Page(VIEWS / "evals.py", title="Eval report", icon=":material/monitoring:"),
        ],
    },
    position="sidebar" if engineer else "hidden",  # no map of the console before sign-in
)
if engineer is None:
    sign_in_form(runtime.auth)
    st.stop()
with st.sidebar:
    st.caption(f"Signed in as {escape(engineer.name)} ({engineer.role})")
    st.button("Sign out", key="sign_out", on_click=sign_out, args=(runtime.auth,))
    st.caption("ProTelecom Assist · engineer console")
navigation.run()
