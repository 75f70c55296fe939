"""The engine's arithmetic on arrays: the same numbers as :func:`inference.score` and
:func:`questions.finding_gain`, computed for every condition and finding at once.

The per-finding Python loops stay the reference (they also build the explanations); this module
serves the hot path of an interview step, where only probabilities and question gains are needed.
``tests/test_engine_fast.py`` checks, with hypothesis, that both give the same figures.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

import numpy as np
import numpy.typing as npt

from hipnerve.engine.inference import PROBABILITY_CEILING, PROBABILITY_FLOOR
from hipnerve.engine.model import Choice, Model, Patient, Sex

FloatArray = npt.NDArray[np.float64]


IntArray = npt.NDArray[np.int64]


@dataclass(frozen=True, eq=False)
class Arrays:
    index: dict[str, int]  # finding id -> row
    log_pos: FloatArray  # findings x conditions; 0 where a finding is not listed for a condition
    log_neg: FloatArray
    sens: FloatArray  # P(finding | condition), for weighing questions
    fpr: FloatArray  # P(finding | other causes)
    listed: npt.NDArray[np.bool_]
    cluster: npt.NDArray[np.int64]  # finding row -> cluster number, -1 when in no cluster
    decay: float
    # The same figures laid out for the hot path:
    log_lr: FloatArray  # log_pos stacked on log_neg: row r is "finding r present", row F + r "absent"
    cluster_of_row: tuple[int, ...]  # ``cluster`` as Python ints
    # Only the listed (finding, condition) pairs, in row-major order, for the question gains:
    flat: IntArray  # position in the findings x conditions matrix
    col: IntArray  # condition
    sens_l: FloatArray
    fpr_l: FloatArray
    col2: IntArray  # ``col`` twice: the pairs' "yes" answers, then their "no" answers
    log_lr_l: FloatArray  # the pairs' log LR+ then their log LR-


@cache
def arrays(model: Model) -> Arrays:
    findings = list(model.kb.findings)
    index = {f: i for i, f in enumerate(findings)}
    shape = (len(findings), len(model.condition_ids))
    log_pos, log_neg = np.zeros(shape), np.zeros(shape)
    sens, fpr = np.full(shape, 0.5), np.full(shape, 0.5)
    listed = np.zeros(shape, dtype=bool)
    for finding, terms in model.terms_by_finding.items():
        row = index[finding]
        for term in terms:
            log_pos[row, term.condition] = term.log_pos
            log_neg[row, term.condition] = term.log_neg
            sens[row, term.condition] = term.p_yes_if_condition
            fpr[row, term.condition] = term.p_yes_if_other
            listed[row, term.condition] = True
    clusters = sorted(set(model.cluster_of.values()))
    number = {c: i for i, c in enumerate(clusters)}
    cluster = np.array([number.get(model.cluster_of.get(f, ""), -1) for f in findings], dtype=np.int64)
    flat = np.flatnonzero(listed)
    col = flat % shape[1]
    return Arrays(
        index,
        log_pos,
        log_neg,
        sens,
        fpr,
        listed,
        cluster,
        model.cluster_decay,
        log_lr=np.vstack([log_pos, log_neg]),
        cluster_of_row=tuple(int(c) for c in cluster),
        flat=flat,
        col=col,
        sens_l=sens.ravel()[flat],
        fpr_l=fpr.ravel()[flat],
        col2=np.concatenate([col, col]),
        log_lr_l=np.concatenate([log_pos.ravel()[flat], log_neg.ravel()[flat]]),
    )


@cache
def priors(model: Model, age: int, sex: Sex) -> FloatArray:
    patient = Patient(age, sex)
    return np.array([model.prior(i, patient) for i in range(len(model.condition_ids))])


@cache
def _prior_logits(model: Model, age: int, sex: Sex) -> FloatArray:
    p = priors(model, age, sex)
    result: FloatArray = np.log(p / (1.0 - p))
    return result


def probabilities(model: Model, patient: Patient, evidence: Mapping[str, Choice]) -> FloatArray:
    """Every condition's probability, in knowledge-base order (same as ``inference.score``).

    Log-odds: the prior's, plus the answers outside any cluster (summed in evidence order, present
    before absent), plus each cluster's damped sum in cluster order. A cluster with one answer adds
    that answer's ratio unchanged (its damping weight is 1); only larger clusters are sorted.
    """
    a = arrays(model)
    index, cluster_of = a.index, a.cluster_of_row
    absent_offset = len(index)
    present: list[int] = []
    absent: list[int] = []
    for finding, choice in evidence.items():
        if choice is Choice.PRESENT:
            present.append(index[finding])
        elif choice is Choice.ABSENT:
            absent.append(index[finding])
    total = _prior_logits(model, patient.age, patient.sex).copy()
    if present or absent:
        rows = present + [absent_offset + r for r in absent]
        contributions = a.log_lr[rows]
        free: list[int] = []
        clusters: dict[int, list[int]] = {}
        for position, row in enumerate(present + absent):
            group = cluster_of[row]
            if group < 0:
                free.append(position)
            else:
                clusters.setdefault(group, []).append(position)
        if free:
            total += contributions[free].sum(axis=0)
        for group in sorted(clusters):
            members = clusters[group]
            if len(members) == 1:
                total += contributions[members[0]]
                continue
            block = contributions[members]
            weights = a.decay ** np.arange(len(block), dtype=np.float64)[:, None]
            ups = -np.sort(-np.where(block > 0, block, 0.0), axis=0)  # largest first
            downs = np.sort(np.where(block < 0, block, 0.0), axis=0)  # most negative first
            total += (ups * weights).sum(axis=0) + (downs * weights).sum(axis=0)
    result: FloatArray = np.clip(1.0 / (1.0 + np.exp(-total)), PROBABILITY_FLOOR, PROBABILITY_CEILING)
    return result


def _entropy(p: FloatArray) -> FloatArray:
    # np.minimum(np.maximum()) is np.clip, without its Python-level wrapper.
    q = np.minimum(np.maximum(p, 1e-15), 1.0 - 1e-15)
    result: FloatArray = -(q * np.log2(q) + (1.0 - q) * np.log2(1.0 - q))
    return result


def finding_gains(model: Model, probs: FloatArray) -> FloatArray:
    """Expected entropy reduction (bits) of every finding, summed over conditions (as ``finding_gain``)."""
    gains: FloatArray = padded_finding_gains(model, probs)[:-1]
    return gains


def padded_finding_gains(model: Model, probs: FloatArray) -> FloatArray:
    """:func:`finding_gains` with one more entry, 0.0, at the end (a padding row for the screens).

    Worked out only for the (finding, condition) pairs the knowledge base lists (a fifth of the
    matrix), the "yes" and "no" outcomes of every pair in one array and the conditions' own
    entropies with them; each finding's total is then summed over its full row, as the dense matrix
    would be, so the figures are the dense computation's to the last bit.
    """
    a = arrays(model)
    p = probs
    not_p = 1.0 - p
    pairs = len(a.col)
    after = 1.0 / (1.0 + np.exp(-(np.log(p / not_p)[a.col2] + a.log_lr_l)))  # after "yes", then after "no"
    entropy = _entropy(np.concatenate([after, p]))
    p_yes = p[a.col] * a.sens_l + not_p[a.col] * a.fpr_l
    gain = entropy[2 * pairs :][a.col] - p_yes * entropy[:pairs] - (1.0 - p_yes) * entropy[pairs : 2 * pairs]
    dense = np.zeros(a.listed.size)
    dense[a.flat] = np.where(gain > 0.0, gain, 0.0)
    result = np.zeros(a.listed.shape[0] + 1)
    np.add.reduce(dense.reshape(a.listed.shape), axis=1, out=result[:-1])
    return result
