"""The interview state machine: red flags first, answer, undo, serialise, stop."""

from __future__ import annotations

import pytest

from hipnerve.engine.model import Choice, Model
from hipnerve.engine.questions import ALWAYS_ASKED, question_units
from hipnerve.exceptions import InterviewStateError, InvalidDemographicsError, UnknownFindingError
from hipnerve.interview.session import InterviewState, answer, assess, result, start_interview, undo
from hipnerve.kb.models import TriageLevel
from hipnerve.triage.rules import rule_level


def _answer_all_no(model: Model, state: InterviewState) -> InterviewState:
    step = assess(model, state)
    assert step.question is not None
    return answer(model, state, step.question.id, {i.finding: Choice.ABSENT for i in step.question.items})


def test_red_flag_screens_come_first_in_order(model: Model) -> None:
    red = [u.id for u in question_units(model) if u.red_flag]
    assert len(red) >= 4
    state = start_interview(model, 50, "female", {"pain_below_knee": "present", "numb_outer_leg_top_foot": "present"})
    asked = []
    for _ in red:
        step = assess(model, state)
        assert step.question is not None and step.question.red_flag
        asked.append(step.question.id)
        state = _answer_all_no(model, state)
    assert asked == red
    follow_up = assess(model, state).question
    assert follow_up is not None and not follow_up.red_flag


def test_a_grouped_screen_counts_as_one_question(model: Model) -> None:
    state = _answer_all_no(model, start_interview(model, 40, "male"))
    assert len(state.asked) == 1
    assert len(state.asked[0].findings) > 1


def test_undo_restores_the_previous_state(model: Model) -> None:
    start = start_interview(model, 40, "male", {"pain_buttock": "present"})
    after = _answer_all_no(model, _answer_all_no(model, start))
    back = undo(undo(after))
    assert back == start
    assert back.evidence_map() == {"pain_buttock": Choice.PRESENT}


def test_undo_with_nothing_answered_is_a_clear_error(model: Model) -> None:
    with pytest.raises(InterviewStateError, match="nothing to undo"):
        undo(start_interview(model, 40, "male"))


def test_state_round_trips_through_json(model: Model) -> None:
    state = _answer_all_no(model, start_interview(model, 66, "female", {"pain_groin": "present"}))
    restored = InterviewState.model_validate_json(state.model_dump_json())
    assert restored == state
    assert assess(model, restored).question == assess(model, state).question


def test_initial_evidence_is_validated(model: Model) -> None:
    with pytest.raises(UnknownFindingError, match="no_such"):
        start_interview(model, 40, "male", {"no_such": "present"})
    with pytest.raises(InvalidDemographicsError):
        start_interview(model, 40, "other")
    with pytest.raises(InvalidDemographicsError):
        start_interview(model, 12, "female")


def test_answering_the_same_screen_twice_is_refused(model: Model) -> None:
    state = start_interview(model, 40, "male")
    step = assess(model, state)
    assert step.question is not None
    state = answer(model, state, step.question.id, {})
    with pytest.raises(InterviewStateError, match="already answered"):
        answer(model, state, step.question.id, {})


def test_answer_outside_the_screen_is_refused(model: Model) -> None:
    state = start_interview(model, 40, "male")
    step = assess(model, state)
    assert step.question is not None
    with pytest.raises(InterviewStateError, match="not part of question"):
        answer(model, state, step.question.id, {"pain_groin": Choice.PRESENT})


def test_interview_stops_and_gives_a_ranked_result(model: Model) -> None:
    state = start_interview(model, 35, "male", {"pain_below_knee": "present"})
    for _ in range(60):
        step = assess(model, state)
        if step.should_stop:
            break
        state = _answer_all_no(model, state)
    assert assess(model, state).should_stop
    outcome = result(model, state)
    probabilities = [c.probability for c in outcome.conditions]
    assert probabilities == sorted(probabilities, reverse=True)
    assert outcome.questions == len(state.asked) <= model.kb.manifest.engine.max_questions


def test_the_medical_background_is_asked_before_the_interview_stops(model: Model) -> None:
    """The stop rule never skips an always-ask screen: with every other answer "no", the gains fall
    below the threshold early, and the medical-history screen is still asked, last."""
    always = [u.id for u in question_units(model) if u.group is not None and u.group.always_ask]
    assert always == ["medical_history"]
    state = start_interview(model, 35, "male", {"pain_below_knee": "present"})
    reasons = []
    while not (step := assess(model, state)).should_stop:
        reasons.append(step.next.reason)
        state = _answer_all_no(model, state)
    asked = [a.question_id for a in state.asked]
    assert "medical_history" in asked
    assert reasons[asked.index("medical_history")] == ALWAYS_ASKED  # asked because the rule requires it
    assert len(asked) < model.kb.manifest.engine.max_questions


def _medical_history_items(model: Model, sex: str) -> list[str]:
    state = start_interview(model, 35, sex, {"pain_below_knee": "present"})
    while (step := assess(model, state)).question is not None:
        if step.question.id == "medical_history":
            return [item.finding for item in step.question.items]
        state = _answer_all_no(model, state)
    raise AssertionError("the medical-history screen was never asked")


def test_pregnancy_is_asked_of_women_only(model: Model) -> None:
    assert "pregnancy" in _medical_history_items(model, "female")
    men = _medical_history_items(model, "male")
    assert "pregnancy" not in men and "diabetes" in men


