"""The console's one runtime per process: built on first use, then shared by every rerun and page.

``st.cache_resource`` keeps the result for the life of the Streamlit process, so the embedding
model loads once, and the index, flows, accounts and database open once, whatever the number of
reruns, pages or browser sessions. Settings come from ``ASSIST_*`` variables (and ``.env``), as
for the API and the CLI.
"""

from __future__ import annotations

import streamlit as st

from bot.config import load_settings
from bot.service.runtime import Runtime, build_runtime


@st.cache_resource(show_spinner="Loading the model and opening the knowledge base…")
def get_runtime() -> Runtime:
    """The shared runtime; ``get_runtime.clear()`` drops it (tests, or after changing settings)."""
    return build_runtime(load_settings())
