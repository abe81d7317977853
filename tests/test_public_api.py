"""The public surface: the names ``tthc_flow`` exports, one meaning per public name, and
every library error at the top level (issue 16, "Errors and surface"; docs/errors.md).

Changing the top level is a decision: this test names it, so a name cannot appear or
vanish by accident. That ``import tthc_flow`` stays light is pinned in
tests/test_architecture.py (a subprocess test), not repeated here.
"""

from __future__ import annotations

import importlib
import inspect
from types import ModuleType

import pytest

import tthc_flow
from tthc_flow import errors

TOP_LEVEL = {
    # the engine and what it needs to run
    "Actor",
    "Catalog",
    "Dossier",
    "Engine",
    "Event",
    "FixedClock",
    "MemoryStore",
    "Policies",
    "ProcedureDefinition",
    "SqlStore",
    "Timeliness",
    "VN_TZ",
    "WorkCalendar",
    "__version__",
    "load_catalog",
    "load_procedure",
    # every error, and the located problem of an input error
    "AuditFileError",
    "NotificationTemplateError",
    "CalendarError",
    "CalendarOverrideError",
    "ChainKeyError",
    "CommandRefused",
    "ConcurrencyConflict",
    "ConfigurationError",
    "DossierNotFound",
    "EventOutOfOrder",
    "InputError",
    "IntegrityError",
    "InvalidCommand",
    "NaiveDatetimeError",
    "NotFound",
    "PermissionDenied",
    "PolicyViolation",
    "Problem",
    "ProcedureDefinitionError",
    "ScenarioDefinitionError",
    "SchemaVersionError",
    "StoreError",
    "TransitionNotAllowed",
    "TthcError",
    "UnknownProcedure",
    "WrongArgumentType",
}

SUBPACKAGES = (
    "tthc_flow.engine",
    "tthc_flow.store",
    "tthc_flow.calendar",
    "tthc_flow.procedure",
    "tthc_flow.reports",
    "tthc_flow.simulation",
    "tthc_flow.forecast",
    "tthc_flow.portal",
    "tthc_flow.audit",
    "tthc_flow.testing",
)


def _modules() -> list[ModuleType]:
    return [tthc_flow, *(importlib.import_module(name) for name in SUBPACKAGES)]


def test_the_top_level_exports_exactly_the_curated_names() -> None:
    assert set(tthc_flow.__all__) == TOP_LEVEL
    assert len(tthc_flow.__all__) == len(TOP_LEVEL)  # no name listed twice


@pytest.mark.parametrize("module", ["tthc_flow", *SUBPACKAGES])
def test_every_exported_name_exists(module: str) -> None:
    package = importlib.import_module(module)
    missing = [name for name in package.__all__ if not hasattr(package, name)]
    assert missing == []


def test_every_error_of_the_tree_is_exported_at_the_top_level() -> None:
    defined = {
        name
        for name, value in vars(errors).items()
        if inspect.isclass(value)
        and issubclass(value, errors.TthcError)
        and value.__module__ == errors.__name__
    }
    assert "TthcError" in defined and "ConfigurationError" in defined  # the scan found them
    assert defined <= set(tthc_flow.__all__)
    for name in defined:
        assert getattr(tthc_flow, name) is getattr(errors, name)


def test_no_public_name_means_two_things() -> None:
    """The same name exported by two packages is the same object (two ``Period`` or two
    ``Comparison`` classes were the trap; reports' ``Applicant`` became ``FormApplicant``)."""
    owners: dict[str, dict[str, object]] = {}
    for package in _modules():
        for name in package.__all__:
            owners.setdefault(name, {})[package.__name__] = getattr(package, name)
    clashes = {
        name: sorted(found)
        for name, found in owners.items()
        if len({id(value) for value in found.values()}) > 1
    }
    assert clashes == {}


def test_each_error_branch_is_also_the_builtin_it_resembles() -> None:
    """Code written against ``except ValueError`` / ``except KeyError`` / ``except
    TypeError`` keeps catching what it caught before the tree."""
    assert issubclass(errors.ConfigurationError, ValueError)
    assert issubclass(errors.InvalidCommand, ValueError)
    assert issubclass(errors.EventOutOfOrder, ValueError)
    assert issubclass(errors.InputError, ValueError)
    assert issubclass(errors.NotFound, KeyError)
    assert issubclass(errors.UnknownProcedure, errors.NotFound)
    assert issubclass(errors.DossierNotFound, errors.NotFound)
    assert issubclass(errors.WrongArgumentType, TypeError)
    for refusal in (errors.TransitionNotAllowed, errors.PermissionDenied, errors.PolicyViolation):
        assert issubclass(refusal, errors.CommandRefused)
    for stored in (errors.ConcurrencyConflict, errors.IntegrityError, errors.SchemaVersionError):
        assert issubclass(stored, errors.StoreError)
