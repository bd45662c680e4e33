"""Render a flow as a Mermaid flowchart (``assist flows graph FLOW``).

Shapes: questions are boxes, ``collect`` steps parallelograms, knowledge-base checks hexagons and
outcomes stadiums (green when resolved, red for a fault). Edge labels carry the branch conditions.
"""

from __future__ import annotations

from bot.dialogue.schema import AskStep, CheckKbStep, CollectStep, Flow

_RESERVED = {"end", "graph", "subgraph", "style", "class", "click", "flowchart"}


def _node(step_id: str) -> str:
    return f"{step_id}_" if step_id in _RESERVED else step_id


def _text(value: str, limit: int = 60) -> str:
    value = " ".join(value.split())
    if len(value) > limit:
        value = value[: limit - 1].rstrip() + "…"
    return value.replace('"', "#quot;").replace("|", "#124;")


def to_mermaid(flow: Flow) -> str:
    """The flow as Mermaid ``flowchart TD`` source: a line per node and edge, newline-terminated."""
    lines = ["flowchart TD", f"    %% {flow.id}: {_text(flow.title, 80)}"]
    edges: list[str] = []
    for step in flow.steps:
        node = _node(step.id)
        if isinstance(step, AskStep):
            lines.append(f'    {node}["{_text(step.question)}"]')
        elif isinstance(step, CollectStep):
            lines.append(f'    {node}[/"{_text(step.question)} ({step.slot})"/]')
        elif isinstance(step, CheckKbStep):
            lines.append(f'    {node}{{{{"KB: {_text(step.query)}"}}}}')
        else:
            head = "Resolved" if step.outcome == "resolved" else f"Fault ({step.category})"
            lines.append(f'    {node}(["{head}: {_text(step.summary)}"])')
        if isinstance(step, AskStep | CollectStep):
            links = step.next or []
            for link in links:
                target = _node(link.target)
                if link.condition is not None:
                    edges.append(f'    {node} -->|"{_text(link.condition.source, 40)}"| {target}')
                elif len(links) > 1:
                    edges.append(f'    {node} -->|"else"| {target}')
                else:
                    edges.append(f"    {node} --> {target}")
            if step.not_sure:
                edges.append(f'    {node} -.->|"not sure"| {_node(step.not_sure)}')
        elif isinstance(step, CheckKbStep):
            if step.found:
                edges.append(f'    {node} -->|"found"| {_node(step.found)}')
            if step.not_found:
                edges.append(f'    {node} -->|"not found"| {_node(step.not_found)}')
    lines.extend(edges)
    resolved = [_node(s.id) for s in flow.outcomes() if s.outcome == "resolved"]
    faults = [_node(s.id) for s in flow.outcomes() if s.outcome == "fault"]
    lines.append("    classDef resolved fill:#d4f7d4,stroke:#2e7d32")
    lines.append("    classDef fault fill:#fbd5d5,stroke:#c62828")
    if resolved:
        lines.append(f"    class {','.join(resolved)} resolved")
    if faults:
        lines.append(f"    class {','.join(faults)} fault")
    return "\n".join(lines) + "\n"
