"""Strict, frozen models of the knowledge files.

Every model forbids unknown keys (``extra="forbid"``), so a typo in a knowledge file is an error at
load time rather than a silently ignored number. Cross-references (a likelihood naming a finding, a
number naming a source) are checked by :mod:`hipnerve.kb.check`, not here, so that one run can report
every problem at once.
"""

from __future__ import annotations

import re
from enum import StrEnum
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictFloat, field_validator, model_validator

Identifier = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class TriageLevel(StrEnum):
    """The five levels, ordered from least to most urgent (Infermedica's names)."""

    SELF_CARE = "self_care"
    CONSULTATION = "consultation"
    CONSULTATION_24 = "consultation_24"
    EMERGENCY = "emergency"
    EMERGENCY_AMBULANCE = "emergency_ambulance"

    @property
    def rank(self) -> int:
        return _LEVEL_RANK[self]


_LEVEL_RANK = {level: i for i, level in enumerate(TriageLevel)}


class Setting(StrEnum):
    """Where a figure was measured: diagnostic accuracy transfers poorly across settings."""

    PRIMARY_CARE = "primary_care"
    SPECIALIST = "specialist"
    EMERGENCY_DEPARTMENT = "emergency_department"
    COMMUNITY = "community"
    GUIDELINE = "guideline"
    MIXED = "mixed"
    NOT_APPLICABLE = "not_applicable"


class SourceKind(StrEnum):
    GUIDELINE = "guideline"
    SYSTEMATIC_REVIEW = "systematic_review"
    DIAGNOSTIC_STUDY = "diagnostic_study"
    COHORT = "cohort"
    EPIDEMIOLOGY = "epidemiology"
    CASE_REPORT = "case_report"
    REVIEW = "review"
    TEXTBOOK = "textbook"
    CLASSIFICATION = "classification"
    TERMINOLOGY = "terminology"


class Source(Strict):
    id: Identifier
    citation: str = Field(min_length=10)
    kind: SourceKind
    setting: Setting
    url: str | None = None
    doi: str | None = None
    pmid: str | None = Field(default=None, pattern=r"^[0-9]{4,9}$")
    note: str | None = None

    @model_validator(mode="after")
    def _has_locator(self) -> Source:
        if not (self.url or self.doi or self.pmid):
            raise ValueError(f"source {self.id!r} needs a url, doi or pmid")
        return self


class SourcesFile(Strict):
    version: str
    date: str
    sources: tuple[Source, ...]


class Code(Strict):
    system: Literal["icd10cm", "snomed", "loinc"]
    code: str = Field(min_length=2)
    display: str = Field(min_length=2)

    @model_validator(mode="after")
    def _well_formed(self) -> Code:
        patterns = {
            "icd10cm": r"^[A-TV-Z][0-9][0-9AB](\.[0-9A-Z]{1,4})?$",
            "snomed": r"^[0-9]{6,18}$",
            "loinc": r"^[0-9]{1,7}-[0-9]$",
        }
        if not re.match(patterns[self.system], self.code):
            raise ValueError(f"{self.system} code {self.code!r} is malformed")
        return self


class FindingGroup(Strict):
    """A screen that asks several findings at once ("Which of these apply?").

    A grouped screen counts as one question. Red-flag screens are always asked first, in ``order``.
    An ``always_ask`` screen is asked in every interview before it stops (within the question limit,
    and not after an emergency has ended the interview early): it comes whenever its information
    gain earns it, and the stop rule never skips it. It is for what every clinical history takes
    whatever the complaint: the medical background.
    """

    id: Identifier
    prompt: str = Field(min_length=5)
    why: str = Field(min_length=10)
    red_flag_screen: bool = False
    always_ask: bool = False
    order: int = 100


class FindingCategory(StrEnum):
    SYMPTOM = "symptom"
    LOCATION = "location"
    HISTORY = "history"
    RISK_FACTOR = "risk_factor"
    SIGN = "sign"


