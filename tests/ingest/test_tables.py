"""Tables on the write side: a pipe table is one block for the splitter (cut only between rows, the
header repeated on every piece), and HTML / reStructuredText tables become pipe tables."""

from __future__ import annotations

from pathlib import Path

from bot.kb.tables import parse_pipe_table, split_cells
from ingest.loaders import load_file
from ingest.loaders.html import load_html
from ingest.loaders.rst import load_rst
from ingest.metadata import infer_metadata
from ingest.splitter import pack, split_document
from ingest.tables import split_table
from tests.conftest import write

HEADER = "| ID | Models | Issue | Workaround | Fixed in |"
RULE = "|---|---|:--|---|--:|"
ROWS = [
    f"| CX-{4800 + n} | CX-500, CX-900 | Issue number {n} shows a symptom on HDMI IN {n % 3 + 1} "
    f"after standby. | Restart the codec. | 10.0.{n} |"
    for n in range(40)
]
BEFORE = [
    "The codec lists its open issues below. Every issue names the models it affects.",
    "- Upgrading to the current release fixes most of them.",
]
AFTER = ["Report a new issue to your ProTelecom engineer with the codec's log bundle."]


def _document(tmp_path: Path) -> Path:
    body = "\n".join([HEADER, RULE, *ROWS])
    text = (
        "---\ntitle: Codec known issues\nproduct: cx-codec\ndoc_type: known_issues\n---\n"
        f"# Codec known issues\n\n## Open issues\n\n{BEFORE[0]}\n\n{BEFORE[1]}\n\n{body}\n\n"
        f"{AFTER[0]}\n"
    )
    return write(tmp_path, "cx-codec/known-issues.md", text)


def test_a_long_table_is_cut_between_rows_each_piece_led_by_its_header(tmp_path: Path) -> None:
    path = _document(tmp_path)
    doc = load_file(path, "cx-codec/known-issues.md")
    chunks = split_document(doc, infer_metadata(doc), limit=1000)
    holding = [c for c in chunks if any(row in c.text for row in ROWS)]
    assert len(holding) > 2  # 40 rows of ~120 characters do not fit one 1000-character chunk
    seen: list[str] = []
    for chunk in chunks:
        lines = chunk.text.split("\n")
        table_lines = [line for line in lines if split_cells(line) is not None]
        if not table_lines:
            continue
        assert table_lines[:2] == [HEADER, RULE], chunk.text  # the table starts with its header
        assert all(line in (HEADER, RULE, *ROWS) for line in table_lines)
        start = lines.index(HEADER)
        end = start + len(table_lines)
        assert parse_pipe_table(lines[start:end]) is not None  # one whole table, rows intact
        assert len(chunk.text) <= 1000
        seen.extend(line for line in table_lines if line in ROWS)
    assert seen == ROWS  # every row once, in order, none cut


def test_text_around_a_table_is_unchanged(tmp_path: Path) -> None:
    path = _document(tmp_path)
    doc = load_file(path, "cx-codec/known-issues.md")
    paragraphs = doc.sections[-1].paragraphs
    assert paragraphs == [*BEFORE, "\n".join([HEADER, RULE, *ROWS]), *AFTER]
    text = "\n".join(c.text for c in split_document(doc, infer_metadata(doc)))
    for paragraph in [*BEFORE, *AFTER]:
        assert paragraph in text.split("\n")


def test_a_short_table_shares_a_chunk_set_apart_by_blank_lines() -> None:
    table = "| a | b |\n|---|---|\n| 1 | 2 |"
    assert pack(["Before.", table, "After | not a row."], 1000) == [
        f"Before.\n\n{table}\n\nAfter | not a row."
    ]
    assert pack(["One.", "Two."], 1000) == ["One.\nTwo."]  # no table: as before


