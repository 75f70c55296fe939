"""Triage level and the reasons that raised it (pure).

The level is the highest of (a) every red-flag rule that fires and (b) the typical urgency of each
condition whose probability reaches its threshold (or the "unmatched" level when none does).
Rules are positive expressions over present findings (no negation), so adding answers can only add
fired rules: **no answer can lower the level below a triggered red flag**. Probability-driven urgency
can go up or down with evidence, but it is combined with ``max`` and never replaces a rule's level.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache

from hipnerve.engine.inference import ConditionScore
from hipnerve.engine.model import Choice, Model, Patient
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


@dataclass(frozen=True)
class TriageResult:
    level: TriageLevel
    reasons: tuple[TriageReason, ...]

    @property
    def red_flags(self) -> tuple[str, ...]:
        return tuple(r.rule_id for r in self.reasons if r.red_flag and r.rule_id)


def holds(expr: RuleExpr, present: frozenset[str] | set[str], patient: Patient) -> bool:
    if isinstance(expr, str):
        return expr in present
    if isinstance(expr, AllOf):
        return all(holds(part, present, patient) for part in expr.all)
    if isinstance(expr, AnyOf):
        return any(holds(part, present, patient) for part in expr.any)
    if isinstance(expr, AgeAtLeast):
        return patient.age >= expr.age_at_least
    if isinstance(expr, SexIs):
        return patient.sex.value == expr.sex
    raise TypeError(f"unknown rule expression {expr!r}")  # pragma: no cover - models forbid it


def fired_rules(model: Model, patient: Patient, evidence: Mapping[str, Choice]) -> list[TriageRule]:
    present = {f for f, c in evidence.items() if c is Choice.PRESENT}
    return [rule for rule in model.kb.triage.rules if holds(rule.when, present, patient)]


def _could_hold(expr: RuleExpr, present: set[str], open_findings: set[str], patient: Patient) -> bool:
    return holds(expr, present | open_findings, patient)


def _walk(expr: RuleExpr) -> frozenset[str]:
    if isinstance(expr, str):
        return frozenset({expr})
    if isinstance(expr, AllOf):
        return frozenset().union(*(_walk(p) for p in expr.all))
    if isinstance(expr, AnyOf):
        return frozenset().union(*(_walk(p) for p in expr.any))
    return frozenset()


@cache
def _mentions(rule: TriageRule) -> frozenset[str]:
    """Finding ids a rule mentions (rules are frozen, so this is computed once per rule)."""
    return _walk(rule.when)


def completing_findings(model: Model, patient: Patient, evidence: Mapping[str, Choice]) -> frozenset[str]:
    """Unanswered findings that could complete an urgent rule (consultation_24 or above) already partly met.

    "Partly met" means the rule mentions at least one finding that is present and could still fire
    if its unanswered findings turned out present. Asking these before stopping means an interview
    never ends one answer short of a red flag it was on the way to.
    """
    present = {f for f, c in evidence.items() if c is Choice.PRESENT}
    open_findings = {f for f in model.kb.findings if f not in evidence}
    wanted: set[str] = set()
    for rule in model.kb.triage.rules:
        if rule.level.rank < TriageLevel.CONSULTATION_24.rank:
            continue
        mentioned = _mentions(rule)
        if mentioned.isdisjoint(present) or holds(rule.when, present, patient):
            continue
        if _could_hold(rule.when, present, open_findings, patient):
            wanted |= mentioned & open_findings
    return frozenset(wanted)


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
                text=f"Your answers fit {condition.name.lower()} ({round(item.probability * 100)}% likely).",
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
