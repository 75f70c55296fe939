"""Triage is monotone: no answer can lower the level below a red flag that has fired."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hipnerve.engine.inference import score
from hipnerve.engine.model import Choice, Patient, Sex, default_model
from hipnerve.kb.models import TriageLevel
from hipnerve.triage.rules import compiled_rules, completing_findings, fired_rules, rule_level, triage

MODEL = default_model()
FINDINGS = sorted(MODEL.kb.findings)
RULES = MODEL.kb.triage.rules

evidence_strategy = st.dictionaries(st.sampled_from(FINDINGS), st.sampled_from(list(Choice)), max_size=40)
patient_strategy = st.builds(Patient, st.integers(18, 120), st.sampled_from(list(Sex)))


def _minimal_trigger(rule_index: int, patient: Patient) -> set[str]:
    """A set of present findings that makes the rule fire for this patient (if one exists)."""
    rule = RULES[rule_index]
    from hipnerve.kb.models import AgeAtLeast, AllOf, AnyOf, SexIs

    def build(expr) -> set[str] | None:  # type: ignore[no-untyped-def]
        if isinstance(expr, str):
            return {expr}
        if isinstance(expr, AllOf):
            parts = [build(p) for p in expr.all]
            return None if any(p is None for p in parts) else set().union(*parts)  # type: ignore[arg-type]
        if isinstance(expr, AnyOf):
            for p in expr.any:
                found = build(p)
                if found is not None:
                    return found
            return None
        if isinstance(expr, AgeAtLeast):
            return set() if patient.age >= expr.age_at_least else None
        if isinstance(expr, SexIs):
            return set() if patient.sex.value == expr.sex else None
        return None

    found = build(rule.when)
    return found if found is not None else set()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rule_index=st.integers(0, len(RULES) - 1), patient=patient_strategy, other=evidence_strategy)
def test_red_flag_level_survives_any_other_answers(rule_index: int, patient: Patient, other: dict[str, Choice]) -> None:
    rule = RULES[rule_index]
    trigger = _minimal_trigger(rule_index, patient)
    if not compiled_rules(MODEL)[rule_index].predicate(trigger, patient):
        return  # this rule cannot fire for this patient (age/sex condition)
    evidence = dict(other) | dict.fromkeys(trigger, Choice.PRESENT)
    result = triage(MODEL, patient, evidence, score(MODEL, patient, evidence))
    assert result.level.rank >= rule.level.rank
    assert rule.id in {r.rule_id for r in result.reasons}


@settings(max_examples=200, deadline=None)
@given(patient=patient_strategy, before=evidence_strategy, extra=evidence_strategy)
def test_more_answers_never_unfire_a_rule(
    patient: Patient, before: dict[str, Choice], extra: dict[str, Choice]
) -> None:
    # Extra answers may only add to what is known: a present finding stays present.
    merged = dict(extra) | before
    fired_before = {r.id for r in fired_rules(MODEL, patient, before)}
    fired_after = {r.id for r in fired_rules(MODEL, patient, merged)}
    assert fired_before <= fired_after
    level_before = max((r.level.rank for r in fired_rules(MODEL, patient, before)), default=0)
    after = triage(MODEL, patient, merged, score(MODEL, patient, merged))
    assert after.level.rank >= level_before


@settings(max_examples=200, deadline=None)
@given(patient=patient_strategy, evidence=evidence_strategy)
def test_probabilities_stay_in_open_interval(patient: Patient, evidence: dict[str, Choice]) -> None:
    for item in score(MODEL, patient, evidence):
        assert 0.0 < item.probability < 1.0


@settings(max_examples=200, deadline=None)
@given(
    patient=patient_strategy,
    evidence=evidence_strategy,
    unknown=st.sets(st.sampled_from(FINDINGS), max_size=30),
)
def test_dont_know_changes_nothing(patient: Patient, evidence: dict[str, Choice], unknown: set[str]) -> None:
    base = {f: c for f, c in evidence.items() if c is not Choice.UNKNOWN}
    padded = base | {f: Choice.UNKNOWN for f in unknown if f not in base}
    scores_a = score(MODEL, patient, base)
    scores_b = score(MODEL, patient, padded)
    assert [s.probability for s in scores_a] == [s.probability for s in scores_b]
    assert triage(MODEL, patient, base, scores_a).level is triage(MODEL, patient, padded, scores_b).level


def test_every_rule_cites_a_source_and_red_flags_reach_emergency() -> None:
    levels = {r.level for r in RULES}
    assert TriageLevel.EMERGENCY in levels and TriageLevel.EMERGENCY_AMBULANCE in levels
    for rule in RULES:
        assert rule.source in MODEL.kb.sources


def test_saddle_numbness_is_an_emergency_whatever_else() -> None:
    patient = Patient(40, Sex.MALE)
    reassuring = dict.fromkeys(FINDINGS, Choice.ABSENT) | {"saddle_numbness": Choice.PRESENT}
    result = triage(MODEL, patient, reassuring, score(MODEL, patient, reassuring))
    assert result.level is TriageLevel.EMERGENCY
    assert "cauda_equina_sphincter_or_saddle" in result.red_flags


def _holds_directly(expr: object, present: set[str], patient: Patient) -> bool:
    """The rule expression read literally, as the oracle for the compiled (OR-of-ANDs) form."""
    from hipnerve.kb.models import AgeAtLeast, AllOf, AnyOf, SexIs

    if isinstance(expr, str):
        return expr in present
    if isinstance(expr, AllOf):
        return all(_holds_directly(p, present, patient) for p in expr.all)
    if isinstance(expr, AnyOf):
        return any(_holds_directly(p, present, patient) for p in expr.any)
    if isinstance(expr, AgeAtLeast):
        return patient.age >= expr.age_at_least
    assert isinstance(expr, SexIs)
    return patient.sex.value == expr.sex


RULE_FINDINGS = sorted({f for c in compiled_rules(MODEL) for f in c.mentions})


@settings(max_examples=500, deadline=None)
@given(
    patient=patient_strategy,
    present=st.sets(st.sampled_from(RULE_FINDINGS), max_size=12),
    other=evidence_strategy,
)
def test_compiled_rules_fire_exactly_when_the_expression_holds(
    patient: Patient, present: set[str], other: dict[str, Choice]
) -> None:
    evidence = dict(other) | dict.fromkeys(present, Choice.PRESENT)
    really_present = {f for f, c in evidence.items() if c is Choice.PRESENT}
    expected = [r.id for r in RULES if _holds_directly(r.when, really_present, patient)]
    assert [r.id for r in fired_rules(MODEL, patient, evidence)] == expected
    for compiled in compiled_rules(MODEL):
        direct = _holds_directly(compiled.rule.when, really_present, patient)
        assert compiled.predicate(really_present, patient) is direct


@settings(max_examples=300, deadline=None)
@given(patient=patient_strategy, present=st.sets(st.sampled_from(RULE_FINDINGS), max_size=12), other=evidence_strategy)
def test_rule_level_is_the_highest_fired_rule_and_a_floor_of_the_full_triage(
    patient: Patient, present: set[str], other: dict[str, Choice]
) -> None:
    """The interview ends early only on a rule's emergency, so the rule-only level must be exactly
    the highest fired rule's and never above what the full triage gives."""
    evidence = dict(other) | dict.fromkeys(present, Choice.PRESENT)
    fired = fired_rules(MODEL, patient, evidence)
    expected = max((r.level for r in fired), key=lambda level: level.rank, default=TriageLevel.SELF_CARE)
    level = rule_level(MODEL, patient, evidence)
    assert level is expected
    assert level.rank <= triage(MODEL, patient, evidence, score(MODEL, patient, evidence)).level.rank


