"""Server-rendered pages: start → body map → one question per screen → results.

Every page works without JavaScript (forms and redirects); ``static/app.js`` only makes the body
map clickable. Forms carry a CSRF token that must match the ``hn_csrf`` cookie (double submit,
SameSite=Strict). Assessments are addressed by their secret token in the path.
"""

from __future__ import annotations

import hmac
import secrets
from pathlib import Path as FsPath
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Path, Request, status
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from pydantic import ValidationError

from hipnerve.careplan.builder import build_plan
from hipnerve.careplan.factors import check_against_person
from hipnerve.careplan.present import plan_to_dict
from hipnerve.engine.model import Choice
from hipnerve.engine.percent import percent
from hipnerve.exceptions import InputError
from hipnerve.exports.bodymap_svg import back_shapes, front_shapes, silhouette
from hipnerve.exports.fhir import build_bundle
from hipnerve.exports.pdf import render_pdf, report_html
from hipnerve.interview.bodymap import set_body_map
from hipnerve.interview.person import PersonFactors
from hipnerve.interview.session import (
    answer,
    assess,
    result,
    start_interview,
    undo,
)
from hipnerve.kb.careplan_loader import load_careplan
from hipnerve.kb.models import TriageLevel
from hipnerve.storage.repository import Conflict, NotFound, StoredAssessment
from hipnerve.web.deps import ModelDep, RepositoryDep, SettingsDep

router = APIRouter(include_in_schema=False)
templates = Jinja2Templates(directory=str(FsPath(__file__).parent / "templates"))
templates.env.filters["percent"] = percent
CSRF_COOKIE = "hn_csrf"

Token = Annotated[str, Path(min_length=20, max_length=128, pattern=r"^[A-Za-z0-9_-]+$")]

LEVEL_COPY: dict[TriageLevel, dict[str, str]] = {
    TriageLevel.EMERGENCY_AMBULANCE: {
        "tone": "danger",
        "title": "Call an ambulance now",
        "action": "Call {number} now. Do not drive yourself.",
    },
    TriageLevel.EMERGENCY: {
        "tone": "danger",
        "title": "Go to an emergency department now",
        "action": "Go to the nearest emergency department now. If you cannot get there safely, call {number}.",
    },
    TriageLevel.CONSULTATION_24: {
        "tone": "warning",
        "title": "See a doctor within 24 hours",
        "action": "Contact your GP surgery or an urgent care service today. Call {number} if things get worse.",
    },
    TriageLevel.CONSULTATION: {
        "tone": "info",
        "title": "Book an appointment with a GP or physiotherapist",
        "action": "Book a routine appointment in the next few days to weeks.",
    },
    TriageLevel.SELF_CARE: {
        "tone": "ok",
        "title": "You can look after this at home for now",
        "action": "Keep active, use the self-care advice, and get help if it is not improving.",
    },
}


def _csrf(request: Request) -> str:
    return request.cookies.get(CSRF_COOKIE) or secrets.token_urlsafe(32)


def _render(request: Request, template: str, context: dict[str, Any], status_code: int = 200) -> HTMLResponse:
    token = _csrf(request)
    settings = request.app.state.settings
    model = request.app.state.model
    response = templates.TemplateResponse(
        request,
        template,
        {
            "csrf": token,
            "emergency_number": settings.emergency_number,
            "kb": model.kb,
            **context,
        },
        status_code=status_code,
    )
    response.set_cookie(CSRF_COOKIE, token, httponly=True, samesite="strict", secure=request.url.scheme == "https")
    return response


def _check_csrf(request: Request, submitted: str) -> None:
    cookie = request.cookies.get(CSRF_COOKIE, "")
    if not cookie or not hmac.compare_digest(cookie, submitted):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "This form has expired. Please go back, reload and try again.")


def _load(repository: Any, token: str) -> StoredAssessment:
    try:
        stored: StoredAssessment = repository.get(token)
    except NotFound:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "We could not find that assessment.") from None
    return stored


