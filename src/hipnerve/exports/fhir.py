"""The assessment as an R4-compatible FHIR Bundle (``fhir.resources.R4B``).

Patient (minimal: sex only), the interview as a QuestionnaireResponse, each answered finding as a
patient-reported Observation (SNOMED CT where the knowledge base has a code), the likely causes as
Conditions with verification status *differential*, a RiskAssessment with the probabilities, and —
when a care plan was built — a CarePlan whose activities carry their sources. Ids are UUIDv5 from
the interview state, so the same assessment always gives the same bundle.
"""

from __future__ import annotations

import uuid
from typing import Any

from fhir.resources.R4B.bundle import Bundle

from hipnerve import __version__
from hipnerve.careplan.builder import CarePlan
from hipnerve.engine.model import Choice, Model
from hipnerve.interview.session import InterviewResult, InterviewState

SNOMED = "http://snomed.info/sct"
ICD10CM = "http://hl7.org/fhir/sid/icd-10-cm"
LOINC = "http://loinc.org"
LOCAL_FINDING = "urn:hipnerve:finding"
LOCAL_CONDITION = "urn:hipnerve:condition"
CONDITION_VERIFICATION = "http://terminology.hl7.org/CodeSystem/condition-ver-status"
CONDITION_CLINICAL = "http://terminology.hl7.org/CodeSystem/condition-clinical"
CONDITION_CATEGORY = "http://terminology.hl7.org/CodeSystem/condition-category"
OBSERVATION_CATEGORY = "http://terminology.hl7.org/CodeSystem/observation-category"
NAMESPACE = uuid.UUID("6d4f3c1e-2b7a-5c8d-9e0f-112233445566")
MIN_PROBABILITY = 0.05
MAX_CONDITIONS = 5


def _id(state: InterviewState, kind: str, key: str = "") -> str:
    return str(uuid.uuid5(NAMESPACE, f"{state.model_dump_json()}|{kind}|{key}"))


def _entry(resource: dict[str, Any]) -> dict[str, Any]:
    return {"fullUrl": f"urn:uuid:{resource['id']}", "resource": resource}


