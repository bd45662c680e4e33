"""Graph checks on parsed flows: each problem is a FlowDefinitionError naming file, flow, step, fix.

Checks: duplicate step ids, unknown step references, ``if`` links without a closing ``else`` (or an
``else`` that is not last), dead ends (a non-outcome step with no way on), unreachable steps, loops
with no way out to an outcome, a flow with no outcome, unknown products, too few examples, and
conditions that can never match (a choice id that is not offered, text compared with a number
answer, a slot no ``collect`` step fills). Across files: duplicate flow ids.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence

from bot.dialogue.conditions import Compare, Const, Ref
from bot.dialogue.schema import (
    KNOWN_PRODUCTS,
    MIN_EXAMPLES,
    SLOT_PLACEHOLDER,
    AnyStep,
    AskStep,
    CheckKbStep,
    ChoiceAnswer,
    CollectStep,
    Flow,
    NumberAnswer,
    OutcomeStep,
    YesNoAnswer,
    successors,
)
from bot.dialogue.topology import reachable, strongly_connected
from bot.errors import FlowDefinitionError


def validate_flow(
    flow: Flow, *, products: Iterable[str] = KNOWN_PRODUCTS
) -> list[FlowDefinitionError]:
    """Every graph and content problem of one flow (empty when the flow can be run)."""
    report = _Report(flow)
    _check_flow_fields(flow, frozenset(products), report)
    ids = [s.id for s in flow.steps]
    for step_id in sorted({i for i in ids if ids.count(i) > 1}):
        report.add(
            f"the step id is used by {ids.count(step_id)} steps.",
            step_id,
            "rename the others; step ids must be unique within a flow",
        )
    for step in flow.steps:
        _check_links(flow, step, report)
        _check_conditions(flow, step, report)
        if isinstance(step, CheckKbStep) and step.product and step.product not in products:
            report.add(
                f"unknown product {step.product!r}.", step.id, _product_fix(step.product, products)
            )
    _check_graph(flow, report)
    return report.errors


def check_duplicate_flows(flows: Sequence[Flow]) -> list[FlowDefinitionError]:
    """One error per flow whose id an earlier flow (in load order) already uses."""
    seen: dict[str, Flow] = {}
    errors: list[FlowDefinitionError] = []
    for flow in flows:
        first = seen.setdefault(flow.id, flow)
        if first is not flow:
            errors.append(
                FlowDefinitionError(
                    f"the flow id is already used by {first.source}.",
                    file=flow.source,
                    flow=flow.id,
                    fix=f"rename the flow in {flow.source}; flow ids must be unique",
                )
            )
    return errors


class _Report:
    def __init__(self, flow: Flow) -> None:
        self.flow = flow
        self.errors: list[FlowDefinitionError] = []

    def add(self, problem: str, step: str | None, fix: str) -> None:
        self.errors.append(
            FlowDefinitionError(
                problem, file=self.flow.source, flow=self.flow.id, step=step, fix=fix
            )
        )


def _product_fix(product: str, known: Iterable[str]) -> str:
    names = sorted(known)
    close = difflib.get_close_matches(product, names, n=1)
    hint = f"did you mean {close[0]!r}? " if close else ""
    return f"{hint}use product ids from docs/portfolio.md: {', '.join(names)}"


def _check_flow_fields(flow: Flow, products: frozenset[str], report: _Report) -> None:
    if not flow.routed:
        return  # a built-in flow the service starts itself: no router, no product
    examples = [e for e in flow.examples if e.strip()]
    if len(examples) < MIN_EXAMPLES:
        missing = MIN_EXAMPLES - len(examples)
        report.add(
            f"the flow has {len(examples)} example utterances; the router needs at least "
            f"{MIN_EXAMPLES}.",
            None,
            f"add {missing} more under `examples:`, worded as site users would write them",
        )
    if not flow.products:
        report.add(
            "the flow lists no products.",
            None,
            f"add `products:` with ids from docs/portfolio.md: {', '.join(sorted(products))}",
        )
    for product in flow.products:
        if product not in products:
            report.add(f"unknown product {product!r}.", None, _product_fix(product, products))


def _check_links(flow: Flow, step: AnyStep, report: _Report) -> None:
    named: list[tuple[str, str]] = []
    if isinstance(step, AskStep | CollectStep):
        links = step.next or []
        named = [("next", link.target) for link in links]
        if step.not_sure:
            named.append(("not_sure", step.not_sure))
        conditional = [link for link in links if not link.is_else]
        else_positions = [i for i, link in enumerate(links) if link.is_else]
        if not links:
            report.add(
                "dead end: the step has no `next` and is not an outcome.",
                step.id,
                "add `next: <step id>` (or `if`/`else` links), or make it an `outcome` step",
            )
        elif conditional and not else_positions:
            report.add(
                "the step has `if` links but no `else`.",
                step.id,
                "add `- else: <step id>` as the last link so every answer leads somewhere",
            )
        elif else_positions and else_positions[0] != len(links) - 1:
            report.add(
                "`else` is not the last link; the links after it are never used.",
                step.id,
                "move `- else: <step id>` to the end of `next` and keep only one",
            )
    elif isinstance(step, CheckKbStep):
        for name in ("found", "not_found"):
            target = getattr(step, name)
            if target is None:
                report.add(
                    f"the knowledge-base check has no `{name}` branch.",
                    step.id,
                    f"add `{name}: <step id>`",
                )
            else:
                named.append((name, target))
    for name, target in named:
        if not flow.has_step(target):
            options = [s.id for s in flow.steps if s.id != step.id]
            close = difflib.get_close_matches(target, options, n=1) or [
                option for option in options if option.startswith(target)
            ]
            hint = f"did you mean {close[0]!r}? " if close else ""
            report.add(
                f"`{name}` refers to unknown step {target!r}.",
                step.id,
                f"{hint}define a step with id {target!r} or use one of: {', '.join(options)}",
            )


def filled_slots(flow: Flow) -> list[str]:
    """The slots the flow's collect steps (and ask steps with ``slot``) fill, sorted."""
    return sorted({s.slot for s in flow.steps if isinstance(s, AskStep | CollectStep) and s.slot})


