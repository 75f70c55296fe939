"""Load and check the care-plan knowledge (``knowledge/careplan/``), like the diagnostic knowledge:
strictly, every problem located by file and id, and cross-checked against the knowledge base."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError

from hipnerve.exceptions import KnowledgeError
from hipnerve.kb.careplan_models import (
    CarePlanSettings,
    ConditionPlan,
    ConditionPlansFile,
    ExercisesFile,
    MedicinesFile,
    PreventionFile,
    Sourced,
)
from hipnerve.kb.loader import KnowledgeBase, Problem, load_knowledge
from hipnerve.kb.placeholders import strings, text_problems

FOLDER = "careplan"
Model = TypeVar("Model", bound=BaseModel)


@dataclass(frozen=True)
class CarePlanKnowledge:
    medicines: MedicinesFile
    exercises: ExercisesFile
    conditions: dict[str, ConditionPlan]
    prevention: PreventionFile
    settings: CarePlanSettings
    illustrations: dict[str, str]  # file name -> SVG text


def _load(root: Traversable, name: str, model: type[Model], problems: list[Problem]) -> Model | None:
    item = root / name
    if not item.is_file():
        problems.append(Problem(f"{FOLDER}/{name}", "", "file is missing"))
        return None
    try:
        return model.model_validate(yaml.safe_load(item.read_text(encoding="utf-8")))
    except yaml.YAMLError as exc:
        problems.append(Problem(f"{FOLDER}/{name}", "", f"not valid YAML: {exc}"))
    except ValidationError as exc:
        for error in exc.errors():
            path = ".".join(str(p) for p in error["loc"])
            problems.append(Problem(f"{FOLDER}/{name}", "", f"{path}: {error['msg']}"))
    return None


def read_careplan(path: Path | None = None) -> tuple[CarePlanKnowledge | None, list[Problem]]:
    base: Traversable = resources.files("hipnerve") / "knowledge" if path is None else path
    root = base / FOLDER
    problems: list[Problem] = []
    medicines = _load(root, "medicines.yaml", MedicinesFile, problems)
    exercises = _load(root, "exercises.yaml", ExercisesFile, problems)
    plans = _load(root, "conditions.yaml", ConditionPlansFile, problems)
    prevention = _load(root, "prevention.yaml", PreventionFile, problems)
    settings = _load(root, "settings.yaml", CarePlanSettings, problems)
    illustrations: dict[str, str] = {}
    folder = root / "illustrations"
    if folder.is_dir():
        for item in folder.iterdir():
            if item.name.endswith(".svg"):
                illustrations[item.name] = item.read_text(encoding="utf-8")
    if medicines is None or exercises is None or plans is None or prevention is None or settings is None:
        return None, problems
    conditions: dict[str, ConditionPlan] = {}
    for plan in plans.conditions:
        if plan.condition in conditions:
            problems.append(Problem(f"{FOLDER}/conditions.yaml", plan.condition, "duplicate condition plan"))
        conditions[plan.condition] = plan
    return CarePlanKnowledge(medicines, exercises, conditions, prevention, settings, illustrations), problems


def _sourced(kb: KnowledgeBase, file: str, item: str, entries: Any) -> list[Problem]:
    return [
        Problem(file, item, f"unknown source {e.source!r}")
        for e in entries
        if isinstance(e, Sourced) and e.source not in kb.sources
    ]


def _svg_problem(name: str, text: str) -> str | None:
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        return f"not valid XML: {exc}"
    if not root.tag.endswith("svg"):
        return "not an SVG document"
    for element in root.iter():
        tag = element.tag.rsplit("}", 1)[-1]
        if tag in {"script", "foreignObject"}:
            return f"SVG must not contain <{tag}>"
        for attribute, value in element.attrib.items():
            local = attribute.rsplit("}", 1)[-1]
            if local.startswith("on"):
                return f"SVG must not contain event handlers ({local})"
            if local == "href" and not value.startswith("#"):
                return "SVG must not reference external resources"
            if local == "style":
                return "SVG must not use style attributes (the pages' CSP forbids them)"
    return None


def _placeholder_problems(file: str, item: str, value: Any) -> list[Problem]:
    """Placeholders in patient-facing text: only known ones, no hard-coded emergency number.
    ``reasoning`` is for reviewers, not patients, and may quote a source."""
    return [
        Problem(file, item, f"{path}: {issue}")
        for path, text in strings(value)
        if not path.endswith("reasoning")
        for issue in text_problems(text)
    ]


def check_careplan(kb: KnowledgeBase, cp: CarePlanKnowledge) -> list[Problem]:
    problems: list[Problem] = []
    med_file, ex_file = f"{FOLDER}/medicines.yaml", f"{FOLDER}/exercises.yaml"
    for medicine in cp.medicines.medicines:
        entries = [medicine, *medicine.blocked_by, *medicine.cautions, *medicine.notes]
        problems += _sourced(kb, med_file, medicine.id, entries)
        for note in medicine.notes:
            unknown = [c for c in note.conditions if c not in kb.conditions]
            problems += [Problem(med_file, medicine.id, f"unknown condition {c!r}") for c in unknown]
    problems += _sourced(kb, med_file, "do_not_offer", cp.medicines.do_not_offer)
    seen: set[str] = set()
    for exercise in cp.exercises.exercises:
        if exercise.id in seen:
            problems.append(Problem(ex_file, exercise.id, "duplicate exercise id"))
        seen.add(exercise.id)
        problems += _sourced(kb, ex_file, exercise.id, [exercise])
        for condition in (*exercise.serves, *exercise.avoid_with_conditions):
            if condition not in kb.conditions:
                problems.append(Problem(ex_file, exercise.id, f"unknown condition {condition!r}"))
        if exercise.illustration not in cp.illustrations:
            problems.append(Problem(ex_file, exercise.id, f"illustration {exercise.illustration!r} is missing"))
    for name, text in cp.illustrations.items():
        issue = _svg_problem(name, text)
        if issue:
            problems.append(Problem(f"{FOLDER}/illustrations/{name}", "", issue))
    plan_file = f"{FOLDER}/conditions.yaml"
    for condition_id in kb.conditions:
        if condition_id not in cp.conditions:
            problems.append(Problem(plan_file, condition_id, "condition has no care plan"))
    for plan in cp.conditions.values():
        if plan.condition not in kb.conditions:
            problems.append(Problem(plan_file, plan.condition, "unknown condition"))
        if plan.source not in kb.sources:
            problems.append(Problem(plan_file, plan.condition, f"unknown source {plan.source!r}"))
        lines = [*plan.first_steps, *plan.seek_care_sooner]
        problems += [
            Problem(plan_file, plan.condition, f"unknown source {p.evidence!r}")
            for p in plan.procedures
            if p.evidence is not None and p.evidence not in kb.sources
        ]
        problems += _sourced(kb, plan_file, plan.condition, [*plan.referrals, *plan.procedures, *lines])
    problems += _sourced(kb, f"{FOLDER}/prevention.yaml", "prevention", cp.prevention.prevention)
    problems += _placeholder_problems(med_file, "disclaimer", cp.medicines.disclaimer)
    problems += _placeholder_problems(med_file, "do_not_offer", cp.medicines.do_not_offer)
    for medicine in cp.medicines.medicines:
        problems += _placeholder_problems(med_file, medicine.id, medicine)
    for exercise in cp.exercises.exercises:
        problems += _placeholder_problems(ex_file, exercise.id, exercise)
    for plan in cp.conditions.values():
        problems += _placeholder_problems(plan_file, plan.condition, plan)
    for item in cp.prevention.prevention:
        problems += _placeholder_problems(f"{FOLDER}/prevention.yaml", item.id, item)
    numbers = [getattr(cp.settings, name) for name in CarePlanSettings.model_fields if name not in {"version", "date"}]
    problems += _sourced(kb, f"{FOLDER}/settings.yaml", "settings", numbers)
    return problems


@cache
def load_careplan() -> CarePlanKnowledge:
    kb = load_knowledge()
    cp, problems = read_careplan()
    if cp is not None:
        problems.extend(check_careplan(kb, cp))
    if cp is None or problems:
        listing = "\n".join(f"  - {p}" for p in problems)
        raise KnowledgeError(f"the care-plan knowledge has {len(problems)} problem(s):\n{listing}")
    return cp
