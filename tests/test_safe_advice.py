"""The triage figures of ``summarise``, safe advice (Gilbert 2020's measure) among them."""

from __future__ import annotations

from dataclasses import replace

from hipnerve.engine.model import Sex, default_model
from hipnerve.evaluation.cases import Case
from hipnerve.evaluation.metrics import summarise
from hipnerve.evaluation.simulate import CaseRun, run_case
from hipnerve.kb.models import TriageLevel

MODEL = default_model()
LEVELS = list(TriageLevel)

SCIATICA = Case(
    id="safe_sciatica",
    age=44,
    sex=Sex.MALE,
    present=("pain_buttock", "pain_below_knee", "numb_outer_leg_top_foot", "worse_cough_sneeze"),
    expected_conditions=("lumbar_radiculopathy_l5",),
)


def _expecting(run: CaseRun, level: TriageLevel) -> CaseRun:
    return replace(run, case=run.case.model_copy(update={"expected_triage": level}))


def test_safe_advice_allows_one_level_below_and_anything_above() -> None:
    run = run_case(MODEL, SCIATICA)
    got = run.result.triage.level
    assert 1 <= got.rank <= 2, got  # room for a level above and two below expected
    runs = [
        _expecting(run, got),  # exact: safe
        _expecting(run, LEVELS[got.rank - 1]),  # advice one level above expected: safe
        _expecting(run, LEVELS[got.rank + 1]),  # one level below expected: safe by Gilbert 2020
        _expecting(run, LEVELS[got.rank + 2]),  # two levels below: unsafe
    ]
    summary = summarise(runs)
    assert summary.safe_advice == 0.75
    assert summary.triage_exact == 0.25
    assert summary.under_triage == 0.5
    assert summary.over_triage == 0.25
    # An emergency advised one level lower is "safe" by Gilbert's measure but still counted here.
    assert summary.under_triage_emergency == (got.rank + 1 >= TriageLevel.EMERGENCY.rank) + 1
