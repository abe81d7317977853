"""Reading procedure YAML files: parse with locations, validate, check, report every problem.

Three passes per file, each reporting all it finds: YAML syntax (with duplicate keys),
pydantic validation, then :func:`check_definition`. Semantic checks need valid data: when
validation fails, the step-id, role, agency and time-share checks still run on the sections
that are valid on their own (:mod:`._salvage`), so one pass reports a bad ``level`` and an
unknown role together. A broken YAML document gets no further passes.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from pydantic import ValidationError

from tthc_flow._located import LocatedDocument, validation_problems
from tthc_flow.errors import Problem, ProcedureDefinitionError
from tthc_flow.procedure._catalog import Catalog
from tthc_flow.procedure._checks import check_definition
from tthc_flow.procedure._model import ProcedureDefinition
from tthc_flow.procedure._salvage import salvage_findings

YAML_SUFFIXES = (".yaml", ".yml")


def _definition_from(doc: LocatedDocument) -> tuple[ProcedureDefinition | None, list[Problem]]:
    if doc.data is None:
        return None, [
            doc.problem(
                (),
                "the file is empty",
                "a procedure file is one YAML mapping with code, name, workflow, ...",
            )
        ]
    if not isinstance(doc.data, dict):
        kind = "a list" if isinstance(doc.data, list) else f"a single value ({doc.data!r:.40})"
        return None, [
            doc.problem(
                (),
                f"a procedure file must be a mapping of keys, not {kind}",
                "one procedure per file: `code: ...`, `name: ...`, `workflow: ...` at top level",
            )
        ]
    try:
        definition = ProcedureDefinition.model_validate(doc.data)
    except ValidationError as exc:
        problems = [_with_code_hint(problem, doc.data) for problem in validation_problems(exc, doc)]
        reported = {problem.field for problem in problems}
        for path, message, hint in salvage_findings(doc.data):
            problem = doc.problem(path, message, hint)
            if problem.field not in reported:
                problems.append(problem)
        return None, problems
    problems = [
        doc.problem(path, message, hint) for path, message, hint in check_definition(definition)
    ]
    return (None, problems) if problems else (definition, [])


def _with_code_hint(problem: Problem, data: dict[str, object]) -> Problem:
    """An unquoted ``code: 2.000130`` is the YAML number 2.00013: say to quote it."""
    code = data.get("code")
    if problem.field != "code" or not isinstance(code, int | float) or isinstance(code, bool):
        return problem
    return replace(
        problem,
        message=f"the code must be text, but YAML read the number {code!r}",
        hint='quote it, e.g. code: "2.000130" (unquoted, YAML drops the trailing zeros)',
    )


def _load_file(
    path: Path, text: str | None = None
) -> tuple[ProcedureDefinition | None, list[Problem]]:
    from tthc_flow._yaml import load_located  # PyYAML loads on first use, not on import

    doc, problems = load_located(path, text)
    if problems:
        return None, problems
    return _definition_from(doc)


def parse_procedure(text: str, source: str = "<string>") -> ProcedureDefinition:
    """Load one procedure from YAML ``text``; ``source`` names it in error messages.

    Raises :class:`~tthc_flow.errors.ProcedureDefinitionError` listing every problem.
    """
    definition, problems = _load_file(Path(source), text)
    if definition is None:
        raise ProcedureDefinitionError(problems, f"{len(problems)} problem(s) in {source}")
    return definition


def load_procedure(path: str | Path) -> ProcedureDefinition:
    """Load and check one procedure YAML file (one mapping per file).

    Raises :class:`~tthc_flow.errors.ProcedureDefinitionError` listing every problem of the
    file, each as ``file:line:column: field: message (hint: ...)``.
    """
    definition, problems = _load_file(Path(path))
    if definition is None:
        raise ProcedureDefinitionError(problems, f"{len(problems)} problem(s) in {path}")
    return definition


def procedure_files(path: str | Path) -> list[Path]:
    """The YAML files a catalog at ``path`` consists of, sorted: ``path`` itself if it is a
    file, else every ``*.yaml`` / ``*.yml`` below it (hidden files and folders skipped)."""
    root = Path(path)
    if root.is_file():
        return [root]
    return sorted(
        file
        for file in root.rglob("*")
        if file.suffix in YAML_SUFFIXES
        and file.is_file()
        and not any(part.startswith(".") for part in file.relative_to(root).parts)
    )


def load_catalog(path: str | Path) -> Catalog:
    """Load every procedure under ``path`` (a folder, searched recursively, or one file).

    All files are read before anything is raised, so one
    :class:`~tthc_flow.errors.ProcedureDefinitionError` lists the problems of every file,
    including a ``(code, version)`` defined by two files. A missing path or a folder without
    YAML files is an error too (most likely a wrong path, not an intentionally empty catalog).
    """
    root = Path(path)
    if not root.exists():
        raise ProcedureDefinitionError(
            Problem(str(root), None, None, "", "no such file or folder"),
            f"cannot load catalog {root}",
        )
    files = procedure_files(root)
    if not files:
        raise ProcedureDefinitionError(
            Problem(str(root), None, None, "", "no *.yaml or *.yml file found"),
            f"cannot load catalog {root}",
        )
    problems: list[Problem] = []
    definitions: list[ProcedureDefinition] = []
    first_file: dict[tuple[str, int], Path] = {}
    for file in files:
        definition, found = _load_file(file)
        problems += found
        if definition is None:
            continue
        if definition.key in first_file:
            code, version = definition.key
            from tthc_flow._yaml import load_located  # PyYAML loads on first use, not on import

            doc, _ = load_located(file)
            problems.append(
                doc.problem(
                    ("code",),
                    f"procedure {code} version {version} is also defined in {first_file[definition.key]}",
                    "give one of them another `version`, or remove the copy",
                )
            )
            continue
        first_file[definition.key] = file
        definitions.append(definition)
    if problems:
        raise ProcedureDefinitionError(
            problems, f"{len(problems)} problem(s) in catalog {root} ({len(files)} file(s))"
        )
    return Catalog(definitions, sources={key: str(file) for key, file in first_file.items()})