class Evidence(Strict):
    """Provenance attached to every number."""

    source: Identifier
    setting: Setting
    estimate: bool = False
    reasoning: str | None = None

    @model_validator(mode="after")
    def _estimate_has_reasoning(self) -> Evidence:
        if self.estimate and not (self.reasoning and len(self.reasoning) >= 15):
            raise ValueError("an estimate must give its reasoning (15+ characters)")
        return self


class FindingFrequency(Evidence):
    """How often the finding is present among people in our population (adults with hip pain and/or
    leg numbness, tingling or weakness) — the false-positive rate for any one rare condition.

    With it, a condition can give a finding's *sensitivity* (which transfers between settings far
    better than specificity) and the engine derives LR+ = sens / frequency and
    LR− = (1 − sens) / (1 − frequency). One frequency per finding keeps every condition consistent.
    """

    value: StrictFloat = Field(gt=0, lt=1)


class Finding(Strict):
    """Something a person can answer yes / no / don't know about themselves."""

    id: Identifier
    text: str = Field(min_length=3, description="patient wording; a full question when ungrouped")
    label: str = Field(min_length=3, description="clinician label")
    why: str = Field(min_length=10, description="why we ask, in plain words")
    category: FindingCategory
    group: Identifier | None = None
    answer_type: Literal["yes_no"] = "yes_no"
    snomed: Code | None = None
    region: str | None = Field(default=None, description="body-map region id this finding maps to")
    frequency: FindingFrequency | None = None
    sex: Literal["female", "male"] | None = Field(
        default=None, description="asked only of people of this sex (pregnancy); never shown to the others"
    )

    @field_validator("snomed")
    @classmethod
    def _snomed_only(cls, value: Code | None) -> Code | None:
        if value is not None and value.system != "snomed":
            raise ValueError("a finding's code must be SNOMED CT")
        return value


class Cluster(Strict):
    """Findings that travel together, so they are not independent evidence for one condition.

    Within a cluster the engine counts the strongest contribution in full and each further one at
    half the weight of the one before (see :mod:`hipnerve.engine.inference`).
    """

    id: Identifier
    members: tuple[Identifier, ...] = Field(min_length=2)
    reason: str = Field(min_length=10)


class FindingsFile(Strict):
    version: str
    date: str
    groups: tuple[FindingGroup, ...]
    findings: tuple[Finding, ...]
    clusters: tuple[Cluster, ...] = ()


class PriorBand(Strict):
    age_min: int = Field(ge=18, le=120)
    age_max: int = Field(ge=18, le=120)
    female: StrictFloat
    male: StrictFloat


class Prior(Evidence):
    """Pre-test probability among adults presenting with hip pain and/or leg numbness."""

    bands: tuple[PriorBand, ...] = Field(min_length=1)


class Likelihood(Evidence):
    """How one finding bears on this condition against everything else.

    Either likelihood ratios — ``lr_pos`` when the finding is present, ``lr_neg`` when absent; a
    missing ratio means that answer carries no evidence — or a ``sensitivity`` (P(finding |
    condition)), from which the engine derives both ratios with the finding's population
    ``frequency``. "Don't know" applies neither.
    """

    finding: Identifier
    lr_pos: StrictFloat | None = None
    lr_neg: StrictFloat | None = None
    sensitivity: StrictFloat | None = Field(default=None, gt=0, lt=1)

    @model_validator(mode="after")
    def _one_form(self) -> Likelihood:
        if self.sensitivity is not None and (self.lr_pos is not None or self.lr_neg is not None):
            raise ValueError("give either a sensitivity or likelihood ratios, not both")
        return self


class Condition(Strict):
    id: Identifier
    name: str = Field(min_length=3, description="patient-facing name")
    clinician_name: str = Field(min_length=3)
    description: str = Field(min_length=20, description="patient-facing, plain English")
    codes: tuple[Code, ...]
    urgency: TriageLevel = Field(description="typical level when this condition is likely")
    must_not_miss: bool = False
    prior: Prior
    likelihoods: tuple[Likelihood, ...] = Field(min_length=1)


