"""The vectorised engine gives the same probabilities and question gains as the reference loops,
and the hot path's shortcuts give exactly (bit for bit) what the code before them gave.

The API's responses must not change by a single digit when the hot path is made faster, and a
next-question choice can hinge on the last bit of a gain. So each shortcut is checked for exact
equality against the previous implementation, kept here as the oracle (``_previous_*``).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from hipnerve.engine.fast import FloatArray, arrays, finding_gains, probabilities
from hipnerve.engine.inference import PROBABILITY_CEILING, PROBABILITY_FLOOR, rank, score
from hipnerve.engine.model import Choice, Model, Patient, Sex, default_model
from hipnerve.engine.questions import (
    ALWAYS_ASKED,
    NextQuestion,
    QuestionUnit,
    choose_next,
    finding_gain,
    pending,
    question_units,
)
from hipnerve.exceptions import InterviewStateError, UnknownFindingError
from hipnerve.interview.session import EvidenceSource, assess_answers, read_answers, state_from_evidence

MODEL = default_model()
FINDINGS = sorted(MODEL.kb.findings)

evidence_strategy = st.dictionaries(st.sampled_from(FINDINGS), st.sampled_from(list(Choice)), max_size=60)
patient_strategy = st.builds(Patient, st.integers(18, 120), st.sampled_from(list(Sex)))


@settings(max_examples=300, deadline=None)
@given(patient=patient_strategy, evidence=evidence_strategy)
def test_same_probabilities_as_the_reference(patient: Patient, evidence: dict[str, Choice]) -> None:
    reference = np.array([s.probability for s in score(MODEL, patient, evidence)])
    assert np.allclose(probabilities(MODEL, patient, evidence), reference, rtol=1e-9, atol=1e-12)


@settings(max_examples=100, deadline=None)
@given(patient=patient_strategy, evidence=evidence_strategy)
def test_same_question_gains_as_the_reference(patient: Patient, evidence: dict[str, Choice]) -> None:
    probs = [s.probability for s in score(MODEL, patient, evidence)]
    fast = finding_gains(MODEL, np.array(probs))
    for row, finding in enumerate(MODEL.kb.findings):
        assert abs(fast[row] - finding_gain(MODEL, finding, probs)) < 1e-9


# --- the previous vectorised code, as the oracle for bit-for-bit equality ----------------------


def _previous_probabilities(model: Model, patient: Patient, evidence: Mapping[str, Choice]) -> FloatArray:
    """Cluster damping through np.unique and a sort per cluster, every cluster alike."""
    a = arrays(model)
    present = [a.index[f] for f, c in evidence.items() if c is Choice.PRESENT]
    absent = [a.index[f] for f, c in evidence.items() if c is Choice.ABSENT]
    rows = np.array(present + absent, dtype=np.int64)
    contributions = np.concatenate([a.log_pos[present], a.log_neg[absent]]) if len(rows) else np.zeros((0, 1))
    p = np.array([model.prior(i, patient) for i in range(len(model.condition_ids))])
    total = np.log(p / (1.0 - p))
    if len(rows):
        groups = a.cluster[rows]
        free = groups < 0
        total += contributions[free].sum(axis=0)
        for group in np.unique(groups[~free]):
            block = contributions[groups == group]
            weights = a.decay ** np.arange(len(block), dtype=np.float64)[:, None]
            ups = -np.sort(-np.where(block > 0, block, 0.0), axis=0)
            downs = np.sort(np.where(block < 0, block, 0.0), axis=0)
            total += (ups * weights).sum(axis=0) + (downs * weights).sum(axis=0)
    result: FloatArray = np.clip(1.0 / (1.0 + np.exp(-total)), PROBABILITY_FLOOR, PROBABILITY_CEILING)
    return result


def _entropy(p: FloatArray) -> FloatArray:
    q = np.clip(p, 1e-15, 1.0 - 1e-15)
    result: FloatArray = -(q * np.log2(q) + (1.0 - q) * np.log2(1.0 - q))
    return result


def _previous_finding_gains(model: Model, probs: FloatArray) -> FloatArray:
    """Every (finding, condition) cell of the dense matrix, listed or not."""
    a = arrays(model)
    p = probs[None, :]
    p_yes = p * a.sens + (1.0 - p) * a.fpr
    prior_logit = np.log(p / (1.0 - p))
    after_yes = 1.0 / (1.0 + np.exp(-(prior_logit + a.log_pos)))
    after_no = 1.0 / (1.0 + np.exp(-(prior_logit + a.log_neg)))
    gain = _entropy(p) - p_yes * _entropy(after_yes) - (1.0 - p_yes) * _entropy(after_no)
    gain = np.where(a.listed & (gain > 0.0), gain, 0.0)
    result: FloatArray = gain.sum(axis=1)
    return result


def _previous_choose_next(
    model: Model,
    evidence: Mapping[str, Choice],
    probabilities: Sequence[float],
    asked: int,
    emergency: bool,
    ask_all: bool = False,
    priority: frozenset[str] = frozenset(),
) -> NextQuestion:
    """One screen at a time, adding its open findings' gains in Python."""
    settings = model.kb.manifest.engine
    units = question_units(model)
    for unit in units:
        if unit.red_flag and pending(unit, evidence):
            return NextQuestion(unit, float("inf"), False, "red-flag screening comes first")
    red_flag_screens = sum(1 for u in units if u.red_flag)
    if emergency and not ask_all and asked >= red_flag_screens + settings.emergency_extra_questions:
        return NextQuestion(None, 0.0, True, "an emergency red-flag rule fired: act on it now")
    if asked >= settings.max_questions and not ask_all:
        return NextQuestion(None, 0.0, True, "question limit reached")
    a = arrays(model)
    gains = _previous_finding_gains(model, np.asarray(probabilities, dtype=np.float64))
    best: QuestionUnit | None = None
    best_gain = -1.0
    best_is_priority = False
    for unit in units:
        open_findings = pending(unit, evidence)
        if not open_findings:
            continue
        is_priority = not priority.isdisjoint(open_findings)
        if best_is_priority and not is_priority:
            continue
        gain = float(sum(gains[a.index[f]] for f in open_findings))
        if (is_priority and not best_is_priority) or gain > best_gain:
            best, best_gain, best_is_priority = unit, gain, is_priority
    if best is None:
        return NextQuestion(None, 0.0, True, "every question has been asked")
    if best_is_priority:
        return NextQuestion(best, best_gain, False, "could complete a warning-sign rule already partly met")
    if best_gain < settings.min_information_gain and not ask_all:
        for unit in units:  # the screens the stop rule never skips
            if unit.group is not None and unit.group.always_ask and pending(unit, evidence):
                gain = float(sum(gains[a.index[f]] for f in pending(unit, evidence)))
                return NextQuestion(unit, gain, False, ALWAYS_ASKED)
        return NextQuestion(None, best_gain, True, "no remaining question would change the picture much")
    return NextQuestion(best, best_gain, False, "largest expected information gain")


