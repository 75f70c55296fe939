"""Vignette evaluation: cases, simulated patient, metrics."""

from hipnerve.evaluation.cases import Case, CaseProblem, load_cases, parse_case
from hipnerve.evaluation.metrics import Summary, recall_by_condition, summarise
from hipnerve.evaluation.simulate import CaseRun, run_case

__all__ = [
    "Case",
    "CaseProblem",
    "CaseRun",
    "Summary",
    "load_cases",
    "parse_case",
    "recall_by_condition",
    "run_case",
    "summarise",
]
