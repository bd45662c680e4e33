"""PNG plots of eval reports (matplotlib, Agg backend; no display needed)."""

from __future__ import annotations

from pathlib import Path
from typing import Any


def _plt() -> Any:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def recall_curves(corpus: str, modes: dict[str, Any], out: Path) -> Path:
    plt = _plt()
    fig, ax = plt.subplots(figsize=(6, 4))
    for mode, summary in modes.items():
        curve = summary.get("recall_curve") or []
        ax.plot(range(1, len(curve) + 1), curve, marker="o", label=mode)
    ax.set(xlabel="k", ylabel="recall@k", title=f"Recall@k: {corpus}", ylim=(0, 1.02))
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out


def kind_bars(corpus: str, modes: dict[str, Any], k: int, out: Path) -> Path:
    plt = _plt()
    kinds = sorted(
        {kind for s in modes.values() for kind in s["by_kind"] if kind != "unanswerable"}
    )
    fig, ax = plt.subplots(figsize=(8, 4))
    width = 0.8 / max(1, len(modes))
    for i, (mode, summary) in enumerate(modes.items()):
        values = [summary["by_kind"].get(kind, {}).get(f"recall@{k}", 0.0) for kind in kinds]
        ax.bar([x + i * width for x in range(len(kinds))], values, width, label=mode)
    ax.set_xticks([x + width * (len(modes) - 1) / 2 for x in range(len(kinds))], kinds, rotation=20)
    ax.set(ylabel=f"recall@{k}", title=f"Recall@{k} by question kind: {corpus}", ylim=(0, 1.05))
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out


def latency_histogram(title: str, series: dict[str, list[float]], out: Path) -> Path:
    plt = _plt()
    fig, ax = plt.subplots(figsize=(6, 4))
    for name, values in series.items():
        if values:
            ax.hist(values, bins=30, alpha=0.55, label=name)
    ax.set(xlabel="milliseconds", ylabel="questions", title=title)
    ax.legend()
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out


def confusion_matrix(labels: list[str], pairs: list[tuple[str, str]], out: Path) -> Path:
    """Rows: expected; columns: predicted."""
    import numpy as np

    plt = _plt()
    index = {label: i for i, label in enumerate(labels)}
    matrix = np.zeros((len(labels), len(labels)), dtype=int)
    for expected, predicted in pairs:
        matrix[index[expected], index[predicted]] += 1
    fig, ax = plt.subplots(figsize=(8, 7))
    ax.imshow(matrix, cmap="Blues")
    ax.set_xticks(range(len(labels)), labels, rotation=60, ha="right", fontsize=8)
    ax.set_yticks(range(len(labels)), labels, fontsize=8)
    for (r, c), v in np.ndenumerate(matrix):
        if v:
            ax.text(
                c,
                r,
                str(v),
                ha="center",
                va="center",
                fontsize=7,
                color="white" if v > matrix.max() / 2 else "black",
            )
    ax.set(xlabel="predicted", ylabel="expected", title="Router confusion matrix")
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out


RESOLUTION_OUTCOMES = (
    ("contained", "contained", "#2e7d32"),
    ("repeat_contacts", "repeat contact", "#f9a825"),
    ("handed_off", "handed off", "#1565c0"),
    ("unresolved", "unresolved", "#9e9e9e"),
)


def resolution_bars(title: str, groups: list[dict[str, Any]], key: str, out: Path) -> Path:
    """Stacked bars of the resolution outcomes per group (``key``: ``week`` or ``flow_id``)."""
    plt = _plt()
    labels = [str(g[key]) for g in groups]
    horizontal = key != "week"
    fig, ax = plt.subplots(figsize=(8, max(3.0, 0.45 * len(labels) + 1.5) if horizontal else 4))
    base = [0] * len(groups)
    for field, label, colour in RESOLUTION_OUTCOMES:
        values = [int(g[field]) for g in groups]
        if horizontal:
            ax.barh(labels, values, left=base, label=label, color=colour)
        else:
            ax.bar(labels, values, bottom=base, label=label, color=colour)
        base = [b + v for b, v in zip(base, values, strict=True)]
    if horizontal:
        ax.invert_yaxis()
        ax.set(xlabel="conversations", title=title)
    else:
        ax.set(ylabel="conversations", title=title)
        ax.tick_params(axis="x", rotation=30)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out
