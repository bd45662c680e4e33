"""Properties of the accounts loader: any file gives accounts or one AccountsError naming it.

Whatever an accounts file holds (random YAML-ish text, a seed file with lines cut, swapped or
garbled, or a seed file with one value replaced by any YAML value), ``load_accounts`` returns
accounts or raises ``AccountsError`` naming that file (and, when it gives one, a line of it);
never another exception, never a hang on aliases that contain themselves.
"""

from __future__ import annotations

import copy
import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.errors import AccountsError
from bot.escalation.accounts import Accounts, load_accounts
from tests.mutations import mutate_lines

SEEDS = Path(__file__).resolve().parents[2] / "knowledge" / "accounts"
DEMO = (SEEDS / "demo.yaml").read_text(encoding="utf-8")
OTHER = (SEEDS / "europe.yaml").read_text(encoding="utf-8")
SNIPPETS = [
    "customers:\n", "  - id: x\n", "sites:\n", "{", "}", "[", "]", "&a ", "*a", "!!bool ",
    "!!int ", "!!timestamp ", "2026-13-45", '"\\ud800"', "? ", "\t", ": ", "- ", "\n", "'", '"',
    "#", "<<: ", "timezone: Mars/Olympus\n", "country: ZZ\n", "access_code: DEMO-1234\n",
]  # fmt: skip
yamlish = st.one_of(
    st.text(max_size=200),
    st.lists(st.sampled_from(SNIPPETS) | st.text(max_size=8), max_size=30).map("".join),
)
yaml_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20) | st.dates(),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
    max_leaves=6,
)  # fmt: skip
FAST = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _load(text: str) -> tuple[Accounts | AccountsError, int]:
    """Load a folder of the intact europe seed and ``text`` as the later file; the result or the
    error, and the number of lines of ``text``."""
    with tempfile.TemporaryDirectory() as folder:
        Path(folder, "a-europe.yaml").write_text(OTHER, encoding="utf-8")
        Path(folder, "b-typed.yaml").write_text(text, encoding="utf-8")
        try:
            return load_accounts(folder), len(text.splitlines())
        except AccountsError as exc:
            assert exc.file.endswith("b-typed.yaml"), str(exc)
            return exc, len(text.splitlines())


def _check(text: str) -> None:
    result, lines = _load(text)
    if isinstance(result, AccountsError):
        assert str(result).startswith(result.file) and result.problem
        str(result).encode("utf-8")  # loggable: no lone surrogates
        assert result.line is None or 1 <= result.line <= lines + 1  # + 1: the end of the file
    else:
        assert {s.id for s in result.sites} >= {"eu-uk-london-hq"} or result.sites


@FAST
@given(yamlish)
def test_any_text_gives_accounts_or_an_error_naming_the_file(text: str) -> None:
    _check(text)


@st.composite
def mutated_seed(draw: st.DrawFn) -> str:
    """The demo seed with a few of its lines cut, doubled, swapped, garbled or shifted."""
    lines = mutate_lines(draw, DEMO.splitlines(keepends=True), SNIPPETS)
    return "".join(lines)


@FAST
@given(mutated_seed())
def test_a_mutated_seed_gives_accounts_or_an_error_naming_the_file(text: str) -> None:
    _check(text)


def _paths(data: Any, at: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every key path of the loaded seed, containers and leaves."""
    found = [at]
    if isinstance(data, dict):
        for key, value in data.items():
            found += _paths(value, (*at, key))
    elif isinstance(data, list):
        for index, value in enumerate(data):
            found += _paths(value, (*at, index))
    return found


SEED_DATA = yaml.safe_load(DEMO)
SEED_PATHS = _paths(SEED_DATA)[1:]


@FAST
@given(st.sampled_from(SEED_PATHS), yaml_values)
def test_any_value_anywhere_gives_accounts_or_an_error_naming_the_file(
    path: tuple[Any, ...], value: Any
) -> None:
    data = copy.deepcopy(SEED_DATA)
    parent = data
    for part in path[:-1]:
        parent = parent[part]
    parent[path[-1]] = value
    _check(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))


def test_an_anchor_that_contains_itself_is_refused_not_walked_forever() -> None:
    result, _ = _load("customers: &loop [*loop]\n")
    assert isinstance(result, AccountsError) and "customers[0]" in result.problem
