"""Release-notes search: the grounded answer, its citations, and the evidence passages with the
query terms highlighted. Document text is escaped before it reaches Markdown (a table's cells too)."""

from __future__ import annotations

import streamlit as st

from ui.console import services
from ui.console.markdown import answer_markdown, escape, passage_markdown, quote, with_tables
from ui.console.runtime import get_runtime

runtime = get_runtime()
options = services.search_options(runtime.kb)

st.title("Release-notes search")
st.caption("Release notes, patch notes, bulletins and feature documents of every audience.")
if runtime.kb_problem:
    st.warning(escape(runtime.kb_problem), icon=":material/warning:")

with st.form("search"):
    query = st.text_input(
        "Question",
        key="query",
        placeholder="which firmware fixed the HDMI handshake on the CX-900?",
    )
    product_col, version_col, type_col, k_col = st.columns([3, 3, 3, 1])
    product = product_col.selectbox(
        "Product", ["", *options.products], key="product", format_func=lambda p: p or "any product"
    )
    version = version_col.text_input(
        "Version",
        key="version",
        placeholder="9.4.1 · 9.4.x · 9.0..9.4.1 · >=9",
        help="An exact version, a series, a range (from..to) or a bound. A version no note "
        "speaks of names the nearest ones instead of answering.",
    )
    doc_type = type_col.selectbox(
        "Document type",
        ["", *options.doc_types],
        key="doc_type",
        format_func=lambda d: d.replace("_", " ") if d else "any type",
    )
    k = k_col.number_input("Passages", key="k", min_value=1, max_value=20, value=5)
    if st.form_submit_button("Search", key="search", type="primary", icon=":material/search:"):
        st.session_state["last_search"] = (query, product, version, doc_type, int(k))

if "last_search" not in st.session_state:
    st.info("Ask a question, optionally narrowed to a product, a version or a document type.")
    st.stop()

query, product, version, doc_type, k = st.session_state["last_search"]
outcome = services.run_search(
    runtime.kb, query, product=product, version=version, doc_type=doc_type, k=k
)
if outcome.answer is None:
    st.warning(escape(outcome.problem or "No answer."), icon=":material/search_off:")
    st.stop()
answer = outcome.answer


st.subheader("Answer")
with st.container(border=True):
    if answer.abstained:
        st.warning(escape(answer.text), icon=":material/help:")
    else:
        st.markdown(with_tables(answer.text, answer_markdown))
    for notice in answer.notices:
        st.caption(escape(notice))
    st.caption(f"Evidence {answer.evidence:.2f} · {len(answer.passages)} passage(s)")

if answer.citations:
    st.subheader("Citations")
    for cit in answer.citations:
        where = " · ".join(escape(p) for p in (cit.title, cit.version or "", cit.section) if p)
        st.markdown(f"**\\[{cit.n}\\]** {where}  \n:gray[{escape(cit.source)}]")
        if cit.quote:
            st.markdown(quote(cit.quote, outcome.terms))

st.subheader("Evidence")
for rank, passage in enumerate(answer.passages, start=1):
    chunk = passage.chunk
    numbers = services.cited_as(answer, passage)
    label = " · ".join(p for p in (chunk.title, chunk.version, chunk.section) if p)
    cited = f" — cited \\[{', '.join(map(str, numbers))}\\]" if numbers else ""
    with st.expander(f"{rank}. {escape(label)}{cited}", expanded=rank <= 3):
        st.caption(
            f"{escape(chunk.source)} · {escape(chunk.product)} · "
            f"{escape(chunk.doc_type.replace('_', ' '))} · score {passage.score:.3f}"
        )
        st.markdown(passage_markdown(chunk.text, outcome.terms))
