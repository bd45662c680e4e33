"""Document metadata from front matter, path and content: product, doc type, audience, versions."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from bot.kb.schema import AUDIENCES, DOC_TYPES
from bot.kb.versions import find_versions, normalize, parse_version
from ingest.document import LoadedDocument

_DATE = re.compile(r"\b(\d{4}-\d{2}-\d{2})\b")
_FILENAME_VERSION = re.compile(r"(?:^|[^a-z\d])v?(\d+(?:[_.\-]\d+){1,3})(?:[^\d]|$)", re.I)
_DATE_PREFIX = re.compile(r"^\d{4}-\d{2}-\d{2}-")

_TYPE_HINTS: tuple[tuple[str, str], ...] = (
    ("bulletin", "service_bulletin"),
    ("security", "security_advisory"),
    ("-sa-", "security_advisory"),
    ("advisor", "security_advisory"),
    ("patch", "patch_notes"),
    ("changelog", "release_notes"),
    ("news", "release_notes"),
    ("relnotes", "release_notes"),
    ("release", "release_notes"),
    ("known", "known_issues"),
    ("troubleshoot", "how_to"),
    ("faq", "how_to"),
    ("install", "how_to"),
    ("quickstart", "how_to"),
    ("guide", "how_to"),
    ("config", "how_to"),
)


@dataclass(frozen=True)
class DocMeta:
    title: str
    product: str
    doc_type: str
    audience: str
    versions: tuple[str, ...]
    released: str


def _as_list(value: Any) -> list[str]:
    if value is None:
        return []
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return [v.strip() for v in str(value).split(",") if v.strip()]


def filename_version(source: str) -> str | None:
    """'relnotes/v6_18_0.rst' -> '6.18.0'; '2019-08-29-mumble-1-3-0/index.html' -> '1.3.0'."""
    path = PurePosixPath(source)
    names = [path.stem]
    if path.stem.lower() in ("index", "_index", "readme"):
        names.append(path.parent.name)  # hugo bundles: the folder carries the name
    for name in names:
        m = _FILENAME_VERSION.search(_DATE_PREFIX.sub("", name))
        dashed = m is not None and "-" in m.group(1)
        if dashed and m is not None:
            parts = m.group(1).split("-")
            if len(parts) < 3 or int(parts[0]) >= 100:  # "SA-2014-001" is an id, not a version
                continue
        if m:
            v = parse_version(m.group(1).replace("-", "."))
            if v:
                return v.canonical
    return None


def infer_metadata(doc: LoadedDocument) -> DocMeta:
    meta = {k.lower(): v for k, v in doc.meta.items()}
    path = PurePosixPath(doc.source)
    lower = doc.source.lower()
    product = str(meta.get("product") or (path.parts[0] if len(path.parts) > 1 else "general"))
    doc_type = str(meta.get("doc_type") or meta.get("type") or "")
    if doc_type not in DOC_TYPES:
        hinted = next((t for hint, t in _TYPE_HINTS if hint in lower), None)
        announces = bool(find_versions(doc.title)) and len(doc.title.split()) <= 8
        doc_type = hinted or ("release_notes" if announces else "feature_doc")
    audience = str(meta.get("audience") or "").lower()
    if audience not in AUDIENCES:
        audience = "engineer" if doc_type == "service_bulletin" else "customer"
    versions = [normalize(v) for v in _as_list(meta.get("versions") or meta.get("version"))]
    if not versions:
        from_name = filename_version(doc.source)
        versions = [from_name] if from_name else find_versions(doc.title)
    released = str(meta.get("released") or meta.get("date") or "")
    m = _DATE.search(released)
    released = m.group(1) if m else ""
    title = (doc.title or str(meta.get("title") or "") or path.stem.replace("-", " ")).strip()
    return DocMeta(title, product, doc_type, audience, tuple(versions), released)
