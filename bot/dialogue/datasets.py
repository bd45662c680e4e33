"""Reading the JSONL eval datasets (router phrasings, scripted conversations)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bot.errors import FlowError


def read_jsonl(path: str | Path, required: Sequence[str] = ()) -> list[dict[str, Any]]:
    """The objects of a JSONL file, each checked for the ``required`` keys.

    Raises :class:`~bot.errors.FlowError` naming the file and line of the first bad row.
    """
    source = Path(path)
    try:
        lines = source.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise FlowError(f"cannot read {source}: {exc}") from exc
    rows: list[dict[str, Any]] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise FlowError(f"{source}:{number}: not valid JSON ({exc.msg})") from exc
        if not isinstance(row, dict):
            raise FlowError(f"{source}:{number}: expected a JSON object")
        missing = [key for key in required if key not in row]
        if missing:
            raise FlowError(f"{source}:{number}: missing {', '.join(missing)}")
        rows.append(row)
    return rows
