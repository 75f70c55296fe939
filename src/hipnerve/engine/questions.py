"""Which question to ask next, and when to stop (pure).

A *question* is a screen: a group of findings asked together ("tick all that apply", counted as one
question) or a single yes/no finding. Red-flag screens are asked first, always, in their fixed order,
whatever the evidence so far: safety comes before efficiency. After them the next question is the
one with the largest expected information gain — the expected fall in uncertainty (binary entropy,
in bits) summed over every condition, with a screen's gain the sum of its findings' gains — except
that a screen holding a *priority* finding comes first: one that could complete an urgent triage
rule already partly met (the caller works these out; see ``triage.rules.completing_findings``).
The interview stops when no screen is worth at least ``min_information_gain`` bits and no priority
screen is left, or after ``max_questions`` screens. Once an emergency level has fired, at most
``emergency_extra_questions`` further screens follow the red-flag screens: the person is told to go
now on every one of them and may stop at any time; the extra answers sharpen the differential that
the emergency team receives.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np

from hipnerve.engine.fast import arrays, finding_gains
from hipnerve.engine.inference import logit, sigmoid
from hipnerve.engine.model import Choice, Model
from hipnerve.kb.models import FindingGroup


@dataclass(frozen=True)
class QuestionUnit:
    id: str
    findings: tuple[str, ...]
    group: FindingGroup | None
    red_flag: bool
    order: int


@cache
def question_units(model: Model) -> tuple[QuestionUnit, ...]:
    """Every screen of the knowledge base: red-flag screens first (by order), then the rest."""
    units: list[QuestionUnit] = []
    for group in model.kb.groups.values():
        members = tuple(f.id for f in model.kb.findings.values() if f.group == group.id)
        units.append(QuestionUnit(group.id, members, group, group.red_flag_screen, group.order))
    for finding in model.kb.findings.values():
        if finding.group is None:
            units.append(QuestionUnit(finding.id, (finding.id,), None, False, 100))
    return tuple(sorted(units, key=lambda u: (not u.red_flag, u.order, u.id)))


def unit_by_id(model: Model, unit_id: str) -> QuestionUnit | None:
    return next((u for u in question_units(model) if u.id == unit_id), None)


def _entropy(p: float) -> float:
    if p <= 0.0 or p >= 1.0:
        return 0.0
    return -(p * math.log2(p) + (1.0 - p) * math.log2(1.0 - p))


def finding_gain(model: Model, finding: str, probabilities: Sequence[float]) -> float:
    """Expected entropy reduction (bits) over all conditions from learning one finding.

    The reference for :func:`hipnerve.engine.fast.finding_gains`, which computes it for every
    finding at once on the interview's hot path.
    """
    total = 0.0
    for term in model.terms_by_finding.get(finding, ()):
        p = probabilities[term.condition]
        p_yes = p * term.p_yes_if_condition + (1.0 - p) * term.p_yes_if_other
        prior_logit = logit(p)
        after_yes = sigmoid(prior_logit + term.log_pos)
        after_no = sigmoid(prior_logit + term.log_neg)
        gain = _entropy(p) - p_yes * _entropy(after_yes) - (1.0 - p_yes) * _entropy(after_no)
        if gain > 0.0:
            total += gain
    return total


def pending(unit: QuestionUnit, evidence: Mapping[str, Choice]) -> tuple[str, ...]:
    return tuple(f for f in unit.findings if f not in evidence)


@dataclass(frozen=True)
class NextQuestion:
    unit: QuestionUnit | None
    gain: float
    should_stop: bool
    reason: str


def choose_next(
    model: Model,
    evidence: Mapping[str, Choice],
    probabilities: Sequence[float],
    asked: int,
    emergency: bool,
    ask_all: bool = False,
    priority: frozenset[str] = frozenset(),
) -> NextQuestion:
    settings = model.kb.manifest.engine
    units = question_units(model)
    for unit in units:
        if unit.red_flag and pending(unit, evidence):
            return NextQuestion(unit, float("inf"), False, "red-flag screening comes first")
    red_flag_screens = sum(1 for u in units if u.red_flag)
    if emergency and not ask_all and asked >= red_flag_screens + settings.emergency_extra_questions:
        return NextQuestion(None, 0.0, True, "an emergency red flag fired: act on it now")
    if asked >= settings.max_questions and not ask_all:
        return NextQuestion(None, 0.0, True, "question limit reached")
    a = arrays(model)
    gains = finding_gains(model, np.asarray(probabilities, dtype=np.float64))
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
        return NextQuestion(None, best_gain, True, "no remaining question would change the picture much")
    return NextQuestion(best, best_gain, False, "largest expected information gain")
