"""Sweep the must-not-miss probability threshold over case files, with both simulated patients.

A must-not-miss condition whose probability reaches ``condition_threshold.must_not_miss_probability``
(knowledge/triage_rules.yaml) raises triage to that condition's urgency. This prints, for each
threshold, how many cases expected at `emergency` or above end below `emergency`, and how many cases
expected below `emergency` are sent there, for the protocol's patient and the closed-screens
patient (hipnerve/evaluation/simulate.py). A diagnostic: the product's threshold is the knowledge
base's, not this script's.

    .venv/bin/python scripts/threshold_sweep.py [--cuts 0.25,0.1,0.05] [case files ...]
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

from hipnerve.engine.model import Model, compile_model, default_model
from hipnerve.evaluation.cases import Case, load_cases
from hipnerve.evaluation.metrics import expected_level, summarise
from hipnerve.evaluation.simulate import run_case
from hipnerve.kb.models import TriageLevel

EMERGENCY = TriageLevel.EMERGENCY.rank


def with_threshold(model: Model, cut: float) -> Model:
    triage = model.kb.triage
    threshold = triage.condition_threshold.model_copy(update={"must_not_miss_probability": cut})
    return compile_model(replace(model.kb, triage=triage.model_copy(update={"condition_threshold": threshold})))


def sweep_line(model: Model, cases: list[Case], closed_screens: bool) -> str:
    runs = [run_case(model, case, closed_screens=closed_screens) for case in cases]
    summary = summarise(runs)  # under_triage_emergency and triage_exact, as `hipnerve evaluate` counts them
    others = [r for r in runs if expected_level(r).rank < EMERGENCY]
    sent = sum(r.result.triage.level.rank >= EMERGENCY for r in others)
    return (
        f"emergencies below emergency {summary.under_triage_emergency}/{len(runs) - len(others)}  "
        f"others sent to emergency {sent}/{len(others)}  "
        f"triage exact {summary.triage_exact:.1%}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path)
    parser.add_argument("--cuts", default="0.25,0.2,0.15,0.1,0.07,0.05")
    args = parser.parse_args()
    base = default_model()
    paths = args.paths or sorted(Path("tests/cases").glob("*.jsonl"))
    cases = [case for path in paths for case in load_cases(path, base)[0]]
    sys.stdout.write(f"{len(cases)} cases from {len(paths)} files\n")
    for cut in (float(c) for c in args.cuts.split(",")):
        model = with_threshold(base, cut)
        for closed, name in ((False, "protocol"), (True, "closed screens")):
            sys.stdout.write(f"threshold {cut:.2f}  {name:<14}  {sweep_line(model, cases, closed)}\n")
            sys.stdout.flush()


if __name__ == "__main__":
    main()
