"""The interview as an immutable, JSON-serialisable state and pure steps over it.

    start_interview(age, sex, initial evidence) ─► next_question ─► answer / undo ─► … ─► result

Every step returns a new :class:`InterviewState`; nothing is mutated, so "back" is just the state
before, a stored interview is ``state.model_dump_json()``, and a web request or CLI keystroke can
resume it anywhere. The state records the knowledge-base version it was built with.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from functools import cache, cached_property
from typing import Any

import numpy as np
import numpy.typing as npt
from pydantic import BaseModel, ConfigDict, Field

from hipnerve.engine.fast import FloatArray, priors, probabilities
from hipnerve.engine.inference import ConditionScore, Contribution, logit, rank, score
from hipnerve.engine.model import Choice, Model, Patient, Sex
from hipnerve.engine.questions import (
    NextQuestion,
    QuestionUnit,
    choose_next,
    question_units,
    red_flag_next,
    unit_by_id,
)
from hipnerve.exceptions import InterviewStateError, InvalidDemographicsError
from hipnerve.interview.person import PersonFactors
from hipnerve.kb.models import TriageLevel
from hipnerve.triage.rules import TriageResult, completing_findings, rule_level, triage


class EvidenceSource(StrEnum):
    INITIAL = "initial"  # given up front (body map, free text)
    RED_FLAGS = "red_flags"  # answered on a red-flag screen
    SUGGEST = "suggest"  # answered on an adaptive question
    PREDEFINED = "predefined"  # known before the interview (e.g. from a clinic's record)


class EvidenceItem(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    id: str
    choice_id: Choice
    source: EvidenceSource = EvidenceSource.INITIAL


class AskedQuestion(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    question_id: str
    findings: tuple[str, ...]


class InterviewState(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)
    kb_version: str
    age: int = Field(ge=18, le=120)
    sex: Sex
    evidence: tuple[EvidenceItem, ...] = ()
    asked: tuple[AskedQuestion, ...] = ()
    body_map: tuple[str, ...] = Field(default=(), description="marks as 'pain|numbness:region:side'")
    person: PersonFactors | None = Field(default=None, description="answers that personalise the care plan")

    @property
    def patient(self) -> Patient:
        return Patient(self.age, self.sex)

    def evidence_map(self) -> dict[str, Choice]:
        return {item.id: item.choice_id for item in self.evidence}


@dataclass(frozen=True)
class QuestionItem:
    finding: str
    text: str
    current: Choice | None  # already known (e.g. from the body map)


@dataclass(frozen=True)
class Question:
    id: str
    kind: str  # "group_multiple" (tick all that apply) or "single" (yes / no / don't know)
    text: str
    why: str
    red_flag: bool
    items: tuple[QuestionItem, ...]


def _question(model: Model, unit: QuestionUnit, evidence: Mapping[str, Choice], sex: Sex) -> Question:
    for finding in unit.findings:
        if finding in evidence:
            return _build_question(model, unit, evidence, sex)
    return _unanswered_questions(model, sex)[unit.id]  # the usual case: nothing on the screen known yet


@cache
def _unanswered_questions(model: Model, sex: Sex) -> dict[str, Question]:
    """Each screen as asked when none of its findings is known yet: the same for everyone of a sex."""
    return {unit.id: _build_question(model, unit, {}, sex) for unit in question_units(model)}


@cache
def not_asked_of(model: Model, sex: Sex) -> frozenset[str]:
    """Findings never asked of people of ``sex`` (a finding the knowledge base keeps to the other sex,
    such as pregnancy): left off every screen, and taken as "don't know" when choosing questions."""
    return frozenset(f.id for f in model.kb.findings.values() if f.sex is not None and f.sex != sex.value)


def check_applies(model: Model, sex: Sex, finding: str, choice: Choice) -> None:
    """Refuse a finding reported present by a person it can never apply to (a man who is pregnant)."""
    if choice is Choice.PRESENT and finding in not_asked_of(model, sex):
        raise InterviewStateError(f"finding {finding!r} does not apply to a {sex.value} person; please check it")


def _build_question(model: Model, unit: QuestionUnit, evidence: Mapping[str, Choice], sex: Sex) -> Question:
    findings = model.kb.findings
    skip = not_asked_of(model, sex)
    items = tuple(QuestionItem(f, findings[f].text, evidence.get(f)) for f in unit.findings if f not in skip)
    if unit.group is not None:
        return Question(unit.id, "group_multiple", unit.group.prompt, unit.group.why, unit.red_flag, items)
    finding = findings[unit.findings[0]]
    return Question(unit.id, "single", finding.text, finding.why, unit.red_flag, items)


def parse_sex(value: Sex | str) -> Sex:
    try:
        return Sex(value)
    except ValueError:
        raise InvalidDemographicsError(f"sex must be 'female' or 'male', got {value!r}") from None


def start_interview(
    model: Model, age: int, sex: Sex | str, initial: Mapping[str, Choice | str] | None = None
) -> InterviewState:
    """Validate demographics and initial evidence, and open an interview."""
    patient = Patient(age, parse_sex(sex))
    items = []
    for finding, choice in (initial or {}).items():
        model.check_finding(finding)
        parsed = Choice(choice)
        check_applies(model, patient.sex, finding, parsed)
        items.append(EvidenceItem(id=finding, choice_id=parsed, source=EvidenceSource.INITIAL))
    return InterviewState(kb_version=model.kb.version, age=patient.age, sex=patient.sex, evidence=tuple(items))


EvidenceTuple = tuple[str, Choice | str, EvidenceSource | str]
EvidenceList = Sequence[EvidenceTuple]

_CHOICES: dict[Choice | str, Choice] = {c.value: c for c in Choice}
_SOURCES: dict[EvidenceSource | str, EvidenceSource] = {s.value: s for s in EvidenceSource}
_ANSWERED = frozenset((EvidenceSource.RED_FLAGS, EvidenceSource.SUGGEST))


def _read_items(model: Model, items: EvidenceList, sex: Sex) -> list[tuple[str, Choice, EvidenceSource]]:
    """Check a stateless evidence list: known ids, each once, each possible for this person (in list
    order, first problem raised)."""
    checked: list[tuple[str, Choice, EvidenceSource]] = []
    seen: set[str] = set()
    known = model.kb.findings
    for finding, choice, source in items:
        if finding not in known:
            model.check_finding(finding)
        if finding in seen:
            raise InterviewStateError(f"finding {finding!r} appears more than once in the evidence")
        seen.add(finding)
        # The enums' own constructors still raise for a value that is not one of theirs.
        parsed = _CHOICES.get(choice) or Choice(choice)
        check_applies(model, sex, finding, parsed)
        checked.append((finding, parsed, _SOURCES.get(source) or EvidenceSource(source)))
    return checked


def state_from_evidence(model: Model, age: int, sex: Sex | str, items: EvidenceList) -> InterviewState:
    """Rebuild an interview state from a stateless evidence list (Engine-API style).

    A screen counts as asked when any of its findings came from an answer (red-flag or interview
    source) rather than from initial evidence, so the question limit holds across stateless calls.
    """
    patient = Patient(age, parse_sex(sex))
    evidence = [EvidenceItem(id=f, choice_id=c, source=s) for f, c, s in _read_items(model, items, patient.sex)]
    answered = {e.id for e in evidence if e.source in _ANSWERED}
    asked = tuple(
        AskedQuestion(question_id=unit.id, findings=tuple(f for f in unit.findings if f in answered))
        for unit in question_units(model)
        if answered.intersection(unit.findings)
    )
    return InterviewState(
        kb_version=model.kb.version, age=patient.age, sex=patient.sex, evidence=tuple(evidence), asked=asked
    )


@dataclass(frozen=True)
class Answers:
    """A stateless evidence list, checked as :func:`state_from_evidence` checks it, without building
    the state: who the person is, what is known, and how many screens the answers cover."""

    patient: Patient
    evidence: dict[str, Choice]
    asked: int


def read_answers(model: Model, age: int, sex: Sex | str, items: Iterable[EvidenceTuple]) -> Answers:
    """What :func:`assess_answers` needs from a stateless evidence list (the API's hot path).

    Same checks, in the same order, the same errors and the same question count as
    ``state_from_evidence``, in one pass without building the state.
    """
    return read_answer_items(model, age, sex, ({"id": f, "choice_id": c, "source": s} for f, c, s in items))


def read_answer_items(model: Model, age: int, sex: Sex | str, items: Iterable[Mapping[str, Any]]) -> Answers:
    """:func:`read_answers` for evidence items as the API receives them: mappings with an ``id``, a
    ``choice_id`` and, optionally, a ``source`` (``"initial"`` when missing)."""
    patient = Patient(age, parse_sex(sex))
    known = model.kb.findings
    screen_of = _screen_of(model)
    skip = not_asked_of(model, patient.sex)
    evidence: dict[str, Choice] = {}
    screens: set[str] = set()
    choices, sources, answered = _CHOICES, _SOURCES, _ANSWERED
    for item in items:
        finding = item["id"]
        choice = item["choice_id"]
        source = item.get("source", "initial")
        if finding not in known:
            model.check_finding(finding)
        if finding in evidence:
            raise InterviewStateError(f"finding {finding!r} appears more than once in the evidence")
        evidence[finding] = choices[choice] if choice in choices else Choice(choice)
        if finding in skip:
            check_applies(model, patient.sex, finding, evidence[finding])
        if source not in sources:
            EvidenceSource(source)  # raises, as the state's own check does
        if source in answered and finding in screen_of:
            screens.add(screen_of[finding])
    return Answers(patient, evidence, len(screens))


@cache
def _screen_of(model: Model) -> dict[str, str]:
    return {f: unit.id for unit in question_units(model) for f in unit.findings}


class Step:
    """Where the interview stands: scores, triage so far and the next question (if any).

    The ranked scores and the triage reasons are worked out when first read: an API step that
    returns only the top of the ranking reads :meth:`ranking` and builds neither.
    """

    def __init__(
        self,
        model: Model,
        patient: Patient,
        evidence: Mapping[str, Choice],
        probabilities: FloatArray,
        nxt: NextQuestion,
        question: Question | None,
        explained: list[ConditionScore] | None,
    ) -> None:
        self._model = model
        self._patient = patient
        self._evidence = evidence
        self._probabilities = probabilities
        self._explained = explained
        self.next = nxt
        self.question = question

    @property
    def patient(self) -> Patient:
        return self._patient

    @property
    def should_stop(self) -> bool:
        return self.next.should_stop

    @cached_property
    def firm_emergency(self) -> bool:
        """A warning-sign rule at an emergency level has fired: that advice stands whatever comes
        next (an emergency raised only by a likely cause can still change)."""
        return firm_emergency(self._model, self._patient, self._evidence)

    @cached_property
    def _scores_in_kb_order(self) -> list[ConditionScore]:
        if self._explained is not None:
            return self._explained
        model, patient = self._model, self._patient
        prior = priors(model, patient.age, patient.sex).tolist()
        return [
            ConditionScore(condition_id, prior[i], logit(p), p, ())
            for i, (condition_id, p) in enumerate(zip(model.condition_ids, self._probabilities.tolist(), strict=True))
        ]

    @cached_property
    def scores(self) -> tuple[ConditionScore, ...]:
        """Every condition, most probable first (ties by id)."""
        return tuple(rank(self._scores_in_kb_order))

    @cached_property
    def triage(self) -> TriageResult:
        return triage(self._model, self._patient, self._evidence, self._scores_in_kb_order)

    def ranking(self, limit: int) -> list[tuple[str, float]]:
        """The ``limit`` most probable conditions as (id, probability), in the order of :attr:`scores`."""
        p = self._probabilities
        order = np.lexsort((_id_order(self._model), -p))[:limit]
        ids = self._model.condition_ids
        return [(ids[i], float(p[i])) for i in order.tolist()]


@cache
def _id_order(model: Model) -> npt.NDArray[np.int64]:
    """Each condition's place when the ids are sorted: ``rank``'s tie-break."""
    order = sorted(range(len(model.condition_ids)), key=lambda i: model.condition_ids[i])
    places = np.empty(len(order), dtype=np.int64)
    places[order] = np.arange(len(order))
    return places


def firm_emergency(model: Model, patient: Patient, evidence: Mapping[str, Choice]) -> bool:
    """Whether a fired warning-sign rule alone puts the level at an emergency or above."""
    return rule_level(model, patient, evidence).rank >= TriageLevel.EMERGENCY.rank


def assess(model: Model, state: InterviewState, ask_all: bool = False, explain: bool = True) -> Step:
    """Score, triage and choose the next question. ``explain=False`` skips building the per-finding
    contributions (the hot path of an interview step); scores then carry no contributions."""
    return _assess(model, state.patient, state.evidence_map(), len(state.asked), ask_all, explain)


def assess_answers(model: Model, answers: Answers, ask_all: bool = False, explain: bool = False) -> Step:
    """:func:`assess` for a stateless evidence list read by :func:`read_answers` (same step)."""
    return _assess(model, answers.patient, answers.evidence, answers.asked, ask_all, explain)


def _assess(
    model: Model, patient: Patient, evidence: Mapping[str, Choice], asked: int, ask_all: bool, explain: bool
) -> Step:
    explained = score(model, patient, evidence) if explain else None
    if explained is not None:
        probs = np.array([s.probability for s in explained])
    else:
        probs = probabilities(model, patient, evidence)
    # Findings never asked of this person count as "don't know" (no evidence) when choosing screens,
    # so a screen is neither chosen nor kept open for them.
    skip = not_asked_of(model, patient.sex)
    asking = evidence if not skip else {**dict.fromkeys(skip, Choice.UNKNOWN), **evidence}
    nxt = red_flag_next(model, asking)
    if nxt is None:  # triage and the urgent-rule check matter only once the red-flag screens are done
        emergency = firm_emergency(model, patient, evidence)
        nxt = choose_next(
            model,
            asking,
            probs,
            asked,
            emergency,
            ask_all=ask_all,
            priority=completing_findings(model, patient, evidence),
        )
    question = _question(model, nxt.unit, evidence, patient.sex) if nxt.unit is not None else None
    return Step(model, patient, evidence, probs, nxt, question, explained)


def answer(
    model: Model, state: InterviewState, question_id: str, answers: Mapping[str, Choice | str]
) -> InterviewState:
    """Record the answers to one screen. Items of the screen not answered count as "don't know"."""
    unit = unit_by_id(model, question_id)
    if unit is None:
        raise InterviewStateError(f"unknown question {question_id!r}")
    if any(a.question_id == question_id for a in state.asked):
        raise InterviewStateError(f"question {question_id!r} was already answered; undo to change it")
    for finding in answers:
        model.check_finding(finding)
        if finding not in unit.findings:
            raise InterviewStateError(f"finding {finding!r} is not part of question {question_id!r}")
        check_applies(model, state.sex, finding, Choice(answers[finding]))
    source = EvidenceSource.RED_FLAGS if unit.red_flag else EvidenceSource.SUGGEST
    existing = state.evidence_map()
    new_items = []
    newly: list[str] = []
    for finding in unit.findings:
        if finding in answers:
            choice = Choice(answers[finding])
        elif finding in existing:
            continue
        else:
            choice = Choice.UNKNOWN
        new_items.append(EvidenceItem(id=finding, choice_id=choice, source=source))
        newly.append(finding)
    kept = tuple(item for item in state.evidence if item.id not in answers)
    return state.model_copy(
        update={
            "evidence": kept + tuple(new_items),
            "asked": (*state.asked, AskedQuestion(question_id=question_id, findings=tuple(newly))),
        }
    )


def set_initial(model: Model, state: InterviewState, initial: Mapping[str, Choice | str]) -> InterviewState:
    """Replace what was given up front (e.g. a re-drawn body map); answers to questions are kept."""
    for finding in initial:
        model.check_finding(finding)
    answered = {item.id for item in state.evidence if item.source is not EvidenceSource.INITIAL}
    kept = tuple(item for item in state.evidence if item.source is not EvidenceSource.INITIAL)
    fresh = tuple(
        EvidenceItem(id=f, choice_id=Choice(c), source=EvidenceSource.INITIAL)
        for f, c in initial.items()
        if f not in answered
    )
    return state.model_copy(update={"evidence": fresh + kept})


def undo(state: InterviewState) -> InterviewState:
    """Go back one screen: forget its answers (answers given up front are kept)."""
    if not state.asked:
        raise InterviewStateError("nothing to undo: no question has been answered yet")
    last = state.asked[-1]
    forget = set(last.findings)
    return state.model_copy(
        update={
            "evidence": tuple(item for item in state.evidence if item.id not in forget),
            "asked": state.asked[:-1],
        }
    )


@dataclass(frozen=True)
class RankedCondition:
    id: str
    name: str
    clinician_name: str
    probability: float
    supporting: tuple[Contribution, ...]
    conflicting: tuple[Contribution, ...]


def explain(item: ConditionScore, name: str, clinician_name: str, limit: int = 3) -> RankedCondition:
    supporting = tuple(c for c in item.contributions if c.log_lr > 0)[:limit]
    conflicting = tuple(c for c in item.contributions if c.log_lr < 0)[:limit]
    return RankedCondition(item.condition_id, name, clinician_name, item.probability, supporting, conflicting)


@dataclass(frozen=True)
class ResultEntry:
    """One line of the differential a person sees: a condition and, when it belongs to a family
    (``Family`` in the manifest: disc herniation and the nerve-root patterns it causes, say), the
    family's other members, shown inside the entry rather than as entries of their own."""

    lead: RankedCondition
    related: tuple[RankedCondition, ...] = ()

    @property
    def ids(self) -> tuple[str, ...]:
        return (self.lead.id, *(c.id for c in self.related))


def entries(conditions: Sequence[RankedCondition], family_of: Mapping[str, str]) -> tuple[ResultEntry, ...]:
    """Ranked conditions as ranked entries: each family once, at the place of its most probable
    member, with the other members (most probable first) inside it."""
    members: dict[str, list[RankedCondition]] = {}
    for c in conditions:
        family = family_of.get(c.id)
        if family is not None:
            members.setdefault(family, []).append(c)
    out: list[ResultEntry] = []
    for c in conditions:
        family = family_of.get(c.id)
        if family is None:
            out.append(ResultEntry(c))
        elif members[family][0] is c:
            out.append(ResultEntry(c, tuple(members[family][1:])))
    return tuple(out)


@dataclass(frozen=True)
class InterviewResult:
    triage: TriageResult
    conditions: tuple[RankedCondition, ...]  # ranked, most probable first
    questions: int
    # Must-not-miss conditions that a fired warning sign names (``TriageResult.suspected``), in rank
    # order: shown as "to rule out" whatever their probability.
    rule_out: tuple[RankedCondition, ...]
    # ``conditions`` with each family as one entry: what the result screens list.
    entries: tuple[ResultEntry, ...]

    def shown(self, k: int) -> set[str]:
        """Every condition the first ``k`` entries show (a family's members included)."""
        return {i for entry in self.entries[:k] for i in entry.ids}


def result(model: Model, state: InterviewState, limit: int = 3) -> InterviewResult:
    step = assess(model, state)
    conditions = tuple(
        explain(
            s,
            model.kb.conditions[s.condition_id].name,
            model.kb.conditions[s.condition_id].clinician_name,
            limit,
        )
        for s in step.scores
    )
    to_rule_out = rule_out_ids(model, step.triage)
    rule_out = tuple(c for c in conditions if c.id in to_rule_out)
    return InterviewResult(step.triage, conditions, len(state.asked), rule_out, entries(conditions, model.family_of))


def rule_out_ids(model: Model, triage_result: TriageResult) -> frozenset[str]:
    """Must-not-miss conditions that a fired red-flag rule names: listed whatever their rank."""
    return frozenset(triage_result.suspected) & model.must_not_miss
