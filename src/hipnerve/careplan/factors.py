"""What we know about the person that changes the plan: checked, then reduced to factor ids.

Impossible values (a height of 3 m, a weight of 0) and contradictions (pregnant and male, weeks of
pregnancy without pregnancy) are refused with a message naming the field, never guessed around.
"""

from __future__ import annotations

from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, model_validator

from hipnerve.engine.model import Sex
from hipnerve.kb.careplan_models import FactorId

Medicine = Literal["ssri", "oral_steroid", "ace_or_arb", "diuretic", "other_nsaid", "paracetamol_product"]
FACTOR_IDS: frozenset[str] = frozenset(get_args(FactorId))


class PersonFactors(BaseModel):
    """Answers to the plan questions; ``None`` means not asked or not answered."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    height_cm: float | None = Field(default=None, ge=120, le=230, description="height in centimetres")
    weight_kg: float | None = Field(default=None, ge=30, le=300, description="weight in kilograms")
    pregnant: bool | None = None
    pregnancy_weeks: int | None = Field(default=None, ge=1, le=42)
    breastfeeding: bool | None = None
    kidney_disease: bool | None = None
    liver_disease: bool | None = None
    stomach_ulcer_or_bleed: bool | None = None
    anticoagulant: bool | None = None
    antiplatelet: bool | None = None
    asthma_nsaid_sensitive: bool | None = None
    nsaid_allergy: bool | None = None
    heart_disease: bool | None = None
    heart_failure: bool | None = None
    high_blood_pressure: bool | None = None
    alcohol_over_14_units: bool | None = None
    osteoporosis: bool | None = None
    hip_replacement: bool | None = None
    medicines: tuple[Medicine, ...] = ()
    activity: Literal["low", "moderate", "high"] | None = None
    work: Literal["sitting", "standing", "lifting", "mixed", "none"] | None = None

    @model_validator(mode="after")
    def _consistent(self) -> PersonFactors:
        if self.pregnancy_weeks is not None and self.pregnant is not True:
            raise ValueError("pregnancy_weeks: given, but pregnant is not 'yes'")
        if self.heart_failure and self.heart_disease is False:
            raise ValueError("heart_disease: 'no', but heart_failure is 'yes'")
        return self

    @property
    def bmi(self) -> float | None:
        if self.height_cm is None or self.weight_kg is None:
            return None
        return self.weight_kg / (self.height_cm / 100) ** 2


def check_against_person(factors: PersonFactors, sex: Sex) -> None:
    """Contradictions with the interview's demographics; raises ValueError naming the field."""
    if sex is Sex.MALE and (factors.pregnant or factors.breastfeeding):
        raise ValueError("pregnant: recorded sex is male; please check the answer")
    bmi = factors.bmi
    if bmi is not None and not 12 <= bmi <= 90:
        raise ValueError(f"weight_kg: height and weight give a BMI of {bmi:.0f}, which is not possible; please check")


def factor_ids(factors: PersonFactors | None, age: int) -> frozenset[str]:
    """The plan's person factors: what was answered 'yes', plus those derived from numbers."""
    found: set[str] = {"age_65_plus"} if age >= 65 else set()
    if factors is None:
        return frozenset(found)
    for name in FACTOR_IDS:
        if getattr(factors, name, None) is True:
            found.add(name)
    if factors.pregnant and (factors.pregnancy_weeks is None or factors.pregnancy_weeks >= 20):
        found.add("pregnant_20_weeks_plus")  # unknown weeks: treat as the riskier case
    bmi = factors.bmi
    if bmi is not None:
        if bmi >= 25:
            found.add("bmi_25_plus")
        if bmi >= 30:
            found.add("bmi_30_plus")
    if factors.weight_kg is not None and factors.weight_kg < 50:
        found.add("weight_under_50kg")
    if factors.activity == "low":
        found.add("low_activity")
    medicine_factor = {
        "ssri": "takes_ssri",
        "oral_steroid": "takes_oral_steroid",
        "other_nsaid": "takes_other_nsaid",
        "paracetamol_product": "takes_paracetamol_product",
    }
    found |= {medicine_factor[m] for m in factors.medicines if m in medicine_factor}
    if {"ace_or_arb", "diuretic"} <= set(factors.medicines):
        found.add("takes_ace_or_arb_and_diuretic")
    return frozenset(found)


def unanswered(factors: PersonFactors | None) -> list[str]:
    """Which answers the plan would have used but did not get."""
    if factors is None:
        return ["your health and medicines"]
    missing = []
    if factors.height_cm is None or factors.weight_kg is None:
        missing.append("height and weight")
    if factors.activity is None:
        missing.append("how active you are")
    core = ("kidney_disease", "stomach_ulcer_or_bleed", "anticoagulant", "asthma_nsaid_sensitive", "liver_disease")
    if any(getattr(factors, name) is None for name in core):
        missing.append("health conditions that affect pain medicines")
    return missing
