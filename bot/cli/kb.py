"""CLI commands of the knowledge base: ingest, ask, eval retrieval."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any

import typer

from bot.cli.support import StageProgress, expected_errors, settings_of


def _index_root(ctx: typer.Context, index: Path | None) -> Path:
    return index or settings_of(ctx).chroma_dir


def ingest_command(
    ctx: typer.Context,
    paths: Annotated[list[Path], typer.Argument(help="Folders of .md/.rst/.html/.txt/.pdf files.")],
    index: Annotated[
        Path | None, typer.Option(help="Index folder (default <data_dir>/index).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
) -> None:
    """Ingest folders incrementally: unchanged files cost a hash, deleted ones are pruned."""
    from bot.kb.schema import IndexLayout
    from bot.kb.service import make_embedder, open_vector_store
    from ingest.pipeline import Ingestor

    settings = settings_of(ctx)
    for p in paths:
        if not p.is_dir():
            typer.echo(f"error: {p} is not a folder", err=True)
            raise typer.Exit(1)
    root = _index_root(ctx, index)
    with expected_errors(), StageProgress(not as_json) as progress:
        embedder = make_embedder(settings)
        store = open_vector_store(settings, root, embedder)
        ingestor = Ingestor(
            IndexLayout(root),
            embedder,
            store,
            max_file_bytes=settings.index.max_file_bytes,
            embed_batch=settings.embedding.batch_size * 4,
            progress=progress,
        )
        report = ingestor.run(paths)
    summary = report.as_dict()
    if as_json:
        typer.echo(json.dumps(summary, indent=2))
        return
    typer.echo(
        f"ingested into {root}: {summary['added']} added, {summary['updated']} updated, "
        f"{summary['unchanged']} unchanged, {summary['removed']} removed, "
        f"{len(report.failed)} failed, {summary['skipped_other_types']} skipped (other types); "
        f"{summary['chunks_total']} chunks ({summary['chunks_embedded']} embedded) "
        f"in {summary['seconds']} s"
    )
    for source, reason in report.failed:
        typer.echo(f"  failed: {source}: {reason}")
    for warning in report.warnings:
        typer.echo(f"  warning: {warning}")


def ask_command(
    ctx: typer.Context,
    question: Annotated[str, typer.Argument(help="The question, in your own words.")],
    index: Annotated[Path | None, typer.Option(help="Index folder.")] = None,
    product: Annotated[str | None, typer.Option(help="Only this product line.")] = None,
    version: Annotated[
        str | None, typer.Option(help="Exact version, series 9.4.x or range 9.0..9.4.")
    ] = None,
    doc_type: Annotated[str | None, typer.Option(help="Only this document type.")] = None,
    audience: Annotated[str, typer.Option(help="customer (default) or engineer.")] = "customer",
    k: Annotated[int, typer.Option(help="Passages to return.")] = 5,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Answer a question from the knowledge base, with numbered citations."""
    from bot.kb.retriever import Filters
    from bot.kb.service import KnowledgeBase
    from bot.kb.tables import format_plain

    settings = settings_of(ctx)
    with expected_errors():
        kb = KnowledgeBase.from_settings(settings, _index_root(ctx, index))
        answer = kb.ask(question, k, Filters(product, version, doc_type, audience))
    if as_json:
        typer.echo(json.dumps(answer.to_dict(), indent=2, ensure_ascii=False))
        return
    typer.echo(format_plain(answer.text))  # a pipe table in aligned columns
    for c in answer.citations:
        version_text = f" {c.version}" if c.version else ""
        typer.echo(f"  [{c.n}] {c.title}{version_text} — {c.section} ({c.source})")


def eval_retrieval_command(
    ctx: typer.Context,
    corpus: Annotated[Path, typer.Option(help="Folder the questions' gold_files are relative to.")],
    questions: Annotated[Path, typer.Option(help="JSONL questions (see docs/evaluation.md).")],
    k: Annotated[int, typer.Option(help="Cut-off for recall@k.")] = 5,
    index: Annotated[Path | None, typer.Option(help="Index folder (default per corpus).")] = None,
    modes: Annotated[str, typer.Option(help="Comma list of hybrid,bm25,dense,naive.")] = "hybrid",
    details: Annotated[bool, typer.Option("--details", help="Per-question results.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Ingest CORPUS (incrementally) and report recall@k, MRR@10, nDCG@10 and abstention."""
    from evals.datasets import load_retrieval_questions
    from evals.runner import run_retrieval_eval

    settings = settings_of(ctx)
    with expected_errors():
        qs = load_retrieval_questions(questions)
        report: dict[str, Any] = run_retrieval_eval(
            settings,
            corpus,
            qs,
            k,
            [m.strip() for m in modes.split(",") if m.strip()],
            index,
            details,
            show_progress=not as_json,
        )
    if as_json:
        typer.echo(json.dumps(report, indent=2, ensure_ascii=False))
        return
    from evals.tables import print_retrieval_table

    print_retrieval_table(report)