def build_bundle(model: Model, state: InterviewState, outcome: InterviewResult, plan: CarePlan | None = None) -> Bundle:
    kb = model.kb
    patient_id = _id(state, "Patient")
    subject = {"reference": f"urn:uuid:{patient_id}"}
    entries: list[dict[str, Any]] = [
        _entry({"resourceType": "Patient", "id": patient_id, "gender": state.sex.value}),
        _entry(
            {
                "resourceType": "Observation",
                "id": _id(state, "Observation", "age"),
                "status": "final",
                "category": [{"coding": [{"system": OBSERVATION_CATEGORY, "code": "survey"}]}],
                "code": {"coding": [{"system": LOINC, "code": "30525-0", "display": "Age"}]},
                "subject": subject,
                "valueQuantity": {"value": state.age, "unit": "a", "system": "http://unitsofmeasure.org", "code": "a"},
            }
        ),
    ]
    evidence = state.evidence_map()
    observation_refs: dict[str, str] = {}
    for finding_id, choice in evidence.items():
        if choice is Choice.UNKNOWN:
            continue
        finding = kb.findings[finding_id]
        coding = [{"system": LOCAL_FINDING, "code": finding_id, "display": finding.label}]
        if finding.snomed is not None:
            coding.insert(0, {"system": SNOMED, "code": finding.snomed.code, "display": finding.snomed.display})
        observation_id = _id(state, "Observation", finding_id)
        observation_refs[finding_id] = f"urn:uuid:{observation_id}"
        entries.append(
            _entry(
                {
                    "resourceType": "Observation",
                    "id": observation_id,
                    "status": "final",
                    "category": [{"coding": [{"system": OBSERVATION_CATEGORY, "code": "survey"}]}],
                    "code": {"coding": coding, "text": finding.text},
                    "subject": subject,
                    "valueBoolean": choice is Choice.PRESENT,
                }
            )
        )
    items = []
    for asked in state.asked:
        answers = []
        for finding_id in asked.findings:
            choice = evidence.get(finding_id, Choice.UNKNOWN)
            item: dict[str, Any] = {"linkId": f"{asked.question_id}.{finding_id}", "text": kb.findings[finding_id].text}
            if choice is not Choice.UNKNOWN:
                item["answer"] = [{"valueBoolean": choice is Choice.PRESENT}]
            answers.append(item)
        group = kb.groups.get(asked.question_id)
        text = group.prompt if group is not None else kb.findings[asked.question_id].text
        items.append({"linkId": asked.question_id, "text": text, "item": answers})
    entries.append(
        _entry(
            {
                "resourceType": "QuestionnaireResponse",
                "id": _id(state, "QuestionnaireResponse"),
                "questionnaire": f"urn:hipnerve:questionnaire:interview:{kb.version}",
                "status": "completed",
                "subject": subject,
                "item": items or [{"linkId": "none", "text": "No questions were answered."}],
            }
        )
    )
    likely = [c for c in outcome.conditions if c.probability >= MIN_PROBABILITY][:MAX_CONDITIONS]
    # Must-not-miss causes that a fired red-flag rule names go in whatever their probability.
    rule_out = {c.id for c in outcome.rule_out}
    listed = likely + [c for c in outcome.rule_out if c.id not in {x.id for x in likely}]
    predictions = []
    for ranked in listed:
        condition = kb.conditions[ranked.id]
        coding = [{"system": LOCAL_CONDITION, "code": condition.id, "display": condition.clinician_name}]
        for code in condition.codes:
            system = {"icd10cm": ICD10CM, "snomed": SNOMED, "loinc": LOINC}[code.system]
            coding.append({"system": system, "code": code.code, "display": code.display})
        concept = {"coding": coding, "text": condition.clinician_name}
        evidence_refs = [
            {"reference": observation_refs[c.finding]}
            for c in (*ranked.supporting, *ranked.conflicting)
            if c.finding in observation_refs
        ]
        condition_resource: dict[str, Any] = {
            "resourceType": "Condition",
            "id": _id(state, "Condition", condition.id),
            "clinicalStatus": {"coding": [{"system": CONDITION_CLINICAL, "code": "active"}]},
            "verificationStatus": {"coding": [{"system": CONDITION_VERIFICATION, "code": "differential"}]},
            "category": [{"coding": [{"system": CONDITION_CATEGORY, "code": "encounter-diagnosis"}]}],
            "code": concept,
            "subject": subject,
            "note": [{"text": _condition_note(outcome, ranked.id, ranked.probability, ranked.id in rule_out)}],
        }
        if evidence_refs:
            condition_resource["evidence"] = [{"detail": evidence_refs}]
        entries.append(_entry(condition_resource))
        predictions.append(
            {"outcome": concept, "probabilityDecimal": round(ranked.probability, 4), "rationale": condition.name}
        )
    entries.append(
        _entry(
            {
                "resourceType": "RiskAssessment",
                "id": _id(state, "RiskAssessment"),
                "status": "final",
                "subject": subject,
                "method": {"text": f"hipnerve {__version__} Bayesian engine, knowledge base {kb.version}"},
                "basis": [{"reference": ref} for ref in observation_refs.values()] or None,
                "prediction": predictions or None,
                "mitigation": f"Triage level: {outcome.triage.level.value}. "
                + " ".join(r.clinician_text for r in outcome.triage.reasons[:3]),
            }
        )
    )
    if plan is not None:
        entries.append(_entry(_care_plan(model, state, plan, subject)))
    cleaned = [{**e, "resource": {k: v for k, v in e["resource"].items() if v is not None}} for e in entries]
    return Bundle.model_validate(
        {"resourceType": "Bundle", "id": _id(state, "Bundle"), "type": "collection", "entry": cleaned}
    )


def _condition_note(outcome: InterviewResult, condition_id: str, probability: float, rule_out: bool) -> str:
    text = f"Decision-support differential (probability {probability:.2f}); not a diagnosis."
    if rule_out:
        rules = ", ".join(r.rule_id or "" for r in outcome.triage.naming(condition_id))
        text += f" To rule out: named by red-flag rule(s) {rules}."
    return text


def _activity(text: str, description: str) -> dict[str, Any]:
    return {"detail": {"status": "not-started", "code": {"text": text}, "description": description}}


def _care_plan(model: Model, state: InterviewState, plan: CarePlan, subject: dict[str, str]) -> dict[str, Any]:
    sources = model.kb.sources
    activities = [_activity("First step", f"{text} [source: {sources[s].citation}]") for text, s in plan.first_steps]
    activities += [
        _activity(f"Exercise: {e.name}", f"{e.dosage} Stop if: {e.stop_if} [source: {sources[e.source].citation}]")
        for e in plan.exercises
    ]
    activities += [
        _activity(f"Referral: {r.role}", f"{r.when}. {r.why} [source: {sources[r.source].citation}]")
        for _, r in plan.referrals
    ]
    activities += [
        _activity(
            f"Medicine information: {a.medicine.name} ({a.status})",
            "General over-the-counter information, not a prescription. "
            + " ".join(b.reason for b in a.blocks)
            + f" [source: {sources[a.medicine.source].citation}]",
        )
        for a in plan.medicines
    ]
    activities += [_activity(f"Prevention: {p.title}", p.text) for p in plan.prevention]
    return {
        "resourceType": "CarePlan",
        "id": _id(state, "CarePlan"),
        "status": "active",
        "intent": "proposal",
        "title": "hipnerve personalised care plan (decision support, not a prescription)",
        "subject": subject,
        "activity": activities,
    }
