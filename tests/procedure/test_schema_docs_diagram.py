"""Generated artefacts stay current; diagrams show every step and trigger."""

from __future__ import annotations

import builtins
import importlib.util
import json
from pathlib import Path
from typing import Any

import pytest

from tests.procedure.procedure_samples import EXAMPLES
from tthc_flow import TthcError
from tthc_flow.procedure import (
    EVERY_STATE_TRIGGERS,
    SCHEMA_PATH,
    build_lifecycle,
    json_schema,
    json_schema_text,
    load_catalog,
    load_procedure,
    render_diagram,
    to_dot,
    to_mermaid,
    yaml_reference_markdown,
)

ROOT = Path(__file__).resolve().parents[2]


def test_shipped_schema_is_current() -> None:
    assert SCHEMA_PATH.read_text(encoding="utf-8") == json_schema_text(), (
        "regenerate with: python -m tthc_flow.procedure"
    )


def test_schema_uses_yaml_keys() -> None:
    schema = json_schema()
    assert schema["$schema"].endswith("2020-12/schema")
    assert {"code", "workflow", "time_limit"} <= set(schema["properties"])
    assert "in" in schema["$defs"]["GuardComparison"]["properties"]  # the alias, not in_
    assert schema["$defs"]["Step"]["additionalProperties"] is False


def test_examples_point_at_the_shipped_schema() -> None:
    for path in EXAMPLES.glob("*.yaml"):
        first = path.read_text(encoding="utf-8").splitlines()[0]
        target = first.split("$schema=", 1)[1]
        assert (path.parent / target).resolve() == SCHEMA_PATH.resolve(), path.name


def test_yaml_reference_is_current() -> None:
    committed = (ROOT / "docs" / "yaml-reference.md").read_text(encoding="utf-8")
    assert committed == yaml_reference_markdown(), "regenerate with: python -m tthc_flow.procedure"


def test_yaml_reference_documents_every_key() -> None:
    text = yaml_reference_markdown()
    schema = json.loads(json_schema_text())
    for definition in [schema, *schema["$defs"].values()]:
        for key in definition.get("properties", {}):
            assert f"| `{key}` |" in text, key


def test_mermaid_names_every_state_step_and_trigger() -> None:
    for definition in load_catalog(EXAMPLES).latest():
        text = to_mermaid(definition)
        assert text.startswith("---\ntitle:") and "stateDiagram-v2" in text
        lifecycle = build_lifecycle(definition)
        for state in lifecycle.states:
            assert f"    {state.name} : " in text
        for step in definition.workflow.steps:
            assert f"    {step.id} : {step.name}" in text
        for transition in lifecycle.transitions:
            if transition.trigger in EVERY_STATE_TRIGGERS:  # once, in the note
                assert f"        {transition.trigger} [" in text, transition.trigger
                assert text.count(f"{transition.trigger} [") == 1
            else:
                assert f" : {transition.trigger} [" in text, transition.trigger


def test_mermaid_shows_roles_guards_and_agencies() -> None:
    text = to_mermaid(load_procedure(EXAMPLES / "xd-cua-hang-ban-le.yaml"))
    assert (
        "received --> received : confirm_fee_paid [one_stop, system] if channel = online, fee_paid = True"
        in text
    )
    fdi = to_mermaid(load_procedure(EXAMPLES / "tm-giay-phep-kinh-doanh-fdi.yaml"))
    assert "ministry_approval --> appraise : ask_clarification [ministry_officer]" in fdi
    assert "returned --> [*]" in fdi


def test_dot_has_every_transition() -> None:
    definition = load_procedure(EXAMPLES / "khi-tram-nap-lpg.yaml")
    edges = [
        t for t in build_lifecycle(definition).transitions if t.trigger not in EVERY_STATE_TRIGGERS
    ]
    text = to_dot(definition)
    assert text.count(" -> ") == len(edges)
    assert all(f"{trigger} [" in text for trigger in EVERY_STATE_TRIGGERS)  # in the note


def test_render_without_graphviz_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    real_import = builtins.__import__

    def no_graphviz(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "graphviz":
            raise ImportError("no graphviz")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_graphviz)
    monkeypatch.delitem(__import__("sys").modules, "graphviz", raising=False)
    definition = load_procedure(EXAMPLES / "khi-tram-nap-lpg.yaml")
    with pytest.raises(TthcError, match="pip install graphviz"):
        render_diagram(definition, tmp_path / "d.svg")
    with pytest.raises(TthcError, match="unsupported diagram format"):
        render_diagram(definition, tmp_path / "d.pdf", format="pdf")  # type: ignore[arg-type]


@pytest.mark.skipif(importlib.util.find_spec("graphviz") is None, reason="graphviz not installed")
def test_render_svg(tmp_path: Path) -> None:  # pragma: no cover - optional dependency
    definition = load_procedure(EXAMPLES / "khi-tram-nap-lpg.yaml")
    try:
        path = render_diagram(definition, tmp_path / "d.svg")
    except TthcError as exc:
        pytest.skip(str(exc))
    assert "<svg" in path.read_text(encoding="utf-8")


def test_annotated_example_in_procedures_doc_loads() -> None:
    from tthc_flow.procedure import check_definition, parse_procedure

    text = (ROOT / "docs" / "procedures.md").read_text(encoding="utf-8")
    block = text.split("## A complete example, annotated")[1].split("```yaml\n")[1].split("```")[0]
    definition = parse_procedure(block, source="docs/procedures.md")
    assert definition.code == "2.000648" and check_definition(definition) == []
