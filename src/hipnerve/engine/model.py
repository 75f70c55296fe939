"""The knowledge base compiled into the arrays the engine works on.

Compiling once (log-ratios precomputed, findings indexed by condition and cluster) keeps a step of
the interview in the low milliseconds. Building a :class:`Model` is pure: it only reads the
in-memory :class:`~hipnerve.kb.loader.KnowledgeBase`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from enum import StrEnum
from functools import cache

from hipnerve.exceptions import InvalidDemographicsError, UnknownFindingError
from hipnerve.kb.loader import KnowledgeBase, load_knowledge
from hipnerve.kb.models import Condition, Likelihood

MIN_AGE = 18
MAX_AGE = 120

# When a likelihood gives only LR+ we still need P(finding | not condition) to weigh a question.
# 0.15 is an engineering assumption (a typical finding is reported by a minority of people with
# other causes); it shapes only the *order* of questions, never a probability.
ASSUMED_BASE_RATE = 0.15


class Choice(StrEnum):
    PRESENT = "present"
    ABSENT = "absent"
    UNKNOWN = "unknown"


class Sex(StrEnum):
    FEMALE = "female"
    MALE = "male"


@dataclass(frozen=True)
class Patient:
    age: int
    sex: Sex

    def __post_init__(self) -> None:
        if isinstance(self.age, bool) or not isinstance(self.age, int):
            raise InvalidDemographicsError(f"age must be a whole number of years, got {self.age!r}")
        if not MIN_AGE <= self.age <= MAX_AGE:
            raise InvalidDemographicsError(
                f"age {self.age} is outside {MIN_AGE}-{MAX_AGE}: hipnerve is for adults only"
            )
        if not isinstance(self.sex, Sex):
            raise InvalidDemographicsError(f"sex must be 'female' or 'male', got {self.sex!r}")


@dataclass(frozen=True)
class Term:
    """One likelihood of one finding for one condition, ready for arithmetic."""

    condition: int
    finding: str
    log_pos: float  # log LR when present (0 if no LR+)
    log_neg: float  # log LR when absent (0 if no LR−)
    p_yes_if_condition: float  # P(finding | condition), for question weighing only
    p_yes_if_other: float  # P(finding | other causes)
    cluster: str | None
    likelihood: Likelihood


def ratios(lik: Likelihood, frequency: float | None) -> tuple[float | None, float | None]:
    """LR+ and LR− of a likelihood; from sensitivity and the finding's frequency when so given."""
    if lik.sensitivity is not None:
        if frequency is None:  # kb check forbids this
            raise ValueError(f"{lik.finding}: a sensitivity needs the finding's frequency")
        return lik.sensitivity / frequency, (1.0 - lik.sensitivity) / (1.0 - frequency)
    return lik.lr_pos, lik.lr_neg


def _test_characteristics(lik: Likelihood, frequency: float | None) -> tuple[float, float]:
    """Sensitivity and false-positive rate implied by a likelihood, for weighing questions.

    With a sensitivity, they are the sensitivity and the finding's frequency. With both ratios
    (LR+ > 1 > LR− or the reverse), spec = (LR+ − 1)/(LR+ − LR−) and sens = LR+ · (1 − spec).
    With one ratio we use the finding's frequency, or :data:`ASSUMED_BASE_RATE`.
    """
    if lik.sensitivity is not None and frequency is not None:
        return lik.sensitivity, frequency
    base = frequency if frequency is not None else ASSUMED_BASE_RATE
    pos, neg = lik.lr_pos, lik.lr_neg
    if pos is not None and neg is not None and abs(pos - neg) > 1e-9:
        spec = (pos - 1.0) / (pos - neg)
        sens = pos * (1.0 - spec)
        if 0.0 < spec < 1.0 and 0.0 < sens < 1.0:
            return sens, 1.0 - spec
    if pos is not None:
        return min(0.99, pos * base), base
    assert neg is not None
    # Only LR− = (1 − sens)/spec: assume spec = 1 − base rate.
    spec = 1.0 - base
    sens = max(0.01, min(0.99, 1.0 - neg * spec))
    return sens, base


@dataclass(frozen=True, eq=False)  # identity equality/hash: one compiled model per knowledge base
class Model:
    kb: KnowledgeBase
    condition_ids: tuple[str, ...]
    conditions: tuple[Condition, ...]
    terms_by_finding: dict[str, tuple[Term, ...]]
    cluster_of: dict[str, str]
    cluster_decay: float
    family_of: dict[str, str]  # condition id -> family id, for conditions listed as one entry

    def prior(self, condition: int, patient: Patient) -> float:
        for band in self.conditions[condition].prior.bands:
            if band.age_min <= patient.age <= band.age_max:
                return band.female if patient.sex is Sex.FEMALE else band.male
        raise InvalidDemographicsError(f"no prior band covers age {patient.age}")  # kb check prevents this

    @property
    def must_not_miss(self) -> frozenset[str]:
        return frozenset(c.id for c in self.conditions if c.must_not_miss)

    def check_finding(self, finding_id: str) -> None:
        if finding_id not in self.kb.findings:
            raise UnknownFindingError(finding_id)


def compile_model(kb: KnowledgeBase) -> Model:
    cluster_of = {member: cluster.id for cluster in kb.clusters for member in cluster.members}
    condition_ids = tuple(kb.conditions)
    terms: dict[str, list[Term]] = {}
    for index, condition_id in enumerate(condition_ids):
        for lik in kb.conditions[condition_id].likelihoods:
            finding = kb.findings[lik.finding]
            frequency = finding.frequency.value if finding.frequency is not None else None
            sens, fpr = _test_characteristics(lik, frequency)
            lr_pos, lr_neg = ratios(lik, frequency)
            terms.setdefault(lik.finding, []).append(
                Term(
                    condition=index,
                    finding=lik.finding,
                    log_pos=math.log(lr_pos) if lr_pos is not None else 0.0,
                    log_neg=math.log(lr_neg) if lr_neg is not None else 0.0,
                    p_yes_if_condition=sens,
                    p_yes_if_other=fpr,
                    cluster=cluster_of.get(lik.finding),
                    likelihood=lik,
                )
            )
    return Model(
        kb=kb,
        condition_ids=condition_ids,
        conditions=tuple(kb.conditions[c] for c in condition_ids),
        terms_by_finding={f: tuple(t) for f, t in terms.items()},
        cluster_of=cluster_of,
        cluster_decay=kb.manifest.engine.cluster_decay,
        family_of={member: family.id for family in kb.manifest.families for member in family.members},
    )


@cache
def default_model() -> Model:
    """The packaged knowledge base, compiled once per process."""
    return compile_model(load_knowledge())
