"""The triage figures of ``summarise``, safe advice (Gilbert 2020's measure) among them."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from hipnerve.engine.model import default_model
from hipnerve.evaluation.cases import load_cases
from hipnerve.evaluation.metrics import summarise
from hipnerve.evaluation.simulate import CaseRun, run_case
from hipnerve.kb.models import TriageLevel

MODEL = default_model()
LEVELS = list(TriageLevel)
DEV = Path(__file__).resolve().parent / "cases" / "dev.jsonl"


def _expecting(run: CaseRun, level: TriageLevel) -> CaseRun:
    return replace(run, case=run.case.model_copy(update={"expected_triage": level}))


def test_safe_advice_allows_one_level_below_and_anything_above() -> None:
    # The first dev case advised a consultation: room for a level above and two below.
    cases, _ = load_cases(DEV, MODEL)
    run = next(r for r in (run_case(MODEL, c) for c in cases) if r.result.triage.level is TriageLevel.CONSULTATION)
    got = run.result.triage.level
    runs = [
        _expecting(run, got),  # exact: safe
        _expecting(run, LEVELS[got.rank - 1]),  # advice one level above expected: safe
        _expecting(run, LEVELS[got.rank + 1]),  # one level below expected: safe by Gilbert 2020
        _expecting(run, LEVELS[got.rank + 2]),  # two levels below: unsafe
    ]
    summary = summarise(runs)
    assert summary.safe_advice == 0.75
    assert summary.triage_exact == 0.25
    assert summary.under_triage == 0.5
    assert summary.over_triage == 0.25
    # The case expected at emergency, advised two levels lower, is the one counted here; an emergency
    # advised one level lower would be "safe" by Gilbert's measure and still counted.
    assert summary.under_triage_emergency == 1
