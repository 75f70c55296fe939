"""Build a person's care plan from their result and their own factors (pure, no I/O).

Safety first: a medicine or exercise whose contraindication matches one of the person's factors is
never recommended (it is listed as blocked, with the reason and whom to ask instead), and no
exercise programme is offered while the triage level says to be seen urgently. Every item keeps the
source id it rests on, so the pages, the PDF and the FHIR CarePlan can cite it.

Knowledge text says ``{emergency_number}`` rather than a country's number; the finished plan has it
filled in from the deployment's setting (the UK's 999 when none is given), so every place that shows
a plan (web page, CLI, PDF, JSON, FHIR) shows the same number.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from hipnerve.careplan.factors import factor_ids, unanswered
from hipnerve.engine.model import Model
from hipnerve.interview.person import PersonFactors
from hipnerve.interview.session import InterviewResult
from hipnerve.kb.careplan_loader import CarePlanKnowledge
from hipnerve.kb.careplan_models import (
    Block,
    Caution,
    Exercise,
    GuidelineNote,
    Medicine,
    PreventionItem,
    Procedure,
    Referral,
)
from hipnerve.kb.models import TriageLevel
from hipnerve.kb.placeholders import DEFAULT_EMERGENCY_NUMBER, fill

WEEKS = 6  # the six-week programme; levels rise every two weeks

Status = Literal["suitable", "caution", "blocked", "deferred"]


@dataclass(frozen=True)
class MedicineAdvice:
    medicine: Medicine
    status: Status
    blocks: tuple[Block, ...]
    cautions: tuple[Caution, ...]
    notes: tuple[GuidelineNote, ...]


@dataclass(frozen=True)
class Week:
    number: int
    exercises: tuple[str, ...]


@dataclass(frozen=True)
class Excluded:
    exercise: Exercise
    reason: str


@dataclass(frozen=True)
class CarePlan:
    level: TriageLevel
    focus: tuple[str, ...]
    first_steps: tuple[tuple[str, str], ...]  # (text, source id)
    medicine_disclaimer: str
    medicines: tuple[MedicineAdvice, ...]
    do_not_offer: tuple[GuidelineNote, ...]
    exercises: tuple[Exercise, ...]
    schedule: tuple[Week, ...]
    excluded_exercises: tuple[Excluded, ...]
    exercise_note: str | None
    referrals: tuple[tuple[str, Referral], ...]  # (condition id, referral)
    procedures: tuple[tuple[str, Procedure], ...]
    prevention: tuple[PreventionItem, ...]
    seek_care_sooner: tuple[tuple[str, str], ...]  # (text, source id)
    bmi: float | None
    weight_goal: str | None
    factors: frozenset[str]
    not_personalised: tuple[str, ...]


def focus_conditions(cp: CarePlanKnowledge, outcome: InterviewResult) -> tuple[str, ...]:
    settings = cp.settings
    cut, most = settings.focus_probability.value, int(settings.max_focus_conditions.value)
    likely = [c.id for c in outcome.conditions if c.probability >= cut][:most]
    return tuple(likely) if likely else tuple(c.id for c in outcome.conditions[:1])


def _medicine_advice(
    cp: CarePlanKnowledge, factors: frozenset[str], focus: tuple[str, ...], urgent: bool
) -> tuple[MedicineAdvice, ...]:
    advice = []
    for medicine in cp.medicines.medicines:
        notes = tuple(n for n in medicine.notes if not n.conditions or set(n.conditions) & set(focus))
        blocks = tuple(b for b in medicine.blocked_by if b.factor in factors)
        cautions = tuple(c for c in medicine.cautions if c.factor in factors)
        status: Status
        if urgent:
            status = "deferred"
        elif blocks:
            status = "blocked"
        elif cautions:
            status = "caution"
        else:
            status = "suitable"
        advice.append(MedicineAdvice(medicine, status, blocks, cautions, notes))
    return tuple(advice)


def _exercises(
    cp: CarePlanKnowledge,
    factors: frozenset[str],
    focus: tuple[str, ...],
    to_avoid: frozenset[str],
    age: int,
) -> tuple[tuple[Exercise, ...], tuple[Week, ...], tuple[Excluded, ...]]:
    excluded: list[Excluded] = []
    candidates: list[Exercise] = []
    for exercise in cp.exercises.exercises:
        if not set(exercise.serves) & set(focus):
            continue
        factor_hits = sorted(set(exercise.avoid_with_factors) & factors)
        condition_hits = sorted(set(exercise.avoid_with_conditions) & to_avoid)
        if factor_hits or condition_hits:
            reason = ", ".join(factor_hits + condition_hits)
            excluded.append(Excluded(exercise, f"not suitable with: {reason}"))
            continue
        candidates.append(exercise)
    cap = 2 if ("low_activity" in factors or age >= cp.settings.gentle_only_from_age.value) else 3
    most = int(cp.settings.max_exercises.value)
    usable = [e for e in candidates if e.level <= cap]
    usable.sort(key=lambda e: (-len(set(e.serves) & set(focus)), e.level, e.id))
    picked: list[Exercise] = []
    kinds: set[str] = set()
    for exercise in usable:  # first one of each kind, then fill
        if exercise.kind not in kinds:
            picked.append(exercise)
            kinds.add(exercise.kind)
    for exercise in usable:
        if len(picked) >= most:
            break
        if exercise not in picked:
            picked.append(exercise)
    picked = picked[:most]
    levels = {1: 1, 2: 1, 3: 2, 4: 2, 5: cap, 6: cap}
    schedule = tuple(Week(week, tuple(e.id for e in picked if e.level <= levels[week])) for week in range(1, WEEKS + 1))
    return tuple(picked), schedule, tuple(excluded)


def _prevention(
    cp: CarePlanKnowledge, factors: frozenset[str], person: PersonFactors | None
) -> tuple[PreventionItem, ...]:
    """Items for everyone, plus those matching one of the person's factors or their kind of work."""
    work = person.work if person is not None else None
    return tuple(
        item
        for item in cp.prevention.prevention
        if (not item.applies_if and not item.work)
        or bool(set(item.applies_if) & factors)
        or (work is not None and work in item.work)
    )


