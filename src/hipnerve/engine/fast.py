"""The engine's arithmetic on arrays: the same numbers as :func:`inference.score` and
:func:`questions.finding_gain`, computed for every condition and finding at once.

The per-finding Python loops stay the reference (they also build the explanations); this module
serves the hot path of an interview step, where only probabilities and question gains are needed.
``tests/test_engine_fast.py`` checks, with hypothesis, that both give the same figures.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache

import numpy as np
import numpy.typing as npt

from hipnerve.engine.inference import PROBABILITY_CEILING, PROBABILITY_FLOOR
from hipnerve.engine.model import Choice, Model, Patient, Sex

FloatArray = npt.NDArray[np.float64]

# An enum member read from its class costs a lookup through the enum machinery each time (about
# 0.1 us in Python 3.11), ten times a plain name: the loops over the evidence use these.
_PRESENT = Choice.PRESENT
_ABSENT = Choice.ABSENT


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
    place_of_row: tuple[int, ...]  # 3 ** (a finding's place among its cluster's findings); 0 if in none
    cluster_sums: tuple[FloatArray, ...]  # per cluster, its damped sum for every way of answering it


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
    members: list[list[int]] = [[] for _ in clusters]  # each cluster's finding rows, in knowledge-base order
    for row, c in enumerate(cluster.tolist()):
        if c >= 0:
            members[c].append(row)
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
        place_of_row=tuple(3 ** members[c].index(r) if c >= 0 else 0 for r, c in enumerate(cluster.tolist())),
        cluster_sums=_cluster_sums(log_pos, log_neg, members, model.cluster_decay),
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
    before absent), plus each cluster's damped sum in cluster order. A cluster's damped sum depends
    only on which of its few findings are present and which absent, so it is read from the table
    worked out once per model (:func:`_cluster_sums`).
    """
    a = arrays(model)
    index, cluster_of, place = a.index, a.cluster_of_row, a.place_of_row
    absent_offset = len(index)
    present: list[int] = []
    absent: list[int] = []
    answers: dict[int, int] = {}  # cluster -> which of its findings are present or absent (``cluster_sums``)
    yes, no = _PRESENT, _ABSENT
    for finding, choice in evidence.items():
        if choice is yes:
            row = index[finding]
            group = cluster_of[row]
            if group < 0:
                present.append(row)
            else:
                answers[group] = answers.get(group, 0) + place[row]
        elif choice is no:
            row = index[finding]
            group = cluster_of[row]
            if group < 0:
                absent.append(absent_offset + row)
            else:
                answers[group] = answers.get(group, 0) + 2 * place[row]
    total = _prior_logits(model, patient.age, patient.sex)
    if present or absent:
        total = total + np.add.reduce(a.log_lr[present + absent], axis=0)
    if answers:
        total = total.copy() if not (present or absent) else total  # never the cached prior itself
        for group in sorted(answers):
            total += a.cluster_sums[group][answers[group]]
    # np.minimum(np.maximum()) is np.clip (the same figures) without its Python-level wrapper.
    result: FloatArray = np.minimum(np.maximum(1.0 / (1.0 + np.exp(-total)), PROBABILITY_FLOOR), PROBABILITY_CEILING)
    return result


def _damped_sum(block: FloatArray, decay: float) -> FloatArray:
    """One cluster's contribution to the log-odds, from the log ratios of its answers (one row each):
    in each condition's column the ratios above 1 sorted largest first and weighed 1, decay,
    decay**2, ..., those below 1 likewise, most negative first. One answer counts unchanged."""
    if len(block) == 1:
        only: FloatArray = block[0].copy()
        return only
    weights = decay ** np.arange(len(block), dtype=np.float64)[:, None]
    ups = -np.sort(-np.where(block > 0, block, 0.0), axis=0)  # largest first
    downs = np.sort(np.where(block < 0, block, 0.0), axis=0)  # most negative first
    result: FloatArray = (ups * weights).sum(axis=0) + (downs * weights).sum(axis=0)
    return result


