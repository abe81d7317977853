"""The shipped JSON Schema and the loader agree: what an editor accepts, the loader accepts.

Every example file validates against the schema; each bad file below is rejected by both.
(Semantic rules that a schema cannot express, such as unknown roles, are the loader's alone
and are not part of this comparison.)
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest
import yaml

from tests.procedure.procedure_samples import EXAMPLES, VALID
from tthc_flow import ProcedureDefinitionError
from tthc_flow.procedure import OnlineLevel, json_schema, parse_procedure

VALIDATOR = jsonschema.Draft202012Validator(json_schema())


def _as_json(text: str) -> Any:
    """YAML as an editor's language server sees it: dates become ISO strings."""
    return json.loads(json.dumps(yaml.safe_load(text), default=str))


def _schema_errors(text: str) -> list[str]:
    return [error.message for error in VALIDATOR.iter_errors(_as_json(text))]


def test_the_schema_is_valid_json_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(json_schema())


@pytest.mark.parametrize("path", sorted(EXAMPLES.glob("*.yaml")), ids=lambda p: p.name)
def test_every_example_validates_against_the_schema(path: Path) -> None:
    assert _schema_errors(path.read_text(encoding="utf-8")) == []


GUARD = "  transitions:\n    - {trigger: pay, source: received, roles: [one_stop], guard: %s}\n"

BAD = {
    "share as text": VALID.replace("share: 5", 'share: "5"'),
    "version as boolean": VALID.replace("version: 1", "version: true"),
    "fee amount as text": VALID.replace("result:", 'fees: [{name: Phí, amount: "100"}]\nresult:'),
    "boolean as number": VALID.replace("result:", "on_the_spot: 1\nresult:"),
    "unknown online mode": VALID.replace("online: partial", "online: level_5"),
    "upper-case online mode": VALID.replace("online: partial", "online: PARTIAL"),
    "unquoted code": VALID.replace('code: "2.000128"', "code: 2.000128"),
    "two operators": VALID + GUARD % "{fee_paid: {eq: true, ne: false}}",
    "no operator": VALID + GUARD % "{fee_paid: {}}",
    "unknown key": VALID.replace("result:", "colour: red\nresult:"),
    "empty steps": VALID.split("  steps:")[0] + "  steps: []\n",
}


@pytest.mark.parametrize("text", BAD.values(), ids=BAD.keys())
def test_bad_files_are_rejected_by_both(text: str) -> None:
    assert _schema_errors(text), "the schema accepts it"
    with pytest.raises(ProcedureDefinitionError):
        parse_procedure(text, "bad.yaml")


ALIASES = {
    "level_4": "full",
    "4": "full",
    "toan_trinh": "full",
    "3": "partial",
    "mot_phan": "partial",
}


@pytest.mark.parametrize(("alias", "level"), ALIASES.items())
def test_online_aliases_are_accepted_by_both(alias: str, level: str) -> None:
    text = VALID.replace("online: partial", f"online: {alias}")
    assert _schema_errors(text) == []
    assert parse_procedure(text).online is OnlineLevel(level)