def _weight_goal(cp: CarePlanKnowledge, person: PersonFactors | None, bmi: float | None) -> str | None:
    s = cp.settings
    if person is None or person.weight_kg is None or bmi is None or bmi <= s.healthy_bmi_high.value:
        return None
    low_share, high_share = s.weight_loss_goal_low.value, s.weight_loss_goal_high.value
    low, high = person.weight_kg * low_share, person.weight_kg * high_share
    return (
        f"Your BMI is {bmi:.1f} (a healthy range is {s.healthy_bmi_low.value:g} to {s.healthy_bmi_high.value:g}). "
        f"Losing {low_share * 100:g} to {high_share:.0%} of your weight - about {low:.0f} to {high:.0f} kg - eases the "
        "load on your hips and back; any loss helps."
    )


def build_plan(
    model: Model,
    cp: CarePlanKnowledge,
    outcome: InterviewResult,
    age: int,
    person: PersonFactors | None = None,
    emergency_number: str = DEFAULT_EMERGENCY_NUMBER,
) -> CarePlan:
    if not emergency_number.strip():
        raise ValueError("emergency_number: the emergency telephone number must not be empty")
    level = outcome.triage.level
    urgent = level.rank >= TriageLevel.CONSULTATION_24.rank
    emergency = level.rank >= TriageLevel.EMERGENCY.rank
    factors = factor_ids(person, age)
    focus = focus_conditions(cp, outcome)
    threshold = model.kb.triage.condition_threshold.must_not_miss_probability
    serious = frozenset(
        c.id for c in outcome.conditions if model.kb.conditions[c.id].must_not_miss and c.probability >= threshold
    )
    plans = [cp.conditions[c] for c in focus if c in cp.conditions]
    # The warning-sign rules that set the level say first what to do and by when; the condition
    # plans' own first steps follow (a sudden pull with bruising: see someone within days, then rest).
    raised_by = tuple(
        (r.text, r.source.id) for r in outcome.triage.reasons if r.rule_id is not None and r.level is level
    )
    first_steps = tuple(
        dict.fromkeys(raised_by + tuple(line for plan in plans for line in plan.sourced_lines("first_steps")))
    )
    exercises: tuple[Exercise, ...] = ()
    schedule: tuple[Week, ...] = ()
    excluded: tuple[Excluded, ...] = ()
    note: str | None
    if urgent:
        note = "No exercise programme until you have been seen: get the urgent care described above first."
    else:
        exercises, schedule, excluded = _exercises(cp, factors, focus, frozenset(focus) | serious, age)
        note = None if exercises else "No exercise in our library suits your answers; ask a physiotherapist."
    referrals = tuple((plan.condition, r) for plan in plans for r in plan.referrals)
    procedures = () if emergency else tuple((plan.condition, p) for plan in plans for p in plan.procedures)
    seek = tuple(dict.fromkeys(line for plan in plans for line in plan.sourced_lines("seek_care_sooner")))
    bmi = person.bmi if person is not None else None
    missing = unanswered(person)
    plan = CarePlan(
        level=level,
        focus=focus,
        first_steps=first_steps,
        medicine_disclaimer=cp.medicines.disclaimer,
        medicines=_medicine_advice(cp, factors, focus, emergency),
        do_not_offer=tuple(n for n in cp.medicines.do_not_offer if not n.conditions or set(n.conditions) & set(focus)),
        exercises=exercises,
        schedule=schedule,
        excluded_exercises=excluded,
        exercise_note=note,
        referrals=referrals,
        procedures=procedures,
        prevention=_prevention(cp, factors, person),
        seek_care_sooner=seek,
        bmi=bmi,
        weight_goal=_weight_goal(cp, person, bmi),
        factors=factors,
        not_personalised=tuple(f"We could not use {m}." for m in missing),
    )
    return fill(plan, {"emergency_number": emergency_number.strip()})