def _save(repository: Any, token: str, state: Any, stored: StoredAssessment) -> None:
    """Save; if another tab saved first, keep theirs and show the current question (no lost answers)."""
    try:
        repository.save(token, state, expected_revision=stored.revision)
    except Conflict:
        return


def _see_other(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=status.HTTP_303_SEE_OTHER)


# --- start ------------------------------------------------------------------------------------------


@router.get("/", response_class=HTMLResponse)
def start_page(request: Request) -> HTMLResponse:
    return _render(request, "start.html", {"errors": {}, "values": {}})


@router.post("/start", response_class=HTMLResponse, response_model=None)
def start_submit(
    request: Request,
    model: ModelDep,
    repository: RepositoryDep,
    csrf: Annotated[str, Form()] = "",
    age: Annotated[str, Form()] = "",
    sex: Annotated[str, Form()] = "",
    consent: Annotated[str, Form()] = "",
) -> Response:
    _check_csrf(request, csrf)
    errors: dict[str, str] = {}
    if not age.strip().isdigit() or not 18 <= int(age) <= 120:
        errors["age"] = "Please enter your age in years, as a number from 18 to 120. hipnerve is for adults."
    if sex not in {"female", "male"}:
        errors["sex"] = "Please choose female or male. It changes how likely some causes are."
    if consent != "yes":
        errors["consent"] = "Please tick the box so we can keep your answers while you go through the questions."
    if errors:
        return _render(
            request, "start.html", {"errors": errors, "values": {"age": age, "sex": sex}}, status.HTTP_400_BAD_REQUEST
        )
    state = start_interview(model, int(age), sex)
    stored = repository.create(state, consent=True)
    return _see_other(f"/a/{stored.token}/map")


# --- body map ---------------------------------------------------------------------------------------


@router.get("/a/{token}/map", response_class=HTMLResponse)
def map_page(request: Request, token: Token, model: ModelDep, repository: RepositoryDep) -> HTMLResponse:
    stored = _load(repository, token)
    regions = {r.id: r for r in model.kb.bodymap.regions}
    return _render(
        request,
        "map.html",
        {
            "token": token,
            "regions": regions,
            "front": front_shapes(),
            "back": back_shapes(),
            "outline": {"front": silhouette("front"), "back": silhouette("back")},
            "marked": set(stored.state.body_map),
            "error": None,
        },
    )


@router.post("/a/{token}/map", response_class=HTMLResponse, response_model=None)
async def map_submit(request: Request, token: Token, model: ModelDep, repository: RepositoryDep) -> Response:
    form = await request.form()
    _check_csrf(request, str(form.get("csrf", "")))
    stored = _load(repository, token)
    try:
        state = set_body_map(model, stored.state, [str(value) for value in form.getlist("mark")])
    except InputError as exc:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, f"Body map: {exc}") from None
    _save(repository, token, state, stored)
    return _see_other(f"/a/{token}/q")


# --- interview --------------------------------------------------------------------------------------


@router.get("/a/{token}/q", response_class=HTMLResponse, response_model=None)
def question_page(request: Request, token: Token, model: ModelDep, repository: RepositoryDep) -> Response:
    stored = _load(repository, token)
    step = assess(model, stored.state, explain=False)
    if step.question is None:
        return _see_other(f"/a/{token}/result")
    asked = len(stored.state.asked)
    estimate = max(asked + 1, min(model.kb.manifest.engine.max_questions, 14))
    urgent = step.triage.level.rank >= TriageLevel.EMERGENCY.rank
    return _render(
        request,
        "question.html",
        {
            "token": token,
            "question": step.question,
            "number": asked + 1,
            "progress": round(100 * asked / estimate),
            "estimate": estimate,
            "urgent": LEVEL_COPY[step.triage.level] if urgent else None,
            "firm": step.firm_emergency,
        },
    )


