"""Person factors: impossible or contradictory input is refused with the field named."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from hipnerve.careplan.factors import check_against_person, factor_ids, unanswered
from hipnerve.engine.model import Sex
from hipnerve.interview.person import PersonFactors


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"height_cm": 300.0}, "height_cm"),
        ({"weight_kg": 0.0}, "weight_kg"),
        ({"pregnancy_weeks": 50, "pregnant": True}, "pregnancy_weeks"),
        ({"pregnancy_weeks": 12}, "pregnancy_weeks"),
        ({"heart_failure": True, "heart_disease": False}, "heart_disease"),
        ({"kidney_disease": "yes"}, "kidney_disease"),
        ({"medicines": ["cannabis"]}, "medicines"),
        ({"surprise": True}, "surprise"),
    ],
)
def test_impossible_or_contradictory_input_names_the_field(fields: dict[str, object], field: str) -> None:
    with pytest.raises(ValidationError, match=field):
        PersonFactors.model_validate(fields)


def test_contradictions_with_the_interview() -> None:
    with pytest.raises(ValueError, match="pregnant"):
        check_against_person(PersonFactors(pregnant=True), Sex.MALE)
    with pytest.raises(ValueError, match="BMI"):
        check_against_person(PersonFactors(height_cm=120.0, weight_kg=300.0), Sex.FEMALE)


def test_derived_factors() -> None:
    person = PersonFactors(height_cm=165.0, weight_kg=90.0, pregnant=True, medicines=("ace_or_arb", "diuretic"))
    found = factor_ids(person, 70)
    assert {"age_65_plus", "bmi_25_plus", "bmi_30_plus", "pregnant", "pregnant_20_weeks_plus"} <= found
    assert "takes_ace_or_arb_and_diuretic" in found
    assert "pregnant_20_weeks_plus" not in factor_ids(PersonFactors(pregnant=True, pregnancy_weeks=12), 30)
    assert factor_ids(None, 40) == frozenset()


def test_what_could_not_be_personalised_is_listed() -> None:
    assert unanswered(None) == ["your health and medicines"]
    missing = unanswered(PersonFactors(height_cm=170.0))
    assert "height and weight" in missing and "how active you are" in missing
