"""Load flows from YAML: one flow per file, every problem reported, no file stopping another.

``load_flows(folder)`` reads every ``*.yaml`` / ``*.yml`` file in the folder (sorted by name) and
returns the flows that are valid together with a :class:`~bot.errors.FlowDefinitionError` for every
problem found, each naming the file, the flow and the step, and saying how to fix it. A flow with
any problem is left out of ``flows``; the others load normally.
"""

from __future__ import annotations

import difflib
import re
import reprlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from bot.dialogue.conditions import SpecError
from bot.dialogue.schema import (
    KNOWN_PRODUCTS,
    STEP_KINDS,
    AskStep,
    CheckKbStep,
    ChoiceAnswer,
    ChoiceOption,
    CollectStep,
    Flow,
    Link,
    NumberAnswer,
    OutcomeStep,
    TextAnswer,
    YesNoAnswer,
)
from bot.dialogue.validator import check_duplicate_flows, validate_flow
from bot.errors import FlowDefinitionError

_STEP_MODELS: dict[str, type[BaseModel]] = {
    "ask": AskStep,
    "collect": CollectStep,
    "check_kb": CheckKbStep,
    "outcome": OutcomeStep,
}
_ANSWER_MODELS: dict[str, type[BaseModel]] = {
    "yes_no": YesNoAnswer,
    "choice": ChoiceAnswer,
    "number": NumberAnswer,
    "text": TextAnswer,
}
_ID_LINE = re.compile(r"^id:\s*['\"]?([A-Za-z0-9_-]+)", re.MULTILINE)
_SURROGATE = re.compile(r"[\ud800-\udfff]")
_SHORT = reprlib.Repr()  # a bounded repr: a value may be a huge structure built from aliases
_SHORT.maxstring = _SHORT.maxother = 60


@dataclass(frozen=True)
class LoadResult:
    """The valid flows (in file order) and every definition error found."""

    flows: list[Flow] = field(default_factory=list)
    errors: list[FlowDefinitionError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def by_id(self) -> dict[str, Flow]:
        return {f.id: f for f in self.flows}


def load_flows(directory: str | Path, *, products: Iterable[str] = KNOWN_PRODUCTS) -> LoadResult:
    """Load and check every flow file in ``directory``; never raises for a bad flow file."""
    folder = Path(directory)
    if not folder.is_dir():
        error = FlowDefinitionError(
            "is not a folder of flow files.",
            file=str(directory),
            fix="pass the folder that holds the flow YAML files (default knowledge/flows)",
        )
        return LoadResult([], [error])
    files = sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())
    flows: list[Flow] = []
    errors: list[FlowDefinitionError] = []
    for path in files:
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            errors.append(
                FlowDefinitionError(
                    f"cannot be read ({exc}).", file=path.name, fix="save it as UTF-8 text"
                )
            )
            continue
        flow, problems = parse_flow_text(text, file=path.name, products=products)
        errors.extend(problems)
        if flow is not None and not problems:
            flows.append(flow)
    duplicates = check_duplicate_flows(flows)
    errors.extend(duplicates)
    dup_files = {(e.file, e.flow) for e in duplicates}
    flows = [f for f in flows if (f.source, f.id) not in dup_files]
    return LoadResult(flows, errors)


def parse_flow_text(
    text: str, *, file: str = "<inline>", products: Iterable[str] = KNOWN_PRODUCTS
) -> tuple[Flow | None, list[FlowDefinitionError]]:
    """Parse one flow from YAML text and run the graph checks.

    Returns the flow (``None`` when it does not even parse) and its problems; a flow with problems
    must not be run.
    """
    guessed = _ID_LINE.search(text)
    guessed_id = guessed.group(1) if guessed else None
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        return None, [
            FlowDefinitionError(
                f"is not valid YAML{where}: {problem}.",
                file=file,
                flow=guessed_id,
                fix="check the indentation and quoting near that line",
            )
        ]
    except RecursionError:
        return None, [
            FlowDefinitionError(
                "is nested too deeply to be a flow.",
                file=file,
                flow=guessed_id,
                fix="check the brackets and indentation",
            )
        ]
    except Exception as exc:  # a tagged scalar PyYAML cannot convert: 2026-13-45, !!int x, ...
        return None, [
            FlowDefinitionError(
                f"holds a value YAML cannot read ({type(exc).__name__}: {exc}).",
                file=file,
                flow=guessed_id,
                fix="quote the value, or correct it (for example an impossible date)",
            )
        ]
    if _has_surrogate(raw):
        return None, [
            FlowDefinitionError(
                "holds an escape of half a character (a lone surrogate such as \\ud800).",
                file=file,
                flow=guessed_id,
                fix="write the character itself, or its full \\U escape",
            )
        ]
    if not isinstance(raw, dict):
        return None, [
            FlowDefinitionError(
                "does not hold a flow (expected a mapping with id, title, description, examples, "
                "products and steps).",
                file=file,
                flow=guessed_id,
                fix="start the file with `id: <flow-id>` and the other flow fields",
            )
        ]
    try:
        flow = Flow.model_validate(raw).with_source(file)
    except ValidationError as exc:
        return None, [_from_pydantic(error, raw, file) for error in exc.errors()]
    return flow, validate_flow(flow, products=products)


