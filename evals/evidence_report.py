"""Evidence-level retrieval report: every retriever on both corpora and all ten splits.

``python -m evals.evidence_report --out evals/reports`` ingests each corpus once into a temporary
index (the pipeline ``assist eval retrieval`` uses, with the packaged embedding model loaded once),
builds the naive LangChain baseline over it, scores hybrid, bm25, dense and naive on the tuning
split, the validation split (written after the abstention rules, to choose between them without
touching the test split), the frozen test split, the first holdout split (written after the
rules of 2026-11-29 and, once scored, used to choose the value rules), the second holdout split
(scored once, then used to choose the rules of the next stop), the third holdout split (written
before those rules were set, scored once after the first of them, then used to choose the rest),
the fourth (scored once after them, then used for the measurement and layout rules), the fifth
(written after those rules, scored once, then partly used for the rules of names of several
words), the sixth (written by someone who saw no rule and no other question, committed before
that round's rules, scored once after the first of them, then used for three lexical fixes), the
seventh (written after every rule of that round, committed before it was first scored), and writes
``evidence.md`` and ``evidence.json`` into ``--out``.

A passage is evidence when it holds one of the question's evidence sentences after markup-insensitive
normalisation (``evals.metrics.evidence_hit``). The report also checks every chunk of each index for
every evidence sentence, so questions whose evidence no chunk can match are listed: their misses say
nothing about the retriever. Only question ids and figures are written, never corpus text.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from evals.datasets import RetrievalQuestion
from evals.retrieval import EVIDENCE_DEPTH, Hit, Row

REPO = Path(__file__).resolve().parents[1]
DATASETS = REPO / "evals" / "datasets"
OPEN_SOURCE = REPO.parent / "shared" / "corpora" / "opensource-av" / "docs"
MODES = ("hybrid", "bm25", "dense", "naive")
SPLITS = (
    "tuning",
    "validation",
    "test",
    "holdout",
    "holdout2",
    "holdout3",
    "holdout4",
    "holdout5",
    "holdout6",
    "holdout7",
)


@dataclass(frozen=True)
class CorpusSpec:
    name: str
    folder: Path
    datasets: dict[str, Path]  # split -> JSONL


def corpora() -> list[CorpusSpec]:
    return [
        CorpusSpec(
            "bundled",
            REPO / "knowledge" / "docs",
            {
                "tuning": DATASETS / "bundled_kb.jsonl",
                "validation": DATASETS / "bundled_kb.validation.jsonl",
                "test": DATASETS / "bundled_kb.test.jsonl",
                "holdout": DATASETS / "bundled_kb.holdout.jsonl",
                "holdout2": DATASETS / "bundled_kb.holdout2.jsonl",
                "holdout3": DATASETS / "bundled_kb.holdout3.jsonl",
                "holdout4": DATASETS / "bundled_kb.holdout4.jsonl",
                "holdout5": DATASETS / "bundled_kb.holdout5.jsonl",
                "holdout6": DATASETS / "bundled_kb.holdout6.jsonl",
                "holdout7": DATASETS / "bundled_kb.holdout7.jsonl",
            },
        ),
        CorpusSpec(
            "opensource-av",
            OPEN_SOURCE,
            {
                "tuning": DATASETS / "opensource_av.jsonl",
                "validation": DATASETS / "opensource_av.validation.jsonl",
                "test": DATASETS / "opensource_av.test.jsonl",
                "holdout": DATASETS / "opensource_av.holdout.jsonl",
                "holdout2": DATASETS / "opensource_av.holdout2.jsonl",
                "holdout3": DATASETS / "opensource_av.holdout3.jsonl",
                "holdout4": DATASETS / "opensource_av.holdout4.jsonl",
                "holdout5": DATASETS / "opensource_av.holdout5.jsonl",
                "holdout6": DATASETS / "opensource_av.holdout6.jsonl",
                "holdout7": DATASETS / "opensource_av.holdout7.jsonl",
            },
        ),
    ]


def say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _shown(path: Path) -> str:
    """A path relative to the repository when possible (``../shared/...`` for the shared corpus)."""
    try:
        return str(path.resolve().relative_to(REPO))
    except ValueError:
        try:
            return str(Path("..") / path.resolve().relative_to(REPO.parent))
        except ValueError:
            return str(path)


# --- Matchability: can any chunk of the index hold the evidence at all? ---------------------------


@dataclass
class Matchability:
    """Per question: which evidence sentences some chunk holds, and how."""

    scored: int = 0  # answerable questions with evidence
    no_evidence: list[str] = field(default_factory=list)  # answerable, without evidence sentences
    unmatchable: list[str] = field(default_factory=list)  # no sentence in any chunk
    partly: dict[str, str] = field(default_factory=dict)  # id -> "matched/total" sentences
    window_only: list[str] = field(default_factory=list)  # matched only by a 12-word head/tail
    outside_gold: list[str] = field(default_factory=list)  # a sentence also matches a non-gold file
    needs_heading: list[str] = field(default_factory=list)  # matchable only with the section path
    naive_unmatchable: list[str] = field(default_factory=list)  # no naive chunk holds any sentence

    def to_json(self) -> dict[str, Any]:
        return {
            "answerable_with_evidence": self.scored,
            "answerable_without_evidence": self.no_evidence,
            "unmatchable": self.unmatchable,
            "unmatchable_count": len(self.unmatchable),
            "partly_matchable": self.partly,
            "matched_only_by_window": self.window_only,
            "also_in_non_gold_files": self.outside_gold,
            "matchable_only_with_section_path": self.needs_heading,
            "naive_chunks_unmatchable": self.naive_unmatchable,
            "naive_chunks_unmatchable_count": len(self.naive_unmatchable),
        }


def matchability(
    questions: Sequence[RetrievalQuestion],
    chunks: Sequence[tuple[str, str, str]],
    naive_texts: Sequence[str],
) -> Matchability:
    """Check every evidence sentence against every chunk. ``chunks`` are (source, evidence text,
    bare chunk text) of the index; ``naive_texts`` the texts of the baseline's chunks."""
    from evals.metrics import normalise, sentence_matches

    indexed = [(source, f" {normalise(full)} ", normalise(bare)) for source, full, bare in chunks]
    naive = [normalise(t) for t in naive_texts]
    out = Matchability()
    for q in questions:
        if q.unanswerable:
            continue
        sentences = [s for s in (normalise(e) for e in q.evidence) if s]
        if not sentences:
            out.no_evidence.append(q.id)
            continue
        out.scored += 1
        matched = 0
        any_full = any_bare = outside = False
        for s in sentences:
            hits = [(src, full, bare) for src, full, bare in indexed if sentence_matches(full, s)]
            if not hits:
                continue
            matched += 1
            any_full = any_full or any(f" {s} " in full for _, full, _ in hits)
            any_bare = any_bare or any(sentence_matches(bare, s) for _, _, bare in hits)
            outside = outside or any(src not in q.gold_files for src, _, _ in hits)
        if not matched:
            out.unmatchable.append(q.id)
        else:
            if matched < len(sentences):
                out.partly[q.id] = f"{matched}/{len(sentences)}"
            if not any_full:
                out.window_only.append(q.id)
            if not any_bare:
                out.needs_heading.append(q.id)
            if outside:
                out.outside_gold.append(q.id)
        if naive and not any(sentence_matches(t, s) for t in naive for s in sentences):
            out.naive_unmatchable.append(q.id)
    return out