def test_a_finding_that_cannot_apply_is_refused_with_its_name(model: Model) -> None:
    with pytest.raises(InterviewStateError, match="pregnancy"):
        start_interview(model, 35, "male", {"pregnancy": "present"})
    state = start_interview(model, 35, "male")
    with pytest.raises(InterviewStateError, match="pregnancy"):
        answer(model, state, "medical_history", {"pregnancy": Choice.PRESENT})
    start_interview(model, 35, "male", {"pregnancy": "absent"})  # true, and harmless


def test_emergency_allows_only_a_few_optional_questions_after_the_red_flag_screens(model: Model) -> None:
    state = start_interview(model, 45, "male")
    step = assess(model, state)
    assert step.question is not None and step.question.id == "rf_cauda_equina"
    state = answer(model, state, "rf_cauda_equina", {"saddle_numbness": Choice.PRESENT})
    red_flag_screens = sum(1 for u in question_units(model) if u.red_flag)
    extra = model.kb.manifest.engine.emergency_extra_questions
    while not (step := assess(model, state)).should_stop:
        assert step.triage.level.value == "emergency"  # the go-now advice stands on every screen
        state = _answer_all_no(model, state)
    assert len(state.asked) <= red_flag_screens + extra
    assert step.triage.level.value == "emergency"


def test_an_emergency_raised_only_by_a_probability_does_not_end_the_interview_early(model: Model) -> None:
    """A red-flag rule's level can never fall, so the interview may stop soon after one fires. A level
    raised only because a must-not-miss cause crossed its threshold can still fall with the next
    answer (a sudden pull during sport explains a bruise better than a fracture), so it goes on."""
    present = {"fall_or_injury", "skin_bruise_abrasion", "onset_sudden", "pain_back_thigh", "pain_buttock"}
    state = start_interview(model, 39, "male", dict.fromkeys(present, "present"))
    red_flag_screens = sum(1 for u in question_units(model) if u.red_flag)
    extra = model.kb.manifest.engine.emergency_extra_questions
    while len(state.asked) < red_flag_screens + extra:  # "don't know" to every screen: no evidence
        question = assess(model, state).question
        assert question is not None
        state = answer(model, state, question.id, {})
    step = assess(model, state)
    assert rule_level(model, state.patient, state.evidence_map()).rank < TriageLevel.EMERGENCY.rank
    assert step.triage.level is TriageLevel.EMERGENCY  # a fracture is likely enough on its own
    assert not step.should_stop


def test_body_map_marks_make_findings_and_unmarked_regions_count_as_no(model: Model) -> None:
    from hipnerve.interview.bodymap import set_body_map

    state = start_interview(model, 40, "male")
    state = set_body_map(
        model, state, ["numbness:top_of_foot:left", "numbness:big_toe:left", "pain:calf:right", "pain:calf:left"]
    )
    evidence = state.evidence_map()
    assert evidence["numb_outer_leg_top_foot"] is Choice.PRESENT and evidence["numb_big_toe"] is Choice.PRESENT
    assert evidence["pain_calf"] is Choice.PRESENT and evidence["pain_below_knee"] is Choice.PRESENT
    assert evidence["leg_pain_both_legs"] is Choice.PRESENT  # both calves marked
    assert evidence["numb_outer_thigh"] is Choice.ABSENT  # unmarked location: no
    assert "saddle_numbness" not in evidence  # a red flag is never inferred absent: it is always asked
    assert state.body_map == ("numbness:big_toe:left", "numbness:top_of_foot:left", "pain:calf:left", "pain:calf:right")


def test_body_map_rejects_bad_marks(model: Model) -> None:
    from hipnerve.exceptions import InputError
    from hipnerve.interview.bodymap import set_body_map

    state = start_interview(model, 40, "male")
    for bad in ["pain:elbow:left", "pain:knee:centre", "numbness:knee:left", "itch:calf:left"]:
        with pytest.raises(InputError):
            set_body_map(model, state, [bad])


def test_a_family_is_one_entry_led_by_its_most_probable_member(model: Model) -> None:
    """Disc herniation and the L4/L5/S1 root patterns (one family in the manifest) take one place in
    the list a person sees; every other condition keeps its own entry, in rank order."""
    family = {m for f in model.kb.manifest.families for m in f.members}
    assert {"lumbar_disc_herniation", "lumbar_radiculopathy_l5", "lumbar_radiculopathy_s1"} <= family
    state = start_interview(
        model,
        45,
        "male",
        {"pain_below_knee": "present", "numb_outer_leg_top_foot": "present", "pain_low_back": "present"},
    )
    outcome = result(model, state)
    flat = [c.id for c in outcome.conditions]
    assert [i for entry in outcome.entries for i in entry.ids] != flat  # the family was gathered up
    assert sorted(i for entry in outcome.entries for i in entry.ids) == sorted(flat)  # nothing lost or repeated
    leads = [entry.lead.id for entry in outcome.entries]
    assert leads == [c for c in flat if c not in family or c == next(f for f in flat if f in family)]
    gathered = next(entry for entry in outcome.entries if entry.related)
    assert {gathered.lead.id, *(c.id for c in gathered.related)} == family
    probabilities = [gathered.lead.probability, *(c.probability for c in gathered.related)]
    assert probabilities == sorted(probabilities, reverse=True)
    # what the first k entries show always includes the first k conditions of the flat list
    for k in (1, 3, 5):
        assert set(flat[:k]) <= outcome.shown(k)
    in_top3 = gathered in outcome.entries[:3]
    assert len(outcome.shown(3)) == (3 + len(gathered.related) if in_top3 else 3)
