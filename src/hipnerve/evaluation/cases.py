"""Vignettes: one published case per JSON line, read strictly.

A malformed line is reported with its file and line number and skipped; the other cases are still
evaluated (a bad line must never hide the rest of the suite).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from hipnerve.engine.model import Model, Sex
from hipnerve.exceptions import CaseFormatError
from hipnerve.kb.models import TriageLevel


class Case(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)
    id: str = Field(min_length=1)
    age: int = Field(ge=18, le=120)
    sex: Sex
    present: tuple[str, ...] = ()
    absent: tuple[str, ...] = ()
    expected_conditions: tuple[str, ...] = ()
    expected_triage: TriageLevel | None = None
    source: str | None = None
    note: str | None = None

    @model_validator(mode="after")
    def _consistent(self) -> Case:
        both = set(self.present) & set(self.absent)
        if both:
            raise ValueError(f"findings both present and absent: {sorted(both)}")
        return self


@dataclass(frozen=True)
class CaseProblem:
    file: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.message}"


def parse_case(text: str, model: Model) -> Case:
    """One case from JSON text, with every id checked against the knowledge base."""
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise CaseFormatError(f"not valid JSON ({exc.msg} at column {exc.colno})") from None
    if not isinstance(raw, dict):
        raise CaseFormatError("a case must be a JSON object")
    try:
        case = Case.model_validate_json(text)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(p) for p in first["loc"]) or "case"
        raise CaseFormatError(f"field {field!r}: {first['msg']}") from None
    unknown = [f for f in (*case.present, *case.absent) if f not in model.kb.findings]
    if unknown:
        raise CaseFormatError(f"unknown finding id(s) {unknown}")
    bad = [c for c in case.expected_conditions if c not in model.kb.conditions]
    if bad:
        raise CaseFormatError(f"unknown condition id(s) {bad} in expected_conditions")
    return case


def load_cases(path: Path, model: Model) -> tuple[list[Case], list[CaseProblem]]:
    """Every readable case in a JSON Lines file, and a problem for each line that is not."""
    if not path.is_file():
        return [], [CaseProblem(str(path), 0, "file not found")]
    cases: list[Case] = []
    problems: list[CaseProblem] = []
    seen: set[str] = set()
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("//"):
            continue
        try:
            case = parse_case(line, model)
        except CaseFormatError as exc:
            problems.append(CaseProblem(str(path), number, str(exc)))
            continue
        missing = [
            name
            for name, value in (
                ("expected_conditions", case.expected_conditions),
                ("expected_triage", case.expected_triage),
                ("source", case.source),
            )
            if not value
        ]
        if missing:
            problems.append(CaseProblem(str(path), number, f"a vignette needs {', '.join(missing)}"))
            continue
        if case.id in seen:
            problems.append(CaseProblem(str(path), number, f"duplicate case id {case.id!r}"))
            continue
        seen.add(case.id)
        cases.append(case)
    return cases, problems