@router.post("/a/{token}/q", response_class=HTMLResponse, response_model=None)
async def question_submit(request: Request, token: Token, model: ModelDep, repository: RepositoryDep) -> Response:
    form = await request.form()
    _check_csrf(request, str(form.get("csrf", "")))
    stored = _load(repository, token)
    step = assess(model, stored.state)
    question_id = str(form.get("question_id", ""))
    if step.question is None or question_id != step.question.id:
        return _see_other(f"/a/{token}/q")  # a stale form (back button, double submit): show the current one
    items = [i.finding for i in step.question.items]
    action = str(form.get("action", "submit"))
    answers: dict[str, Choice] = {}
    if step.question.kind == "group_multiple":
        ticked = {str(v) for v in form.getlist("present")}
        if action == "dont_know":
            answers = dict.fromkeys(items, Choice.UNKNOWN)
        else:
            answers = {f: Choice.PRESENT if f in ticked else Choice.ABSENT for f in items}
    else:
        value = str(form.get("answer", ""))
        if value not in {"present", "absent", "unknown"}:
            return _render(
                request,
                "question.html",
                {
                    "token": token,
                    "question": step.question,
                    "number": len(stored.state.asked) + 1,
                    "progress": 0,
                    "estimate": 0,
                    "error": "Please choose Yes, No or Don't know.",
                },
                status.HTTP_400_BAD_REQUEST,
            )
        answers = {items[0]: Choice(value)}
    _save(repository, token, answer(model, stored.state, question_id, answers), stored)
    return _see_other(f"/a/{token}/q")


@router.post("/a/{token}/back", response_class=HTMLResponse, response_model=None)
async def back_submit(request: Request, token: Token, repository: RepositoryDep) -> Response:
    form = await request.form()
    _check_csrf(request, str(form.get("csrf", "")))
    stored = _load(repository, token)
    if not stored.state.asked:
        return _see_other(f"/a/{token}/map")
    _save(repository, token, undo(stored.state), stored)
    return _see_other(f"/a/{token}/q")


# --- results ----------------------------------------------------------------------------------------


@router.get("/a/{token}/result", response_class=HTMLResponse)
def result_page(
    request: Request, token: Token, model: ModelDep, repository: RepositoryDep, settings: SettingsDep
) -> HTMLResponse:
    stored = _load(repository, token)
    outcome = result(model, stored.state)
    level = outcome.triage.level
    copy = LEVEL_COPY[level]
    main_reasons = [r for r in outcome.triage.reasons if r.level is level]
    other_reasons = [r for r in outcome.triage.reasons if r.level is not level and r.rule_id]
    shown = outcome.shown(5)
    rule_out = [(c, [r.text for r in outcome.triage.naming(c.id)][:1]) for c in outcome.rule_out if c.id not in shown]
    return _render(
        request,
        "result.html",
        {
            "token": token,
            "level": level.value,
            "tone": copy["tone"],
            "title": copy["title"],
            "action": copy["action"].format(number=settings.emergency_number),
            "reasons": main_reasons,
            "other_reasons": other_reasons,
            "entries": outcome.entries[:5],
            "rule_out": rule_out,
            "rule_out_ids": {c.id for c in outcome.rule_out},
            "findings": model.kb.findings,
            "sources": model.kb.sources,
            "questions": outcome.questions,
            "resume_url": str(request.url_for("question_page", token=token)),
        },
    )


@router.post("/a/{token}/delete", response_class=HTMLResponse, response_model=None)
async def delete_submit(request: Request, token: Token, repository: RepositoryDep) -> Response:
    form = await request.form()
    _check_csrf(request, str(form.get("csrf", "")))
    _load(repository, token)
    repository.delete(token)
    return _render(request, "deleted.html", {})


# --- care plan ----------------------------------------------------------------------------------

