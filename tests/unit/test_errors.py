"""The error tree (src/tthc_flow/errors.py, docs/errors.md): the drawing in the docstring is
the tree, every error keeps its fields through pickling (simulation workers send errors
across processes), and no bare built-in error is raised where a user can meet it."""

from __future__ import annotations

import ast
import inspect
import pickle
import re
from pathlib import Path
from typing import Any

import pytest

from tthc_flow import errors
from tthc_flow.errors import (
    CommandRefused,
    ConcurrencyConflict,
    ConfigurationError,
    DossierNotFound,
    EventOutOfOrder,
    InputError,
    IntegrityError,
    InvalidCommand,
    NotFound,
    PermissionDenied,
    PolicyViolation,
    Problem,
    TransitionNotAllowed,
    TthcError,
    UnknownProcedure,
    WrongArgumentType,
)

SRC = Path(errors.__file__).parent

CLASSES = {
    name: value
    for name, value in vars(errors).items()
    if inspect.isclass(value)
    and issubclass(value, TthcError)
    and value.__module__ == errors.__name__
}

_BRANCH = re.compile(r"^(?P<indent>[│ ]*)[├└]── (?P<name>\w+)(?: \((?P<builtin>\w+)\))?")


def _drawn_tree() -> dict[str, tuple[str, str | None]]:
    """``name -> (parent, built-in)`` read from the drawing in errors.py's docstring."""
    assert errors.__doc__ is not None
    parents: list[str] = ["TthcError"]
    found: dict[str, tuple[str, str | None]] = {}
    for line in errors.__doc__.splitlines():
        match = _BRANCH.match(line.strip("\n")[4:])  # the drawing is indented by 4
        if match is None:
            continue
        depth = len(match["indent"]) // 4
        del parents[depth + 1 :]
        found[match["name"]] = (parents[depth], match["builtin"])
        parents.append(match["name"])
    return found


def test_the_drawing_in_the_docstring_is_the_tree() -> None:
    drawn = _drawn_tree()
    assert set(drawn) | {"TthcError"} == set(CLASSES)
    for name, (parent, builtin) in drawn.items():
        cls = CLASSES[name]
        tthc_bases = [b for b in cls.__bases__ if issubclass(b, TthcError)]
        assert [b.__name__ for b in tthc_bases] == [parent], name
        if builtin is not None:
            assert issubclass(cls, getattr(__import__("builtins"), builtin)), name


def test_the_fields_drawn_are_the_fields_kept() -> None:
    assert errors.__doc__ is not None
    for line in errors.__doc__.splitlines():
        match = re.search(r"[├└]── (\w+).*?\.\.\. (.+)$", line)
        if match is None:
            continue
        name, listed = match[1], match[2]
        fields = [f.strip().split(":")[0] for f in listed.split(",")]
        instance = (
            CLASSES[name]([Problem("f", 1, 1, "x", "m")])
            if issubclass(CLASSES[name], InputError)
            else CLASSES[name]("message")
        )
        for field in fields:
            assert hasattr(instance, field), (name, field)