def _cluster_sums(
    log_pos: FloatArray, log_neg: FloatArray, members: list[list[int]], decay: float
) -> tuple[FloatArray, ...]:
    """For each cluster, its damped sum for every way its findings can be answered.

    A cluster of k findings has 3**k ways (each unknown, present or absent; k is at most a handful).
    Way ``w`` has finding j (in ``members`` order) present when digit j of ``w`` in base 3 is 1,
    absent when it is 2. Row 0 (nothing answered) is never read.
    """
    tables: list[FloatArray] = []
    for rows in members:
        table = np.zeros((3 ** len(rows), log_pos.shape[1]))
        for way in range(1, len(table)):
            digits = [way // 3**j % 3 for j in range(len(rows))]
            present = [r for r, d in zip(rows, digits, strict=True) if d == 1]
            absent = [r for r, d in zip(rows, digits, strict=True) if d == 2]
            table[way] = _damped_sum(np.concatenate([log_pos[present], log_neg[absent]]), decay)
        tables.append(table)
    return tuple(tables)


def _entropy(p: FloatArray) -> FloatArray:
    # np.minimum(np.maximum()) is np.clip, without its Python-level wrapper.
    q = np.minimum(np.maximum(p, 1e-15), 1.0 - 1e-15)
    result: FloatArray = -(q * np.log2(q) + (1.0 - q) * np.log2(1.0 - q))
    return result


def _entropy_in_place(p: FloatArray) -> FloatArray:
    """:func:`_entropy`, overwriting ``p``: the same operations on the same numbers (so the same bits),
    with fewer temporary arrays (``1.0 - q`` is worked out once, and IEEE products commute)."""
    q = np.maximum(p, 1e-15, out=p)
    np.minimum(q, 1.0 - 1e-15, out=q)
    not_q = 1.0 - q
    total = np.log2(q)
    total *= q
    other = np.log2(not_q)
    other *= not_q
    total += other
    result: FloatArray = np.negative(total, out=total)
    return result


@dataclass(frozen=True, eq=False)
class Pairs:
    """The (finding, condition) pairs the knowledge base lists, for some findings' rows, laid out
    for the question gains: row-major, the "yes" and "no" answers of every pair in one array."""

    shape: tuple[int, int]  # (findings covered, conditions)
    flat: IntArray  # each pair's position in that findings x conditions matrix
    col: IntArray  # condition
    col2: IntArray  # ``col`` twice: the pairs' "yes" answers, then their "no" answers
    sens: FloatArray
    fpr: FloatArray
    log_lr: FloatArray  # the pairs' log LR+ then their log LR-


def pairs_of(model: Model, rows: Sequence[int]) -> Pairs:
    """The listed pairs of the findings in ``rows`` (finding rows of :func:`arrays`, in that order)."""
    a = arrays(model)
    chosen = np.asarray(rows, dtype=np.int64)
    conditions = a.listed.shape[1]
    flat = np.flatnonzero(a.listed[chosen])
    col = flat % conditions
    cell = chosen[flat // conditions] * conditions + col  # the pair's cell in the full matrix
    return Pairs(
        shape=(len(chosen), conditions),
        flat=flat,
        col=col,
        col2=np.concatenate([col, col]),
        sens=a.sens.ravel()[cell],
        fpr=a.fpr.ravel()[cell],
        log_lr=np.concatenate([a.log_pos.ravel()[cell], a.log_neg.ravel()[cell]]),
    )


@cache
def _all_pairs(model: Model) -> Pairs:
    return pairs_of(model, range(len(arrays(model).index)))


def finding_gains(model: Model, probs: FloatArray) -> FloatArray:
    """Expected entropy reduction (bits) of every finding, summed over conditions (as ``finding_gain``)."""
    gains: FloatArray = padded_finding_gains(model, probs)[:-1]
    return gains


def padded_finding_gains(model: Model, probs: FloatArray) -> FloatArray:
    """:func:`finding_gains` with one more entry, 0.0, at the end (a padding row for the screens)."""
    pairs = _all_pairs(model)
    result = np.zeros(pairs.shape[0] + 1)
    pair_gains(pairs, probs, result[:-1])
    return result


def pair_gains(pairs: Pairs, probs: FloatArray, out: FloatArray) -> None:
    """The question gains of the findings ``pairs`` covers, written to ``out`` (one per finding).

    Worked out only for the (finding, condition) pairs the knowledge base lists (a fifth of the
    matrix), the "yes" and "no" outcomes of every pair in one array and the conditions' own
    entropies with them; each finding's total is then summed over its full row, as the dense matrix
    would be, so the figures are the dense computation's to the last bit, whichever findings are
    covered (each figure depends only on its own row).
    """
    p = probs
    not_p = 1.0 - p
    n = len(pairs.col)
    outcomes = np.empty(2 * n + len(p))  # after "yes", after "no", then the conditions as they stand
    after = outcomes[: 2 * n]
    np.add(np.log(p / not_p)[pairs.col2], pairs.log_lr, out=after)
    np.negative(after, out=after)
    np.exp(after, out=after)
    np.add(1.0, after, out=after)
    np.divide(1.0, after, out=after)
    outcomes[2 * n :] = p
    entropy = _entropy_in_place(outcomes)
    p_yes = p[pairs.col]
    p_yes *= pairs.sens
    other = not_p[pairs.col]
    other *= pairs.fpr
    p_yes += other
    gain = entropy[2 * n :][pairs.col]
    np.multiply(p_yes, entropy[:n], out=other)
    gain -= other
    np.subtract(1.0, p_yes, out=p_yes)
    p_yes *= entropy[n : 2 * n]
    gain -= p_yes
    dense = np.zeros(pairs.shape[0] * pairs.shape[1])
    dense[pairs.flat] = np.where(gain > 0.0, gain, 0.0)
    np.add.reduce(dense.reshape(pairs.shape), axis=1, out=out)
