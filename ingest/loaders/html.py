"""HTML: <meta name=...> and <title> as metadata; h1-h6 as headings; block elements as paragraphs.

Scripts, styles and navigation are dropped; the text is never rendered, only read.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from ingest.document import LoadedDocument, Section
from ingest.loaders.markdown import split_front_matter

_BLOCKS = {"p", "li", "td", "th", "pre", "blockquote", "dt", "dd", "tr", "div", "br", "section"}
_SKIP = {"script", "style", "nav", "noscript", "svg", "template", "head"}
_SPACE = re.compile(r"\s+")


class _Parser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.meta: dict[str, str] = {}
        self.title = ""
        self.sections = [Section(0, "")]
        self._text: list[str] = []
        self._skip = 0
        self._heading: int | None = None
        self._in_title = False

    def _flush(self) -> None:
        text = _SPACE.sub(" ", "".join(self._text)).strip()
        self._text.clear()
        if not text:
            return
        if self._heading is not None:
            self.sections.append(Section(self._heading, text))
        else:
            self.sections[-1].paragraphs.append(text)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "meta":
            a = dict(attrs)
            if a.get("name") and a.get("content") is not None:
                self.meta[str(a["name"]).lower().replace("-", "_")] = str(a["content"])
            return
        if tag == "title":
            self._in_title = True
            return
        if tag in _SKIP:
            self._skip += 1
            return
        if re.fullmatch(r"h[1-6]", tag):
            self._flush()
            self._heading = int(tag[1])
        elif tag in _BLOCKS:
            self._flush()

    def handle_endtag(self, tag: str) -> None:
        if tag == "title":
            self._in_title = False
            return
        if tag in _SKIP:
            self._skip = max(0, self._skip - 1)
            return
        if re.fullmatch(r"h[1-6]", tag):
            self._flush()
            self._heading = None
        elif tag in _BLOCKS:
            self._flush()

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        elif not self._skip:
            self._text.append(data)


def load_html(text: str, source: str) -> LoadedDocument:
    front, text, warnings = split_front_matter(text, source)
    parser = _Parser()
    parser.feed(text)
    parser.close()
    parser._flush()
    meta: dict[str, object] = {**parser.meta, **front}
    title = str(meta.get("title") or "") or _SPACE.sub(" ", parser.title).strip()
    if not title:
        title = next((s.heading for s in parser.sections if s.level == 1), "")
    found = [s for s in parser.sections if s.heading or s.paragraphs]
    return LoadedDocument(source=source, meta=meta, sections=found, title=title, warnings=warnings)