# Everything answered "no" but the medical background: the gains are spent, and only the
# always-ask rule keeps the interview going (random evidence rarely reaches this branch).
ALL_NO_BUT_HISTORY = {
    f: Choice.ABSENT for f, finding in MODEL.kb.findings.items() if finding.group != "medical_history"
}


# Evidence that reaches past the red-flag screens, so the gains and the screen choice are exercised.
RED_FLAG_FINDINGS = sorted({f for u in question_units(MODEL) if u.red_flag for f in u.findings})
past_red_flags = st.builds(
    lambda screens, other: screens | other,
    st.fixed_dictionaries({f: st.sampled_from(list(Choice)) for f in RED_FLAG_FINDINGS}),
    evidence_strategy,
)
any_evidence = st.one_of(evidence_strategy, past_red_flags)


@settings(max_examples=400, deadline=None)
@given(patient=patient_strategy, evidence=any_evidence)
def test_probabilities_bit_for_bit_as_before(patient: Patient, evidence: dict[str, Choice]) -> None:
    assert np.array_equal(probabilities(MODEL, patient, evidence), _previous_probabilities(MODEL, patient, evidence))


@settings(max_examples=300, deadline=None)
@given(patient=patient_strategy, evidence=any_evidence)
def test_question_gains_bit_for_bit_as_before(patient: Patient, evidence: dict[str, Choice]) -> None:
    probs = probabilities(MODEL, patient, evidence)
    assert np.array_equal(finding_gains(MODEL, probs), _previous_finding_gains(MODEL, probs))


