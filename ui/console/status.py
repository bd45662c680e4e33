"""What the console's status pages show: flow checks, the knowledge base's contents, eval reports.

Plain Python, no Streamlit: each function reads what the assistant or its tools wrote and returns
plain data for a thin page.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bot.dialogue.graph import to_mermaid
from bot.dialogue.loader import load_flows
from bot.dialogue.schema import Flow
from bot.kb.schema import Chunk, IndexLayout
from ingest.manifest import Manifest


# --- flows --------------------------------------------------------------------------------------
@dataclass(frozen=True)
class FlowCheck:
    """``assist flows check`` as data: the valid flows and one row per problem."""

    folder: Path
    flows: list[Flow]
    problems: list[dict[str, str]]

    @property
    def ok(self) -> bool:
        return not self.problems

    @property
    def summary(self) -> str:
        if self.ok:
            return f"{len(self.flows)} flow(s) OK"
        return f"{len(self.problems)} problem(s); {len(self.flows)} flow(s) valid"


def check_flows(folder: Path) -> FlowCheck:
    result = load_flows(folder)
    problems = [
        {
            "file": e.file,
            "flow": e.flow or "",
            "step": e.step or "",
            "problem": e.problem,
            "fix": e.fix or "",
        }
        for e in result.errors
    ]
    return FlowCheck(folder, list(result.flows), problems)


def flow_rows(flows: list[Flow]) -> list[dict[str, Any]]:
    return [
        {
            "id": f.id,
            "title": f.title,
            "steps": len(f.steps),
            "products": ", ".join(f.products),
            "file": Path(f.source).name,
        }
        for f in flows
    ]


def flow_graph(flow: Flow) -> str:
    """The flow as Mermaid source (the same as ``assist flows graph``)."""
    return to_mermaid(flow)


def renderable(source: str) -> str:
    """Mermaid source for Streamlit's renderer, which shows Mermaid's ``#quot;`` and ``#124;``
    entities literally (as ``&quot;``): quotes become single quotes, bars broken bars."""
    return source.replace("#quot;", "'").replace("#124;", "¦")


# --- knowledge base -----------------------------------------------------------------------------
_COUNTS = ("added", "updated", "unchanged", "removed", "skipped_other_types", "seconds")


@dataclass(frozen=True)
class KbStatus:
    """Documents and chunks per product in the live index, and what the last ingest reported."""

    products: list[dict[str, Any]]
    documents: int
    chunks: int
    finished_at: str
    model: str
    counts: dict[str, Any]
    failed: list[dict[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def ingested(self) -> bool:
        return bool(self.finished_at)

    @property
    def summary(self) -> str:
        """The last ingest in one line: when, with which model, what changed."""
        if not self.ingested:
            return "Nothing ingested yet."
        when = self.finished_at.replace("T", " ")[:16] + " UTC"
        changes = ", ".join(
            f"{value} {key.replace('_', ' ')}"
            for key, value in self.counts.items()
            if key != "seconds"
        )
        took = f" in {self.counts['seconds']:.1f} s" if "seconds" in self.counts else ""
        return f"Last ingest {when} with {self.model or 'an unknown model'}{took}: {changes}."


def kb_status(chunks: list[Chunk], index_root: Path) -> KbStatus:
    docs: dict[str, set[str]] = {}
    per_product: Counter[str] = Counter()
    for c in chunks:
        product = c.product or "(none)"
        docs.setdefault(product, set()).add(c.source)
        per_product[product] += 1
    rows = [
        {"product": p, "documents": len(docs[p]), "chunks": per_product[p]} for p in sorted(docs)
    ]
    manifest = Manifest.load(IndexLayout(index_root).manifest)
    report = manifest.last_report or {}
    failed = [
        {"source": str(f.get("source", "")), "reason": str(f.get("reason", ""))}
        for f in report.get("failed") or ()
    ]
    counts: dict[str, Any] = {key: report[key] for key in _COUNTS if key in report}
    return KbStatus(
        rows,
        sum(len(d) for d in docs.values()),
        len(chunks),
        manifest.finished_at,
        manifest.model,
        counts,
        failed,
        [str(w) for w in report.get("warnings") or ()],
    )


# --- eval reports -------------------------------------------------------------------------------
REPORTS_DIR = Path("evals/reports")  # relative to the working folder, like the settings' paths
_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)")


@dataclass(frozen=True)
class EvalReport:
    """One eval run's folder: its Markdown report and its plots."""

    folder: Path
    markdown: str
    plots: list[Path]

    @property
    def name(self) -> str:
        return self.folder.name


def latest_report(reports_root: Path) -> EvalReport | None:
    """The newest ``<reports_root>/<date>/report.md`` (folders sort by their date names)."""
    if not reports_root.is_dir():
        return None
    runs = sorted(
        (p for p in reports_root.iterdir() if (p / "report.md").is_file()),
        key=lambda p: p.name,
        reverse=True,
    )
    if not runs:
        return None
    folder = runs[0]
    markdown = (folder / "report.md").read_text(encoding="utf-8", errors="replace")
    # the page shows the plots itself; an image link would render broken (or fetch from the web)
    markdown = _IMAGE.sub("", markdown)
    return EvalReport(folder, markdown, sorted(folder.glob("*.png")))