def _has_surrogate(data: object) -> bool:
    """True when any string (key or value) of the loaded YAML holds a lone surrogate, which no
    message or JSON column could carry."""
    stack, seen = [data], set()
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            if _SURROGATE.search(item):
                return True
        elif id(item) not in seen:  # aliases share (and may nest) containers: visit each once
            seen.add(id(item))
            if isinstance(item, dict):
                stack.extend(item.keys())
                stack.extend(item.values())
            elif isinstance(item, list | tuple | set):
                stack.extend(item)
    return False


def load_flow_text(text: str, *, file: str = "<inline>") -> Flow:
    """Parse one flow and raise its first :class:`FlowDefinitionError` if it has any problem."""
    flow, problems = parse_flow_text(text, file=file)
    if problems:
        raise problems[0]
    assert flow is not None  # parse_flow_text returns a flow whenever it reports no problem
    return flow


def _from_pydantic(error: Any, raw: Mapping[str, Any], file: str) -> FlowDefinitionError:
    loc: tuple[Any, ...] = tuple(error.get("loc", ()))
    flow_id = raw.get("id") if isinstance(raw.get("id"), str) else None
    step_id: str | None = None
    path = list(loc)
    model: type[BaseModel] = Flow
    if len(loc) >= 2 and loc[0] == "steps" and isinstance(loc[1], int):
        steps = raw.get("steps")
        if isinstance(steps, list) and loc[1] < len(steps) and isinstance(steps[loc[1]], dict):
            candidate = steps[loc[1]].get("id")
            step_id = candidate if isinstance(candidate, str) else f"#{loc[1] + 1}"
        path = list(loc[2:])
        if path and path[0] in STEP_KINDS:
            model = _STEP_MODELS[path.pop(0)]
    model, names = _walk(model, path)
    where = ".".join(str(p) if not isinstance(p, int) else f"[{p}]" for p in names)
    where = where.replace(".[", "[") or "the flow"
    problem, fix = _describe(error, where, model, step_id is not None)
    return FlowDefinitionError(problem, file=file, flow=flow_id, step=step_id, fix=fix)


def _walk(model: type[BaseModel], path: list[Any]) -> tuple[type[BaseModel], list[Any]]:
    """Follow the error location into nested models; drop union tags from the printed path."""
    names: list[Any] = []
    for part in path:
        if part in _ANSWER_MODELS and names and names[-1] == "answer":
            model = _ANSWER_MODELS[part]
            continue
        names.append(part)
        if part == "next":
            model = Link
        elif part == "options":
            model = ChoiceOption
    return model, names


def _fields(model: type[BaseModel]) -> list[str]:
    return [info.alias or name for name, info in model.model_fields.items()]


def _describe(error: Any, where: str, model: type[BaseModel], in_step: bool) -> tuple[str, str]:
    kind = error.get("type", "")
    ctx = error.get("ctx") or {}
    cause = ctx.get("error")
    if isinstance(cause, SpecError):
        return f"{cause.problem}.", cause.fix
    if kind == "missing":
        name = where.rsplit(".", 1)[-1]
        return f"`{where}` is missing.", f"add `{name}:` to the {'step' if in_step else 'flow'}"
    if kind == "extra_forbidden":
        name = where.rsplit(".", 1)[-1]
        allowed = _fields(model)
        close = difflib.get_close_matches(name, allowed, n=1)
        hint = f"rename it to `{close[0]}`" if close else "remove it"
        return f"unknown field `{name}`.", f"{hint} (allowed: {', '.join(allowed)})"
    if kind == "union_tag_invalid" and "answer" in where:
        tags = ", ".join(_ANSWER_MODELS)
        return f"unknown answer type {ctx.get('tag')!r}.", f"set `type:` to one of {tags}"
    if kind == "union_tag_invalid":
        return (
            f"unknown step kind {ctx.get('tag')!r}.",
            f"set `kind:` to one of {', '.join(STEP_KINDS)}",
        )
    if kind == "union_tag_not_found":
        if "answer" in where:
            return "the answer has no `type`.", f"add `type:` ({', '.join(_ANSWER_MODELS)})"
        return "the step has no `kind`.", f"add `kind:` ({', '.join(STEP_KINDS)})"
    if kind == "literal_error":
        return (
            f"`{where}` is {_SHORT.repr(error.get('input'))}.",
            f"use one of {ctx.get('expected', 'the allowed values')}",
        )
    if kind == "string_pattern_mismatch":
        rule = (
            "lower-case letters, digits and '-'"
            if where == "id" and not in_step
            else ("lower-case letters, digits and '_', starting with a letter")
        )
        return f"`{where}` {_SHORT.repr(error.get('input'))} is not a valid id.", f"use {rule}"
    if kind == "too_short":
        need = ctx.get("min_length", 1)
        return (
            f"`{where}` has {ctx.get('actual_length', 0)} item(s); at least {need} are needed.",
            f"add items to `{where}`",
        )
    if kind == "string_type" and isinstance(error.get("input"), bool):
        return (
            f"`{where}` was read as {str(error.get('input')).lower()} (YAML reads yes, no, on and "
            "off as true/false).",
            'put the value in quotes, e.g. id: "off"',
        )
    message = str(error.get("msg", "is not valid")).removeprefix("Value error, ")
    return f"`{where}`: {message}.", f"give `{where}` a valid value"
