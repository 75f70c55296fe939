"""Case-mix re-weighting and the evidence-only diagnostic (hipnerve.evaluation.metrics)."""

from __future__ import annotations

import pytest

from hipnerve.engine.model import Patient, Sex, default_model
from hipnerve.evaluation.cases import Case
from hipnerve.evaluation.metrics import case_mix, equal_priors_model, hit
from hipnerve.evaluation.simulate import CaseRun, run_case
from hipnerve.interview.session import result, start_interview

MODEL = default_model()

SCIATICA = Case(
    id="mix_sciatica",
    age=44,
    sex=Sex.MALE,
    present=("pain_buttock", "pain_below_knee", "numb_outer_leg_top_foot", "worse_cough_sneeze"),
    expected_conditions=("lumbar_radiculopathy_l5",),
)
# Expected to miss: a case that names no finding ranks the commonest causes first.
SILENT_AAA = Case(id="mix_aaa", age=70, sex=Sex.MALE, expected_conditions=("abdominal_aortic_aneurysm",))


def _runs(*cases: Case) -> list[CaseRun]:
    return [run_case(MODEL, c, ask_all=True) for c in cases]


def test_one_condition_only_gives_the_raw_figures() -> None:
    runs = _runs(SCIATICA, SCIATICA.model_copy(update={"id": "b", "age": 60}))
    mix = case_mix(runs, MODEL)
    assert mix.top3 == sum(hit(r, 3) for r in runs) / len(runs)
    assert mix.must_not_miss_share_cases == 0.0


def test_weights_follow_priors_not_case_counts() -> None:
    sciatica, aaa = _runs(SCIATICA, SILENT_AAA)
    assert hit(sciatica, 3) and not hit(aaa, 3)
    raw = case_mix([sciatica, aaa], MODEL)
    # Four copies of the missed rare case change the raw share but not the re-weighted figure:
    # each condition's cases share that condition's weight.
    crowded = case_mix([sciatica, aaa, aaa, aaa, aaa], MODEL)
    assert sum(hit(r, 3) for r in [sciatica, aaa, aaa, aaa, aaa]) / 5 == pytest.approx(0.2)
    # The demographic mix changes with the copies (the prior mass is a mean over the set's people),
    # so compare with the figure worked out by hand from the priors.
    l5 = MODEL.condition_ids.index("lumbar_radiculopathy_l5")
    aaa_index = MODEL.condition_ids.index("abdominal_aortic_aneurysm")
    people = [Patient(44, Sex.MALE)] + [Patient(70, Sex.MALE)] * 4
    w_l5 = sum(MODEL.prior(l5, p) for p in people) / 5
    w_aaa = sum(MODEL.prior(aaa_index, p) for p in people) / 5
    assert crowded.top3 == pytest.approx(w_l5 / (w_l5 + w_aaa))
    assert raw.top3 > 0.9 and crowded.top3 > 0.9  # AAA is a small share of the modelled population
    assert crowded.must_not_miss_share_cases == pytest.approx(0.8)
    assert 0.0 < crowded.must_not_miss_share_population < 0.1
    assert 0.0 < crowded.coverage < 1.0


def test_empty_set() -> None:
    assert case_mix([], MODEL).top3 == 0.0


def test_equal_priors_rank_by_answers_alone() -> None:
    flat = equal_priors_model(MODEL)
    patient = Patient(70, Sex.FEMALE)
    priors = {flat.prior(i, patient) for i in range(len(flat.condition_ids))}
    assert len(priors) == 1
    # The packaged model is untouched.
    assert len({MODEL.prior(i, patient) for i in range(len(MODEL.condition_ids))}) > 1
    # With no answers every condition has the same probability; the real priors do not.
    state = start_interview(flat, 70, "female")
    probabilities = {round(c.probability, 9) for c in result(flat, state).conditions}
    assert len(probabilities) == 1
    # A hallmark answer moves its condition to the top by its likelihood ratio alone.
    run = run_case(flat, SILENT_AAA.model_copy(update={"present": ("abdominal_pulsing_pain",)}), ask_all=True)
    assert run.result.entries[0].lead.id == "abdominal_aortic_aneurysm"
