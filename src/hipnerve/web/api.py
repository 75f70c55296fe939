"""JSON API v1, in the spirit of Infermedica's Engine API: stateless endpoints take the whole
evidence list each call; stored assessments are addressed by an unguessable token.

Routes call the domain (interview, triage, engine), never the ORM.
"""

from __future__ import annotations

from functools import cache
from typing import Annotated

from fastapi import APIRouter, HTTPException, Path, Response, status
from pydantic import BaseModel
from pydantic_core import to_json

from hipnerve import __version__
from hipnerve.engine.inference import Contribution
from hipnerve.engine.model import Choice, Model, Sex
from hipnerve.interview.session import (
    Answers,
    Question,
    Step,
    answer,
    assess,
    assess_answers,
    read_answer_items,
    rule_out_ids,
    state_from_evidence,
    undo,
)
from hipnerve.kb.models import Source
from hipnerve.storage.repository import AssessmentRepository, NotFound, StoredAssessment
from hipnerve.triage.rules import TriageResult
from hipnerve.web import schemas as s
from hipnerve.web.deps import ModelDep, RepositoryDep
from hipnerve.web.routing import ValidatedBodyRoute

router = APIRouter(prefix="/api/v1", tags=["api v1"], responses=s.ERROR_RESPONSES, route_class=ValidatedBodyRoute)

CHOICES = [
    s.ChoiceOut(id="present", label="Yes"),
    s.ChoiceOut(id="absent", label="No"),
    s.ChoiceOut(id="unknown", label="Don't know"),
]


def json_response(body: BaseModel, status_code: int = 200) -> Response:
    """Serialise once with pydantic. The route's ``response_model`` still documents (and, through
    schemathesis, tests) the shape; returning a Response skips FastAPI's second validation pass."""
    return Response(body.model_dump_json(), status_code=status_code, media_type="application/json")


def _source(source: Source) -> s.SourceOut:
    return s.SourceOut(id=source.id, citation=source.citation, url=source.url, doi=source.doi, pmid=source.pmid)


def question_out(question: Question | None) -> s.QuestionOut | None:
    if question is None:
        return None
    return s.QuestionOut(
        id=question.id,
        type="group_multiple" if question.kind == "group_multiple" else "single",
        text=question.text,
        why=question.why,
        red_flag=question.red_flag,
        # Only what is still unknown: findings already in the evidence are not asked again.
        items=[
            s.QuestionItemOut(id=i.finding, name=i.text, choices=CHOICES) for i in question.items if i.current is None
        ],
    )


def triage_out(result: TriageResult) -> s.TriageOut:
    return s.TriageOut(
        triage_level=result.level.value,
        serious=list(result.red_flags),
        reasons=[
            s.TriageReasonOut(
                level=r.level.value,
                red_flag=r.red_flag,
                rule=r.rule_id,
                condition=r.condition_id,
                suspects=list(r.suspects),
                text=r.text,
                clinician_text=r.clinician_text,
                source=_source(r.source),
            )
            for r in result.reasons
        ],
    )


def conditions_out(model: Model, step: Step, limit: int = 10) -> list[s.ConditionOut]:
    return [
        s.ConditionOut(
            id=c.condition_id,
            name=model.kb.conditions[c.condition_id].name,
            clinician_name=model.kb.conditions[c.condition_id].clinician_name,
            probability=round(c.probability, 4),
        )
        for c in step.scores[:limit]
    ]


def _evidence(items: list[s.EvidenceIn]) -> list[tuple[str, str, str]]:
    return [(e["id"], e["choice_id"], e.get("source", "initial")) for e in items]


def _answers(model: Model, case: s.CaseIn) -> Answers:
    return read_answer_items(model, case.age, case.sex, case.evidence)


class _Texts:
    """A model's texts as pieces of :class:`s.DiagnosisOut` JSON, serialised once per model by
    pydantic's own serializer, for the diagnosis hot path."""

    def __init__(self, model: Model) -> None:
        choices = [c.model_dump() for c in CHOICES]
        self.items = {f.id: {"id": f.id, "name": f.text, "choices": choices} for f in model.kb.findings.values()}
        # Each condition as its JSON object up to the probability: b'{"id":...,"probability":'.
        self.conditions = {
            c.id: to_json({"id": c.id, "name": c.name, "clinician_name": c.clinician_name})[:-1] + b',"probability":'
            for c in model.kb.conditions.values()
        }
        # Each screen as asked of a sex when none of its findings is known yet (the usual case); a
        # screen's items differ by sex when it holds a finding asked of one sex only (pregnancy).
        self.questions: dict[tuple[str, Sex], bytes] = {}

    def question(self, question: Question, sex: Sex) -> bytes:
        unanswered = True
        for item in question.items:
            if item.current is not None:
                unanswered = False
                break
        key = (question.id, sex)
        if unanswered and key in self.questions:
            return self.questions[key]
        text = to_json(
            {
                "id": question.id,
                "type": "group_multiple" if question.kind == "group_multiple" else "single",
                "text": question.text,
                "why": question.why,
                "red_flag": question.red_flag,
                "items": [self.items[i.finding] for i in question.items if i.current is None],
            }
        )
        if unanswered:
            self.questions[key] = text
        return text


