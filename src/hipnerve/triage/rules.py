"""Triage level and the reasons that raised it (pure).

The level is the highest of (a) every red-flag rule that fires and (b) the typical urgency of each
condition whose probability reaches its threshold (or the "unmatched" level when none does).
Rules are positive expressions over present findings (no negation), so adding answers can only add
fired rules: **no answer can lower the level below a triggered red flag**. Probability-driven urgency
can go up or down with evidence, but it is combined with ``max`` and never replaces a rule's level.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from functools import cache

from hipnerve.engine.inference import ConditionScore
from hipnerve.engine.model import Choice, Model, Patient, Sex
from hipnerve.engine.percent import percent
from hipnerve.kb.check import rule_findings
from hipnerve.kb.models import (
    AgeAtLeast,
    AllOf,
    AnyOf,
    RuleExpr,
    SexIs,
    Source,
    TriageLevel,
    TriageRule,
)


@dataclass(frozen=True)
class TriageReason:
    level: TriageLevel
    text: str
    clinician_text: str
    source: Source
    rule_id: str | None = None
    condition_id: str | None = None
    red_flag: bool = False
    suspects: tuple[str, ...] = ()  # conditions the rule's guideline names as the ones to exclude


@dataclass(frozen=True)
class TriageResult:
    level: TriageLevel
    reasons: tuple[TriageReason, ...]

    @property
    def red_flags(self) -> tuple[str, ...]:
        return tuple(r.rule_id for r in self.reasons if r.red_flag and r.rule_id)

    @property
    def suspected(self) -> tuple[str, ...]:
        """Conditions that a fired red-flag rule names as the ones to rule out, most urgent rule first.

        A warning sign points at its causes whatever their probability: fever with back pain means
        "exclude a spinal infection" even when a disc is still the likelier cause (NG59: exclude
        serious causes first). The ranked differential alone would hide such a cause below common ones.
        """
        seen: dict[str, None] = {}
        for reason in self.reasons:
            if reason.red_flag:
                seen.update(dict.fromkeys(reason.suspects))
        return tuple(seen)

    def naming(self, condition_id: str) -> tuple[TriageReason, ...]:
        """The fired red-flag rules that name ``condition_id`` as one to rule out."""
        return tuple(r for r in self.reasons if r.red_flag and r.rule_id and condition_id in r.suspects)


@dataclass(frozen=True)
class Conjunction:
    """One way for a rule to fire: every finding here present, and the patient's age and sex fit."""

    findings: frozenset[str]
    min_age: int = 0
    sex: str | None = None

    def admits(self, patient: Patient) -> bool:
        return patient.age >= self.min_age and (self.sex is None or patient.sex.value == self.sex)


def _in_sentence(name: str) -> str:
    """A condition name inside a sentence: only its first letter lowered, so "L5" and "DVT" keep theirs."""
    return name[:1].lower() + name[1:]


def _dnf(expr: RuleExpr) -> tuple[Conjunction, ...]:
    """A rule expression as an OR of ANDs, once per knowledge base: the only evaluator.

    Rules have no negation, so this is exact: the expression holds exactly when one conjunction does.
    """
    if isinstance(expr, str):
        return (Conjunction(frozenset((expr,))),)
    if isinstance(expr, AnyOf):
        return tuple(c for option in expr.any for c in _dnf(option))
    if isinstance(expr, AllOf):
        terms: tuple[Conjunction, ...] = (Conjunction(frozenset()),)
        for part in expr.all:
            terms = tuple(
                Conjunction(a.findings | b.findings, max(a.min_age, b.min_age), a.sex or b.sex)
                for a in terms
                for b in _dnf(part)
                if a.sex is None or b.sex is None or a.sex == b.sex
            )
        return terms
    if isinstance(expr, AgeAtLeast):
        return (Conjunction(frozenset(), min_age=expr.age_at_least),)
    if isinstance(expr, SexIs):
        return (Conjunction(frozenset(), sex=expr.sex),)
    raise TypeError(f"unknown rule expression {expr!r}")  # pragma: no cover - models forbid it


def _holds(options: tuple[frozenset[str], ...], present: AbstractSet[str]) -> bool:
    # A plain loop: about twice as fast as any() over a generator, and this runs for every rule.
    for findings in options:  # noqa: SIM110
        if findings <= present:
            return True
    return False


@dataclass(frozen=True)
class CompiledRule:
    rule: TriageRule
    terms: tuple[Conjunction, ...]
    mentions: frozenset[str]

    def predicate(self, present: AbstractSet[str], patient: Patient) -> bool:
        return _holds(tuple(t.findings for t in self.terms if t.admits(patient)), present)