class TriageRule(Strict):
    """A rule that raises the triage level when its ``when`` expression holds.

    ``when`` is a small positive expression over findings: a finding id (present), ``{all: [...]}``,
    ``{any: [...]}``, ``{age_at_least: N}``, ``{sex: female|male}``. It has no negation, so a rule
    that fires keeps firing whatever else is answered: triage is monotone by construction.
    """

    id: Identifier
    level: TriageLevel
    when: RuleExpr
    reason: str = Field(min_length=10, description="patient-facing: what to do and why")
    clinician_reason: str = Field(min_length=10)
    suspects: tuple[Identifier, ...] = ()
    source: Identifier
    setting: Setting = Setting.GUIDELINE
    estimate: bool = False
    reasoning: str | None = None


class AllOf(Strict):
    all: tuple[RuleExpr, ...] = Field(min_length=1)


class AnyOf(Strict):
    any: tuple[RuleExpr, ...] = Field(min_length=1)


class AgeAtLeast(Strict):
    age_at_least: int = Field(ge=18, le=120)


class SexIs(Strict):
    sex: Literal["female", "male"]


RuleExpr = Identifier | AllOf | AnyOf | AgeAtLeast | SexIs

AllOf.model_rebuild()
AnyOf.model_rebuild()
TriageRule.model_rebuild()


class UrgencyThreshold(Strict):
    """When a likely condition's own urgency applies, and what applies when nothing is likely.

    A condition's typical urgency applies once its probability reaches ``probability``
    (``must_not_miss_probability`` for conditions flagged must-not-miss). When no condition reaches
    its threshold, ``unmatched_level`` applies: an unexplained picture deserves a clinician's look.
    """

    probability: StrictFloat = Field(gt=0, lt=1)
    must_not_miss_probability: StrictFloat = Field(gt=0, lt=1)
    unmatched_level: TriageLevel
    source: Identifier
    estimate: bool = True
    reasoning: str = Field(min_length=15)


class TriageFile(Strict):
    version: str
    date: str
    condition_threshold: UrgencyThreshold
    rules: tuple[TriageRule, ...]


class EngineSettings(Strict):
    """Interview tuning: how much gain is worth another question and when to stop."""

    min_information_gain: StrictFloat = Field(gt=0)
    max_questions: int = Field(ge=1, le=200)
    cluster_decay: StrictFloat = Field(gt=0, le=1)
    emergency_extra_questions: int = Field(
        ge=0, le=10, description="optional questions after the red-flag screens once an emergency has fired"
    )
    reasoning: str


class BodyMapRegion(Strict):
    id: Identifier
    label: str = Field(min_length=3)
    view: Literal["front", "back"]
    leg: bool = Field(description="a region of one leg (marked left, right or both)")
    pain: tuple[Identifier, ...] = ()
    numbness: tuple[Identifier, ...] = ()


class Bilateral(Strict):
    pain: Identifier
    numbness: Identifier


class BodyMapFile(Strict):
    """Regions a person can mark, and the findings each becomes, by dermatome and nerve territory."""

    version: str
    date: str
    source: Identifier
    regions: tuple[BodyMapRegion, ...]
    bilateral: Bilateral


class Family(Strict):
    """Conditions that are one clinical picture described different ways (a cause and the nerve-root
    patterns it produces, say). The result lists a family once, led by its most probable member,
    with the others shown inside that entry, so they do not crowd other causes out of the list."""

    id: Identifier
    members: tuple[Identifier, ...] = Field(min_length=2)
    reason: str = Field(min_length=20)
    source: Identifier


class Manifest(Strict):
    name: str
    version: str
    date: str
    description: str
    disclaimer: str = Field(min_length=40, description="patient-facing: what hipnerve is and is not")
    engine: EngineSettings
    families: tuple[Family, ...] = ()
