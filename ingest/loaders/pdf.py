"""PDF via pypdf: text per page, metadata from the document info (``Subject: key=value; ...``).

Encrypted, corrupt and image-only PDFs are refused with the reason; a bad page is skipped, not fatal.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

from bot.errors import DocumentReadError
from ingest.document import LoadedDocument
from ingest.loaders.text import split_underlined

log = logging.getLogger(__name__)


def _subject_meta(subject: str) -> dict[str, str]:
    meta: dict[str, str] = {}
    for part in subject.split(";"):
        if "=" in part:
            key, value = part.split("=", 1)
            meta[key.strip().lower().replace("-", "_")] = value.strip()
    return meta


def load_pdf(path: Path, source: str) -> LoadedDocument:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted:
            raise DocumentReadError(source, "encrypted PDF (no password configured)")
        info: Any = reader.metadata or {}
        pages: list[str] = []
        for number, page in enumerate(reader.pages, start=1):
            try:
                pages.append(page.extract_text() or "")
            except Exception as exc:  # pypdf raises many types for one broken page
                log.warning(
                    "ingest.pdf.page_skipped source=%s page=%d reason=%s", source, number, exc
                )
    except DocumentReadError:
        raise
    except (PdfReadError, OSError, ValueError, KeyError, TypeError) as exc:
        raise DocumentReadError(source, f"corrupt PDF ({exc})") from exc
    text = "\n\n".join(pages)
    if not text.strip():
        raise DocumentReadError(source, "PDF has no extractable text (scanned image?)")
    meta = _subject_meta(str(info.get("/Subject") or ""))
    keywords = str(info.get("/Keywords") or "")
    if keywords and "=" in keywords:
        meta.update(_subject_meta(keywords))
    title = str(info.get("/Title") or "")
    sections = split_underlined(text.splitlines())
    return LoadedDocument(source=source, meta=meta, sections=sections, title=title)