@cache
def compiled_rules(model: Model) -> tuple[CompiledRule, ...]:
    return tuple(CompiledRule(r, _dnf(r.when), frozenset(rule_findings(r.when))) for r in model.kb.triage.rules)


@dataclass(frozen=True)
class _PatientRule:
    rule: TriageRule
    options: tuple[frozenset[str], ...]  # the finding sets of the conjunctions this patient's age and sex admit
    mentions: frozenset[str]
    urgent: bool  # consultation_24 or above


@cache
def _patient_rules(model: Model, age: int, sex: Sex) -> tuple[_PatientRule, ...]:
    """The rules with their age and sex conditions settled for one kind of patient (cached per age/sex)."""
    patient = Patient(age, sex)
    return tuple(
        _PatientRule(
            c.rule,
            tuple(t.findings for t in c.terms if t.admits(patient)),
            c.mentions,
            c.rule.level.rank >= TriageLevel.CONSULTATION_24.rank,
        )
        for c in compiled_rules(model)
    )


def _present(evidence: Mapping[str, Choice]) -> set[str]:
    present = Choice.PRESENT
    return {f for f, c in evidence.items() if c is present}


def fired_rules(model: Model, patient: Patient, evidence: Mapping[str, Choice]) -> list[TriageRule]:
    present = _present(evidence)
    return [r.rule for r in _patient_rules(model, patient.age, patient.sex) if _holds(r.options, present)]


def completing_findings(model: Model, patient: Patient, evidence: Mapping[str, Choice]) -> frozenset[str]:
    """Unanswered findings that could complete an urgent rule (consultation_24 or above) already partly met.

    "Partly met" means the rule mentions at least one finding that is present and could still fire
    if its unanswered findings turned out present. Asking these before stopping means an interview
    never ends one answer short of a red flag it was on the way to.
    """
    present = _present(evidence)
    wanted: set[str] = set()
    for r in _patient_rules(model, patient.age, patient.sex):
        if not r.urgent or r.mentions.isdisjoint(present) or _holds(r.options, present):
            continue
        unanswered = {f for f in r.mentions if f not in evidence}
        if _holds(r.options, present | unanswered):
            wanted |= unanswered
    return frozenset(wanted)


_BY_RANK = {level.rank: level for level in TriageLevel}


def rule_level(model: Model, patient: Patient, evidence: Mapping[str, Choice]) -> TriageLevel:
    """The highest level of the fired rules alone (``self_care`` when none fired): the floor that
    no further answer can lower, unlike a level raised by a condition's probability."""
    present = _present(evidence)
    rank = max(
        (r.rule.level.rank for r in _patient_rules(model, patient.age, patient.sex) if _holds(r.options, present)),
        default=0,
    )
    return _BY_RANK[rank]


def triage(
    model: Model, patient: Patient, evidence: Mapping[str, Choice], scores: Sequence[ConditionScore]
) -> TriageResult:
    kb = model.kb
    reasons = [
        TriageReason(
            level=rule.level,
            text=rule.reason,
            clinician_text=rule.clinician_reason,
            source=kb.sources[rule.source],
            rule_id=rule.id,
            red_flag=rule.level.rank >= TriageLevel.CONSULTATION_24.rank,
            suspects=rule.suspects,
        )
        for rule in fired_rules(model, patient, evidence)
    ]
    threshold = kb.triage.condition_threshold
    likely = []
    for item in scores:
        condition = kb.conditions[item.condition_id]
        cut = threshold.must_not_miss_probability if condition.must_not_miss else threshold.probability
        if item.probability >= cut:
            likely.append((item, condition))
    for item, condition in likely:
        reasons.append(
            TriageReason(
                level=condition.urgency,
                text=f"Your answers fit {_in_sentence(condition.name)} ({percent(item.probability)} likely).",
                clinician_text=f"{condition.clinician_name}: probability {item.probability:.2f} ≥ threshold.",
                source=kb.sources[threshold.source],
                condition_id=condition.id,
            )
        )
    if not likely:
        reasons.append(
            TriageReason(
                level=threshold.unmatched_level,
                text="Your answers do not clearly fit one cause, so a clinician should take a look.",
                clinician_text="No condition reached its probability threshold: unexplained presentation.",
                source=kb.sources[threshold.source],
            )
        )
    reasons.sort(key=lambda r: (-r.level.rank, not r.red_flag, r.rule_id or r.condition_id or ""))
    level = max((r.level for r in reasons), key=lambda lv: lv.rank)
    return TriageResult(level=level, reasons=tuple(reasons))
