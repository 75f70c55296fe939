"""Strict models of the care-plan knowledge: medicines, exercises, care team, procedures,
prevention and safety-net advice. Every recommendation names a source; contraindications are
expressed as *person factors* (below), so the plan builder can check them mechanically.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, StrictFloat

from hipnerve.kb.models import Evidence, Identifier, Setting, Strict

FactorId = Literal[
    "pregnant",
    "pregnant_20_weeks_plus",
    "breastfeeding",
    "kidney_disease",
    "liver_disease",
    "stomach_ulcer_or_bleed",
    "anticoagulant",
    "antiplatelet",
    "asthma_nsaid_sensitive",
    "nsaid_allergy",
    "heart_disease",
    "heart_failure",
    "high_blood_pressure",
    "alcohol_over_14_units",
    "age_65_plus",
    "weight_under_50kg",
    "takes_ssri",
    "takes_oral_steroid",
    "takes_ace_or_arb_and_diuretic",
    "takes_other_nsaid",
    "takes_paracetamol_product",
    "bmi_25_plus",
    "bmi_30_plus",
    "low_activity",
    "osteoporosis",
    "hip_replacement",
]
"""Person factors the plan can depend on. Derived ones (age_65_plus, bmi_*, pregnant_20_weeks_plus,
weight_under_50kg) are computed from age, height, weight and pregnancy weeks."""

Role = Literal[
    "self_care",
    "pharmacist",
    "physiotherapist",
    "chiropractor",
    "gp",
    "orthopaedics",
    "spine_surgery",
    "rheumatology",
    "vascular_surgery",
    "neurology",
    "sports_medicine",
    "emergency_department",
]


class Sourced(Evidence):
    """Evidence whose setting is usually a guideline."""

    setting: Setting = Setting.GUIDELINE


class Block(Sourced):
    """A person factor that rules a medicine or exercise out, with why and whom to ask instead."""

    factor: FactorId
    reason: str = Field(min_length=10, description="patient-facing")
    ask: str = Field(min_length=3, description="whom to ask instead, e.g. 'your GP or pharmacist'")


class Caution(Sourced):
    factor: FactorId
    text: str = Field(min_length=10, description="patient-facing")


class GuidelineNote(Sourced):
    """Guideline advice on a medicine for some conditions (empty ``conditions`` = any)."""

    conditions: tuple[Identifier, ...] = ()
    text: str = Field(min_length=10)


class Medicine(Sourced):
    id: Identifier
    name: str = Field(min_length=3)
    route: Literal["oral", "topical"]
    what_it_does: str = Field(min_length=10)
    usual_dose: str = Field(min_length=10, description="usual adult over-the-counter dose")
    max_daily: str = Field(min_length=5)
    max_daily_mg: StrictFloat | None = Field(default=None, gt=0)
    duration: str = Field(min_length=10, description="how long without seeing a clinician")
    blocked_by: tuple[Block, ...] = ()
    cautions: tuple[Caution, ...] = ()
    notes: tuple[GuidelineNote, ...] = ()


class MedicinesFile(Strict):
    version: str
    date: str
    disclaimer: str = Field(min_length=40)
    medicines: tuple[Medicine, ...]
    do_not_offer: tuple[GuidelineNote, ...] = Field(
        default=(), description="treatments guidelines advise against (e.g. gabapentinoids for sciatica)"
    )


class Exercise(Sourced):
    id: Identifier
    name: str = Field(min_length=3)
    kind: Literal["stretch", "strengthening", "nerve_glide", "mobility", "aerobic", "posture"]
    level: int = Field(ge=1, le=3, description="1 gentle, 2 moderate, 3 harder")
    purpose: str = Field(min_length=10)
    steps: tuple[str, ...] = Field(min_length=2)
    dosage: str = Field(min_length=5)
    progression: str = Field(min_length=5)
    stop_if: str = Field(min_length=10)
    serves: tuple[Identifier, ...] = Field(min_length=1, description="condition ids it helps")
    avoid_with_factors: tuple[FactorId, ...] = ()
    avoid_with_conditions: tuple[Identifier, ...] = ()
    illustration: str = Field(pattern=r"^[a-z0-9_]+\.svg$")


class ExercisesFile(Strict):
    version: str
    date: str
    exercises: tuple[Exercise, ...]


class Referral(Sourced):
    role: Role
    when: str = Field(min_length=5, description="by when, patient-facing")
    why: str = Field(min_length=10)


class Procedure(Sourced):
    name: str = Field(min_length=3)
    when_considered: str = Field(min_length=10)
    what_to_expect: str = Field(min_length=10)
    evidence: Identifier | None = Field(
        default=None,
        description="source of the figures in what_to_expect when they come from a study rather than `source`",
    )


class Line(Sourced):
    """One patient-facing line (a first step or a safety-net line) with the source that says it.

    A plain string in ``first_steps`` / ``seek_care_sooner`` rests on the plan's own ``source``; a line
    that rests on another source (an NHS page, a second guideline) names it here, or is marked as an
    estimate with its reasoning."""

    text: str = Field(min_length=10)


class ConditionPlan(Strict):
    """Per-condition care: whom to see, procedures that may come up, and when to seek help sooner."""

    condition: Identifier
    first_steps: tuple[str | Line, ...] = Field(min_length=1)
    referrals: tuple[Referral, ...] = Field(min_length=1)
    procedures: tuple[Procedure, ...] = ()
    seek_care_sooner: tuple[str | Line, ...] = Field(min_length=1)
    source: Identifier

    def sourced_lines(self, field: str) -> tuple[tuple[str, str], ...]:
        """``first_steps`` or ``seek_care_sooner`` as (text, source id) pairs."""
        lines: tuple[str | Line, ...] = getattr(self, field)
        return tuple((line, self.source) if isinstance(line, str) else (line.text, line.source) for line in lines)


class PreventionItem(Sourced):
    id: Identifier
    title: str = Field(min_length=3)
    text: str = Field(min_length=10)
    applies_if: tuple[FactorId, ...] = Field(default=(), description="any of these; empty = everyone")
    work: tuple[Literal["sitting", "standing", "lifting", "mixed", "none"], ...] = ()


class ConditionPlansFile(Strict):
    version: str
    date: str
    conditions: tuple[ConditionPlan, ...]


class PreventionFile(Strict):
    version: str
    date: str
    prevention: tuple[PreventionItem, ...]


class SourcedNumber(Sourced):
    value: StrictFloat


class CarePlanSettings(Strict):
    """The plan builder's numbers, each with its source (``careplan/settings.yaml``)."""

    version: str
    date: str
    focus_probability: SourcedNumber
    max_focus_conditions: SourcedNumber
    max_exercises: SourcedNumber
    gentle_only_from_age: SourcedNumber
    weight_loss_goal_low: SourcedNumber
    weight_loss_goal_high: SourcedNumber
    healthy_bmi_low: SourcedNumber
    healthy_bmi_high: SourcedNumber
