"""Interview: the session state machine (pure, serialisable)."""

from hipnerve.interview.session import (
    EvidenceItem,
    EvidenceSource,
    InterviewResult,
    InterviewState,
    Question,
    RankedCondition,
    Step,
    answer,
    assess,
    result,
    set_initial,
    start_interview,
    undo,
)

__all__ = [
    "EvidenceItem",
    "EvidenceSource",
    "InterviewResult",
    "InterviewState",
    "Question",
    "RankedCondition",
    "Step",
    "answer",
    "assess",
    "result",
    "set_initial",
    "start_interview",
    "undo",
]
