"""Rich tables of eval reports for the terminal."""

from __future__ import annotations

from typing import Any


def print_retrieval_table(report: dict[str, Any]) -> None:
    from rich.console import Console
    from rich.table import Table

    k = report["k"]
    table = Table(
        title=f"Retrieval on {report['corpus']} ({report['questions_file_count']} questions)"
    )
    for col in ("retriever", "kind", "n", f"recall@{k}", "MRR@10", "nDCG@10"):
        table.add_column(col)
    for mode, summary in report["modes"].items():
        rows = [("all", summary["overall"]), *summary["by_kind"].items()]
        for kind, block in rows:
            table.add_row(
                mode,
                kind,
                str(block["n"]),
                f"{block[f'recall@{k}']:.3f}",
                f"{block['mrr@10']:.3f}",
                f"{block['ndcg@10']:.3f}",
            )
        ab = summary["abstention"]
        table.add_row(
            mode, "abstention", "", f"P {ab['precision']:.2f}", f"R {ab['recall']:.2f}", ""
        )
    Console().print(table)
