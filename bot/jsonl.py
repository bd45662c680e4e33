"""Reading JSONL files of objects (eval datasets), with errors that name the file and line."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bot.errors import AssistError


def read_jsonl(
    path: str | Path, required: Sequence[str] = (), error: type[AssistError] = AssistError
) -> list[dict[str, Any]]:
    """The objects of a JSONL file, each checked for the ``required`` keys.

    Raises ``error`` naming the file and line of the first bad row.
    """
    source = Path(path)
    try:
        lines = source.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise error(f"cannot read {source}: {exc}") from exc
    rows: list[dict[str, Any]] = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise error(f"{source}:{number}: not valid JSON ({exc.msg})") from exc
        if not isinstance(row, dict):
            raise error(f"{source}:{number}: expected a JSON object")
        missing = [key for key in required if key not in row]
        if missing:
            raise error(f"{source}:{number}: missing {', '.join(missing)}")
        rows.append(row)
    return rows
