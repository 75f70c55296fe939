"""Triage level and the reasons that raised it (pure).

The level is the highest of (a) every red-flag rule that fires and (b) the typical urgency of each
condition whose probability reaches its threshold (or the "unmatched" level when none does).
Rules are positive expressions over present findings (no negation), so adding answers can only add
fired rules: **no answer can lower the level below a triggered red flag**. Probability-driven urgency
can go up or down with evidence, but it is combined with ``max`` and never replaces a rule's level.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from collections.abc import Set as AbstractSet
from dataclasses import dataclass
from functools import cache

from hipnerve.engine.inference import ConditionScore
from hipnerve.engine.model import Choice, Model, Patient
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


Predicate = Callable[[AbstractSet[str], Patient], bool]


def _compile(expr: RuleExpr) -> Predicate:
    """A rule expression turned into closures once per knowledge base: the only evaluator."""
    if isinstance(expr, str):
        finding = expr
        return lambda present, _patient: finding in present
    if isinstance(expr, AllOf):
        parts = [_compile(p) for p in expr.all]
        return lambda present, patient: all(part(present, patient) for part in parts)
    if isinstance(expr, AnyOf):
        options = [_compile(p) for p in expr.any]
        return lambda present, patient: any(option(present, patient) for option in options)
    if isinstance(expr, AgeAtLeast):
        age = expr.age_at_least
        return lambda _present, patient: patient.age >= age
    if isinstance(expr, SexIs):
        sex = expr.sex
        return lambda _present, patient: patient.sex.value == sex
    raise TypeError(f"unknown rule expression {expr!r}")  # pragma: no cover - models forbid it


@dataclass(frozen=True)
class CompiledRule:
    rule: TriageRule
    predicate: Predicate
    mentions: frozenset[str]


@cache
def compiled_rules(model: Model) -> tuple[CompiledRule, ...]:
    return tuple(CompiledRule(r, _compile(r.when), frozenset(rule_findings(r.when))) for r in model.kb.triage.rules)


def fired_rules(model: Model, patient: Patient, evidence: Mapping[str, Choice]) -> list[TriageRule]:
    present = {f for f, c in evidence.items() if c is Choice.PRESENT}
    return [c.rule for c in compiled_rules(model) if c.predicate(present, patient)]


def completing_findings(model: Model, patient: Patient, evidence: Mapping[str, Choice]) -> frozenset[str]:
    """Unanswered findings that could complete an urgent rule (consultation_24 or above) already partly met.

    "Partly met" means the rule mentions at least one finding that is present and could still fire
    if its unanswered findings turned out present. Asking these before stopping means an interview
    never ends one answer short of a red flag it was on the way to.
    """
    present = {f for f, c in evidence.items() if c is Choice.PRESENT}
    wanted: set[str] = set()
    for compiled in compiled_rules(model):
        if compiled.rule.level.rank < TriageLevel.CONSULTATION_24.rank:
            continue
        mentioned = compiled.mentions
        if mentioned.isdisjoint(present) or compiled.predicate(present, patient):
            continue
        unanswered = {f for f in mentioned if f not in evidence}
        if compiled.predicate(present | unanswered, patient):
            wanted |= unanswered
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