# --- Running ------------------------------------------------------------------------------------


def _compact(summary: dict[str, Any]) -> dict[str, Any]:
    """A summary without the per-question latency list."""
    return {key: value for key, value in summary.items() if key != "latencies_ms"}


def _per_question(rows: Sequence[Row]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for r in rows:
        gold = set(r.question.gold_files)
        file_rank = next((i for i, f in enumerate(r.files, start=1) if f in gold), None)
        out.append(
            {
                "id": r.question.id,
                "kind": r.question.kind,
                "abstained": r.abstained,
                "file_rank": file_rank,
                "evidence_ranks": r.evidence_ranks,
            }
        )
    return out


def _ticker(label: str, total: int) -> Callable[[], None]:
    done = 0
    started = time.perf_counter()

    def tick() -> None:
        nonlocal done
        done += 1
        if done % 25 == 0 or done == total:
            say(f"  {label}: {done}/{total} ({time.perf_counter() - started:.0f} s)")

    return tick


def run_corpus(
    spec: CorpusSpec, settings: Any, embedder: Any, workdir: Path, modes: Sequence[str], k: int
) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """Ingest one corpus, build its baseline, run every mode on every split."""
    from bot.kb.schema import IndexLayout, collection_name
    from bot.kb.service import KnowledgeBase
    from bot.kb.vectorstore import ChromaVectorStore
    from evals.datasets import load_retrieval_questions
    from evals.retrieval import evaluate_baseline_rows, evaluate_kb, evidence_text
    from ingest.pipeline import Ingestor

    root = workdir / spec.name
    layout = IndexLayout(root)
    name = collection_name(settings.index.collection, embedder.name, embedder.dimension)
    store = ChromaVectorStore.embedded(layout.chroma, name, embedder)  # always a local temp index
    say(f"[{spec.name}] ingesting {_shown(spec.folder)}")
    last: dict[str, int] = {}

    def progress(stage: str, done: int, total: int) -> None:
        step = max(1, total // 4)
        if done == total or done - last.get(stage, 0) >= step:
            last[stage] = done
            say(f"  ingest {stage}: {done}/{total}")

    ingest = Ingestor(
        layout, embedder, store, max_file_bytes=settings.index.max_file_bytes, progress=progress
    ).run([spec.folder])
    say(f"[{spec.name}] {ingest.chunks_total} chunks in {ingest.seconds:.0f} s")
    kb = KnowledgeBase(
        root,
        embedder,
        store,
        abstain_threshold=settings.retrieval.abstain_threshold,
        doubt_threshold=settings.retrieval.doubt_threshold,
    )
    baseline = None
    naive_store: Any = None
    naive_texts: list[str] = []
    if "naive" in modes:
        from evals.baseline import NaiveBaseline

        say(f"[{spec.name}] building the naive baseline")
        baseline = NaiveBaseline(spec.folder, root / "naive-chroma", embedder)
        # NaiveBaseline exposes only sources; its LangChain store gives the texts too.
        naive_store = baseline._store
        naive_texts = [str(t) for t in naive_store.get(include=["documents"])["documents"]]
        say(f"[{spec.name}] naive: {baseline.chunk_count} chunks in {baseline.seconds:.0f} s")

    def naive_hits(question: str, n: int) -> list[Hit]:
        docs = naive_store.similarity_search(question, k=n)
        return [(str(d.metadata["source"]), str(d.page_content)) for d in docs]

    chunks = [(c.source, evidence_text(c), c.text) for c in kb.retriever.chunks]
    corpus_info: dict[str, Any] = {
        "folder": _shown(spec.folder),
        "chunks": ingest.chunks_total,
        "ingest_failed": [{"source": s, "reason": r} for s, r in ingest.failed],
        "ingest_seconds": round(ingest.seconds, 1),
        "naive_chunks": baseline.chunk_count if baseline else None,
        "naive_build_seconds": round(baseline.seconds, 1) if baseline else None,
        "matchability": {},
    }
    runs: list[dict[str, Any]] = []
    for split in SPLITS:
        path = spec.datasets[split]
        questions = load_retrieval_questions(path)
        say(f"[{spec.name}/{split}] {len(questions)} questions from {_shown(path)}")
        corpus_info["matchability"][split] = matchability(questions, chunks, naive_texts).to_json()
        for mode in modes:
            tick = _ticker(f"{spec.name}/{split}/{mode}", len(questions))
            if mode == "naive":
                summary, rows = evaluate_baseline_rows(naive_hits, questions, k, tick)
            else:
                summary, rows = evaluate_kb(kb, questions, k, mode, tick)  # type: ignore[arg-type]
            runs.append(
                {
                    "corpus": spec.name,
                    "split": split,
                    "dataset": _shown(path),
                    "mode": mode,
                    "questions": len(questions),
                    "summary": _compact(summary),
                    "per_question": _per_question(rows),
                }
            )
    return corpus_info, runs


# --- Rendering ----------------------------------------------------------------------------------


def _f(value: float | None, digits: int = 3) -> str:
    return "–" if value is None else f"{value:.{digits}f}"


def main_table(runs: Sequence[dict[str, Any]], k: int) -> str:
    lines = [
        f"| corpus | split | mode | evidence R@1 | evidence R@5 | evidence MRR@10 | file R@{k} "
        "| n (evidence) | n (all) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for run in runs:
        o = run["summary"]["overall"]
        lines.append(
            f"| {run['corpus']} | {run['split']} | {run['mode']} | "
            f"{_f(o.get('evidence_recall@1'))} | {_f(o.get('evidence_recall@5'))} | "
            f"{_f(o.get('evidence_mrr@10'))} | {_f(o[f'recall@{k}'])} | "
            f"{o.get('evidence_n', 0)} | {o['n']} |"
        )
    return "\n".join(lines)


def abstention_table(runs: Sequence[dict[str, Any]]) -> str:
    lines = [
        "| corpus | split | mode | unanswerable | abstained | precision | recall | false abstention |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for run in runs:
        if run["mode"] == "naive":
            continue  # the baseline never abstains
        a = run["summary"]["abstention"]
        lines.append(
            f"| {run['corpus']} | {run['split']} | {run['mode']} | {int(a['unanswerable'])} | "
            f"{int(a['abstained'])} | {_f(a['precision'], 2)} | {_f(a['recall'], 2)} | "
            f"{_f(a.get('false_abstention'), 3)} |"
        )
    return "\n".join(lines)


def kind_table(runs: Sequence[dict[str, Any]], k: int, modes: Sequence[str]) -> str:
    head = " | ".join(f"{m} ev R@5 / file R@{k}" for m in modes)
    lines = [f"| corpus | split | kind | n (evidence) | {head} |", "|---" * (4 + len(modes)) + "|"]
    by_key: dict[tuple[str, str], dict[str, dict[str, Any]]] = {}
    for run in runs:
        by_key.setdefault((run["corpus"], run["split"]), {})[run["mode"]] = run["summary"]
    for (corpus, split), summaries in by_key.items():
        kinds = next(iter(summaries.values()))["by_kind"]
        for kind, block in kinds.items():
            if block.get("evidence_n", 0) == 0:
                continue  # unanswerable kinds
            cells = []
            for m in modes:
                b = summaries.get(m, {}).get("by_kind", {}).get(kind, {})
                cells.append(f"{_f(b.get('evidence_recall@5'))} / {_f(b.get(f'recall@{k}'))}")
            lines.append(
                f"| {corpus} | {split} | {kind} | {block['evidence_n']} | {' | '.join(cells)} |"
            )
    return "\n".join(lines)


def matchability_section(info: dict[str, Any]) -> list[str]:
    lines = [
        "| corpus | split | answerable with evidence | no evidence sentence in any chunk | "
        "in no naive chunk | ids (index chunks) |",
        "|---|---|---|---|---|---|",
    ]
    notes: list[str] = []
    for corpus, data in info.items():
        for split, m in data["matchability"].items():
            lines.append(
                f"| {corpus} | {split} | {m['answerable_with_evidence']} | "
                f"{m['unmatchable_count']} | {m['naive_chunks_unmatchable_count']} | "
                f"{', '.join(m['unmatchable']) or '–'} |"
            )
            for key, label in (
                ("answerable_without_evidence", "answerable but no evidence sentences"),
                ("matched_only_by_window", "matched only by a 12-word head/tail window"),
                ("matchable_only_with_section_path", "matchable only with the section path"),
                ("also_in_non_gold_files", "an evidence sentence also occurs in a non-gold file"),
            ):
                if m[key]:
                    notes.append(f"- {corpus}/{split}, {label}: {', '.join(m[key])}")
            if m["partly_matchable"]:
                parts = ", ".join(f"{i} ({v})" for i, v in m["partly_matchable"].items())
                notes.append(f"- {corpus}/{split}, only some evidence sentences matchable: {parts}")
    return [*lines, "", *notes]


def render(report: dict[str, Any]) -> str:
    k = report["k"]
    runs = report["runs"]
    lines = [
        "# Evidence-level retrieval",
        "",
        f"Generated {report['generated']} by `python -m evals.evidence_report`; model "
        f"{report['model']}, abstain threshold {report['abstain_threshold']}, doubt threshold "
        f"{report['doubt_threshold']}.",
        "",
        "Evidence R@n: share of the answerable questions with evidence sentences that have a passage "
        f"holding one of them among the first n passages; evidence MRR@{EVIDENCE_DEPTH}: 1 / rank of "
        f"the first such passage. File R@{k}: the file-level recall@{k} of `assist eval retrieval` "
        "(over all answerable questions). Matching: " + report["matching"],
        "",
        main_table(runs, k),
        "",
        "## Abstention (unanswerable questions; the naive baseline never abstains)",
        "",
        abstention_table(runs),
        "",
        "## By kind",
        "",
        kind_table(runs, k, report["modes"]),
        "",
        "## Can the evidence be matched at all?",
        "",
        "Every evidence sentence checked against every chunk of the index (and of the naive "
        "baseline). A question none of whose sentences any chunk holds always counts as an "
        "evidence miss, whatever the retriever does.",
        "",
        *matchability_section(report["corpora"]),
        "",
    ]
    return "\n".join(lines)


MATCHING = (
    "case, Markdown/RST/HTML markup, link targets, punctuation and whitespace are ignored "
    "(`evals.metrics.normalise`); a passage (title / version / section path, then the chunk text) "
    "is evidence when it holds a whole evidence sentence, or, for a sentence longer than 12 words, "
    "its first or last 12 words (a sentence cut by a chunk boundary)."
)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m evals.evidence_report", description=__doc__)
    parser.add_argument("--out", type=Path, default=Path("evals/reports"), help="Output folder.")
    parser.add_argument("--k", type=int, default=5, help="Cut-off of the file-level recall.")
    parser.add_argument("--modes", default=",".join(MODES), help="Comma list of " + ",".join(MODES))
    parser.add_argument(
        "--corpora", default="bundled,opensource-av", help="Comma list of bundled,opensource-av."
    )
    args = parser.parse_args(argv)
    wanted = {c.strip() for c in args.corpora.split(",") if c.strip()}
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    unknown = [m for m in modes if m not in MODES]
    if unknown or not modes:
        parser.error(f"unknown mode(s) {unknown}; choose from {','.join(MODES)}")

    from bot.config import load_settings
    from bot.kb.service import make_embedder

    started = time.perf_counter()
    settings = load_settings()
    say("loading the embedding model")
    embedder = make_embedder(settings)
    embedder.warm_up()
    report: dict[str, Any] = {
        "generated": datetime.now().isoformat(timespec="seconds"),
        "model": embedder.name,
        "k": args.k,
        "evidence_depth": EVIDENCE_DEPTH,
        "abstain_threshold": settings.retrieval.abstain_threshold,
        "doubt_threshold": settings.retrieval.doubt_threshold,
        "matching": MATCHING,
        "modes": modes,
        "corpora": {},
        "runs": [],
    }
    with tempfile.TemporaryDirectory(prefix="evidence-eval-") as tmp:
        for spec in corpora():
            if spec.name not in wanted:
                continue
            if not spec.folder.is_dir():
                say(f"[{spec.name}] skipped: {spec.folder} is not a folder")
                continue
            info, runs = run_corpus(spec, settings, embedder, Path(tmp), modes, args.k)
            report["corpora"][spec.name] = info
            report["runs"] += runs
    report["seconds"] = round(time.perf_counter() - started, 1)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "evidence.json").write_text(json.dumps(report, indent=2) + "\n")
    markdown = render(report)
    (args.out / "evidence.md").write_text(markdown)
    say(f"wrote {args.out / 'evidence.md'} and {args.out / 'evidence.json'}")
    print(main_table(report["runs"], args.k))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
