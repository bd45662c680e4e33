"""Router evaluation: top-1 accuracy over labelled phrasings."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from bot.dialogue.router import Router


def evaluate_router(router: Router, rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """Top-1 accuracy and per-item predictions (``predicted`` may be ``clarify`` or ``none``)."""
    items = []
    for row in rows:
        predicted = router.route(str(row["text"])).predicted
        items.append({"id": row["id"], "expected": row["expected"], "predicted": predicted})
    correct = sum(1 for item in items if item["expected"] == item["predicted"])
    return {"accuracy": round(correct / len(items), 4) if items else 0.0, "items": items}
