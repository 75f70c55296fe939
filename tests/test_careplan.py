"""The care plan: every recommendation sourced; nothing contraindicated is ever recommended."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hipnerve.careplan.builder import CarePlan, build_plan
from hipnerve.careplan.factors import factor_ids
from hipnerve.engine.model import Choice, Model, default_model
from hipnerve.evaluation.cases import load_cases
from hipnerve.evaluation.simulate import run_case
from hipnerve.interview.person import PersonFactors
from hipnerve.interview.session import InterviewResult, result, start_interview
from hipnerve.kb.careplan_loader import load_careplan
from hipnerve.kb.models import TriageLevel

MODEL = default_model()
CP = load_careplan()
DEV = Path(__file__).parent / "cases" / "dev.jsonl"
ORAL_NSAIDS = {m.id for m in CP.medicines.medicines if m.route == "oral" and m.id != "paracetamol"}
ALL_NSAIDS = {m.id for m in CP.medicines.medicines if m.id != "paracetamol"}


def _outcome(model: Model, evidence: dict[str, Choice], age: int = 50, sex: str = "female") -> InterviewResult:
    return result(model, start_interview(model, age, sex, evidence))


SCIATICA = {
    "pain_below_knee": Choice.PRESENT,
    "numb_outer_leg_top_foot": Choice.PRESENT,
    "pain_low_back": Choice.PRESENT,
}


def _status(plan: CarePlan) -> dict[str, str]:
    return {a.medicine.id: a.status for a in plan.medicines}


def _sources(plan: CarePlan) -> list[str]:
    found = [source for _, source in plan.first_steps] + [source for _, source in plan.seek_care_sooner]
    for advice in plan.medicines:
        found += [advice.medicine.source] + [x.source for x in (*advice.blocks, *advice.cautions, *advice.notes)]
    found += [e.source for e in plan.exercises] + [r.source for _, r in plan.referrals]
    found += [p.source for _, p in plan.procedures] + [p.source for p in plan.prevention]
    return found


def test_library_sizes() -> None:
    assert len(CP.exercises.exercises) >= 20
    assert {"paracetamol"} <= {m.id for m in CP.medicines.medicines}
    assert ORAL_NSAIDS and any(m.route == "topical" for m in CP.medicines.medicines)


def test_every_dev_vignette_yields_a_fully_sourced_plan() -> None:
    cases, problems = load_cases(DEV, MODEL)
    assert not problems
    for case in cases:
        run = run_case(MODEL, case)
        plan = build_plan(MODEL, CP, run.result, case.age)
        sources = _sources(plan)
        assert sources, case.id
        missing = [s for s in sources if s not in MODEL.kb.sources]
        assert not missing, (case.id, missing)


def test_anticoagulants_block_oral_nsaids_not_paracetamol() -> None:
    plan = build_plan(MODEL, CP, _outcome(MODEL, SCIATICA), 50, PersonFactors(anticoagulant=True))
    status = _status(plan)
    assert all(status[m] == "blocked" for m in ORAL_NSAIDS)
    assert status["paracetamol"] != "blocked"
    blocked = next(a for a in plan.medicines if a.medicine.id in ORAL_NSAIDS)
    assert blocked.blocks[0].ask and blocked.blocks[0].reason


def test_pregnancy_from_20_weeks_blocks_every_nsaid() -> None:
    person = PersonFactors(pregnant=True, pregnancy_weeks=24)
    status = _status(build_plan(MODEL, CP, _outcome(MODEL, SCIATICA, 30), 30, person))
    assert all(status[m] == "blocked" for m in ALL_NSAIDS)


@pytest.mark.parametrize("field", ["kidney_disease", "stomach_ulcer_or_bleed"])
def test_kidney_disease_and_ulcer_history_rule_out_oral_nsaids(field: str) -> None:
    person = PersonFactors.model_validate({field: True})
    status = _status(build_plan(MODEL, CP, _outcome(MODEL, SCIATICA), 50, person))
    assert all(status[m] == "blocked" for m in ORAL_NSAIDS), status


def test_age_65_brings_nsaid_cautions() -> None:
    plan = build_plan(MODEL, CP, _outcome(MODEL, SCIATICA, 70), 70, PersonFactors())
    cautioned = {a.medicine.id for a in plan.medicines if any(c.factor == "age_65_plus" for c in a.cautions)}
    assert cautioned >= ORAL_NSAIDS


def test_emergency_plan_has_no_exercise_and_defers_medicines() -> None:
    outcome = _outcome(MODEL, {"saddle_numbness": Choice.PRESENT, "bladder_difficulty": Choice.PRESENT})
    assert outcome.triage.level is TriageLevel.EMERGENCY
    plan = build_plan(MODEL, CP, outcome, 50)
    assert plan.exercises == () and plan.exercise_note
    assert {a.status for a in plan.medicines} == {"deferred"}
    assert plan.procedures == ()


def test_plan_says_what_it_could_not_personalise() -> None:
    plan = build_plan(MODEL, CP, _outcome(MODEL, SCIATICA), 50)
    assert plan.not_personalised


def test_six_week_progression_never_gets_harder_too_soon() -> None:
    plan = build_plan(MODEL, CP, _outcome(MODEL, SCIATICA, 40), 40, PersonFactors(activity="moderate"))
    levels = {e.id: e.level for e in plan.exercises}
    assert len(plan.schedule) == 6
    for week in plan.schedule:
        cap = 1 if week.number <= 2 else 2 if week.number <= 4 else 3
        assert all(levels[e] <= cap for e in week.exercises)


def test_weight_goal_uses_bmi() -> None:
    person = PersonFactors(height_cm=170.0, weight_kg=95.0)
    plan = build_plan(MODEL, CP, _outcome(MODEL, SCIATICA), 50, person)
    assert plan.bmi is not None and round(plan.bmi, 1) == 32.9
    assert plan.weight_goal and "5 to 10%" in plan.weight_goal


person_strategy = st.builds(
    PersonFactors,
    pregnant=st.none() | st.booleans(),
    kidney_disease=st.none() | st.booleans(),
    liver_disease=st.none() | st.booleans(),
    stomach_ulcer_or_bleed=st.none() | st.booleans(),
    anticoagulant=st.none() | st.booleans(),
    antiplatelet=st.none() | st.booleans(),
    asthma_nsaid_sensitive=st.none() | st.booleans(),
    nsaid_allergy=st.none() | st.booleans(),
    heart_failure=st.none() | st.booleans(),
    high_blood_pressure=st.none() | st.booleans(),
    alcohol_over_14_units=st.none() | st.booleans(),
    osteoporosis=st.none() | st.booleans(),
    hip_replacement=st.none() | st.booleans(),
    activity=st.none() | st.sampled_from(["low", "moderate", "high"]),
    work=st.none() | st.sampled_from(["sitting", "standing", "lifting", "mixed", "none"]),
    medicines=st.lists(
        st.sampled_from(["ssri", "oral_steroid", "ace_or_arb", "diuretic", "other_nsaid", "paracetamol_product"]),
        unique=True,
        max_size=4,
    ).map(tuple),
    height_cm=st.none() | st.floats(150, 200),
    weight_kg=st.none() | st.floats(45, 140),
)
evidence_strategy = st.dictionaries(
    st.sampled_from(sorted(MODEL.kb.findings)), st.sampled_from([Choice.PRESENT, Choice.ABSENT]), max_size=25
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(person=person_strategy, evidence=evidence_strategy, age=st.integers(18, 95))
def test_nothing_contraindicated_is_ever_recommended(
    person: PersonFactors, evidence: dict[str, Choice], age: int
) -> None:
    plan = build_plan(MODEL, CP, _outcome(MODEL, evidence, age), age, person)
    factors = factor_ids(person, age)
    for advice in plan.medicines:
        matching = {b.factor for b in advice.medicine.blocked_by} & factors
        if matching:
            assert advice.status in {"blocked", "deferred"}, (advice.medicine.id, matching)
    for exercise in plan.exercises:
        assert not set(exercise.avoid_with_factors) & factors, (exercise.id, factors)
        assert not set(exercise.avoid_with_conditions) & set(plan.focus), (exercise.id, plan.focus)


def test_the_warning_sign_that_set_the_level_comes_first_in_what_to_do_now() -> None:
    """A sudden pull with bruising is sent to a GP or physiotherapist within days by a rule; the plan
    must say that first, not only "see a GP if it is not better" from the strain's own plan."""
    tear = dict.fromkeys(
        ("sport_sudden_pull", "skin_bruise_abrasion", "onset_sudden", "pain_back_thigh"), Choice.PRESENT
    )
    outcome = _outcome(MODEL, tear, age=34, sex="male")
    rules = [r for r in outcome.triage.reasons if r.rule_id is not None and r.level is outcome.triage.level]
    assert [r.rule_id for r in rules] == ["muscle_tear_with_bruising"]
    plan = build_plan(MODEL, CP, outcome, 34)
    assert plan.first_steps[0] == (rules[0].text, rules[0].source.id)
    # Only the rules at the final level lead: a lower rule that also fired is not repeated there.
    both = _outcome(MODEL, {"saddle_numbness": Choice.PRESENT, "symptoms_worsening": Choice.PRESENT})
    steps = {text for text, _ in build_plan(MODEL, CP, both, 50).first_steps}
    by_rule = {r.rule_id: r.text for r in both.triage.reasons if r.rule_id is not None}
    assert by_rule["cauda_equina_sphincter_or_saddle"] in steps
    assert by_rule["worsening_or_persistent"] not in steps
