"""Typed models of a fault-isolation flow, as written in knowledge/flows/*.yaml.

A flow is data: an id, words that describe it (title, description, examples, keywords) for the
router, the product lines it applies to, and a list of steps. The first step is where the flow
starts. Steps link to each other by id; a link is either a plain step id or a list of ``{if:
<condition>, then: <step>}`` entries closed by ``{else: <step>}`` (see
:mod:`bot.dialogue.conditions`).

These models check the shape of each piece (unknown fields are refused, so a typo such as ``nxt:``
is caught); the graph checks that need the whole flow (references, reachability, loops, products)
live in :mod:`bot.dialogue.validator`.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, field_validator, model_validator

from bot.devices import DeviceCategory
from bot.dialogue.conditions import Condition, SpecError, parse_condition

Skill = Literal["basic", "intermediate", "advanced"]
FaultCategory = Literal["hardware", "network", "software", "configuration", "unknown"]
StepId = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]
FlowId = Annotated[str, Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=64)]

#: The product lines of the bundled portfolio (docs/portfolio.md).
KNOWN_PRODUCTS = frozenset({"cx-codec", "vx-camera", "ax-audio", "tx-panel", "wx-share"})
MIN_EXAMPLES = 6
SLOT_PLACEHOLDER = re.compile(r"\{slot\.([a-z][a-z0-9_]*)\}")


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


class ChoiceOption(_Model):
    """One offered answer: ``id`` for conditions and the widget, ``label`` for users to read,
    ``synonyms`` for the other words people use for it ("orange" for amber)."""

    id: StepId
    label: str = Field(min_length=1)
    synonyms: list[str] = Field(default_factory=list)


YesMeans = Literal["better", "worse", "fact"]


class YesNoAnswer(_Model):
    """Yes or no; "not sure" goes to the step's ``not_sure`` branch (or escalates).

    ``yes_means`` says how a reply that only reports the outcome ("did that, still the same") is
    read: ``better`` (yes = the problem is gone: "Does the picture come back?"), ``worse`` (yes =
    the problem persists: "Does the far end still hear the echo?"), ``fact`` (neither). Left out,
    it is read from the question. ``yes_when`` / ``no_when`` are phrases (regular expressions)
    that answer this question in the step's own terms ("169.254" for "Does it show an IP
    address?")."""

    type: Literal["yes_no"]
    yes_means: YesMeans | None = None
    yes_when: list[str] = Field(default_factory=list)
    no_when: list[str] = Field(default_factory=list)

    @field_validator("yes_when", "no_when")
    @classmethod
    def _patterns(cls, value: list[str]) -> list[str]:
        for pattern in value:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise SpecError(
                    f"{pattern!r} is not a valid regular expression ({exc})",
                    "fix the pattern, or write the phrase in plain words",
                ) from None
        return value


class ChoiceAnswer(_Model):
    type: Literal["choice"]
    options: list[ChoiceOption] = Field(min_length=2)

    @model_validator(mode="after")
    def _unique_ids(self) -> ChoiceAnswer:
        ids = [o.id for o in self.options]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise SpecError(
                f"option ids must be unique; repeated: {', '.join(dupes)}",
                "give every option its own id",
            )
        return self

    def option(self, option_id: str) -> ChoiceOption | None:
        return next((o for o in self.options if o.id == option_id), None)


class NumberAnswer(_Model):
    """A number in ``unit`` (``m``, ``ft``, ``s``, ``min``, ``%``, ``count``) within [min, max]."""

    type: Literal["number"]
    unit: str = "count"
    min: float | None = None
    max: float | None = None

    @model_validator(mode="after")
    def _range(self) -> NumberAnswer:
        if self.min is not None and self.max is not None and self.min > self.max:
            raise SpecError(
                f"min ({self.min:g}) is greater than max ({self.max:g})", "swap min and max"
            )
        return self


class TextAnswer(_Model):
    type: Literal["text"]


class PhoneAnswer(_Model):
    """A phone number, found inside the reply and stored as E.164 (the site's country is the
    default region)."""

    type: Literal["phone"]


class PersonNameAnswer(_Model):
    """A person's name, taken out of phrases such as "it's me, Priya"."""

    type: Literal["person_name"]


AnswerSpec = Annotated[
    YesNoAnswer | ChoiceAnswer | NumberAnswer | TextAnswer | PhoneAnswer | PersonNameAnswer,
    Field(discriminator="type"),
]


class Link(_Model):
    """One branch: ``{if: cond, then: step}``, or the closing ``{else: step}``."""

    if_: str | None = Field(None, alias="if")
    then: StepId | None = None
    else_: StepId | None = Field(None, alias="else")
    _condition: Condition | None = PrivateAttr(None)

    @model_validator(mode="after")
    def _shape(self) -> Link:
        if self.else_ is not None:
            if self.if_ is not None or self.then is not None:
                raise SpecError(
                    "an `else` link has `if` or `then` too", "write `- else: <step>` on its own"
                )
            return self
        if self.if_ is None or self.then is None:
            raise SpecError(
                "a link needs both `if` and `then`, or `else` alone",
                "write `- if: <condition>` with `then: <step>`, or `- else: <step>`",
            )
        self._condition = parse_condition(self.if_)
        return self

    @property
    def is_else(self) -> bool:
        return self.else_ is not None

    @property
    def target(self) -> str:
        return self.else_ if self.else_ is not None else (self.then or "")

    @property
    def condition(self) -> Condition | None:
        return self._condition


