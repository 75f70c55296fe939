"""Evaluation figures over a set of vignette runs.

top1 / top3: the first entry / one of the first three entries of the result shows an expected
condition. An entry is what the result screens list: one condition, or a family of conditions that
are one clinical picture (disc herniation with the L4, L5 and S1 root patterns; ``families`` in the
manifest) shown together, led by its most probable member. ``top3_flat`` is the same figure over
the flat list of conditions, each family member in its own place (the measure before families).
Triage: exact, under (below expected), over (above expected); ``under_triage_emergency`` counts
cases expected at ``emergency`` or ``emergency_ambulance`` that end below ``emergency``.
``safe_advice`` is the published anchor's measure (Gilbert 2020, BMJ Open, doi:10.1136/bmjopen-2020-040269:
GPs 97.0% on 200 primary-care vignettes): advice at the expected level, above it, or no more than
one level below it. It is looser than ``under_triage_emergency`` (an emergency advised within 24
hours counts as safe there) and is reported for comparison with that study, not as our safety bar.
Brier: mean over cases and conditions of (probability − 1[expected])², the conditions being scored
independently (they are not mutually exclusive).
Must-not-miss: over the cases whose expected conditions include a must-not-miss one, the fraction
with one in the top 3 (``must_not_miss_top3``) and the fraction with one in the top 3 *or* in the
result's rule-out list (``must_not_miss_flagged``: named by a warning sign that fired). Over the
other cases, ``rule_out_other`` is the fraction that still show a rule-out condition outside the
top 3: the price of the list in extra worry and tests. These are reported beside top-k, never in it.
By information: top-1 / top-3 over the cases grouped by how many findings they report present
(a case report that names three facts cannot rank like one that names ten).
Case mix: published case reports over-represent rare, dangerous causes (a third to all of a
vignette set, against a few per cent of the people the priors describe), and top-k on such a set
mostly measures how often the engine ranks a rare cause above common ones. ``case_mix`` re-weights
the cases to the condition mix of the modelled population (direct standardisation): each case
counts in proportion to the mean prior of its first expected condition over the set's own ages and
sexes, divided by the number of cases about that condition. It assumes each condition's cases are
typical of its presentations, and it inherits the priors' own uncertainty (most are estimates), so
it is reported beside the raw figures, never instead of them.
Evidence only: :func:`equal_priors_model` gives every condition the same prior, so a ranking
reflects the answers alone. Its top-k (every question asked) shows how well the likelihoods
separate the conditions whatever their frequency; it is a diagnostic, never the product's ranking
(probabilities and triage under equal priors mean nothing).
"""

from __future__ import annotations

import statistics
from collections.abc import Sequence
from collections.abc import Set as AbstractSet
from dataclasses import asdict, dataclass, replace

from hipnerve.engine.model import Model, Patient, compile_model
from hipnerve.evaluation.simulate import CaseRun
from hipnerve.kb.models import TriageLevel


@dataclass(frozen=True)
class Summary:
    n: int
    top1: float
    top3: float
    triage_exact: float
    under_triage: float
    under_triage_emergency: int
    over_triage: float
    questions_median: float
    questions_p90: float
    brier: float
    top3_flat: float = 0.0
    must_not_miss_n: int = 0
    must_not_miss_top3: float = 0.0
    must_not_miss_flagged: float = 0.0
    rule_out_other: float = 0.0
    safe_advice: float = 0.0

    def as_dict(self) -> dict[str, float | int]:
        return asdict(self)