@cache
def _texts(model: Model) -> _Texts:
    return _Texts(model)


def _diagnosis_json(model: Model, step: Step, questions_asked: int) -> bytes:
    """A :class:`s.DiagnosisOut` as JSON, in the model's field order, from pieces serialised by
    pydantic's own serializer: the same bytes as ``DiagnosisOut(...).model_dump_json()`` without
    building a dozen nested models per request (``tests/web/test_api.py`` checks this). The ten
    probabilities are serialised in one call (a JSON number never holds a comma)."""
    texts = _texts(model)
    question = step.question
    ranking = step.ranking(10)
    numbers = to_json([round(p, 4) for _, p in ranking])[1:-1].split(b",") if ranking else []
    conditions = b",".join([texts.conditions[c] + n + b"}" for (c, _), n in zip(ranking, numbers, strict=True)])
    stop = step.should_stop
    return b"".join(
        (
            b'{"question":',
            b"null" if question is None else texts.question(question, step.patient.sex),
            b',"conditions":[',
            conditions,
            b'],"should_stop":',
            b"true" if stop else b"false",
            b',"stop_reason":',
            to_json(step.next.reason) if stop else b"null",
            b',"questions_asked":',
            to_json(questions_asked),
            b"}",
        )
    )


@router.post("/diagnosis", response_model=s.DiagnosisOut, summary="Next question and ranked conditions")
async def diagnosis(case: s.CaseIn, model: ModelDep) -> Response:
    answers = _answers(model, case)
    step = assess_answers(model, answers)
    return Response(_diagnosis_json(model, step, answers.asked), media_type="application/json")


@router.post("/triage", response_model=s.TriageOut, summary="Triage level and the reasons that raised it")
async def triage(case: s.CaseIn, model: ModelDep) -> Response:
    return json_response(triage_out(assess_answers(model, _answers(model, case)).triage))


def _contribution(model: Model, item: Contribution) -> s.EvidenceContributionOut:
    return s.EvidenceContributionOut(
        id=item.finding,
        name=model.kb.findings[item.finding].label,
        choice_id="present" if item.choice is Choice.PRESENT else "absent",
        likelihood_ratio=round(item.ratio, 3),
        damped=item.damped,
        estimate=item.term.likelihood.estimate,
        source=_source(model.kb.sources[item.term.likelihood.source]),
    )


@router.post("/explain", response_model=s.ExplainOut, summary="Evidence for and against one condition")
async def explain(case: s.ExplainIn, model: ModelDep) -> Response:
    if case.target not in model.kb.conditions:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, f"target: unknown condition id {case.target!r}")
    answers = _answers(model, case)
    step = assess_answers(model, answers, explain=True)
    item = next(c for c in step.scores if c.condition_id == case.target)
    condition = model.kb.conditions[case.target]
    evidence = answers.evidence
    unconfirmed = [lik.finding for lik in condition.likelihoods if lik.finding not in evidence][:60]
    return json_response(
        s.ExplainOut(
            condition=s.ConditionOut(
                id=condition.id,
                name=condition.name,
                clinician_name=condition.clinician_name,
                probability=round(item.probability, 4),
            ),
            supporting_evidence=[_contribution(model, c) for c in item.contributions if c.log_lr > 0][:60],
            conflicting_evidence=[_contribution(model, c) for c in item.contributions if c.log_lr < 0][:60],
            unconfirmed_evidence=unconfirmed,
        )
    )


@router.post("/rationale", response_model=s.RationaleOut, summary="Why the next question is asked")
async def rationale(case: s.CaseIn, model: ModelDep) -> Response:
    step = assess_answers(model, _answers(model, case))
    if step.question is None:
        return json_response(
            s.RationaleOut(
                type="none", question_id=None, why=None, expected_information_gain_bits=None, conditions_affected=[]
            )
        )
    kind = step.next.kind
    findings = {i.finding for i in step.question.items}
    affected = [
        c.condition_id
        for c in step.scores[:10]
        if any(lik.finding in findings for lik in model.kb.conditions[c.condition_id].likelihoods)
    ]
    gain = step.next.gain if kind == "information_gain" else None
    return json_response(
        s.RationaleOut(
            type=kind,
            question_id=step.question.id,
            why=step.question.why,
            expected_information_gain_bits=round(gain, 4) if gain is not None else None,
            conditions_affected=affected,
        )
    )


