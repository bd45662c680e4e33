"""Knowledge-base status: documents and chunks per product in the live index, the last ingest and
the files it could not read."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from ui.console import status
from ui.console.markdown import escape
from ui.console.runtime import get_runtime

runtime = get_runtime()
chunks = runtime.kb.retriever.chunks if runtime.kb else []
kb = status.kb_status(chunks, runtime.settings.chroma_dir)

st.title("Knowledge base")
if runtime.kb_problem:
    st.error(escape(runtime.kb_problem), icon=":material/error:")
docs_col, chunks_col, products_col, failed_col = st.columns(4)
docs_col.metric("Documents", kb.documents)
chunks_col.metric("Chunks", kb.chunks)
products_col.metric("Products", len(kb.products))
failed_col.metric("Failed files", len(kb.failed))
if kb.ingested:
    st.caption(escape(kb.summary))
else:
    st.info("Nothing ingested yet: run `assist ingest knowledge/docs`, then reload.")
if runtime.kb:
    st.button(
        "Reload the index",
        key="reload",
        icon=":material/refresh:",
        help="Picks up an ingest made since the console started, without a restart.",
        on_click=runtime.kb.reload,
    )

if kb.products:
    st.subheader("Per product")
    table = pd.DataFrame(kb.products)
    table_col, docs_chart, chunks_chart = st.columns(3, gap="large")
    table_col.dataframe(table, hide_index=True, width="stretch")
    height = 60 + 36 * len(kb.products)
    with docs_chart:
        st.caption("Documents per product")
        st.bar_chart(table, x="product", y="documents", horizontal=True, height=height)
    with chunks_chart:
        st.caption("Chunks per product")
        st.bar_chart(table, x="product", y="chunks", horizontal=True, height=height)

if kb.ingested:
    st.subheader("Failed files")
    if kb.failed:
        st.dataframe(kb.failed, hide_index=True, width="stretch")
    else:
        st.success("The last ingest read every file.", icon=":material/check_circle:")
if kb.warnings:
    with st.expander(f"{len(kb.warnings)} warning(s)"):
        st.text("\n".join(kb.warnings))
