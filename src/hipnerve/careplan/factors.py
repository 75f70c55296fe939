"""The person's answers reduced to the care plan's factor ids (``PersonFactors`` lives with the
interview, which stores it).

Impossible values (a height of 3 m, a weight of 0) and contradictions (pregnant and male, weeks of
pregnancy without pregnancy) are refused with a message naming the field, never guessed around.
"""

from __future__ import annotations

from typing import get_args

from hipnerve.engine.model import Sex
from hipnerve.interview.person import PersonFactors
from hipnerve.kb.careplan_models import FactorId

FACTOR_IDS: frozenset[str] = frozenset(get_args(FactorId))


def check_against_person(factors: PersonFactors, sex: Sex) -> None:
    """Contradictions with the interview's demographics; raises ValueError naming the field."""
    if sex is Sex.MALE and (factors.pregnant or factors.breastfeeding):
        raise ValueError("pregnant: recorded sex is male; please check the answer")
    bmi = factors.bmi
    if bmi is not None and not 12 <= bmi <= 90:
        raise ValueError(f"weight_kg: height and weight give a BMI of {bmi:.0f}, which is not possible; please check")


def factor_ids(factors: PersonFactors | None, age: int) -> frozenset[str]:
    """The plan's person factors: what was answered 'yes', plus those derived from numbers.

    Each derived factor's threshold is part of its name, and the knowledge entries that use it cite
    the source of that threshold: age_65_plus (NHS ibuprofen cautions), pregnant_20_weeks_plus (FDA
    2020 NSAID communication), weight_under_50kg (NHS paracetamol), bmi_25_plus / bmi_30_plus (WHO
    BMI classes, ``who_healthy_lifestyle_bmi``).
    """
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
