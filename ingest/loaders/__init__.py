"""One loader per file format; ``load_file`` picks by suffix."""

from __future__ import annotations

from pathlib import Path

from bot.errors import DocumentReadError, UnsupportedFormatError
from ingest.document import LoadedDocument
from ingest.loaders.html import load_html
from ingest.loaders.markdown import load_markdown
from ingest.loaders.pdf import load_pdf
from ingest.loaders.rst import load_rst
from ingest.loaders.text import load_text, read_text

__all__ = ["TEXT_SUFFIXES", "load_file"]

# "" reads extension-less text files such as NEWS, ChangeLog or README as plain text
TEXT_SUFFIXES = (".md", ".markdown", ".rst", ".html", ".htm", ".txt", "")


def load_file(path: Path, source: str) -> LoadedDocument:
    """Parse one file; raises UnsupportedFormatError or DocumentReadError with the reason."""
    suffix = path.suffix.lower()
    if suffix == ".pdf":
        return load_pdf(path, source)
    if suffix not in TEXT_SUFFIXES:
        raise UnsupportedFormatError(source)
    raw = path.read_bytes()
    if not raw.strip():
        raise DocumentReadError(source, "empty file")
    if b"\x00" in raw[:8192]:
        raise DocumentReadError(source, "binary content in a text file (NUL bytes)")
    text = read_text(raw, source)
    if suffix in (".md", ".markdown"):
        return load_markdown(text, source)
    if suffix == ".rst":
        return load_rst(text, source)
    if suffix in (".html", ".htm"):
        return load_html(text, source)
    return load_text(text, source)
