"""Run a vignette through the real interview with a simulated patient.

The simulated patient answers "yes" to findings the case lists as present, "no" to those it lists
as absent, and "don't know" to everything else — the protocol in DESIGN.md and the issue's figures.

The app itself records a box left unticked on a tick-all screen as "no". ``closed_screens=True``
simulates that person: on a screen where the case ticks at least one item, every other item is
answered "no"; a screen where it ticks nothing is answered as above. Case reports seldom list what a
patient did not have, so this patient says "no" to some things the source never asked about; it is
a diagnostic of how the engine fares in the app's regime, reported beside the protocol's figures.
"""

from __future__ import annotations

from dataclasses import dataclass

from hipnerve.engine.model import Choice, Model
from hipnerve.evaluation.cases import Case
from hipnerve.interview.session import (
    InterviewResult,
    InterviewState,
    answer,
    assess,
    result,
    start_interview,
)


@dataclass(frozen=True)
class TranscriptLine:
    question: str
    answers: dict[str, str]


@dataclass(frozen=True)
class CaseRun:
    case: Case
    result: InterviewResult
    state: InterviewState
    transcript: tuple[TranscriptLine, ...]

    @property
    def ranking(self) -> list[str]:
        return [c.id for c in self.result.conditions]


def simulated_answers(case: Case, findings: tuple[str, ...], closed_screens: bool = False) -> dict[str, Choice]:
    present, absent = set(case.present), set(case.absent)
    ticked_something = closed_screens and len(findings) > 1 and any(f in present for f in findings)
    return {
        f: Choice.PRESENT if f in present else Choice.ABSENT if f in absent or ticked_something else Choice.UNKNOWN
        for f in findings
    }


def run_case(model: Model, case: Case, ask_all: bool = False, closed_screens: bool = False) -> CaseRun:
    state = start_interview(model, case.age, case.sex)
    transcript: list[TranscriptLine] = []
    while True:
        step = assess(model, state, ask_all=ask_all, explain=False)
        if step.question is None:
            break
        findings = tuple(item.finding for item in step.question.items)
        answers = simulated_answers(case, findings, closed_screens)
        state = answer(model, state, step.question.id, answers)
        transcript.append(TranscriptLine(step.question.text, {f: c.value for f, c in answers.items()}))
    return CaseRun(case, result(model, state), state, tuple(transcript))