def _unknown_slot(flow: Flow, step_id: str, where: str, name: str, report: _Report) -> None:
    slots = filled_slots(flow)
    if name in slots:
        return
    known = f"slots in this flow: {', '.join(slots)}" if slots else "no step fills a slot yet"
    report.add(
        f"{where} uses slot {name!r}, which no step fills.",
        step_id,
        f"add `slot: {name}` to a `collect` or `ask` step before this one, or fix the name "
        f"({known})",
    )


def _check_conditions(flow: Flow, step: AnyStep, report: _Report) -> None:
    if isinstance(step, CheckKbStep):
        for name in SLOT_PLACEHOLDER.findall(step.query):
            _unknown_slot(flow, step.id, f"query {step.query!r}", name, report)
        return
    if not isinstance(step, AskStep | CollectStep):
        return
    slots = filled_slots(flow)
    for link in step.next or []:
        condition = link.condition
        if condition is None:
            continue
        for ref in condition.refs():
            if ref.root == "slot" and ref.name not in slots:
                _unknown_slot(flow, step.id, f"condition {condition.source!r}", ref.name, report)
        for compare in condition.comparisons():
            problem = _bad_comparison(step, compare)
            if problem:
                report.add(f"condition {condition.source!r} {problem[0]}.", step.id, problem[1])


def _bad_comparison(step: AskStep | CollectStep, compare: Compare) -> tuple[str, str] | None:
    """A (problem, fix) pair when a comparison with ``answer`` can never hold."""
    if not isinstance(step, AskStep):
        return None
    sides = (compare.left, compare.right)
    if not any(isinstance(s, Ref) and s.root == "answer" for s in sides):
        return None
    values: list[object] = []
    for side in sides:
        if isinstance(side, Const):
            values.extend(side.value if isinstance(side.value, tuple) else (side.value,))
    spec = step.answer
    if isinstance(spec, ChoiceAnswer):
        offered = [o.id for o in spec.options]
        wrong = [v for v in values if not isinstance(v, str) or v not in offered]
        if wrong:
            return (
                f"compares the answer with {wrong[0]!r}, which is not an option id",
                f"use one of the option ids: {', '.join(offered)}",
            )
    elif isinstance(spec, YesNoAnswer):
        wrong = [v for v in values if v not in ("yes", "no")]
        if wrong:
            return (
                f"compares a yes/no answer with {wrong[0]!r}",
                'compare with "yes" or "no"; send "not sure" to the step\'s `not_sure:` branch',
            )
    elif isinstance(spec, NumberAnswer):
        wrong = [v for v in values if isinstance(v, str | bool)]
        if wrong:
            return (
                f"compares a number answer with {wrong[0]!r}",
                "compare with a number, e.g. answer > 20",
            )
    return None


def _check_graph(flow: Flow, report: _Report) -> None:
    edges = {s.id: [t for t in successors(s) if flow.has_step(t)] for s in flow.steps}
    outcomes = {s.id for s in flow.steps if isinstance(s, OutcomeStep)}
    if not outcomes:
        report.add(
            "the flow has no outcome step, so it can never end.",
            None,
            "add at least one step with `kind: outcome`",
        )
    reached = reachable([flow.start], edges)
    for step in flow.steps:
        if step.id not in reached:
            report.add(
                f"the step is unreachable from the start step {flow.start!r}.",
                step.id,
                "link to it from another step's `next` (or `found`/`not_found`), or delete it",
            )
    reverse: dict[str, list[str]] = {s: [] for s in edges}
    for source, targets in edges.items():
        for target in targets:
            reverse[target].append(source)
    can_end = reachable(sorted(outcomes), reverse)
    for component in strongly_connected(edges):
        looping = len(component) > 1 or component[0] in edges[component[0]]
        if looping and component[0] in reached and not (set(component) & can_end):
            order = [s.id for s in flow.steps if s.id in component]
            report.add(
                f"steps {' -> '.join([*order, order[0]])} form a loop with no way out to an "
                "outcome.",
                order[0],
                "add a branch from one of these steps to a step that leads to an outcome",
            )
