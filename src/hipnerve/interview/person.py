"""What we know about the person beyond the interview's answers: asked only when it changes the
care plan, kept with the interview state. Impossible values (a height of 3 m, a weight of 0) and
contradictions (weeks of pregnancy without pregnancy) are refused with the field named."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

Medicine = Literal["ssri", "oral_steroid", "ace_or_arb", "diuretic", "other_nsaid", "paracetamol_product"]


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
