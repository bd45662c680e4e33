"""Tables in the console: a pipe table in a passage or an answer becomes a Markdown table whose cells
are escaped as every other document string is, so no markup from a document survives in a cell."""

from __future__ import annotations

from markdown_it import MarkdownIt

from tests.ui.conftest import Console
from tests.ui.test_console import markdown_text, open_page, search, sign_in
from ui.console.markdown import answer_markdown, passage_markdown, quote, with_tables

MD = MarkdownIt("commonmark", {"linkify": True}).enable(["table", "linkify"])
MD.linkify.set({"fuzzy_link": False})
PASSAGE = (
    "Affected releases <i>below</i>:\n"
    "| Product | Notes | Fixed in |\n"
    "|:--|:-:|--:|\n"
    "| <b>x</b> | [a](http://x) | 9.4.1 |\n"
    "| <script>alert(1)</script> | a \\| b :red[c] $d$ | ![p](http://x/p.png) |\n"
    "\n"
    "Upgrade | soon."
)
CELLS = [
    ["Product", "Notes", "Fixed in"],
    ["<b>x</b>", "[a](http://x)", "9.4.1"],
    ["<script>alert(1)</script>", "a | b :red[c] $d$", "![p](http://x/p.png)"],
]


def _tokens(markdown: str) -> list[str]:
    out: list[str] = []
    for token in MD.parse(markdown):
        out.append(token.type)
        out.extend(child.type for child in token.children or [])
    return out


def _cells(markdown: str) -> list[list[str]]:
    """The rendered table's cells as the reader sees them (inline text after escapes)."""
    rows: list[list[str]] = []
    for token in MD.parse(markdown):
        if token.type == "tr_open":
            rows.append([])
        elif token.type == "inline" and rows and token.level >= 4:
            rows[-1].append("".join(c.content for c in token.children or []).replace("\u2060", ""))
    return rows


def test_a_table_becomes_a_markdown_table_of_inert_cells() -> None:
    md = with_tables(PASSAGE)
    types = _tokens(md)
    assert types.count("table_open") == 1 and types.count("tr_open") == 3
    for forbidden in ("html_inline", "html_block", "link_open", "image", "code_inline"):
        assert forbidden not in types
    assert _cells(md) == CELLS
    html = MD.render(md)
    assert "<b>" not in html and "<script>" not in html and "&lt;script&gt;" in html
    assert 'style="text-align:center"' in html and 'style="text-align:right"' in html
    assert md.startswith("Affected releases \\<i\\>below\\<\\/i\\>\\:\n\n| Product |")
    assert md.endswith("\n\nUpgrade \\| soon\\.")  # a stray pipe after the table stays text
    assert ":red[c]" not in md and "$d$" not in md  # Streamlit's own syntax escaped too


def test_passages_quotes_and_answers_keep_tables_and_highlights() -> None:
    md = passage_markdown(PASSAGE, ["product", "upgrade"])
    assert "| :orange[**Product**] | Notes | Fixed in |" in md
    assert md.endswith(":orange[**Upgrade**] \\| soon\\.")
    assert _cells(md)[1:] == CELLS[1:]
    quoted = quote(PASSAGE, [])
    assert all(line.startswith(">") for line in quoted.split("\n"))
    assert _tokens(quoted).count("table_open") == 1 and "html_inline" not in _tokens(quoted)
    answer = "From Notes:\n| a | b |\n|---|---|\n| 1 | <b>2</b> |\n- Fixed *this* [1]"
    assert with_tables(answer, answer_markdown).split("\n") == [
        "From Notes\\:",
        "",
        "| a | b |",
        "| --- | --- |",
        "| 1 | \\<b\\>2\\<\\/b\\> |",
        "",
        "- Fixed \\*this\\* \\[1\\]",
    ]
    assert quote("one\ntwo", []) == "> one  \n> two"  # no table: as before


def test_the_search_page_shows_a_document_table_as_a_table(console: Console) -> None:
    at = search(open_page("search", sign_in(console)), "which codec releases are at a glance")
    text = markdown_text(at)
    assert "| Release | Released | Status |\n| --- | --- | --- |" in text
    assert "| 9\\.4\\.1 | 2026\\-06\\-08 | Recommended 9\\.x release |" in text