ERRORS: list[TthcError] = [
    ConfigurationError(
        "DueDatePolicy.mode must be 'same_clock_time' or 'end_of_day', not 'x'",
        setting="DueDatePolicy.mode",
        value="x",
        allowed=("same_clock_time", "end_of_day"),
    ),
    WrongArgumentType("no store", argument="store", expected="a Store", got="NoneType"),
    NotFound("no variant 'v'", kind="variant", name="v", known=("a", "b")),
    UnknownProcedure("no procedure", code="2.000999", version=3, known=("1", "2")),
    DossierNotFound("no dossier 'X'", dossier_code="X"),
    EventOutOfOrder("event 3 of X", dossier_code="X", version=3, expected_version=2),
    InvalidCommand("reassign needs reason", field="data.reason"),
    TransitionNotAllowed(
        "'approve' is not allowed",
        dossier_code="X",
        trigger="approve",
        state="received",
        allowed=("handover", "withdraw"),
        guard="channel = online",
    ),
    PermissionDenied(
        "may not",
        actor="lan",
        actor_agency="SCT",
        dossier_code="X",
        trigger="handover",
        roles_allowed=("one_stop",),
        agencies=("SCT",),
        rule="Lifecycle.roles",
    ),
    PolicyViolation(
        "already rescheduled",
        dossier_code="X",
        trigger="reschedule",
        policy="ReschedulePolicy.max_times",
        article="Decree 118/2025/ND-CP art. 19.6",
    ),
    ConcurrencyConflict("at version 2", dossier_code="X", expected_version=1, stored_version=2),
    IntegrityError("dossier X event 2", dossier_code="X", version=2),
    InputError([Problem("a.yaml", 3, 5, "time_limit.days", "must be > 0")], "bad file"),
]


@pytest.mark.parametrize("error", ERRORS, ids=lambda e: type(e).__name__)
def test_an_error_keeps_its_fields_and_message_when_pickled(error: TthcError) -> None:
    """Simulation and forecast workers run in other processes: an error they raise
    arrives through pickle, and a service must still answer from its fields."""
    copy: Any = pickle.loads(pickle.dumps(error))
    assert type(copy) is type(error)
    assert str(copy) == str(error)
    if isinstance(error, InputError):
        assert copy.problems == error.problems and copy.summary == error.summary
    else:
        assert vars(copy) == vars(error)


def test_fields_are_keyword_only() -> None:
    with pytest.raises(TypeError):
        PolicyViolation("m", "X")  # type: ignore[misc]
    with pytest.raises(TypeError):
        ConcurrencyConflict("m", "X", 1, 2)  # type: ignore[misc]


def test_a_refusal_names_the_command() -> None:
    refusal = PolicyViolation("m", dossier_code="X", trigger="reschedule")
    assert isinstance(refusal, CommandRefused)
    assert (refusal.dossier_code, refusal.trigger, refusal.policy, refusal.article) == (
        "X",
        "reschedule",
        None,
        None,
    )


def test_a_not_found_reads_as_its_message() -> None:
    """KeyError's own str() would print the repr (quotes, escapes) of the message."""
    missing = NotFound("no variant 'v' in scenario 's'", kind="variant", name="v")
    assert str(missing) == "no variant 'v' in scenario 's'"
    assert isinstance(missing, KeyError) and missing.args == ("no variant 'v' in scenario 's'",)


# functions whose ValueError pydantic turns into a located ValidationError / Problem, or
# that catch their own raise: the only places a bare built-in may still be raised
_VALIDATOR_HELPERS = {"check_periods", "_parse_clock", "_phone", "_email", "decode_cursor"}
_COMMENTED = {("store/schema.py", "process_result_value")}
_BARE = {"ValueError", "KeyError", "TypeError", "LookupError", "RuntimeError"}


def _bare_raises() -> list[str]:
    found = []
    for path in sorted(SRC.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef):
                continue
            decorators = [ast.unparse(d) for d in function.decorator_list]
            if any("validator" in d for d in decorators) or function.name in _VALIDATOR_HELPERS:
                continue
            where = (path.relative_to(SRC).as_posix(), function.name)
            if where in _COMMENTED:
                continue
            for node in ast.walk(function):
                if isinstance(node, ast.Raise) and node.exc is not None:
                    raised = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
                    if isinstance(raised, ast.Name) and raised.id in _BARE:
                        found.append(f"{where[0]}:{node.lineno} {where[1]}: {raised.id}")
    return found


def test_no_bare_builtin_error_is_raised_where_a_user_meets_it() -> None:
    """Every raise a user can meet is in the tree (docs/errors.md); only pydantic
    validators keep ValueError, which pydantic reports as a located problem."""
    assert _bare_raises() == []
