"""The vectorised engine gives the same probabilities and question gains as the reference loops."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from hipnerve.engine.fast import finding_gains, probabilities
from hipnerve.engine.inference import score
from hipnerve.engine.model import Choice, Patient, Sex, default_model
from hipnerve.engine.questions import finding_gain

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