def _percentile(values: Sequence[int], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return 0.0
    position = (len(ordered) - 1) * q
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def expected_level(run: CaseRun) -> TriageLevel:
    if run.case.expected_triage is None:
        raise ValueError(f"case {run.case.id!r} has no expected_triage")
    return run.case.expected_triage


def hit(run: CaseRun, k: int) -> bool:
    """One of the first ``k`` entries of the result shows an expected condition."""
    return bool(run.result.shown(k) & set(run.case.expected_conditions))


def hit_flat(run: CaseRun, k: int) -> bool:
    """One of the first ``k`` conditions of the flat ranking is an expected one."""
    return bool(set(run.ranking[:k]) & set(run.case.expected_conditions))


def _rule_out(run: CaseRun) -> set[str]:
    return {c.id for c in run.result.rule_out}


def _shows_serious(run: CaseRun, shown: set[str], must_not_miss: AbstractSet[str]) -> bool:
    return bool(shown & set(run.case.expected_conditions) & must_not_miss)


def _must_not_miss(runs: Sequence[CaseRun], must_not_miss: AbstractSet[str]) -> tuple[int, float, float, float]:
    serious = [r for r in runs if must_not_miss & set(r.case.expected_conditions)]
    others = [r for r in runs if not must_not_miss & set(r.case.expected_conditions)]
    top3 = sum(_shows_serious(r, r.result.shown(3), must_not_miss) for r in serious)
    flagged = sum(_shows_serious(r, r.result.shown(3) | _rule_out(r), must_not_miss) for r in serious)
    extra = sum(bool(_rule_out(r) - r.result.shown(3)) for r in others)
    return (
        len(serious),
        top3 / len(serious) if serious else 0.0,
        flagged / len(serious) if serious else 0.0,
        extra / len(others) if others else 0.0,
    )


def summarise(runs: Sequence[CaseRun], must_not_miss: AbstractSet[str] = frozenset()) -> Summary:
    """Figures over ``runs``; ``must_not_miss`` (condition ids) enables the must-not-miss figures."""
    n = len(runs)
    if n == 0:
        return Summary(0, 0.0, 0.0, 0.0, 0.0, 0, 0.0, 0.0, 0.0, 0.0)
    ranks = [(r.result.triage.level.rank, expected_level(r).rank) for r in runs]
    emergency = TriageLevel.EMERGENCY.rank
    brier_terms = [
        (c.probability - (1.0 if c.id in r.case.expected_conditions else 0.0)) ** 2
        for r in runs
        for c in r.result.conditions
    ]
    questions = [r.result.questions for r in runs]
    mnm_n, mnm_top3, mnm_flagged, rule_out_other = _must_not_miss(runs, must_not_miss)
    return Summary(
        n=n,
        top1=sum(hit(r, 1) for r in runs) / n,
        top3=sum(hit(r, 3) for r in runs) / n,
        triage_exact=sum(got == want for got, want in ranks) / n,
        under_triage=sum(got < want for got, want in ranks) / n,
        under_triage_emergency=sum(want >= emergency and got < emergency for got, want in ranks),
        over_triage=sum(got > want for got, want in ranks) / n,
        questions_median=float(statistics.median(questions)),
        questions_p90=_percentile(questions, 0.9),
        brier=sum(brier_terms) / len(brier_terms),
        top3_flat=sum(hit_flat(r, 3) for r in runs) / n,
        must_not_miss_n=mnm_n,
        must_not_miss_top3=mnm_top3,
        must_not_miss_flagged=mnm_flagged,
        rule_out_other=rule_out_other,
        safe_advice=sum(got >= want - 1 for got, want in ranks) / n,
    )


INFORMATION_BANDS: tuple[tuple[int, int], ...] = ((0, 3), (4, 5), (6, 1000))


@dataclass(frozen=True)
class Band:
    """Cases reporting ``low``..``high`` present findings: how many, and their top-1 / top-3."""

    low: int
    high: int
    n: int
    top1: float
    top3: float

    @property
    def label(self) -> str:
        return f"{self.low}+" if self.high >= 1000 else f"{self.low}-{self.high}"


def by_information(runs: Sequence[CaseRun]) -> list[Band]:
    """Top-1 / top-3 by the number of findings a case reports present (bands in INFORMATION_BANDS)."""
    bands = []
    for low, high in INFORMATION_BANDS:
        group = [r for r in runs if low <= len(r.case.present) <= high]
        n = len(group)
        bands.append(
            Band(
                low,
                high,
                n,
                sum(hit(r, 1) for r in group) / n if n else 0.0,
                sum(hit(r, 3) for r in group) / n if n else 0.0,
            )
        )
    return bands


def recall_by_condition(runs: Sequence[CaseRun], k: int = 3) -> dict[str, tuple[int, int]]:
    """For each expected condition: (cases where the first k entries show it, cases expecting it)."""
    table: dict[str, list[int]] = {}
    for run in runs:
        for condition in run.case.expected_conditions:
            counts = table.setdefault(condition, [0, 0])
            counts[1] += 1
            counts[0] += condition in run.result.shown(k)
    return {c: (v[0], v[1]) for c, v in sorted(table.items())}


@dataclass(frozen=True)
class CaseMix:
    """Top-1 / top-3 re-weighted to the modelled population's condition mix (see the module doc).

    ``coverage`` is the share of the population's prior mass held by conditions the set has cases
    for (the rest is not measured at all); the two ``must_not_miss_share`` figures compare how much
    of the set and of the modelled population is about a must-not-miss condition.
    """

    top1: float
    top3: float
    coverage: float
    must_not_miss_share_cases: float
    must_not_miss_share_population: float

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


def mean_priors(model: Model, people: Sequence[Patient]) -> dict[str, float]:
    """Each condition's prior averaged over ``people``: the condition mix of that population."""
    mass = dict.fromkeys(model.condition_ids, 0.0)
    for patient in people:
        for index, condition_id in enumerate(model.condition_ids):
            mass[condition_id] += model.prior(index, patient) / len(people)
    return mass


def case_mix(runs: Sequence[CaseRun], model: Model) -> CaseMix:
    """Top-k of ``runs`` re-weighted to the condition mix that ``model``'s priors describe."""
    if not runs:
        return CaseMix(0.0, 0.0, 0.0, 0.0, 0.0)
    mass = mean_priors(model, [Patient(run.case.age, run.case.sex) for run in runs])
    about = [run.case.expected_conditions[0] if run.case.expected_conditions else None for run in runs]
    counts: dict[str, int] = {}
    for condition in about:
        if condition is not None:
            counts[condition] = counts.get(condition, 0) + 1
    weights = [mass[c] / counts[c] if c is not None else 0.0 for c in about]
    total = sum(weights)
    serious = model.must_not_miss
    return CaseMix(
        top1=sum(w for w, r in zip(weights, runs, strict=True) if hit(r, 1)) / total if total else 0.0,
        top3=sum(w for w, r in zip(weights, runs, strict=True) if hit(r, 3)) / total if total else 0.0,
        coverage=sum(mass[c] for c in counts) / sum(mass.values()),
        must_not_miss_share_cases=sum(c in serious for c in about) / len(runs),
        must_not_miss_share_population=sum(mass[c] for c in serious) / sum(mass.values()),
    )


EQUAL_PRIOR = 0.02  # any one value ranks alike (every log-odds shifts by the same amount); near the median prior


def equal_priors_model(model: Model, prior: float = EQUAL_PRIOR) -> Model:
    """``model`` with every condition's prior set to ``prior`` in every age band and sex."""
    conditions = {}
    for cid, condition in model.kb.conditions.items():
        bands = tuple(b.model_copy(update={"female": prior, "male": prior}) for b in condition.prior.bands)
        conditions[cid] = condition.model_copy(update={"prior": condition.prior.model_copy(update={"bands": bands})})
    return compile_model(replace(model.kb, conditions=conditions))
