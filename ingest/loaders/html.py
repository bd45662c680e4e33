"""HTML: <meta name=...> and <title> as metadata; h1-h6 as headings; block elements as paragraphs;
a <table> as one Markdown pipe table (a nested table's text stays in its outer cell).

Scripts, styles and navigation are dropped; the text is never rendered, only read.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from ingest.document import LoadedDocument, Section
from ingest.loaders.markdown import split_front_matter
from ingest.tables import from_cells

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
        self._tables = 0  # <table> nesting depth
        self._rows: list[list[str]] = []
        self._thead = False  # the first row is a header when in <thead>, or all <th>
        self._all_th = True
        self._cell: list[str] | None = None
        self._span = 1
        self._loose: list[str] = []  # a caption, text outside the cells

    def _end_cell(self) -> None:
        if self._cell is not None:
            text = _SPACE.sub(" ", "".join(self._cell)).strip()
            self._rows[-1].extend([text] + [""] * (self._span - 1))
            self._cell = None

    def _table_tag(self, tag: str, attrs: dict[str, str | None]) -> None:
        if tag == "thead" and not self._rows:
            self._thead = True
        elif tag == "tr":
            self._end_cell()
            self._rows.append([])
        elif tag in ("td", "th"):
            self._end_cell()
            if not self._rows:
                self._rows.append([])
            if len(self._rows) == 1 and tag == "td":
                self._all_th = False
            span = str(attrs.get("colspan") or "")
            self._span = min(int(span), 20) if span.isdigit() and int(span) > 0 else 1
            self._cell = []
        elif tag in _BLOCKS and self._cell is not None:
            self._cell.append(" ")

    def close_table(self) -> None:
        self._end_cell()
        loose = _SPACE.sub(" ", "".join(self._loose)).strip()
        paragraphs = self.sections[-1].paragraphs
        if loose:
            paragraphs.append(loose)
        header = bool(self._rows) and (self._thead or self._all_th)
        paragraphs.extend(from_cells(self._rows, header))
        self._rows, self._loose, self._thead, self._all_th, self._tables = [], [], False, True, 0

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
        if tag == "table":
            if not self._tables:
                self._flush()
            self._tables += 1
        if self._tables == 1:
            self._table_tag(tag, dict(attrs))
        elif self._tables and self._cell is not None:
            self._cell.append(" ")  # a nested table's cells are words of the outer cell
        if self._tables:
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
        if self._tables:
            if tag == "table":
                self._tables -= 1
                if not self._tables:
                    self.close_table()
            elif tag in ("td", "th") and self._tables == 1:
                self._end_cell()
            return
        if re.fullmatch(r"h[1-6]", tag):
            self._flush()
            self._heading = None
        elif tag in _BLOCKS:
            self._flush()

    def handle_data(self, data: str) -> None:
        if self._in_title:
            self.title += data
        elif self._skip:
            return
        elif self._cell is not None:
            self._cell.append(data)
        elif self._tables:
            self._loose.append(data)
        else:
            self._text.append(data)


def load_html(text: str, source: str) -> LoadedDocument:
    front, text, warnings = split_front_matter(text, source)
    parser = _Parser()
    parser.feed(text)
    parser.close()
    if parser._tables:  # a table never closed
        parser.close_table()
    parser._flush()
    meta: dict[str, object] = {**parser.meta, **front}
    title = str(meta.get("title") or "") or _SPACE.sub(" ", parser.title).strip()
    if not title:
        title = next((s.heading for s in parser.sections if s.level == 1), "")
    found = [s for s in parser.sections if s.heading or s.paragraphs]
    return LoadedDocument(source=source, meta=meta, sections=found, title=title, warnings=warnings)