@router.get("/findings", response_model=list[s.FindingOut], summary="Every finding the engine understands")
async def findings(model: ModelDep) -> list[s.FindingOut]:
    return [
        s.FindingOut(
            id=f.id,
            name=f.text,
            clinician_name=f.label,
            why=f.why,
            group=f.group,
            category=f.category.value,
            snomed=f.snomed.code if f.snomed else None,
        )
        for f in model.kb.findings.values()
    ]


@router.get("/conditions", response_model=list[s.ConditionInfoOut], summary="Every condition with its codes")
async def conditions(model: ModelDep) -> list[s.ConditionInfoOut]:
    return [
        s.ConditionInfoOut(
            id=c.id,
            name=c.name,
            clinician_name=c.clinician_name,
            description=c.description,
            icd10cm=[code.code for code in c.codes if code.system == "icd10cm"],
            snomed=[code.code for code in c.codes if code.system == "snomed"],
            urgency=c.urgency.value,
            must_not_miss=c.must_not_miss,
        )
        for c in model.kb.conditions.values()
    ]


@router.get("/info", response_model=s.InfoOut, summary="Versions and knowledge-base size")
async def info(model: ModelDep) -> s.InfoOut:
    kb = model.kb
    return s.InfoOut(
        name="hipnerve",
        version=__version__,
        knowledge_base_version=kb.version,
        knowledge_base_date=kb.manifest.date,
        conditions=len(kb.conditions),
        findings=len(kb.findings),
        sources=len(kb.sources),
        triage_rules=len(kb.triage.rules),
        disclaimer=kb.manifest.disclaimer,
    )


# --- stored assessments -------------------------------------------------------------------------

Token = Annotated[str, Path(min_length=20, max_length=128, pattern=r"^[A-Za-z0-9_-]+$")]


def _load(repository: AssessmentRepository, token: str) -> StoredAssessment:
    try:
        return repository.get(token)
    except NotFound:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no assessment with that token") from None


def assessment_out(model: Model, stored: StoredAssessment) -> s.AssessmentOut:
    step = assess(model, stored.state)
    return s.AssessmentOut(
        token=stored.token,
        revision=stored.revision,
        questions_asked=len(stored.state.asked),
        question=question_out(step.question),
        should_stop=step.should_stop,
        triage_level=step.triage.level.value,
    )


@router.post("/assessments", response_model=s.AssessmentOut, status_code=201, summary="Start a stored assessment")
def create_assessment(body: s.AssessmentCreate, model: ModelDep, repository: RepositoryDep) -> s.AssessmentOut:
    state = state_from_evidence(model, body.age, body.sex, _evidence(body.evidence))
    return assessment_out(model, repository.create(state, body.consent_to_store))


@router.get("/assessments/{token}", response_model=s.AssessmentOut, summary="Where a stored assessment stands")
def get_assessment(token: Token, model: ModelDep, repository: RepositoryDep) -> s.AssessmentOut:
    return assessment_out(model, _load(repository, token))


@router.post("/assessments/{token}/answers", response_model=s.AssessmentOut, summary="Answer one question")
def answer_assessment(token: Token, body: s.AnswerIn, model: ModelDep, repository: RepositoryDep) -> s.AssessmentOut:
    stored = _load(repository, token)
    state = answer(model, stored.state, body.question_id, dict(body.answers))
    return assessment_out(model, repository.save(token, state, expected_revision=stored.revision))


@router.post("/assessments/{token}/undo", response_model=s.AssessmentOut, summary="Go back one question")
def undo_assessment(token: Token, model: ModelDep, repository: RepositoryDep) -> s.AssessmentOut:
    stored = _load(repository, token)
    return assessment_out(model, repository.save(token, undo(stored.state), expected_revision=stored.revision))


@router.get("/assessments/{token}/result", response_model=s.ResultOut, summary="Triage and ranked conditions")
def assessment_result(token: Token, model: ModelDep, repository: RepositoryDep) -> s.ResultOut:
    stored = _load(repository, token)
    step = assess(model, stored.state)
    conditions = conditions_out(model, step, limit=len(step.scores))
    to_rule_out = rule_out_ids(model, step.triage)
    return s.ResultOut(
        triage=triage_out(step.triage),
        conditions=conditions,
        rule_out=[c for c in conditions if c.id in to_rule_out],
        questions_asked=len(stored.state.asked),
        knowledge_base_version=model.kb.version,
        disclaimer=model.kb.manifest.disclaimer,
    )
