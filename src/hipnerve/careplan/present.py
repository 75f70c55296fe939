"""The care plan as plain data (JSON-ready), with every item's source expanded to its citation."""

from __future__ import annotations

from typing import Any

from hipnerve.careplan.builder import CarePlan
from hipnerve.kb.careplan_models import Block, Caution, GuidelineNote
from hipnerve.kb.loader import KnowledgeBase


def _source(kb: KnowledgeBase, source_id: str) -> dict[str, Any]:
    source = kb.sources[source_id]
    return {"id": source.id, "citation": source.citation, "url": source.url, "doi": source.doi, "pmid": source.pmid}


def _entry(kb: KnowledgeBase, item: Block | Caution | GuidelineNote) -> dict[str, Any]:
    text = item.reason if isinstance(item, Block) else item.text
    data: dict[str, Any] = {"text": text, "source": _source(kb, item.source)}
    if isinstance(item, Block):
        data["ask"] = item.ask
    if isinstance(item, Block | Caution):
        data["factor"] = item.factor
    return data


def plan_to_dict(kb: KnowledgeBase, plan: CarePlan) -> dict[str, Any]:
    return {
        "triage_level": plan.level.value,
        "focus": [{"id": c, "name": kb.conditions[c].name} for c in plan.focus],
        "first_steps": [{"text": t, "source": _source(kb, s)} for t, s in plan.first_steps],
        "medicines": {
            "disclaimer": plan.medicine_disclaimer,
            "items": [
                {
                    "id": a.medicine.id,
                    "name": a.medicine.name,
                    "status": a.status,
                    "what_it_does": a.medicine.what_it_does,
                    "usual_dose": a.medicine.usual_dose,
                    "max_daily": a.medicine.max_daily,
                    "duration": a.medicine.duration,
                    "blocked_because": [_entry(kb, b) for b in a.blocks],
                    "cautions": [_entry(kb, c) for c in a.cautions],
                    "guideline_notes": [_entry(kb, n) for n in a.notes],
                    "source": _source(kb, a.medicine.source),
                }
                for a in plan.medicines
            ],
            "guidelines_advise_against": [_entry(kb, n) for n in plan.do_not_offer],
        },
        "exercises": [
            {
                "id": e.id,
                "name": e.name,
                "kind": e.kind,
                "level": e.level,
                "purpose": e.purpose,
                "steps": list(e.steps),
                "dosage": e.dosage,
                "progression": e.progression,
                "stop_if": e.stop_if,
                "illustration": e.illustration,
                "source": _source(kb, e.source),
            }
            for e in plan.exercises
        ],
        "exercise_note": plan.exercise_note,
        "schedule": [{"week": w.number, "exercises": list(w.exercises)} for w in plan.schedule],
        "care_team": [
            {"condition": c, "role": r.role, "when": r.when, "why": r.why, "source": _source(kb, r.source)}
            for c, r in plan.referrals
        ],
        "injections_and_surgery": [
            {
                "condition": c,
                "name": p.name,
                "when_considered": p.when_considered,
                "what_to_expect": p.what_to_expect,
                "source": _source(kb, p.source),
                "evidence": {"source": _source(kb, p.evidence)} if p.evidence else None,
            }
            for c, p in plan.procedures
        ],
        "prevention": [{"title": p.title, "text": p.text, "source": _source(kb, p.source)} for p in plan.prevention],
        "seek_care_sooner": [{"text": t, "source": _source(kb, s)} for t, s in plan.seek_care_sooner],
        "bmi": round(plan.bmi, 1) if plan.bmi is not None else None,
        "weight_goal": plan.weight_goal,
        "not_personalised": list(plan.not_personalised),
    }
