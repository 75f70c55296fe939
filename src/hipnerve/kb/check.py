"""Cross-file checks of the knowledge base: what the strict models alone cannot see.

Each check returns :class:`~hipnerve.kb.loader.Problem` values naming the file and the id, so a
content editor can go straight to the line. ``hipnerve kb check`` exits non-zero on any problem.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

from hipnerve.kb.loader import KnowledgeBase, Problem
from hipnerve.kb.models import AgeAtLeast, AllOf, AnyOf, Code, RuleExpr, SexIs, TriageLevel

FINDINGS = "findings.yaml"
TRIAGE = "triage_rules.yaml"
# An estimated sensitivity may not claim LR+ below this (sensitivity < ESTIMATE_FLOOR x frequency): a
# person can have a second problem that causes the symptom, so one unexpected answer should not all
# but rule a condition out on a guess. A published figure may go lower (estimate: false).
ESTIMATE_FLOOR = 0.25


def rule_findings(expr: RuleExpr) -> Iterator[str]:
    """Every finding id a rule expression mentions."""
    if isinstance(expr, str):
        yield expr
    elif isinstance(expr, AllOf):
        for part in expr.all:
            yield from rule_findings(part)
    elif isinstance(expr, AnyOf):
        for part in expr.any:
            yield from rule_findings(part)
    elif isinstance(expr, AgeAtLeast | SexIs):
        return


def _source(kb: KnowledgeBase, file: str, item: str, source_id: str) -> list[Problem]:
    if source_id not in kb.sources:
        return [Problem(file, item, f"unknown source {source_id!r}: add it to sources/*.yaml")]
    return []


def _probability(file: str, item: str, what: str, value: float) -> list[Problem]:
    if not (0.0 < value < 1.0) or math.isnan(value):
        return [Problem(file, item, f"{what} = {value} is not a probability in (0, 1)")]
    return []


def _codes(file: str, item: str, codes: tuple[Code, ...]) -> list[Problem]:
    systems = {c.system for c in codes}
    return [
        Problem(file, item, f"condition has no {system} code")
        for system in ("icd10cm", "snomed")
        if system not in systems
    ]


def _check_findings(kb: KnowledgeBase) -> list[Problem]:
    problems: list[Problem] = []
    for finding in kb.findings.values():
        if finding.group is not None and finding.group not in kb.groups:
            problems.append(Problem(FINDINGS, finding.id, f"unknown group {finding.group!r}"))
        if finding.group is None and not finding.text.rstrip().endswith("?"):
            problems.append(Problem(FINDINGS, finding.id, "an ungrouped finding's text must be a question"))
    problems.extend(
        Problem(FINDINGS, f.id, f"unknown frequency source {f.frequency.source!r}")
        for f in kb.findings.values()
        if f.frequency is not None and f.frequency.source not in kb.sources
    )
    used_groups = {f.group for f in kb.findings.values()}
    problems.extend(
        Problem(FINDINGS, group_id, "group has no findings") for group_id in kb.groups if group_id not in used_groups
    )
    seen: set[str] = set()
    for cluster in kb.clusters:
        if cluster.id in seen:
            problems.append(Problem(FINDINGS, cluster.id, "duplicate cluster id"))
        seen.add(cluster.id)
        for member in cluster.members:
            if member not in kb.findings:
                problems.append(Problem(FINDINGS, cluster.id, f"unknown finding {member!r} in cluster"))
    members = [m for c in kb.clusters for m in c.members]
    problems.extend(
        Problem(FINDINGS, m, "finding is in more than one cluster")
        for m in sorted(set(members))
        if members.count(m) > 1
    )
    return problems


def _check_condition(kb: KnowledgeBase, condition_id: str) -> list[Problem]:
    condition = kb.conditions[condition_id]
    file = kb.condition_files.get(condition_id, f"conditions/{condition_id}.yaml")
    problems = _codes(file, condition_id, condition.codes)
    if file != f"conditions/{condition_id}.yaml":
        problems.append(Problem(file, condition_id, "file name must match the condition id"))
    prior = condition.prior
    problems += _source(kb, file, f"{condition_id} prior", prior.source)
    expected_min = 18
    for band in sorted(prior.bands, key=lambda b: b.age_min):
        label = f"{condition_id} prior {band.age_min}-{band.age_max}"
        if band.age_min != expected_min or band.age_max < band.age_min:
            problems.append(Problem(file, label, f"age bands must be contiguous from 18; expected {expected_min}"))
        expected_min = band.age_max + 1
        problems += _probability(file, label, "female prior", band.female)
        problems += _probability(file, label, "male prior", band.male)
    if expected_min != 121:
        problems.append(Problem(file, f"{condition_id} prior", "age bands must end at 120"))
    seen: set[str] = set()
    for lik in condition.likelihoods:
        item = f"{condition_id} → {lik.finding}"
        if lik.finding not in kb.findings:
            problems.append(Problem(file, item, f"unknown finding {lik.finding!r}"))
        if lik.finding in seen:
            problems.append(Problem(file, item, "duplicate likelihood for this finding"))
        seen.add(lik.finding)
        problems += _source(kb, file, item, lik.source)
        finding = kb.findings.get(lik.finding)
        if lik.sensitivity is not None:
            if finding is not None and finding.frequency is None:
                problems.append(
                    Problem(file, item, "a sensitivity needs the finding's population frequency in findings.yaml")
                )
            elif (
                finding is not None
                and finding.frequency is not None
                and lik.estimate
                and lik.sensitivity < ESTIMATE_FLOOR * finding.frequency.value - 1e-9
            ):
                problems.append(
                    Problem(
                        file,
                        item,
                        f"an estimated sensitivity below {ESTIMATE_FLOOR} x the finding's frequency "
                        f"({finding.frequency.value}) claims LR+ < {ESTIMATE_FLOOR}: cite a published figure",
                    )
                )
        elif lik.lr_pos is None and lik.lr_neg is None:
            problems.append(Problem(file, item, "likelihood gives neither lr_pos nor lr_neg"))
        for name, value in (("lr_pos", lik.lr_pos), ("lr_neg", lik.lr_neg)):
            if value is not None and (not value > 0 or math.isinf(value) or math.isnan(value)):
                problems.append(Problem(file, item, f"{name} = {value} must be a finite ratio > 0"))
        if lik.lr_pos is not None and lik.lr_neg is not None and (lik.lr_pos - 1) * (lik.lr_neg - 1) > 0:
            problems.append(
                Problem(
                    file,
                    item,
                    "lr_pos and lr_neg point the same way; one must be above 1 and one below",
                )
            )
    return problems


def _check_triage(kb: KnowledgeBase) -> list[Problem]:
    problems = _source(kb, TRIAGE, "condition_threshold", kb.triage.condition_threshold.source)
    seen: set[str] = set()
    for rule in kb.triage.rules:
        if rule.id in seen:
            problems.append(Problem(TRIAGE, rule.id, "duplicate rule id"))
        seen.add(rule.id)
        problems += _source(kb, TRIAGE, rule.id, rule.source)
        problems.extend(
            Problem(TRIAGE, rule.id, f"unknown finding {f!r}") for f in rule_findings(rule.when) if f not in kb.findings
        )
        problems.extend(
            Problem(TRIAGE, rule.id, f"unknown suspected condition {c!r}")
            for c in rule.suspects
            if c not in kb.conditions
        )
        if rule.estimate and not rule.reasoning:
            problems.append(Problem(TRIAGE, rule.id, "an estimated rule must give its reasoning"))
    # A must-not-miss condition needs a warning sign that names it, or it can never reach the
    # result's rule-out list and can only surface on its probability.
    named = {c for r in kb.triage.rules if r.level.rank >= TriageLevel.CONSULTATION_24.rank for c in r.suspects}
    problems.extend(
        Problem(
            kb.condition_files.get(c.id, f"conditions/{c.id}.yaml"),
            c.id,
            "must-not-miss condition that no urgent triage rule names in its suspects",
        )
        for c in kb.conditions.values()
        if c.must_not_miss and c.id not in named
    )
    return problems


def _check_bodymap(kb: KnowledgeBase) -> list[Problem]:
    file = "bodymap.yaml"
    problems = _source(kb, file, "source", kb.bodymap.source)
    seen: set[str] = set()
    for region in kb.bodymap.regions:
        if region.id in seen:
            problems.append(Problem(file, region.id, "duplicate region id"))
        seen.add(region.id)
        if not region.pain and not region.numbness:
            problems.append(Problem(file, region.id, "region maps to no finding"))
        problems.extend(
            Problem(file, region.id, f"unknown finding {f!r}")
            for f in (*region.pain, *region.numbness)
            if f not in kb.findings
        )
    for finding in (kb.bodymap.bilateral.pain, kb.bodymap.bilateral.numbness):
        if finding not in kb.findings:
            problems.append(Problem(file, "bilateral", f"unknown finding {finding!r}"))
    return problems


def _check_families(kb: KnowledgeBase) -> list[Problem]:
    file = "manifest.yaml"
    problems: list[Problem] = []
    placed: dict[str, str] = {}
    for family in kb.manifest.families:
        problems += _source(kb, file, family.id, family.source)
        for member in family.members:
            if member not in kb.conditions:
                problems.append(Problem(file, family.id, f"unknown condition {member!r}"))
            elif member in placed:
                problems.append(Problem(file, family.id, f"condition {member!r} is already in {placed[member]!r}"))
            placed.setdefault(member, family.id)
    return problems


def check_knowledge(kb: KnowledgeBase) -> list[Problem]:
    """Every cross-reference and number in the knowledge base that the models cannot check alone."""
    problems = _check_findings(kb) + _check_bodymap(kb)
    for condition_id in kb.conditions:
        problems += _check_condition(kb, condition_id)
    problems += _check_triage(kb) + _check_families(kb)
    if not kb.conditions:
        problems.append(Problem("conditions/", "", "no conditions"))
    return problems
