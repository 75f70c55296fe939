"""The simulated patients of hipnerve.evaluation.simulate: the protocol's and the closed-screens one."""

from __future__ import annotations

from hipnerve.engine.model import Choice, Sex, default_model
from hipnerve.evaluation.cases import Case
from hipnerve.evaluation.simulate import run_case, simulated_answers

MODEL = default_model()
LOCATIONS = ("pain_low_back", "pain_buttock", "pain_groin", "pain_below_knee")
CASE = Case(
    id="sim",
    age=44,
    sex=Sex.MALE,
    present=("pain_buttock", "pain_below_knee", "worse_cough_sneeze"),
    absent=("fever",),
    expected_conditions=("lumbar_radiculopathy_s1",),
)


def test_the_protocol_patient_does_not_know_what_the_case_leaves_out() -> None:
    answers = simulated_answers(CASE, LOCATIONS)
    assert answers == {
        "pain_low_back": Choice.UNKNOWN,
        "pain_buttock": Choice.PRESENT,
        "pain_groin": Choice.UNKNOWN,
        "pain_below_knee": Choice.PRESENT,
    }


def test_closed_screens_answer_no_to_what_is_left_unticked_on_a_ticked_screen() -> None:
    answers = simulated_answers(CASE, LOCATIONS, closed_screens=True)
    assert answers["pain_low_back"] is Choice.ABSENT and answers["pain_groin"] is Choice.ABSENT
    assert answers["pain_buttock"] is Choice.PRESENT


def test_closed_screens_leave_an_untouched_screen_and_a_single_question_alone() -> None:
    untouched = simulated_answers(CASE, ("fever", "hip_hot_swollen", "feeling_very_unwell"), closed_screens=True)
    assert untouched == {
        "fever": Choice.ABSENT,  # the case says so
        "hip_hot_swollen": Choice.UNKNOWN,
        "feeling_very_unwell": Choice.UNKNOWN,
    }
    assert simulated_answers(CASE, ("pain_groin",), closed_screens=True) == {"pain_groin": Choice.UNKNOWN}


def test_a_closed_screens_run_records_the_noes_the_protocol_leaves_unknown() -> None:
    protocol = run_case(MODEL, CASE, ask_all=True)
    closed = run_case(MODEL, CASE, ask_all=True, closed_screens=True)
    assert protocol.state.evidence_map().get("pain_low_back", Choice.UNKNOWN) is Choice.UNKNOWN
    assert closed.state.evidence_map()["pain_low_back"] is Choice.ABSENT
    assert closed.state.evidence_map()["pain_buttock"] is Choice.PRESENT
