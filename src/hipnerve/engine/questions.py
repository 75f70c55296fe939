"""Which question to ask next, and when to stop (pure).

A *question* is a screen: a group of findings asked together ("tick all that apply", counted as one
question) or a single yes/no finding. Red-flag screens are asked first, always, in their fixed order,
whatever the evidence so far: safety comes before efficiency. After them the next question is the
one with the largest expected information gain — the expected fall in uncertainty (binary entropy,
in bits) summed over every condition, with a screen's gain the sum of its findings' gains — except
that a screen holding a *priority* finding comes first: one that could complete an urgent triage
rule already partly met (the caller works these out; see ``triage.rules.completing_findings``).
The interview stops when no screen is worth at least ``min_information_gain`` bits, no priority
screen is left and every ``always_ask`` screen (the medical background, which every clinical history
takes) has been asked, or after ``max_questions`` screens. An ``always_ask`` screen comes whenever
its gain earns it, and at the latest when the interview would otherwise stop. (Asking it right after
the red-flag screens was tried on 2026-12-05: top-3 rose on six sets and fell on four, dev among them,
through the questions chosen after it; asking it last changed no set's top-3 for the worse.)
Once a red-flag *rule* at an emergency level has fired, at most ``emergency_extra_questions`` further
screens follow the red-flag screens: the person is told to go now on every one of them and may stop
at any time; the extra answers sharpen the differential that the emergency team receives. An
emergency level raised only because a must-not-miss cause crossed its probability threshold does not
end the interview early: unlike a rule's level, the next answer can lower it (the caller passes
``emergency`` accordingly).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Literal

import numpy as np
import numpy.typing as npt

from hipnerve.engine.fast import FloatArray, Pairs, arrays, pair_gains, pairs_of
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


@cache
def _units_by_id(model: Model) -> dict[str, QuestionUnit]:
    return {u.id: u for u in question_units(model)}


def unit_by_id(model: Model, unit_id: str) -> QuestionUnit | None:
    return _units_by_id(model).get(unit_id)


@dataclass(frozen=True, eq=False)
class _UnitTable:
    """The screens after the red-flag ones, as arrays, to add up every screen's open gains at once.

    Only these screens are ever weighed: the red-flag screens come first, whatever the gains, so
    by the time gains are worked out every red-flag finding is answered (its gain would count 0).
    """

    units: tuple[QuestionUnit, ...]  # the screens after the red-flag ones, in asking order
    red_flag: tuple[QuestionUnit, ...]  # in asking order
    always_ask: tuple[int, ...]  # positions in ``units`` of the screens asked before the interview may stop
    pairs: Pairs  # the listed pairs of these screens' findings, in ``position`` order
    position: dict[str, int]  # finding -> its place among these screens' findings
    rows: npt.NDArray[np.int64]  # (longest screen, screens): k-th finding's position, or a padding past the end
    unit_of: dict[str, int]  # finding -> its screen's position in ``units``


@cache
def _unit_table(model: Model) -> _UnitTable:
    units = tuple(u for u in question_units(model) if not u.red_flag)
    index = arrays(model).index
    findings = [f for u in units for f in u.findings]
    position = {f: i for i, f in enumerate(findings)}
    padding = len(findings)
    longest = max((len(u.findings) for u in units), default=0)
    rows = np.full((longest, len(units)), padding, dtype=np.int64)
    for column, unit in enumerate(units):
        rows[: len(unit.findings), column] = [position[f] for f in unit.findings]
    unit_of = {f: i for i, u in enumerate(units) for f in u.findings}
    red_flag = tuple(u for u in question_units(model) if u.red_flag)
    always_ask = tuple(i for i, u in enumerate(units) if u.group is not None and u.group.always_ask)
    pairs = pairs_of(model, [index[f] for f in findings])
    return _UnitTable(units, red_flag, always_ask, pairs, position, rows, unit_of)


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


# Why a screen is asked: the reasons a caller may tell apart (``NextQuestion.kind``).
RED_FLAG_FIRST = "red-flag screening comes first"
COMPLETES_RULE = "could complete a warning-sign rule already partly met"
ALWAYS_ASKED = "part of every history: asked before the interview ends"
QuestionKind = Literal["red_flag_screen", "rule_completion", "always_asked", "information_gain", "none"]
_KINDS: dict[str, QuestionKind] = {
    RED_FLAG_FIRST: "red_flag_screen",
    COMPLETES_RULE: "rule_completion",
    ALWAYS_ASKED: "always_asked",
}


@dataclass(frozen=True)
class NextQuestion:
    unit: QuestionUnit | None
    gain: float
    should_stop: bool
    reason: str

    @property
    def kind(self) -> QuestionKind:
        """Why the screen is asked: ``red_flag_screen``, ``rule_completion``, ``always_asked`` or
        ``information_gain`` (``none`` when the interview stops)."""
        if self.unit is None:
            return "none"
        return _KINDS.get(self.reason, "information_gain")


def red_flag_next(model: Model, evidence: Mapping[str, Choice]) -> NextQuestion | None:
    """The first red-flag screen with an unanswered finding, if any: these come first, always."""
    for unit in _unit_table(model).red_flag:
        for finding in unit.findings:
            if finding not in evidence:
                return NextQuestion(unit, float("inf"), False, RED_FLAG_FIRST)
    return None


def choose_next(
    model: Model,
    evidence: Mapping[str, Choice],
    probabilities: Sequence[float] | FloatArray,
    asked: int,
    emergency: bool,
    ask_all: bool = False,
    priority: frozenset[str] = frozenset(),
) -> NextQuestion:
    settings = model.kb.manifest.engine
    first = red_flag_next(model, evidence)
    if first is not None:
        return first
    table = _unit_table(model)
    if emergency and not ask_all and asked >= len(table.red_flag) + settings.emergency_extra_questions:
        return NextQuestion(None, 0.0, True, "an emergency red-flag rule fired: act on it now")
    if asked >= settings.max_questions and not ask_all:
        return NextQuestion(None, 0.0, True, "question limit reached")
    place = table.position
    closed = [place[f] for f in evidence if f in place]
    is_open = np.ones(len(place) + 1, dtype=bool)
    is_open[closed] = False
    is_open[-1] = False  # the padding
    gains = np.zeros(len(place) + 1)
    pair_gains(table.pairs, np.asarray(probabilities, dtype=np.float64), gains[:-1])
    gains[closed] = 0.0
    open_items = is_open[table.rows]
    # A screen's gain is the sum of its open findings' gains, added in the screen's order (a closed
    # finding and the padding add 0.0), so the figure is the same as adding them one by one.
    unit_gains = gains[table.rows].sum(axis=0)
    candidates = open_items.any(axis=0)
    urgent = [table.unit_of[f] for f in priority if f in table.unit_of and f not in evidence]
    if urgent:
        candidates = np.zeros(len(table.units), dtype=bool)
        candidates[urgent] = True
    if not candidates.any():
        return NextQuestion(None, 0.0, True, "every question has been asked")
    position = int(np.argmax(np.where(candidates, unit_gains, -np.inf)))  # the first of the best
    best, best_gain = table.units[position], float(unit_gains[position])
    if urgent:
        return NextQuestion(best, best_gain, False, COMPLETES_RULE)
    if best_gain < settings.min_information_gain and not ask_all:
        for column in table.always_ask:
            if bool(open_items[:, column].any()):
                return NextQuestion(table.units[column], float(unit_gains[column]), False, ALWAYS_ASKED)
        return NextQuestion(None, best_gain, True, "no remaining question would change the picture much")
    return NextQuestion(best, best_gain, False, "largest expected information gain")
