"""The rule-out list: must-not-miss causes named by a fired warning sign, whatever their rank.

Fever with low back pain must put a spinal infection in front of the clinician even while a disc is
the likelier cause (NG59: exclude serious causes first); with no warning sign the list is empty.
"""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from hipnerve.engine.inference import score
from hipnerve.engine.model import Choice, Model, Patient, Sex, default_model
from hipnerve.interview.session import InterviewState, answer, assess, result, start_interview
from hipnerve.kb.models import TriageLevel
from hipnerve.triage.rules import triage

MODEL = default_model()
FINDINGS = sorted(MODEL.kb.findings)


def _finish(model: Model, state: InterviewState, present: set[str]) -> InterviewState:
    """Answer every screen: the listed findings yes, everything else no."""
    while (step := assess(model, state, explain=False)).question is not None:
        answers = {i.finding: Choice.PRESENT if i.finding in present else Choice.ABSENT for i in step.question.items}
        state = answer(model, state, step.question.id, answers)
    return state


def test_fever_with_back_pain_names_spinal_infection_to_rule_out(model: Model) -> None:
    present = {"pain_low_back", "fever", "heavy_lifting", "onset_sudden"}
    state = _finish(model, start_interview(model, 45, "male", dict.fromkeys(present, "present")), present)
    outcome = result(model, state)
    assert outcome.triage.level.rank >= TriageLevel.EMERGENCY.rank
    assert "spinal_infection" in [c.id for c in outcome.rule_out]
    assert "spinal_infection" in outcome.triage.suspected
    # It is there because of the warning sign, not because it ranks high.
    assert all(c.id in model.must_not_miss for c in outcome.rule_out)


def test_no_warning_sign_means_nothing_to_rule_out(model: Model) -> None:
    present = {"pain_low_back", "pain_buttock", "pain_below_knee", "numb_outer_leg_top_foot", "worse_sitting"}
    state = _finish(model, start_interview(model, 38, "female", dict.fromkeys(present, "present")), present)
    outcome = result(model, state)
    assert outcome.triage.level.rank < TriageLevel.CONSULTATION_24.rank
    assert outcome.rule_out == ()


@settings(max_examples=150, deadline=None)
@given(
    age=st.integers(18, 120),
    sex=st.sampled_from(list(Sex)),
    evidence=st.dictionaries(st.sampled_from(FINDINGS), st.sampled_from(list(Choice)), max_size=25),
)
def test_suspected_are_the_suspects_of_fired_red_flags_as_the_knowledge_base_names_them(
    age: int, sex: Sex, evidence: dict[str, Choice]
) -> None:
    patient = Patient(age, sex)
    outcome = triage(MODEL, patient, evidence, score(MODEL, patient, evidence))
    expected = {s for r in outcome.reasons if r.red_flag and r.rule_id for s in r.suspects}
    assert set(outcome.suspected) == expected
    rules = {r.id: r for r in MODEL.kb.triage.rules}
    for reason in outcome.reasons:
        if reason.rule_id:
            assert reason.suspects == rules[reason.rule_id].suspects


def test_sudden_pain_with_belly_pain_at_50_calls_an_ambulance() -> None:
    evidence = {"abdominal_pulsing_pain": Choice.PRESENT, "onset_sudden": Choice.PRESENT}
    older, younger = Patient(50, Sex.MALE), Patient(49, Sex.MALE)
    at_50 = triage(MODEL, older, evidence, score(MODEL, older, evidence))
    assert at_50.level is TriageLevel.EMERGENCY_AMBULANCE
    assert "sudden_pain_with_belly_pain_over_50" in at_50.red_flags
    assert "abdominal_aortic_aneurysm" in at_50.suspected
    below = triage(MODEL, younger, evidence, score(MODEL, younger, evidence))
    assert "sudden_pain_with_belly_pain_over_50" not in below.red_flags


def test_a_leg_that_suddenly_goes_numb_or_weak_calls_an_ambulance() -> None:
    patient = Patient(30, Sex.FEMALE)
    evidence = dict.fromkeys(FINDINGS, Choice.ABSENT) | {"leg_sudden_numb_weak": Choice.PRESENT}
    outcome = triage(MODEL, patient, evidence, score(MODEL, patient, evidence))
    assert outcome.level is TriageLevel.EMERGENCY_AMBULANCE
    assert "acute_limb_ischaemia" in outcome.suspected


def test_foot_rest_pain_or_ulcer_asks_for_a_doctor_within_24_hours() -> None:
    patient = Patient(72, Sex.MALE)
    evidence = dict.fromkeys(FINDINGS, Choice.ABSENT) | {
        "foot_rest_pain_or_ulcer": Choice.PRESENT,
        "smoking": Choice.PRESENT,
    }
    outcome = triage(MODEL, patient, evidence, score(MODEL, patient, evidence))
    assert outcome.level.rank >= TriageLevel.CONSULTATION_24.rank
    assert "critical_limb_ischaemia" in outcome.red_flags