@settings(max_examples=400, deadline=None)
@example(
    patient=Patient(40, Sex.MALE),
    evidence=ALL_NO_BUT_HISTORY,
    asked=10,
    emergency=False,
    ask_all=False,
    priority=frozenset(),
)
@given(
    patient=patient_strategy,
    evidence=any_evidence,
    asked=st.integers(0, 20),
    emergency=st.booleans(),
    ask_all=st.booleans(),
    priority=st.frozensets(st.sampled_from(FINDINGS), max_size=4),
)
def test_next_question_exactly_as_before(
    patient: Patient,
    evidence: dict[str, Choice],
    asked: int,
    emergency: bool,
    ask_all: bool,
    priority: frozenset[str],
) -> None:
    probs = probabilities(MODEL, patient, evidence)
    args = (MODEL, evidence, probs, asked, emergency, ask_all, priority)
    assert choose_next(*args) == _previous_choose_next(*args)


# --- the stateless API path -----------------------------------------------------------------------

items_strategy = st.lists(
    st.tuples(st.sampled_from(FINDINGS), st.sampled_from(list(Choice)), st.sampled_from(list(EvidenceSource))),
    max_size=60,
    unique_by=lambda item: item[0],
)


@settings(max_examples=300, deadline=None)
@given(patient=patient_strategy, items=items_strategy, ask_all=st.booleans(), explain=st.booleans())
def test_stateless_step_is_the_interview_step(
    patient: Patient, items: list[tuple[str, Choice, EvidenceSource]], ask_all: bool, explain: bool
) -> None:
    from hipnerve.interview.session import assess, not_asked_of

    # A finding reported present by someone it cannot apply to is refused (tested below).
    items = [i for i in items if not (i[1] is Choice.PRESENT and i[0] in not_asked_of(MODEL, patient.sex))]
    state = state_from_evidence(MODEL, patient.age, patient.sex, items)
    answers = read_answers(MODEL, patient.age, patient.sex.value, [(f, c.value, s.value) for f, c, s in items])
    assert answers.patient == state.patient
    assert answers.evidence == state.evidence_map()
    assert answers.asked == len(state.asked)
    fast, slow = assess_answers(MODEL, answers, ask_all, explain), assess(MODEL, state, ask_all, explain)
    assert fast.next == slow.next and fast.question == slow.question
    assert fast.scores == slow.scores and fast.triage == slow.triage
    assert fast.ranking(10) == [(s.condition_id, s.probability) for s in slow.scores[:10]]
    assert [s.condition_id for s in fast.scores] == [s.condition_id for s in rank(list(fast.scores))]


def test_stateless_evidence_is_refused_as_the_state_refuses_it() -> None:
    for items, error in [
        ([("fever", "present", "initial"), ("no_such_finding", "present", "initial")], UnknownFindingError),
        ([("fever", "present", "initial"), ("fever", "absent", "suggest")], InterviewStateError),
        ([("fever", "maybe", "initial")], ValueError),
        ([("fever", "present", "somewhere")], ValueError),
        ([("fever", "present", "initial"), ("pregnancy", "present", "initial")], InterviewStateError),
        ([("pregnancy", "present", "initial"), ("no_such_finding", "present", "initial")], InterviewStateError),
    ]:
        with pytest.raises(error) as slow:
            state_from_evidence(MODEL, 40, "male", items)
        with pytest.raises(error) as fast:
            read_answers(MODEL, 40, "male", items)
        assert str(fast.value) == str(slow.value)
