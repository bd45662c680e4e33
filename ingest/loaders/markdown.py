"""Markdown: YAML (---) or TOML (+++) front matter, ATX and setext headings, fenced code kept as text."""

from __future__ import annotations

import html
import re
import tomllib
from typing import Any

import yaml

from ingest.document import LoadedDocument, Section, paragraphs_of

_ATX = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
_SETEXT = re.compile(r"^(=+|-+)\s*$")
_LINK = re.compile(r"!?\[([^\]]*)\]\([^)]*\)")
_COMMENT = re.compile(r"<!--.*?-->", re.S)
_TAG = re.compile(r"</?[A-Za-z][^>]{0,200}>")
_ANCHOR = re.compile(r"\s*\{#[\w.:-]+\}\s*$")  # "## SYNOPSIS {#synopsis}"
# Doxygen's markup in Markdown pages (PipeWire's manuals): a page's title, block and table-of-
# contents commands, index and parameter markers, and cross-references to their target's name.
_DOX_PAGE = re.compile(r"^\\page\s+\S+\s+(.+)$", re.M)
_DOX_LINE = re.compile(r"^\s*\\(parblock|endparblock|tableofcontents|toc)\s*$", re.M)
_DOX_INDEX = re.compile(r"\s*@IDX@.*$", re.M)
_DOX_PARAM = re.compile(r"^@PAR@\s+\S+\s+", re.M)  # "@PAR@ pipewire.conf  clock.rate = 48000"
_DOX_REF = re.compile(r"(@SECREF@\s+|\\(ref|subpage)\s+|^\\par\s+)", re.M)
# "pw-top \[*options*\]"; not "\|", which keeps a pipe inside a table cell
_ESCAPED = re.compile(r"\\([\\`*_{}\[\]()#+.!<>-])")


def strip_doxygen(body: str) -> str:
    """Doxygen commands left as text: ``\\page id Title`` becomes a level-1 heading, block
    commands, paragraph and index markers go, a parameter marker leaves the parameter, a
    cross-reference its target."""
    body = _DOX_PAGE.sub(r"# \1", body)
    body = _DOX_LINE.sub("", body)
    body = _DOX_INDEX.sub("", body)
    body = _DOX_PARAM.sub("", body)
    return _DOX_REF.sub("", body)


def clean_inline(text: str) -> str:
    """Links to their text, inline HTML tags and emphasis markers dropped, escaped characters
    unescaped."""
    text = _ESCAPED.sub(r"\1", _LINK.sub(r"\1", text))
    text = _TAG.sub("", text)
    return html.unescape(text.replace("**", "").replace("__", "").replace("`", ""))


def split_front_matter(text: str, source: str) -> tuple[dict[str, Any], str, list[str]]:
    """Front matter as a dict, the body, and a warning when the front matter is malformed."""
    for fence, parse in (("---", yaml.safe_load), ("+++", tomllib.loads)):
        if not text.startswith(fence + "\n") and not text.startswith(fence + "\r\n"):
            continue
        end = text.find("\n" + fence, len(fence))
        if end == -1:
            return {}, text, [f"{source}: front matter opened with {fence} but never closed"]
        head = text[len(fence) + 1 : end]
        body = text[end + len(fence) + 1 :]
        try:
            data = parse(head)
        except (yaml.YAMLError, tomllib.TOMLDecodeError) as exc:
            reason = str(exc).splitlines()[0]
            return {}, body, [f"{source}: malformed front matter ignored ({reason})"]
        if not isinstance(data, dict):
            return {}, body, [f"{source}: front matter is not a mapping; ignored"]
        return data, body, []
    return {}, text, []


def load_markdown(text: str, source: str) -> LoadedDocument:
    meta, body, warnings = split_front_matter(text, source)
    body = strip_doxygen(_COMMENT.sub("", body))
    lines = body.splitlines()
    sections = [Section(0, "")]
    buffer: list[str] = []
    in_code = False
    fence = ""

    def flush() -> None:
        sections[-1].paragraphs.extend(paragraphs_of(buffer))
        buffer.clear()

    for i, line in enumerate(lines):
        stripped = line.strip()
        if stripped.startswith(("```", "~~~")):
            if not in_code:
                flush()
                in_code, fence = True, stripped[:3]
            elif stripped.startswith(fence):
                in_code = False
            continue
        if in_code:
            if stripped:
                buffer.append(line)
            else:
                buffer.append("")
            continue
        m = _ATX.match(line)
        if m:
            flush()
            sections.append(Section(len(m.group(1)), clean_inline(_ANCHOR.sub("", m.group(2)))))
            continue
        nxt = lines[i + 1] if i + 1 < len(lines) else ""
        if stripped and _SETEXT.match(nxt) and not stripped.startswith(("-", "*", "|")):
            flush()
            sections.append(Section(1 if nxt.strip()[0] == "=" else 2, clean_inline(stripped)))
            continue
        if _SETEXT.match(line) and sections[-1].heading and not buffer:
            continue  # the underline of a setext heading
        if stripped.startswith("![") or "base64," in stripped:
            continue
        buffer.append(clean_inline(line))
    flush()
    title = str(meta.get("title") or next((s.heading for s in sections if s.level == 1), ""))
    found = [s for s in sections if s.heading or s.paragraphs]
    return LoadedDocument(source=source, meta=meta, sections=found, title=title, warnings=warnings)