@settings(max_examples=300, deadline=None)
@given(patient=patient_strategy, present=st.sets(st.sampled_from(RULE_FINDINGS), max_size=6), other=evidence_strategy)
def test_completing_findings_as_the_rule_text_reads(
    patient: Patient, present: set[str], other: dict[str, Choice]
) -> None:
    evidence = dict(other) | dict.fromkeys(present, Choice.PRESENT)
    really_present = {f for f, c in evidence.items() if c is Choice.PRESENT}
    wanted: set[str] = set()
    for compiled in compiled_rules(MODEL):
        rule = compiled.rule
        if rule.level.rank < TriageLevel.CONSULTATION_24.rank or compiled.mentions.isdisjoint(really_present):
            continue
        if _holds_directly(rule.when, really_present, patient):
            continue
        unanswered = {f for f in compiled.mentions if f not in evidence}
        if _holds_directly(rule.when, really_present | unanswered, patient):
            wanted |= unanswered
    assert completing_findings(MODEL, patient, evidence) == wanted


def test_condition_names_keep_their_capitals_inside_a_sentence() -> None:
    from hipnerve.triage.rules import _in_sentence

    assert (
        _in_sentence("A trapped nerve (sciatica from the L5 nerve root)")
        == "a trapped nerve (sciatica from the L5 nerve root)"
    )
    assert _in_sentence("Blood clot in a deep vein of the leg (DVT)").endswith("(DVT)")
