"""Interview: the session state machine (pure, serialisable)."""

from hipnerve.interview.session import (
    Answers,
    EvidenceItem,
    EvidenceSource,
    InterviewResult,
    InterviewState,
    Question,
    RankedCondition,
    Step,
    answer,
    assess,
    assess_answers,
    read_answers,
    result,
    set_initial,
    start_interview,
    undo,
)

__all__ = [
    "Answers",
    "EvidenceItem",
    "EvidenceSource",
    "InterviewResult",
    "InterviewState",
    "Question",
    "RankedCondition",
    "Step",
    "answer",
    "assess",
    "assess_answers",
    "read_answers",
    "result",
    "set_initial",
    "start_interview",
    "undo",
]
