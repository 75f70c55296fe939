"""Print, for each condition, the symptom findings it has no likelihood ratio for.

The engine reads a missing ratio as 1: the finding is taken to be as common in that condition as in
everyone else, so a condition keeps its whole prior when the finding is reported. For many pairs
that is fair; for some it is not (docs/evaluation.md, "the rest of that audit"; a literature pass that
filled every gap was measured and not adopted: docs/likelihood-review.md). This lists them for
a clinician's review, most common conditions first (by mean prior over ages 18-85, both sexes).

    .venv/bin/python scripts/likelihood_gaps.py [condition_id ...]
"""

from __future__ import annotations

import sys

from hipnerve.engine.model import Patient, Sex, default_model
from hipnerve.evaluation.metrics import mean_priors

SYMPTOM_GROUPS = (
    "pain_location",
    "numbness_location",
    "pain_character",
    "timing",
    "worse_with",
    "better_with",
    "walking",
    "hip_joint",
)


def main(wanted: list[str]) -> None:
    model = default_model()
    people = [Patient(age, sex) for age in range(18, 86) for sex in (Sex.FEMALE, Sex.MALE)]
    mass = mean_priors(model, people)
    symptoms = [f for f in model.kb.findings.values() if f.group in SYMPTOM_GROUPS]
    for cid in sorted(mass, key=lambda c: -mass[c]):
        if wanted and cid not in wanted:
            continue
        have = {lik.finding for lik in model.kb.conditions[cid].likelihoods}
        missing = [f.id for f in symptoms if f.id not in have]
        lines = [f"{cid} (mean prior {mass[cid]:.3f}): no ratio for {len(missing)} of {len(symptoms)} symptom findings"]
        lines += [f"  {finding}" for finding in missing]
        sys.stdout.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main(sys.argv[1:])