def _plain_next(value: Any) -> Any:
    """``next: some_step`` is the same as a single ``- else: some_step`` link."""
    return [{"else": value}] if isinstance(value, str) else value


class _Step(_Model):
    id: StepId
    skill: Skill = "basic"
    safety: str | None = None


class _Branching(_Step):
    instruction: str | None = None
    question: str = Field(min_length=1)
    next: list[Link] | None = None
    not_sure: StepId | None = None

    @field_validator("next", mode="before")
    @classmethod
    def _normalise_next(cls, value: Any) -> Any:
        return _plain_next(value)


class AskStep(_Branching):
    """An instruction to do or look at something, then a question with a typed answer.

    With ``slot`` set, the answer is also kept as ``slot.<name>`` for later conditions and queries.
    ``prefill`` maps an answer (an option id, ``yes``/``no``, or ``number`` for a number step) to
    phrases that give it in any message the user writes (the first one included): when one is
    found, the step is answered from it and skipped ("the second screen says no signal" answers
    "Which screen?"). For ``number`` the phrases are words the number must stand near ("cable").
    """

    kind: Literal["ask"]
    answer: AnswerSpec
    slot: StepId | None = None
    prefill: dict[str, list[str]] = Field(default_factory=dict)


class CollectStep(_Branching):
    """Ask for a detail (room name, error text) and keep it in ``slot``; any text is accepted."""

    kind: Literal["collect"]
    slot: StepId


class CheckKbStep(_Step):
    """Look up known issues for the site's asset and this symptom; branch on found / not found.

    ``query`` describes the symptom; ``{slot.NAME}`` in it is replaced by that slot's value.
    """

    kind: Literal["check_kb"]
    instruction: str | None = None
    query: str = Field(min_length=3)  # may hold {slot.NAME} placeholders
    product: str | None = None
    found: StepId | None = None
    not_found: StepId | None = None


class OutcomeStep(_Step):
    """The end of a flow: ``resolved``, or a ``fault`` isolated to a category and component."""

    kind: Literal["outcome"]
    outcome: Literal["resolved", "fault"]
    category: FaultCategory | None = None
    component: str | None = None
    device: DeviceCategory | None = None  # the kind of device at fault, when not the flow's own
    summary: str = Field(min_length=1)
    message: str | None = None

    @model_validator(mode="after")
    def _fault_fields(self) -> OutcomeStep:
        if self.outcome == "fault" and (self.category is None or not self.component):
            raise SpecError(
                "a fault outcome needs `category` and `component`",
                "add `category:` (hardware, network, software, configuration or unknown) and "
                "`component:` (the part at fault)",
            )
        if self.outcome == "resolved" and self.category is not None:
            raise SpecError(
                "a resolved outcome has a `category`",
                "remove `category`, or set `outcome: fault`",
            )
        return self


Step = Annotated[AskStep | CollectStep | CheckKbStep | OutcomeStep, Field(discriminator="kind")]
STEP_KINDS = ("ask", "check_kb", "collect", "outcome")


class Flow(_Model):
    """A fault-isolation flow. ``steps[0]`` is the start; outcome steps end it."""

    id: FlowId
    title: str = Field(min_length=1)
    description: str = Field(min_length=1)
    label: str | None = None
    intro: str | None = None  # said when the flow starts; "" says nothing; None: the default intro
    routed: bool = True  # False for built-in flows the service starts itself (never routed to)
    devices: list[DeviceCategory] = Field(default_factory=list)  # what it checks, main one first
    examples: list[str] = Field(default_factory=list)
    keywords: list[str] = Field(default_factory=list)
    products: list[str] = Field(default_factory=list)
    steps: list[Step] = Field(min_length=1)
    _source: str = PrivateAttr("<inline>")
    _by_id: dict[str, AskStep | CollectStep | CheckKbStep | OutcomeStep] = PrivateAttr(
        default_factory=dict
    )

    def model_post_init(self, __context: Any) -> None:
        # first definition wins; duplicates are reported by the validator
        for step in self.steps:
            self._by_id.setdefault(step.id, step)

    @property
    def source(self) -> str:
        """The file the flow was loaded from, or ``<inline>``."""
        return self._source

    def with_source(self, source: str) -> Flow:
        """Record the file the flow came from (used in error messages)."""
        self._source = source
        return self

    @property
    def start(self) -> str:
        return self.steps[0].id

    @property
    def short_label(self) -> str:
        """Words for a clarifying question ("Is it the picture or the sound?")."""
        return self.label or self.title.lower()

    def step(self, step_id: str) -> AskStep | CollectStep | CheckKbStep | OutcomeStep:
        """The step with this id; ``KeyError`` if there is none (a valid flow has them all)."""
        return self._by_id[step_id]

    def has_step(self, step_id: str) -> bool:
        return step_id in self._by_id

    def outcomes(self) -> list[OutcomeStep]:
        return [s for s in self.steps if isinstance(s, OutcomeStep)]


AnyStep = AskStep | CollectStep | CheckKbStep | OutcomeStep


def successors(step: AnyStep) -> list[str]:
    """Every step id this step can lead to, in definition order, without repeats."""
    targets: list[str] = []
    if isinstance(step, AskStep | CollectStep):
        targets = [link.target for link in step.next or []]
        if step.not_sure:
            targets.append(step.not_sure)
    elif isinstance(step, CheckKbStep):
        targets = [t for t in (step.found, step.not_found) if t]
    return list(dict.fromkeys(targets))
