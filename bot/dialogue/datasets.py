"""Reading the JSONL eval datasets (router phrasings, scripted conversations)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bot.errors import FlowError
from bot.jsonl import read_jsonl as _read_jsonl


def read_jsonl(path: str | Path, required: Sequence[str] = ()) -> list[dict[str, Any]]:
    """The objects of a JSONL file, each checked for the ``required`` keys.

    Raises :class:`~bot.errors.FlowError` naming the file and line of the first bad row.
    """
    return _read_jsonl(path, required, FlowError)
