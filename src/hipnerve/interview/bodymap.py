"""Turn marks on the body map into findings (pure).

A mark is (region, side, symptom): side is "left", "right" or "centre" (for the back and saddle);
symptom is "pain" or "numbness". Leg regions marked on both sides also make the bilateral finding
present (pain or numbness down both legs), which matters for spinal stenosis and cauda equina.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

from hipnerve.engine.model import Choice, Model
from hipnerve.exceptions import InputError
from hipnerve.interview.session import InterviewState, set_initial

Side = Literal["left", "right", "centre"]
Symptom = Literal["pain", "numbness"]


@dataclass(frozen=True)
class Mark:
    region: str
    side: Side
    symptom: Symptom


def parse_mark(text: str) -> Mark:
    """``symptom:region:side``, the value of a body-map checkbox."""
    parts = text.split(":")
    if len(parts) != 3 or parts[0] not in ("pain", "numbness") or parts[2] not in ("left", "right", "centre"):
        raise InputError(f"body map mark {text!r} is not 'pain|numbness:region:left|right|centre'")
    return Mark(region=parts[1], side=parts[2], symptom=parts[0])  # type: ignore[arg-type]


def marks_to_evidence(model: Model, marks: Iterable[Mark]) -> dict[str, Choice]:
    regions = {r.id: r for r in model.kb.bodymap.regions}
    evidence: dict[str, Choice] = {}
    sides: dict[Symptom, set[str]] = {"pain": set(), "numbness": set()}
    for mark in marks:
        region = regions.get(mark.region)
        if region is None:
            raise InputError(f"unknown body map region {mark.region!r}")
        findings = region.pain if mark.symptom == "pain" else region.numbness
        if not findings:
            raise InputError(f"region {mark.region!r} cannot be marked for {mark.symptom}")
        if region.leg and mark.side == "centre":
            raise InputError(f"region {mark.region!r} needs a side (left or right)")
        for finding in findings:
            evidence[finding] = Choice.PRESENT
        if region.leg:
            sides[mark.symptom].add(mark.side)
    bilateral = model.kb.bodymap.bilateral
    for symptom, finding in (("pain", bilateral.pain), ("numbness", bilateral.numbness)):
        if {"left", "right"} <= sides[symptom]:  # type: ignore[index]
            evidence[finding] = Choice.PRESENT
    # The map asks the person to mark every place, so an unmarked region counts as "no" for the
    # location screens. Never for a red-flag finding: those are always asked explicitly (CKS:
    # people may not mention saddle numbness unless asked).
    red_flag_groups = {g.id for g in model.kb.groups.values() if g.red_flag_screen}
    for region in model.kb.bodymap.regions:
        for finding in (*region.pain, *region.numbness):
            if finding not in evidence and model.kb.findings[finding].group not in red_flag_groups:
                evidence[finding] = Choice.ABSENT
    return evidence


def set_body_map(model: Model, state: InterviewState, marks: Iterable[str]) -> InterviewState:
    """Record the marks and make their findings the interview's initial evidence."""
    parsed = [parse_mark(m) for m in marks]
    evidence = marks_to_evidence(model, parsed)
    values = tuple(sorted({f"{m.symptom}:{m.region}:{m.side}" for m in parsed}))
    return set_initial(model, state, evidence).model_copy(update={"body_map": values})
