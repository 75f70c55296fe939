"""Per-condition probabilities from prior odds and likelihood ratios (pure, deterministic).

Each condition is scored on its own: log-odds = logit(prior for age band and sex) + Σ log LR over
answered findings (LR+ when present, LR− when absent; "don't know" adds nothing). Conditions are not
mutually exclusive — sciatica and hip osteoarthritis often coexist — which is also how published
accuracy figures are reported (one condition against the rest), so the figures are used as given.

Correlated findings. Naive Bayes assumes findings are independent given the condition, which
over-counts findings that express one lesion (numbness of the top of the foot and of the big toe
are both the L5 root). Findings in one *cluster* (``findings.yaml``) are therefore damped: for each
condition, the same-direction contributions within a cluster are sorted by size; the largest counts
in full and each further one is multiplied by ``cluster_decay`` (0.5) once more than the one before.
Example: L5 numbness LR 5 and big-toe numbness LR 4 give 5 × 4^0.5 = 10, not 20.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

from hipnerve.engine.model import Choice, Model, Patient, Term


@dataclass(frozen=True)
class Contribution:
    """How one answer moved one condition, for explanations."""

    finding: str
    choice: Choice
    log_lr: float  # as applied, after cluster damping
    raw_log_lr: float  # the knowledge base's ratio, before damping
    term: Term

    @property
    def ratio(self) -> float:
        return math.exp(self.log_lr)

    @property
    def damped(self) -> bool:
        return abs(self.log_lr - self.raw_log_lr) > 1e-12


@dataclass(frozen=True)
class ConditionScore:
    condition_id: str
    prior: float
    log_odds: float
    probability: float
    contributions: tuple[Contribution, ...]


def logit(p: float) -> float:
    return math.log(p / (1.0 - p))


def sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


# Probabilities are clamped into this open interval so that they stay in (0, 1) and log-odds
# stay finite however much evidence piles up.
PROBABILITY_FLOOR = 1e-6
PROBABILITY_CEILING = 1.0 - 1e-6


def clamp_probability(p: float) -> float:
    return min(PROBABILITY_CEILING, max(PROBABILITY_FLOOR, p))


def _damp(contributions: list[Contribution], decay: float) -> list[Contribution]:
    """Damp same-direction contributions within each cluster (see module docstring)."""
    by_key: dict[tuple[str, bool], list[Contribution]] = {}
    out: list[Contribution] = []
    for item in contributions:
        cluster = item.term.cluster
        if cluster is None or item.raw_log_lr == 0.0:
            out.append(item)
        else:
            by_key.setdefault((cluster, item.raw_log_lr > 0), []).append(item)
    for items in by_key.values():
        items.sort(key=lambda c: (-abs(c.raw_log_lr), c.finding))
        weight = 1.0
        for item in items:
            out.append(Contribution(item.finding, item.choice, item.raw_log_lr * weight, item.raw_log_lr, item.term))
            weight *= decay
    return out


def score(model: Model, patient: Patient, evidence: Mapping[str, Choice]) -> list[ConditionScore]:
    """Score every condition; the list is in knowledge-base order (see :func:`rank`)."""
    per_condition: list[list[Contribution]] = [[] for _ in model.condition_ids]
    for finding, choice in evidence.items():
        if choice is Choice.UNKNOWN:
            continue
        for term in model.terms_by_finding.get(finding, ()):
            raw = term.log_pos if choice is Choice.PRESENT else term.log_neg
            if raw != 0.0:
                per_condition[term.condition].append(Contribution(finding, choice, raw, raw, term))
    scores = []
    for index, condition_id in enumerate(model.condition_ids):
        prior = model.prior(index, patient)
        contributions = _damp(per_condition[index], model.cluster_decay)
        log_odds = logit(prior) + sum(c.log_lr for c in contributions)
        probability = clamp_probability(sigmoid(log_odds))
        contributions.sort(key=lambda c: (-abs(c.log_lr), c.finding))
        scores.append(ConditionScore(condition_id, prior, logit(probability), probability, tuple(contributions)))
    return scores


def rank(scores: list[ConditionScore]) -> list[ConditionScore]:
    """Most probable first; ties broken by id so the order is deterministic."""
    return sorted(scores, key=lambda s: (-s.probability, s.condition_id))
