"""The deployment's emergency number reaches every place a care plan is shown; knowledge text uses
the ``{emergency_number}`` placeholder, and ``kb check`` refuses unknown placeholders."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import yaml
from fastapi.testclient import TestClient
from typer.testing import CliRunner

from hipnerve.careplan.builder import build_plan
from hipnerve.careplan.present import plan_to_dict
from hipnerve.cli import app
from hipnerve.config import Settings
from hipnerve.engine.model import Choice, default_model
from hipnerve.evaluation.cases import load_cases
from hipnerve.evaluation.simulate import run_case
from hipnerve.exports.fhir import build_bundle
from hipnerve.exports.pdf import report_html
from hipnerve.interview.person import PersonFactors
from hipnerve.interview.session import result, start_interview
from hipnerve.kb.careplan_loader import load_careplan
from hipnerve.kb.placeholders import fill_text, text_problems
from hipnerve.web.app import create_app

MODEL = default_model()
CP = load_careplan()
CASES, _ = load_cases(Path(__file__).parent / "cases" / "dev.jsonl", MODEL)
runner = CliRunner()
BRACE = re.compile(r"\{[a-z_]+\}")  # an unfilled placeholder
UK = re.compile(r"(?<![\d.,])999(?![\d])")  # the UK number, not digits inside another number


def _plan_text(plan_data: dict[str, object]) -> str:
    return json.dumps(plan_data, ensure_ascii=False)


def test_every_dev_plan_rendered_with_911_says_911_and_never_999() -> None:
    saw_number = 0
    for case in CASES:
        run = run_case(MODEL, case)
        person = PersonFactors(activity="moderate")
        text = _plan_text(plan_to_dict(MODEL.kb, build_plan(MODEL, CP, run.result, case.age, person, "911")))
        assert not UK.search(text), case.id
        assert not BRACE.search(text), (case.id, "a placeholder was left unfilled")
        saw_number += "911" in text
    assert saw_number >= len(CASES) // 2  # most plans carry the number somewhere (safety net or stop rules)


def test_emergency_plan_names_the_deployment_number() -> None:
    evidence = {"leg_cold_pale": Choice.PRESENT, "leg_sudden_numb_weak": Choice.PRESENT}
    outcome = result(MODEL, start_interview(MODEL, 70, "male", evidence))
    plan = build_plan(MODEL, CP, outcome, 70, None, "112")
    assert "acute_limb_ischaemia" in plan.focus
    steps = " ".join(text for text, _ in (*plan.first_steps, *plan.seek_care_sooner))
    assert "Call 112 now" in steps
    assert not UK.search(_plan_text(plan_to_dict(MODEL.kb, plan)))


def test_default_is_the_uk_number() -> None:
    outcome = result(MODEL, start_interview(MODEL, 50, "female", {"pain_below_knee": Choice.PRESENT}))
    text = _plan_text(plan_to_dict(MODEL.kb, build_plan(MODEL, CP, outcome, 50, PersonFactors(activity="moderate"))))
    assert "{emergency_number}" not in text


def test_empty_number_is_refused() -> None:
    outcome = result(MODEL, start_interview(MODEL, 50, "female", {}))
    with pytest.raises(ValueError, match="emergency_number"):
        build_plan(MODEL, CP, outcome, 50, None, " ")


def test_pdf_and_fhir_carry_the_number() -> None:
    case = next(c for c in CASES if c.id == "ali_simon_emdocs_af")
    run = run_case(MODEL, case)
    plan = build_plan(MODEL, CP, run.result, case.age, None, "911")
    html = report_html(MODEL, run.state, run.result, plan)
    assert "911" in html and not UK.search(html)
    bundle = build_bundle(MODEL, run.state, run.result, plan).model_dump_json()
    assert "911" in bundle and not UK.search(bundle) and "{emergency_number}" not in bundle


SCIATICA_CASE = {
    "id": "cli_sciatica",
    "age": 38,
    "sex": "male",
    "present": ["pain_low_back", "pain_buttock", "pain_back_thigh", "pain_below_knee", "numb_outer_leg_top_foot"],
    "absent": ["saddle_numbness", "bladder_difficulty", "fever"],
    "expected_conditions": ["lumbar_radiculopathy_l5"],
    "expected_triage": "consultation",
    "source": "CLI test fixture (not a vignette)",
}


def test_cli_plan_takes_the_option_or_the_setting(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    case = tmp_path / "case.json"
    case.write_text(json.dumps(SCIATICA_CASE))
    factors = tmp_path / "f.json"
    factors.write_text(json.dumps({"activity": "moderate"}))
    base = ["plan", "--case", str(case), "--factors", str(factors), "--json"]
    given = runner.invoke(app, [*base, "--emergency-number", "911"])
    assert given.exit_code == 0, given.output
    assert "911" in given.output and not UK.search(given.output)
    monkeypatch.setenv("HIPNERVE_EMERGENCY_NUMBER", "112")
    from_setting = runner.invoke(app, base)
    assert from_setting.exit_code == 0, from_setting.output
    assert "112" in from_setting.output and not UK.search(from_setting.output)
    empty = runner.invoke(app, [*base, "--emergency-number", " "])
    assert empty.exit_code == 2 and "must not be empty" in empty.output


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match
    return match.group(1)


def test_web_plan_page_pdf_and_fhir_use_the_setting(tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path, database_url=f"sqlite:///{tmp_path / 'test.sqlite3'}", emergency_number="911"
    )
    with TestClient(create_app(settings)) as client:
        csrf = _csrf(client.get("/").text)
        page = client.post("/start", data={"csrf": csrf, "age": "52", "sex": "male", "consent": "yes"})
        token = str(page.url).split("/a/")[1].split("/")[0]
        page = client.post(
            f"/a/{token}/map", data={"csrf": csrf, "mark": ["pain:back_thigh:left", "numbness:top_of_foot:left"]}
        )
        for _ in range(40):
            if "/result" in str(page.url):
                break
            question_id = re.search(r'name="question_id" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
            if 'name="answer"' in page.text:
                data = {"csrf": csrf, "question_id": question_id, "answer": "unknown"}
            else:
                data = {"csrf": csrf, "question_id": question_id, "action": "dont_know"}
            page = client.post(f"/a/{token}/q", data=data)
        plan = client.post(f"/a/{token}/plan", data={"csrf": csrf, "height_cm": "180", "weight_kg": "80"})
        assert "Your care plan" in plan.text
        assert "911" in plan.text and not UK.search(plan.text)
        assert "{emergency_number}" not in plan.text
        fhir = client.get(f"/a/{token}/fhir.json")
        assert fhir.status_code == 200 and not UK.search(fhir.text)
        pdf = client.get(f"/a/{token}/report.pdf")
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_placeholder_rules() -> None:
    assert fill_text("Call {emergency_number} now.", {"emergency_number": "911"}) == "Call 911 now."
    assert text_problems("Call {emergency_number} now.") == []
    assert any("unknown placeholder {ambulance}" in p for p in text_problems("Call {ambulance}."))
    assert any("unmatched" in p for p in text_problems("Call {emergency_number now."))
    assert any("hard-coded" in p for p in text_problems("Call 999 now."))
    assert text_problems("Take 1,999 steps.") == []  # part of a larger number is not the emergency number


def test_kb_check_rejects_an_unknown_placeholder(kb_copy: Path) -> None:
    plans = kb_copy / "careplan" / "conditions.yaml"
    data = yaml.safe_load(plans.read_text())
    data["conditions"][0]["first_steps"][0] = "Call {ambulance_number} now."
    plans.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    outcome = runner.invoke(app, ["kb", "check", "--path", str(kb_copy)])
    assert outcome.exit_code == 1
    assert "unknown placeholder {ambulance_number}" in outcome.output


def test_kb_check_rejects_a_hard_coded_number(kb_copy: Path) -> None:
    exercises = kb_copy / "careplan" / "exercises.yaml"
    data = yaml.safe_load(exercises.read_text())
    data["exercises"][0]["stop_if"] = "Stop and call 911 if your leg goes numb."
    exercises.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    outcome = runner.invoke(app, ["kb", "check", "--path", str(kb_copy)])
    assert outcome.exit_code == 1 and "hard-coded emergency number '911'" in outcome.output
