"""The inference engine: priors, likelihood ratios, cluster damping, explanations."""

from __future__ import annotations

import math

import pytest

from hipnerve.engine.inference import logit, rank, score
from hipnerve.engine.model import Choice, Model, Patient, Sex
from hipnerve.exceptions import InvalidDemographicsError

PATIENT = Patient(45, Sex.FEMALE)


def _prob(model: Model, evidence: dict[str, Choice], condition: str, patient: Patient = PATIENT) -> float:
    return next(s.probability for s in score(model, patient, evidence) if s.condition_id == condition)


def test_no_evidence_gives_the_prior(model: Model) -> None:
    for item in score(model, PATIENT, {}):
        assert item.probability == pytest.approx(item.prior)
        assert item.contributions == ()


def test_dont_know_carries_no_evidence(model: Model) -> None:
    baseline = score(model, PATIENT, {"pain_buttock": Choice.PRESENT})
    with_unknowns = score(
        model,
        PATIENT,
        {"pain_buttock": Choice.PRESENT} | {f: Choice.UNKNOWN for f in model.kb.findings if f != "pain_buttock"},
    )
    assert [s.probability for s in baseline] == [s.probability for s in with_unknowns]


def test_log_odds_are_prior_plus_contributions(model: Model) -> None:
    evidence = {
        "pain_below_knee": Choice.PRESENT,
        "numb_outer_leg_top_foot": Choice.PRESENT,
        "fever": Choice.ABSENT,
    }
    for item in score(model, PATIENT, evidence):
        expected = logit(item.prior) + sum(c.log_lr for c in item.contributions)
        assert item.log_odds == pytest.approx(expected, abs=1e-9)


def test_present_hallmark_raises_and_absent_lowers(model: Model) -> None:
    prior = _prob(model, {}, "lumbar_radiculopathy_l5")
    assert _prob(model, {"numb_outer_leg_top_foot": Choice.PRESENT}, "lumbar_radiculopathy_l5") > prior
    prior_ms = _prob(model, {}, "meralgia_paresthetica")
    assert _prob(model, {"numb_outer_thigh": Choice.ABSENT}, "meralgia_paresthetica") < prior_ms


def _l5_terms(model: Model) -> tuple[float, float]:
    index = model.condition_ids.index("lumbar_radiculopathy_l5")
    logs = {
        t.finding: t.log_pos
        for f in ("numb_outer_leg_top_foot", "numb_big_toe")
        for t in model.terms_by_finding.get(f, ())
        if t.condition == index
    }
    return logs["numb_outer_leg_top_foot"], logs["numb_big_toe"]


def test_correlated_findings_are_not_double_counted(model: Model) -> None:
    """Two numb patches of one L5 root: the weaker counts at half weight, not in full."""
    assert model.cluster_of["numb_outer_leg_top_foot"] == model.cluster_of["numb_big_toe"]
    strong, weak = sorted(_l5_terms(model), reverse=True)
    assert weak > 0  # both point towards L5
    evidence = {"numb_outer_leg_top_foot": Choice.PRESENT, "numb_big_toe": Choice.PRESENT}
    item = next(s for s in score(model, PATIENT, evidence) if s.condition_id == "lumbar_radiculopathy_l5")
    applied = sum(c.log_lr for c in item.contributions)
    independent = strong + weak
    assert applied == pytest.approx(strong + model.cluster_decay * weak)
    assert applied < independent
    assert any(c.damped for c in item.contributions)


def test_opposite_directions_in_a_cluster_are_not_damped_together(model: Model) -> None:
    evidence = {"numb_outer_leg_top_foot": Choice.PRESENT, "numb_big_toe": Choice.ABSENT}
    item = next(s for s in score(model, PATIENT, evidence) if s.condition_id == "lumbar_radiculopathy_l5")
    assert not any(c.damped for c in item.contributions)


def test_probabilities_stay_in_open_interval_under_extreme_evidence(model: Model) -> None:
    everything = dict.fromkeys(model.kb.findings, Choice.PRESENT)
    nothing = dict.fromkeys(model.kb.findings, Choice.ABSENT)
    for evidence in (everything, nothing):
        for item in score(model, Patient(90, Sex.MALE), evidence):
            assert 0.0 < item.probability < 1.0
            assert math.isfinite(item.log_odds)


def test_ranking_is_deterministic(model: Model) -> None:
    evidence = {"pain_outer_hip": Choice.PRESENT, "worse_lying_on_side": Choice.PRESENT}
    first = [s.condition_id for s in rank(score(model, PATIENT, evidence))]
    second = [s.condition_id for s in rank(score(model, PATIENT, evidence))]
    assert first == second


def test_priors_depend_on_age_band(model: Model) -> None:
    young = _prob(model, {}, "hip_osteoarthritis", Patient(25, Sex.FEMALE))
    old = _prob(model, {}, "hip_osteoarthritis", Patient(75, Sex.FEMALE))
    assert old > young


@pytest.mark.parametrize("age", [17, 121, -1])
def test_age_outside_adult_range_is_refused(age: int) -> None:
    with pytest.raises(InvalidDemographicsError, match="outside 18-120"):
        Patient(age, Sex.MALE)


def test_age_must_be_an_integer() -> None:
    with pytest.raises(InvalidDemographicsError):
        Patient(True, Sex.MALE)  # a boolean is not an age


def test_sensitivity_and_frequency_give_the_ratios(model: Model) -> None:
    """LR+ = sensitivity / frequency and LR− = (1 − sensitivity) / (1 − frequency)."""
    checked = 0
    for terms in model.terms_by_finding.values():
        for term in terms:
            lik = term.likelihood
            if lik.sensitivity is None:
                continue
            frequency = model.kb.findings[term.finding].frequency
            assert frequency is not None
            assert math.exp(term.log_pos) == pytest.approx(lik.sensitivity / frequency.value)
            assert math.exp(term.log_neg) == pytest.approx((1 - lik.sensitivity) / (1 - frequency.value))
            assert (term.p_yes_if_condition, term.p_yes_if_other) == (lik.sensitivity, frequency.value)
            checked += 1
    assert checked > 0, "no likelihood uses the sensitivity form"
