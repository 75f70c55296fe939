"""Engine benchmark: interview step latency and evaluation throughput. Prints figures only.

Run with `make bench`. A "step" is one call of `assess(explain=False)` (score every condition,
triage, choose the next question: what an interview step does) on states taken from real vignette
interviews, so the evidence sizes are realistic.
"""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from hipnerve.engine.model import default_model
from hipnerve.evaluation.cases import load_cases
from hipnerve.evaluation.simulate import run_case
from hipnerve.interview.session import InterviewState, answer, assess, start_interview

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "tests" / "cases" / "dev.jsonl"


def _states(model, cases) -> list[InterviewState]:  # type: ignore[no-untyped-def]
    states: list[InterviewState] = []
    for case in cases:
        run = run_case(model, case)
        state = start_interview(model, case.age, case.sex)
        states.append(state)
        for line in run.transcript:
            step = assess(model, state)
            assert step.question is not None
            state = answer(model, state, step.question.id, line.answers)
            states.append(state)
    return states


def main() -> None:
    model = default_model()
    cases, problems = load_cases(CASES, model)
    if problems:
        raise SystemExit(f"bad cases: {problems[:3]}")
    states = _states(model, cases)
    for state in states[:50]:  # warm up
        assess(model, state)
    timings: list[float] = []
    repeats = max(1, 5000 // len(states))
    for _ in range(repeats):
        for state in states:
            start = time.perf_counter()
            assess(model, state, explain=False)
            timings.append((time.perf_counter() - start) * 1000)
    timings.sort()
    p50 = statistics.median(timings)
    p99 = timings[int(0.99 * (len(timings) - 1))]
    start = time.perf_counter()
    for case in cases:
        run_case(model, case)
    elapsed = time.perf_counter() - start
    start = time.perf_counter()
    for case in cases:
        run_case(model, case, ask_all=True)
    elapsed_all = time.perf_counter() - start
    print(f"engine step (assess): n={len(timings)}  p50={p50:.3f} ms  p99={p99:.3f} ms  max={timings[-1]:.3f} ms")
    print(
        f"evaluation throughput (adaptive): {len(cases) / elapsed:.1f} cases/s ({len(cases)} cases in {elapsed:.2f} s)"
    )
    print(f"evaluation throughput (ask-all):  {len(cases) / elapsed_all:.1f} cases/s")


if __name__ == "__main__":
    main()
