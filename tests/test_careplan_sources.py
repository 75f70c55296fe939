"""Each first step and safety-net line cites the source that says it, and procedure figures name
the study they come from."""

from __future__ import annotations

from pathlib import Path

import yaml
from typer.testing import CliRunner

from hipnerve.careplan.builder import build_plan
from hipnerve.careplan.present import plan_to_dict
from hipnerve.cli import app
from hipnerve.engine.model import Choice, default_model
from hipnerve.interview.person import PersonFactors
from hipnerve.interview.session import result, start_interview
from hipnerve.kb.careplan_loader import load_careplan

MODEL = default_model()
CP = load_careplan()
runner = CliRunner()


def test_a_line_keeps_its_own_source() -> None:
    dvt = CP.conditions["deep_vein_thrombosis"]
    lines = dict(dvt.sourced_lines("seek_care_sooner"))
    clot_in_lungs = next(text for text in lines if "breathlessness" in text)
    assert lines[clot_in_lungs] == "nhs_dvt"
    plain = dict(dvt.sourced_lines("first_steps"))
    assert set(plain.values()) == {"nice_ng158"}  # plain strings rest on the plan's own source


def test_plan_carries_line_sources_and_procedure_evidence() -> None:
    evidence = {
        "pain_below_knee": Choice.PRESENT,
        "numb_outer_leg_top_foot": Choice.PRESENT,
        "pain_low_back": Choice.PRESENT,
    }
    outcome = result(MODEL, start_interview(MODEL, 40, "male", evidence))
    data = plan_to_dict(MODEL.kb, build_plan(MODEL, CP, outcome, 40, PersonFactors(activity="moderate")))
    sources = {item["source"]["id"] for item in data["seek_care_sooner"]}
    assert "nhs_sciatica" in sources
    quoted = [p for p in data["injections_and_surgery"] if p["evidence"] is not None]
    assert quoted and all(p["evidence"]["source"]["citation"] for p in quoted)


def test_kb_check_refuses_a_line_with_an_unknown_source(kb_copy: Path) -> None:
    plans = kb_copy / "careplan" / "conditions.yaml"
    data = yaml.safe_load(plans.read_text())
    data["conditions"][0]["seek_care_sooner"][0] = {"text": "Call {emergency_number} now.", "source": "no_such"}
    plans.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False))
    outcome = runner.invoke(app, ["kb", "check", "--path", str(kb_copy)])
    assert outcome.exit_code == 1 and "unknown source 'no_such'" in outcome.output
