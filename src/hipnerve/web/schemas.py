"""Request and response bodies of the JSON API: one schema per direction, strict types.

Strict mode means ``"40"`` is not an age and ``false`` is not a number: a caller's mistake comes
back as a 422 naming the field, never as a silently coerced value.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal, NotRequired

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, with_config
from typing_extensions import TypedDict

from hipnerve.engine.questions import QuestionKind

ChoiceId = Literal["present", "absent", "unknown"]
SourceId = Literal["initial", "predefined", "red_flags", "suggest"]
Level = Literal["self_care", "consultation", "consultation_24", "emergency", "emergency_ambulance"]


def _whole_number(value: Any) -> Any:
    """JSON Schema counts 18.0 as an integer; ``true``, ``"18"`` and 18.5 are still refused."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


WholeNumber = Annotated[int, BeforeValidator(_whole_number)]


class StrictIn(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class Out(BaseModel):
    model_config = ConfigDict(extra="forbid")


# One answer. A typed dict rather than a model: a request carries up to 300 of them, and validating
# dicts costs about half as much as building models. The schema and the errors are those of a strict
# model (no docstring: it would become the schema's description); a missing ``source`` is "initial".
@with_config(ConfigDict(extra="forbid", strict=True))
class EvidenceIn(TypedDict):
    id: Annotated[str, Field(min_length=1, max_length=64, description="A finding id from GET /api/v1/findings.")]
    choice_id: ChoiceId
    source: NotRequired[Annotated[SourceId, Field(json_schema_extra={"default": "initial"})]]


class CaseIn(StrictIn):
    age: WholeNumber = Field(ge=18, le=120, description="Age in whole years; hipnerve is for adults.")
    sex: Literal["female", "male"]
    evidence: list[EvidenceIn] = Field(default_factory=list, max_length=300)


class ExplainIn(CaseIn):
    target: str = Field(min_length=1, max_length=64, description="A condition id from GET /api/v1/conditions.")


class ChoiceOut(Out):
    id: ChoiceId
    label: str


class QuestionItemOut(Out):
    id: str
    name: str
    choices: list[ChoiceOut]


class QuestionOut(Out):
    id: str
    type: Literal["group_multiple", "single"]
    text: str
    why: str
    red_flag: bool
    items: list[QuestionItemOut]


class ConditionOut(Out):
    id: str
    name: str
    clinician_name: str
    probability: float


class DiagnosisOut(Out):
    question: QuestionOut | None
    conditions: list[ConditionOut]
    should_stop: bool
    stop_reason: str | None
    questions_asked: int


class SourceOut(Out):
    id: str
    citation: str
    url: str | None
    doi: str | None
    pmid: str | None


class TriageReasonOut(Out):
    level: Level
    red_flag: bool
    rule: str | None
    condition: str | None
    suspects: list[str] = Field(
        default_factory=list, description="Condition ids this rule's guideline says to exclude (red-flag rules)."
    )
    text: str
    clinician_text: str
    source: SourceOut


class TriageOut(Out):
    triage_level: Level
    serious: list[str] = Field(description="Ids of the red-flag rules that fired.")
    reasons: list[TriageReasonOut]


class EvidenceContributionOut(Out):
    id: str
    name: str
    choice_id: ChoiceId
    likelihood_ratio: float
    damped: bool = Field(description="Counted at reduced weight because a correlated finding already counted.")
    estimate: bool
    source: SourceOut


class ExplainOut(Out):
    condition: ConditionOut
    supporting_evidence: list[EvidenceContributionOut]
    conflicting_evidence: list[EvidenceContributionOut]
    unconfirmed_evidence: list[str] = Field(description="Findings not yet answered that bear on this condition.")


class RationaleOut(Out):
    type: QuestionKind
    question_id: str | None
    why: str | None
    expected_information_gain_bits: float | None
    conditions_affected: list[str]


class FindingOut(Out):
    id: str
    name: str
    clinician_name: str
    why: str
    group: str | None
    category: str
    snomed: str | None


class ConditionInfoOut(Out):
    id: str
    name: str
    clinician_name: str
    description: str
    icd10cm: list[str]
    snomed: list[str]
    urgency: Level
    must_not_miss: bool


class InfoOut(Out):
    name: str
    version: str
    knowledge_base_version: str
    knowledge_base_date: str
    conditions: int
    findings: int
    sources: int
    triage_rules: int
    disclaimer: str


class AssessmentCreate(StrictIn):
    age: WholeNumber = Field(ge=18, le=120)
    sex: Literal["female", "male"]
    consent_to_store: bool = Field(description="The person agreed that their answers may be stored.")
    evidence: list[EvidenceIn] = Field(default_factory=list, max_length=300)


class AnswerIn(StrictIn):
    question_id: str = Field(min_length=1, max_length=64)
    answers: dict[str, ChoiceId] = Field(
        max_length=64, description="finding id → choice, for findings of this question; others count as unknown"
    )


class AssessmentOut(Out):
    token: str = Field(description="Secret: whoever has it can read and change this assessment.")
    revision: int
    questions_asked: int
    question: QuestionOut | None
    should_stop: bool
    triage_level: Level


class ResultOut(Out):
    triage: TriageOut
    conditions: list[ConditionOut]
    rule_out: list[ConditionOut] = Field(
        default_factory=list,
        description="Must-not-miss conditions named by a fired red-flag rule, in rank order, whatever their "
        "probability: a clinician should exclude these first.",
    )
    questions_asked: int
    knowledge_base_version: str
    disclaimer: str


class FieldErrorOut(Out):
    field: str
    loc: list[str]
    msg: str


class ErrorOut(Out):
    """Every error body: ``detail`` says what was wrong, naming the field where there is one."""

    detail: str
    field: str | None = None
    errors: list[FieldErrorOut] | None = None


ERROR_RESPONSES: dict[int | str, dict[str, object]] = {
    400: {"model": ErrorOut, "description": "The body could not be read (not UTF-8 JSON)"},
    404: {"model": ErrorOut, "description": "No such assessment"},
    409: {"model": ErrorOut, "description": "The step does not fit the interview's state"},
    413: {"model": ErrorOut, "description": "Request body too large"},
    422: {"model": ErrorOut, "description": "Invalid input; `detail` names the field"},
}