YES_NO_FIELDS: tuple[tuple[str, str], ...] = (
    ("kidney_disease", "Long-term kidney disease"),
    ("liver_disease", "Liver disease"),
    ("stomach_ulcer_or_bleed", "A stomach ulcer or bleeding from the stomach, now or in the past"),
    ("anticoagulant", "A blood thinner such as warfarin, apixaban or rivaroxaban"),
    ("antiplatelet", "Aspirin or clopidogrel to prevent clots"),
    ("asthma_nsaid_sensitive", "Asthma that gets worse with ibuprofen or aspirin"),
    ("nsaid_allergy", "An allergy or bad reaction to ibuprofen, aspirin or similar medicines"),
    ("heart_disease", "Heart disease or a past stroke"),
    ("heart_failure", "Heart failure"),
    ("high_blood_pressure", "High blood pressure"),
    ("alcohol_over_14_units", "Usually more than 14 units of alcohol a week"),
    ("osteoporosis", "Osteoporosis (thin bones)"),
    ("hip_replacement", "A hip replacement"),
)
MEDICINE_CHOICES: tuple[tuple[str, str], ...] = (
    ("ssri", "An antidepressant such as sertraline, citalopram or fluoxetine"),
    ("oral_steroid", "Steroid tablets such as prednisolone"),
    ("ace_or_arb", "A blood pressure tablet such as ramipril, lisinopril or losartan"),
    ("diuretic", "A water tablet such as furosemide or bendroflumethiazide"),
    ("other_nsaid", "Another anti-inflammatory medicine, on prescription or from a shop"),
    ("paracetamol_product", "Any cold, flu or pain product that contains paracetamol"),
)
FRIENDLY = {
    "height_cm": "Please check your height: a number of centimetres between 120 and 230.",
    "weight_kg": "Please check your weight: a number of kilograms between 30 and 300.",
    "pregnancy_weeks": "Please check the weeks of pregnancy: a number from 1 to 42, only if you are pregnant.",
}


def _number(raw: str) -> float | None:
    text = raw.strip().replace(",", ".")
    if not text:
        return None
    return float(text)  # ValueError is turned into a friendly message by the caller


def _about_you_context(token: str, state: Any, errors: dict[str, str], values: dict[str, Any]) -> dict[str, Any]:
    return {
        "token": token,
        "errors": errors,
        "values": values,
        "yes_no": YES_NO_FIELDS,
        "medicine_choices": MEDICINE_CHOICES,
        "female": state.sex.value == "female",
    }


@router.get("/a/{token}/plan/about-you", response_class=HTMLResponse)
def about_you_page(request: Request, token: Token, repository: RepositoryDep) -> HTMLResponse:
    stored = _load(repository, token)
    person = stored.state.person
    values = person.model_dump() if person is not None else {}
    return _render(request, "about_you.html", _about_you_context(token, stored.state, {}, values))


@router.post("/a/{token}/plan", response_class=HTMLResponse, response_model=None)
async def about_you_submit(request: Request, token: Token, repository: RepositoryDep) -> Response:
    form = await request.form()
    _check_csrf(request, str(form.get("csrf", "")))
    stored = _load(repository, token)
    errors: dict[str, str] = {}
    data: dict[str, Any] = {}
    for field in ("height_cm", "weight_kg"):
        try:
            data[field] = _number(str(form.get(field, "")))
        except ValueError:
            errors[field] = FRIENDLY[field]
    weeks = str(form.get("pregnancy_weeks", "")).strip()
    if weeks:
        if weeks.isdigit():
            data["pregnancy_weeks"] = int(weeks)
        else:
            errors["pregnancy_weeks"] = FRIENDLY["pregnancy_weeks"]
    for field, _label in YES_NO_FIELDS:
        data[field] = form.get(field) == "yes"
    if stored.state.sex.value == "female":
        data["pregnant"] = form.get("pregnant") == "yes"
        data["breastfeeding"] = form.get("breastfeeding") == "yes"
    data["medicines"] = tuple(str(m) for m in form.getlist("medicines") if str(m) in dict(MEDICINE_CHOICES))
    activity, work = str(form.get("activity", "")), str(form.get("work", ""))
    data["activity"] = activity or None
    data["work"] = work or None
    person = None
    if not errors:
        try:
            person = PersonFactors.model_validate(data)
            check_against_person(person, stored.state.sex)
        except ValidationError as exc:
            for error in exc.errors():
                field = str(error["loc"][0]) if error["loc"] else "form"
                errors[field] = FRIENDLY.get(field, f"Please check this answer ({field}).")
        except ValueError as exc:
            errors["form"] = str(exc).split(": ", 1)[-1]
    if errors or person is None:
        context = _about_you_context(token, stored.state, errors, data)
        return _render(request, "about_you.html", context, status.HTTP_400_BAD_REQUEST)
    _save(repository, token, stored.state.model_copy(update={"person": person}), stored)
    return _see_other(f"/a/{token}/plan")


