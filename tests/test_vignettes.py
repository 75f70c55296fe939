"""One test per development vignette (tests/cases/dev.jsonl), run through the real interview.

A case passes when an expected condition is in the top 3 and the triage is not below the expected
level. Cases we know fail are listed, with the reason, in tests/cases/known_failures.txt and marked
xfail(strict=True): they stay visible, and the day one starts passing the suite says so. A case is
never edited to pass; the one change to case findings, a uniform re-map of every case to the grown
vocabulary done blind to scores, is recorded in each changed note and in docs/evaluation.md.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hipnerve.engine.model import default_model
from hipnerve.evaluation.cases import Case, load_cases
from hipnerve.evaluation.metrics import hit, summarise
from hipnerve.evaluation.simulate import run_case
from hipnerve.kb.models import TriageLevel

CASES_DIR = Path(__file__).parent / "cases"
DEV = CASES_DIR / "dev.jsonl"
MODEL = default_model()
CASES, PROBLEMS = load_cases(DEV, MODEL)


def _known_failures() -> dict[str, str]:
    path = CASES_DIR / "known_failures.txt"
    if not path.exists():
        return {}
    known = {}
    for line in path.read_text().splitlines():
        if line.strip() and not line.startswith("#"):
            case_id, _, reason = line.partition(" ")
            known[case_id] = reason.strip()
    return known


KNOWN = _known_failures()


def test_dev_file_is_clean() -> None:
    assert not PROBLEMS, "\n".join(map(str, PROBLEMS))
    assert len(CASES) >= 60
    assert set(KNOWN) <= {c.id for c in CASES}, "known_failures.txt names a case that does not exist"


def test_dev_set_covers_every_condition_and_enough_red_flags() -> None:
    covered = {c for case in CASES for c in case.expected_conditions}
    assert covered >= set(MODEL.kb.conditions), sorted(set(MODEL.kb.conditions) - covered)
    red = [c for c in CASES if c.expected_triage and c.expected_triage.rank >= TriageLevel.EMERGENCY.rank]
    assert len(red) >= 15
    assert all(case.source for case in CASES)


def _param(case: Case) -> object:
    marks = []
    if case.id in KNOWN:
        marks.append(pytest.mark.xfail(strict=True, reason=KNOWN[case.id]))
    return pytest.param(case, id=case.id, marks=marks)


@pytest.mark.parametrize("case", [_param(c) for c in CASES])
def test_vignette(case: Case) -> None:
    run = run_case(MODEL, case)
    expected = case.expected_triage
    assert expected is not None
    got = run.result.triage.level
    assert got.rank >= expected.rank, f"under-triage: expected {expected.value}, got {got.value}"
    shown = [entry.ids for entry in run.result.entries[:3]]
    assert hit(run, 3), f"expected {list(case.expected_conditions)} in the first 3 entries, got {shown}"


BASELINE = json.loads((CASES_DIR / "baseline.json").read_text())
TOLERANCE = 1e-9  # the engine is deterministic: any drop is a real regression


SETS = sorted(path.stem for path in CASES_DIR.glob("*.jsonl"))  # every case set, held-out ones included


def test_every_case_set_has_a_baseline() -> None:
    assert set(SETS) == set(BASELINE) - {"_note"}, "run `make baseline` after adding a case set"


@pytest.mark.parametrize("name", SETS)
def test_no_regression_against_measured_baseline(name: str) -> None:
    """Guard the measured figures (docs/evaluation.md). The issue's targets (top-3 >= 90%, top-1 >= 70%,
    zero emergency under-triage) are NOT met yet; this gate stops things getting worse meanwhile."""
    cases, problems = load_cases(CASES_DIR / f"{name}.jsonl", MODEL)
    assert not problems
    adaptive = summarise([run_case(MODEL, c) for c in cases], MODEL.must_not_miss)
    ceiling = summarise([run_case(MODEL, c, ask_all=True) for c in cases], MODEL.must_not_miss)
    for measured, key in ((adaptive, "adaptive"), (ceiling, "ask_all")):
        base = BASELINE[name][key]
        assert measured.top1 >= base["top1"] - TOLERANCE, (key, measured)
        assert measured.top3 >= base["top3"] - TOLERANCE, (key, measured)
        assert measured.under_triage_emergency <= base["under_triage_emergency"], (key, measured)
        assert measured.under_triage <= base["under_triage"] + TOLERANCE, (key, measured)
        assert measured.must_not_miss_flagged >= base["must_not_miss_flagged"] - TOLERANCE, (key, measured)
    # Interviews must not grow longer than measured; the limit of 15 is for the dev set. Since
    # 2026-12-05 the medical-history screen is always asked, and two held-out sets' medians are 16.
    assert adaptive.questions_median <= BASELINE[name]["adaptive"]["questions_median"]
    if name == "dev":
        assert adaptive.questions_median <= 15