def test_a_row_longer_than_the_limit_is_never_cut() -> None:
    long_row = "| x | " + "word " * 100 + "|"
    table = "\n".join(["| a | b |", "|---|---|", "| 1 | 2 |", long_row, "| 3 | 4 |"])
    pieces = split_table(table, 120)
    assert [p.split("\n")[:2] for p in pieces] == [["| a | b |", "|---|---|"]] * len(pieces)
    assert long_row in [line for p in pieces for line in p.split("\n")]
    assert [line for p in pieces for line in p.split("\n")[2:]] == table.split("\n")[2:]


def test_lines_that_merely_hold_a_pipe_stay_a_paragraph(tmp_path: Path) -> None:
    path = write(tmp_path, "notes.md", "# Notes\n\nPress A | B to switch.\nThen | again.\n")
    doc = load_file(path, "notes.md")
    assert doc.sections[-1].paragraphs == ["Press A | B to switch. Then | again."]


def test_an_html_table_becomes_a_pipe_table_with_escaped_pipes() -> None:
    html = (
        "<html><body><h1>Advisory</h1><p>Affected products:</p>"
        "<table><caption>Products</caption><thead><tr><th>Product</th><th>Versions</th></tr></thead>"
        "<tbody><tr><td>CX <b>Room</b> Codec</td><td>9.0.0 | 9.1.0</td></tr>"
        "<tr><td colspan='2'>Both models</td></tr>"
        "<tr><td>&lt;script&gt;alert(1)&lt;/script&gt;</td><td>none<br>at all</td></tr>"
        "</tbody></table><p>Upgrade now.</p></body></html>"
    )
    doc = load_html(html, "advisory.html")
    paragraphs = doc.sections[-1].paragraphs
    assert paragraphs == [
        "Affected products:",
        "Products",
        "| Product | Versions |\n|---|---|\n| CX Room Codec | 9.0.0 \\| 9.1.0 |\n"
        "| Both models |  |\n| <script>alert(1)</script> | none at all |",
        "Upgrade now.",
    ]
    header, rows = parse_pipe_table(paragraphs[2].split("\n")) or ([], [])
    assert header == ["Product", "Versions"] and rows[0] == ["CX Room Codec", "9.0.0 | 9.1.0"]


def test_an_html_key_value_table_gets_an_empty_header_and_one_column_stays_text() -> None:
    html = (
        "<table><tr><th>Advisory ID</th><td>NSA-1</td></tr><tr><th>Severity</th><td>High</td></tr>"
        "</table><table><tr><td>Only <table><tr><td>nested</td></tr></table> cell</td></tr></table>"
    )
    paragraphs = load_html(html, "a.html").sections[-1].paragraphs
    assert paragraphs == [
        "|  |  |\n|---|---|\n| Advisory ID | NSA-1 |\n| Severity | High |",
        "Only nested cell",
    ]


def test_rst_simple_and_grid_tables_become_pipe_tables() -> None:
    rst = (
        "Ports\n=====\n\n"
        "=========  ==========  ==========\n"
        "Service    Port(s)     Introduced\n"
        "=========  ==========  ==========\n"
        "Web admin  TCP 443     6.0.0\n"
        "mDNS       UDP 5353    6.1.0\n"
        "           and 5354\n"
        "=========  ==========  ==========\n\n"
        "+--------+-----------+\n"
        "| Key    | Value     |\n"
        "+========+===========+\n"
        "| a      | one | two |\n"
        "|        | more      |\n"
        "+--------+-----------+\n\n"
        "After the tables.\n"
    )
    doc = load_rst(rst, "ports.rst")
    assert doc.sections[-1].paragraphs == [
        "| Service | Port(s) | Introduced |\n|---|---|---|\n| Web admin | TCP 443 | 6.0.0 |\n"
        "| mDNS | UDP 5353 and 5354 | 6.1.0 |",
        "| Key | Value |\n|---|---|\n| a | one \\| two more |",
        "After the tables.",
    ]
