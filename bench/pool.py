"""Realistic request bodies for the API bench and the response-identity check.

Every body is the stateless evidence list of one step of a real interview: a vignette is run
through the interview with the simulated patient (``evaluation.simulate.run_case``), and the
state before each question and after the last one becomes one ``POST /api/v1/diagnosis`` body,
sources and "don't know" answers included, exactly as a client replaying the interview would send it.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any

from hipnerve.engine.model import Model
from hipnerve.evaluation.cases import load_cases
from hipnerve.evaluation.simulate import run_case
from hipnerve.interview.session import InterviewState, answer, assess, start_interview

ROOT = Path(__file__).resolve().parent.parent
DEV = ROOT / "tests" / "cases" / "dev.jsonl"
ALL_SETS = (DEV, ROOT / "tests" / "cases" / "holdout.jsonl", ROOT / "tests" / "cases" / "holdout2.jsonl")


def body(state: InterviewState) -> dict[str, Any]:
    return {
        "age": state.age,
        "sex": state.sex.value,
        "evidence": [{"id": e.id, "choice_id": e.choice_id.value, "source": e.source.value} for e in state.evidence],
    }


def interview_bodies(model: Model, paths: tuple[Path, ...] = (DEV,)) -> list[dict[str, Any]]:
    """One body per step of every vignette's simulated interview, in interview order."""
    bodies: list[dict[str, Any]] = []
    for path in paths:
        cases, problems = load_cases(path, model)
        if problems:
            raise SystemExit(f"bad cases: {problems[:3]}")
        for case in cases:
            run = run_case(model, case)
            state = start_interview(model, case.age, case.sex)
            bodies.append(body(state))
            for line in run.transcript:
                step = assess(model, state, explain=False)
                assert step.question is not None
                state = answer(model, state, step.question.id, line.answers)
                bodies.append(body(state))
    return bodies


def random_bodies(model: Model, n: int, seed: int = 20261124) -> list[dict[str, Any]]:
    """Seeded random evidence lists (any finding, any choice, any source), for wider coverage."""
    rng = random.Random(seed)
    findings = sorted(model.kb.findings)
    bodies: list[dict[str, Any]] = []
    for _ in range(n):
        chosen = rng.sample(findings, rng.randint(0, min(60, len(findings))))
        bodies.append(
            {
                "age": rng.randint(18, 120),
                "sex": rng.choice(["female", "male"]),
                "evidence": [
                    {
                        "id": f,
                        "choice_id": rng.choice(["present", "absent", "unknown"]),
                        "source": rng.choice(["initial", "predefined", "red_flags", "suggest"]),
                    }
                    for f in chosen
                ],
            }
        )
    return bodies
