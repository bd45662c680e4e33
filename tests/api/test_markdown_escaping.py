"""Markdown built from user text (transcript.md, the engineer handoff) renders that text literally.

Rendered with markdown-it-py's CommonMark preset, which passes raw HTML through, plus tables,
strikethrough and linkify-it's links of bare ``scheme://`` and e-mail addresses (found in the text
after escapes are decoded, as GFM does; GFM's ``www.`` links are checked on the escaped text):
nothing a user types may become a tag, link, image, heading, code, table or rule.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from fastapi.testclient import TestClient
from markdown_it import MarkdownIt
from markdown_it.token import Token

from bot.escalation.handoff_text import JOINER
from tests.api.conftest import ENGINEER, start

HOSTILE = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "[click me](javascript:alert(1))",
    "![pixel](https://evil.example/p.png)",
    "<https://evil.example/autolink> and <a href='https://evil.example'>a</a>",
    "[ref]\n\n[ref]: https://evil.example/ref",
    "# Heading one\n## Heading two\n###### six",
    "Setext heading\n===\nanother\n---",
    "`code` and ```fenced``` and ``double``",
    "```\nfenced block\n```\n~~~\ntilde block\n~~~",
    "| a | b |\n|---|---|\n| c | d |",
    "> quoted\n- item\n+ plus\n* star\n1. numbered\n2) paren\n***\n___",
    "&lt;b&gt; &amp; &#60;script&#62; &copy;",
    "    indented code block",
    "**bold** _em_ ~~strike~~ \\*already escaped\\*",
    "<!-- comment --> <div>block</div>",
    "log in at https://evil.example/login, www.evil.example or ops@evil.example $x$ :red[y]",
]
FORBIDDEN = (
    "html_block",
    "html_inline",
    "link_open",
    "image",
    "code_inline",
    "code_block",
    "fence",
    "table_open",
    "s_open",
    "hr",
)
TAGS = re.compile(r"<(?:script|img|a|div|code|pre|table|hr)\b|<!--")
MD = MarkdownIt("commonmark", {"linkify": True}).enable(["table", "strikethrough", "linkify"])
MD.linkify.set({"fuzzy_link": False})  # GFM links no bare domain: only schemes, e-mail, www.


def _flat(tokens: list[Token]) -> Iterator[Token]:
    for token in tokens:
        yield token
        yield from _flat(token.children or [])


def _literal(line: str) -> str:
    """How a line of user text shows in the HTML when it stays text."""
    text = " ".join(line.split())
    return (
        text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
    )


def headings(markdown: str) -> list[tuple[str, str]]:
    tokens = MD.parse(markdown)
    return [
        (t.tag, tokens[i + 1].content) for i, t in enumerate(tokens) if t.type == "heading_open"
    ]


def assert_inert(markdown: str, typed: list[str]) -> str:
    """No user string became structure, and every line of each shows as its literal text."""
    tokens = list(_flat(MD.parse(markdown)))
    assert [t.type for t in tokens if t.type in FORBIDDEN] == []
    nested = [t for t in tokens if t.type == "blockquote_open" and t.level > 0]
    assert nested == []
    html = MD.render(markdown)
    assert TAGS.findall(html) == []
    assert re.findall(r"\bwww\.", markdown, re.I) == []  # GFM's www. autolink, broken up
    html = html.replace(JOINER, "")  # invisible: what a reader sees
    for text in typed:
        for line in text.split("\n"):
            if line.strip():
                assert _literal(line) in html, line
    return html


def test_transcript_markdown_renders_every_typed_string_literally(client: TestClient) -> None:
    sid, auth = start(client)
    url = f"/api/v1/sessions/{sid}/messages"
    for text in HOSTILE:
        assert client.post(url, json={"text": text}, headers=auth).status_code == 200
    r = client.get(f"/api/v1/sessions/{sid}/transcript.md", headers=auth)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/markdown")
    assert r.headers["x-content-type-options"] == "nosniff"
    markdown = r.text
    assert "> \\<script\\>alert\\(1\\)\\</script\\>" in markdown  # the escaped form, precisely
    assert "> \\[click me\\]\\(javascript\\:alert\\(1\\)\\)" in markdown
    assert "> \\# Heading one" in markdown and "> \\| a \\| b \\|" in markdown
    # no GFM autolink either (GitHub, st.markdown): the scheme, www. and e-mail are broken up
    assert f"https\\:{JOINER}//evil.example/login, www{JOINER}.evil.example" in markdown
    assert headings(markdown) == [("h1", f"Chat transcript {sid}")]
    assert_inert(markdown, HOSTILE)
    assert "ProTelecom Demo Lab" in markdown and "**Site user**" in markdown


def test_transcript_markdown_needs_the_sessions_own_token(client: TestClient) -> None:
    sid, auth = start(client)
    _, other = start(client, "DEMOPLUS-5678")
    url = f"/api/v1/sessions/{sid}/transcript.md"
    for headers in ({}, other, ENGINEER, {"Authorization": "Bearer nope"}):
        r = client.get(url, headers=headers)
        assert r.status_code == 401 and r.json()["error"]["code"] == "unauthorized"
    assert client.get(url, headers=auth).status_code == 200


def test_engineer_handoff_markdown_renders_the_same_strings_literally(client: TestClient) -> None:
    sid, auth = start(client)
    url = f"/api/v1/sessions/{sid}/messages"
    issue = "\n".join(HOSTILE)
    name = "<img src=x onerror=alert(1)> [Dana](javascript:x) `#` |x|"
    for body in (
        {"text": issue},
        {"choice": "person"},
        {"text": name},  # no name in that: asked again, and the markup is never stored as one
        {"text": "Dana O'Brien"},
        {"text": "+1 617 555 0100"},
        {"choice": "yes"},
        {"choice": "yes"},
    ):
        last = client.post(url, json=body, headers=auth)
        assert last.status_code == 200
    handoff_id = last.json()["state"]["handoff_id"]
    assert handoff_id, last.json()
    record = client.get(f"/api/v1/handoffs/{handoff_id}", headers=ENGINEER).json()
    markdown = record["markdown"]
    assert record["record"]["site_representative"]["name"] == "Dana O'Brien"
    assert_inert(markdown, [*HOSTILE, "Dana O'Brien"])
    found = headings(markdown)
    assert found[0][0] == "h1" and found[0][1].startswith(f"Handoff {handoff_id}")
    assert [h for h in found[1:] if h[0] != "h2"] == []
    assert [text for _, text in found[1:]] == [
        "Issue (user's words)",
        "Environment",
        "Diagnostics",
        "Suspected cause",
        "Knowledge base consulted",
        "Decision",
        "Site representative",
    ]
    transcript = client.get(f"/api/v1/sessions/{sid}/transcript.md", headers=auth).text
    assert f"- **Handoff:** {handoff_id}" in transcript
    assert_inert(transcript, [*HOSTILE, name])
