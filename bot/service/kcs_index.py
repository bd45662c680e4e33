"""Published KCS articles in the knowledge base: one Markdown file per article (front matter:
doc type ``kcs``, product, the firmware range's releases as versions, audience customer or
engineer) in ``<data_dir>/kcs/``, ingested incrementally like any document.

A change is all or nothing: the file is written (or removed), the folder is ingested, and if the
ingest fails or does not take the file, the previous file is put back and the folder ingested
again, so the index and the folder never disagree with the article's stored status. Writers on
one host take a file lock, so two publications never build index generations at once.
"""

from __future__ import annotations

import fcntl
import logging
import os
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import yaml

from bot.errors import AssistError, KcsError
from bot.kb.service import KnowledgeBase
from bot.service.kcs_rules import article_id
from bot.store.kcs import ArticleFields

log = logging.getLogger(__name__)


def source_of(number: int) -> str:
    """The file (and citation ``source``) of an article: ``KCS-0007.md``."""
    return f"{article_id(number)}.md"


def title_of(number: int, fields: ArticleFields, reviewed_on: date) -> str:
    """The title every citation shows: the id, the title and the last review day."""
    return f"{article_id(number)}: {fields.title} (reviewed {reviewed_on.isoformat()})"


def _line(text: str) -> str:
    return text.lstrip("#>=- ").strip() or text  # a line that could open a heading or quote


def render_article(
    number: int, fields: ArticleFields, reviewed_on: date, versions: list[str]
) -> str:
    """The article as a Markdown document with front matter."""
    front: dict[str, object] = {
        "title": title_of(number, fields, reviewed_on),
        "product": fields.product,
        "doc_type": "kcs",
        "audience": "customer" if fields.customer_safe else "engineer",
        "released": reviewed_on.isoformat(),
        "kcs_id": article_id(number),
        "model": fields.model or "",
        "firmware_range": f"{fields.firmware_from or ''}..{fields.firmware_to or ''}",
    }
    if versions:
        front["versions"] = versions
    where = ", ".join(
        p
        for p in (
            f"product line {fields.product}",
            f"model {fields.model}" if fields.model else "",
            _range_words(fields),
        )
        if p
    )
    lines = [
        "---",
        yaml.safe_dump(front, sort_keys=False, allow_unicode=True).strip(),
        "---",
        f"# {front['title']}",
        "",
        "## Environment",
        "",
        f"Applies to {where}.",
        "",
        "## Symptom",
        "",
        _line(fields.symptom),
        "",
        "## Cause",
        "",
        _line(fields.cause),
        "",
        "## Fix",
        "",
        *[f"{n}. {_line(step)}" for n, step in enumerate(fields.fix, 1)],
        "",
        f"Last reviewed {reviewed_on.isoformat()}.",
        "",
    ]
    return "\n".join(lines)


def _range_words(fields: ArticleFields) -> str:
    low, high = fields.firmware_from, fields.firmware_to
    if low and high:
        return f"firmware {low}" if low == high else f"firmware {low} to {high}"
    if low:
        return f"firmware {low} and later"
    return f"firmware up to {high}" if high else "any firmware"


class KcsIndex:
    """The folder of published articles and its incremental ingest into the knowledge base."""

    def __init__(
        self,
        folder: Path,
        kb: Callable[[], KnowledgeBase | None],
        *,
        max_file_bytes: int = 5_000_000,
    ) -> None:
        self.folder = folder
        self.kb = kb
        self.max_file_bytes = max_file_bytes
        self._lock = threading.Lock()

    @contextmanager
    def _locked(self) -> Iterator[None]:
        self.folder.mkdir(parents=True, exist_ok=True)
        with self._lock, open(self.folder / ".lock", "a+b") as handle:  # hidden: never ingested
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def put(self, number: int, text: str | None) -> None:
        """Write (``text``) or remove (None) an article's file and ingest the folder; on any
        failure the previous file is restored and ``KcsError`` (``kcs_publish_failed``) says
        why."""
        name = source_of(number)
        with self._locked():
            path = self.folder / name
            previous = path.read_bytes() if path.is_file() else None
            self._write(path, text.encode("utf-8") if text is not None else None)
            try:
                self._ingest(name if text is not None else None)
            except Exception as exc:
                self._write(path, previous)
                try:
                    self._ingest(None)
                except Exception:  # the next successful run converges the index again
                    log.exception("kcs.index.restore_failed article=%s", name)
                reason = str(exc) if isinstance(exc, AssistError) else type(exc).__name__
                log.error("kcs.index.failed article=%s reason=%s", name, reason)
                raise KcsError(
                    f"{article_id(number)} could not be written to the knowledge base ({reason}); "
                    "nothing was changed",
                    code="kcs_publish_failed",
                ) from exc

    @staticmethod
    def _write(path: Path, data: bytes | None) -> None:
        if data is None:
            path.unlink(missing_ok=True)
            return
        temp = path.with_name(f".{path.name}.tmp")  # hidden: never ingested half-written
        temp.write_bytes(data)
        os.replace(temp, path)

    def _ingest(self, expected: str | None) -> None:
        from ingest.manifest import SPLITTER_VERSION, Manifest
        from ingest.pipeline import Ingestor

        kb = self.kb()
        if kb is None:
            raise KcsError("the knowledge base is not available (run assist ingest first)")
        manifest = Manifest.load(kb.layout.manifest)
        others = set(manifest.roots) - {str(self.folder.resolve())}
        stale = manifest.model != kb.embedder.name or manifest.splitter != SPLITTER_VERSION
        if others and stale:  # an ingest of this folder alone would rebuild without the others
            raise KcsError(
                f"the index was built by another model or splitter ({manifest.model or '?'}); "
                "run assist ingest on every folder first"
            )
        ingestor = Ingestor(kb.layout, kb.embedder, kb.store, max_file_bytes=self.max_file_bytes)
        report = ingestor.run([self.folder])
        failed = dict(report.failed)
        if expected is not None and expected in failed:
            raise KcsError(f"ingest refused {expected}: {failed[expected]}")
        kb.reload()
        if expected is not None and not kb.document(expected, "engineer"):
            raise KcsError(f"ingest did not index {expected}")