@router.get("/a/{token}/plan", response_class=HTMLResponse, response_model=None)
def plan_page(
    request: Request, token: Token, model: ModelDep, repository: RepositoryDep, settings: SettingsDep
) -> Response:
    stored = _load(repository, token)
    outcome = result(model, stored.state)
    emergency = outcome.triage.level.rank >= TriageLevel.EMERGENCY.rank
    if stored.state.person is None and not emergency:
        return _see_other(f"/a/{token}/plan/about-you")
    built = build_plan(
        model, load_careplan(), outcome, stored.state.age, stored.state.person, settings.emergency_number
    )
    copy = LEVEL_COPY[outcome.triage.level]
    data = plan_to_dict(model.kb, built)
    numbers: dict[str, int] = {}
    references: list[dict[str, Any]] = []
    _number_sources(data, numbers, references)
    return _render(
        request,
        "plan.html",
        {
            "token": token,
            "plan": data,
            "tone": copy["tone"],
            "title": copy["title"],
            "ref": numbers,
            "references": references,
        },
    )


def _number_sources(node: Any, numbers: dict[str, int], references: list[dict[str, Any]]) -> None:
    """Number every cited source in reading order, for [n] links and one list at the end."""
    if isinstance(node, dict):
        source = node.get("source")
        if isinstance(source, dict) and "citation" in source and source["id"] not in numbers:
            numbers[source["id"]] = len(numbers) + 1
            references.append(source)
        for key, value in node.items():
            if key != "source":
                _number_sources(value, numbers, references)
    elif isinstance(node, list):
        for value in node:
            _number_sources(value, numbers, references)


@router.get("/illustrations/{name}")
def illustration(name: Annotated[str, Path(pattern=r"^[a-z0-9_]+\.svg$")]) -> Response:
    svg = load_careplan().illustrations.get(name)
    if svg is None:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "No such illustration.")
    return Response(svg, media_type="image/svg+xml", headers={"Cache-Control": "public, max-age=86400"})


def _export_inputs(model: Any, stored: StoredAssessment, emergency_number: str) -> tuple[Any, Any]:
    outcome = result(model, stored.state)
    plan = build_plan(model, load_careplan(), outcome, stored.state.age, stored.state.person, emergency_number)
    return outcome, plan


@router.get("/a/{token}/report.pdf")
def report_pdf(token: Token, model: ModelDep, repository: RepositoryDep, settings: SettingsDep) -> Response:
    stored = _load(repository, token)
    outcome, plan = _export_inputs(model, stored, settings.emergency_number)
    body = render_pdf(report_html(model, stored.state, outcome, plan))
    return Response(
        body,
        media_type="application/pdf",
        headers={"Content-Disposition": 'attachment; filename="hipnerve-report.pdf"', "Cache-Control": "no-store"},
    )


@router.get("/a/{token}/fhir.json")
def report_fhir(token: Token, model: ModelDep, repository: RepositoryDep, settings: SettingsDep) -> Response:
    stored = _load(repository, token)
    outcome, plan = _export_inputs(model, stored, settings.emergency_number)
    bundle = build_bundle(model, stored.state, outcome, plan)
    return Response(
        bundle.model_dump_json(indent=2),
        media_type="application/fhir+json",
        headers={
            "Content-Disposition": 'attachment; filename="hipnerve-fhir-bundle.json"',
            "Cache-Control": "no-store",
        },
    )
