"""The command line: case runs, evaluation, and clear errors (exit 2) on bad input."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from hipnerve.cli import app

runner = CliRunner()

SCIATICA = {
    "id": "cli_sciatica",
    "age": 38,
    "sex": "male",
    "present": [
        "pain_low_back",
        "pain_buttock",
        "pain_back_thigh",
        "pain_below_knee",
        "numb_outer_leg_top_foot",
    ],
    "absent": ["saddle_numbness", "bladder_difficulty", "fever"],
    "expected_conditions": ["lumbar_radiculopathy_l5"],
    "expected_triage": "consultation",
    "source": "CLI test fixture (not a vignette)",
}


def _write(tmp_path: Path, name: str, lines: list[str]) -> Path:
    path = tmp_path / name
    path.write_text("\n".join(lines) + "\n")
    return path


def test_assess_case_json_has_the_documented_keys(tmp_path: Path) -> None:
    case = _write(tmp_path, "case.json", [json.dumps(SCIATICA)])
    result = runner.invoke(app, ["assess", "--case", str(case), "--json"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    assert payload["triage"]["level"] in {
        "self_care",
        "consultation",
        "consultation_24",
        "emergency",
        "emergency_ambulance",
    }
    assert payload["triage"]["reasons"]
    assert {"id", "name", "probability"} <= set(payload["conditions"][0])
    probabilities = [c["probability"] for c in payload["conditions"]]
    assert probabilities == sorted(probabilities, reverse=True)
    assert payload["questions"] == len(payload["transcript"]) > 0
    assert {"question", "answer"} <= set(payload["transcript"][0])


def test_assess_case_renders_a_result_screen(tmp_path: Path) -> None:
    case = _write(tmp_path, "case.json", [json.dumps(SCIATICA)])
    result = runner.invoke(app, ["assess", "--case", str(case)])
    assert result.exit_code == 0, result.output
    assert "Possible causes" in result.output and "not a diagnosis" in result.output


def test_a_rare_cause_to_rule_out_never_shows_as_zero_percent(tmp_path: Path) -> None:
    """Anticoagulated with groin pain and a weakening leg, the warning signs name causes to rule out
    that are well under 1% likely; they read "under 1%", never "0%" (which reads as "ruled out")."""
    bleed = {
        **SCIATICA,
        "id": "cli_rule_out",
        "age": 84,
        "sex": "female",
        "present": ["pain_groin", "weakness_progressive", "unable_to_weight_bear", "anticoagulant_use"],
        "absent": ["pain_low_back", "fever"],
    }
    case = _write(tmp_path, "case.json", [json.dumps(bleed)])
    shown = runner.invoke(app, ["assess", "--case", str(case), "--json"])
    report = json.loads(shown.output)
    chance = {c["id"]: c["probability"] for c in report["conditions"]}
    assert any(chance[c] < 0.005 for c in report["rule_out"]), report["rule_out"]
    result = runner.invoke(app, ["assess", "--case", str(case)], terminal_width=200)
    assert result.exit_code == 0, result.output
    assert "under 1%" in result.output
    assert " 0%" not in result.output


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"present": ["no_such_finding"]}, "no_such_finding"),
        ({"age": 17}, "age"),
        ({"age": 121}, "age"),
        ({"sex": "x"}, "sex"),
        ({"age": "forty"}, "age"),
    ],
)
def test_assess_bad_case_is_a_clear_error(tmp_path: Path, change: dict[str, object], message: str) -> None:
    case = _write(tmp_path, "case.json", [json.dumps(SCIATICA | change)])
    result = runner.invoke(app, ["assess", "--case", str(case), "--json"])
    assert result.exit_code == 2
    assert message in result.output
    assert "Traceback" not in result.output


def test_assess_missing_file(tmp_path: Path) -> None:
    result = runner.invoke(app, ["assess", "--case", str(tmp_path / "nope.json")])
    assert result.exit_code == 2 and "not found" in result.output


def test_evaluate_reports_bad_lines_and_still_evaluates_the_rest(tmp_path: Path) -> None:
    good = json.dumps(SCIATICA)
    other = json.dumps(SCIATICA | {"id": "cli_other", "age": 44})
    path = _write(
        tmp_path,
        "cases.jsonl",
        [good, "{not json", json.dumps(SCIATICA | {"id": "x", "age": 16}), other],
    )
    result = runner.invoke(app, ["evaluate", str(path), "--json"])
    assert result.exit_code == 2
    output = result.output
    payload = json.loads(output[output.index("{") : output.rindex("}") + 1])
    assert payload["n"] == 2
    assert any(":2:" in p and "JSON" in p for p in payload["problems"])
    assert any(":3:" in p and "age" in p for p in payload["problems"])


def test_evaluate_missing_file_is_reported(tmp_path: Path) -> None:
    good = _write(tmp_path, "good.jsonl", [json.dumps(SCIATICA)])
    result = runner.invoke(app, ["evaluate", str(good), str(tmp_path / "missing.jsonl")])
    assert result.exit_code == 2
    assert "missing.jsonl" in result.output and "not found" in result.output


def test_evaluate_json_keys_with_ceiling(tmp_path: Path) -> None:
    path = _write(tmp_path, "cases.jsonl", [json.dumps(SCIATICA)])
    result = runner.invoke(app, ["evaluate", str(path), "--json", "--ask-all", "--equal-priors"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    keys = {
        "n",
        "top1",
        "top3",
        "triage_exact",
        "under_triage",
        "under_triage_emergency",
        "over_triage",
        "questions_median",
        "questions_p90",
        "brier",
    }
    assert keys <= set(payload)
    assert keys <= set(payload["ask_all"])
    assert payload["ask_all"]["questions_median"] >= payload["questions_median"]
    assert "lumbar_radiculopathy_l5" in payload["per_condition_recall"]
    # Every case falls in exactly one information band.
    assert sum(band["n"] for band in payload["by_information"]) == payload["n"]
    assert set(payload["case_mix"]) == {"adaptive", "ask_all"}
    assert payload["case_mix"]["adaptive"]["must_not_miss_share_cases"] == 0.0
    assert set(payload["evidence_only"]) == {"top1", "top3"}
    assert "closed_screens" not in payload


def test_evaluate_closed_screens_block(tmp_path: Path) -> None:
    path = _write(tmp_path, "cases.jsonl", [json.dumps(SCIATICA)])
    result = runner.invoke(app, ["evaluate", str(path), "--json", "--closed-screens"])
    assert result.exit_code == 0, result.output
    payload = json.loads(result.output)
    closed = payload["closed_screens"]
    assert closed["n"] == 1 and {"top1", "top3", "questions_median"} <= set(closed)
    table = runner.invoke(app, ["evaluate", str(path), "--closed-screens"])
    assert table.exit_code == 0 and "closed screens" in table.output


def test_kb_check_on_missing_directory(tmp_path: Path) -> None:
    result = runner.invoke(app, ["kb", "check", "--path", str(tmp_path / "none")])
    assert result.exit_code == 2 and "not found" in result.output


def test_interactive_assess_with_back_and_why() -> None:
    # age, sex, then: ? (why) on the first screen, answer none, back, answer none again, then "d" to the end.
    script = "\n".join(["44", "female", "?", "0", "b", "0"] + ["d"] * 60) + "\n"
    result = runner.invoke(app, ["assess"], input=script)
    assert result.exit_code == 0, result.output
    assert "Why we ask" in result.output
    assert result.output.count("Question 1") >= 2  # went back to the first screen
    assert "Possible causes" in result.output


def test_plan_json_for_a_case(tmp_path: Path) -> None:
    case = _write(tmp_path, "case.json", [json.dumps(SCIATICA)])
    factors = _write(tmp_path, "f.json", [json.dumps({"anticoagulant": True, "height_cm": 180.0, "weight_kg": 100.0})])
    result = runner.invoke(app, ["plan", "--case", str(case), "--factors", str(factors), "--json"])
    assert result.exit_code == 0, result.output
    plan = json.loads(result.output)
    statuses = {m["id"]: m["status"] for m in plan["medicines"]["items"]}
    assert statuses["ibuprofen"] == "blocked"
    assert "not a prescription" in plan["medicines"]["disclaimer"].lower()
    assert plan["weight_goal"] and plan["bmi"] == 30.9
    assert all(item["source"]["citation"] for item in plan["care_team"])


@pytest.mark.parametrize(
    ("factors", "message"),
    [({"height_cm": 300.0}, "height_cm"), ({"weight_kg": 0}, "weight_kg"), ({"pregnant": True}, "pregnant")],
)
def test_plan_refuses_impossible_factors(tmp_path: Path, factors: dict[str, object], message: str) -> None:
    case = _write(tmp_path, "case.json", [json.dumps(SCIATICA)])  # a male case: pregnancy contradicts it
    path = _write(tmp_path, "f.json", [json.dumps(factors)])
    result = runner.invoke(app, ["plan", "--case", str(case), "--factors", str(path)])
    assert result.exit_code == 2 and message in result.output


def test_report_writes_a_valid_fhir_bundle(tmp_path: Path) -> None:
    from fhir.resources.R4B.bundle import Bundle

    case = _write(tmp_path, "case.json", [json.dumps(SCIATICA)])
    out = tmp_path / "bundle.json"
    result = runner.invoke(app, ["report", "--case", str(case), "--fhir", str(out)])
    assert result.exit_code == 0, result.output
    bundle = Bundle.model_validate_json(out.read_text())
    assert bundle.type == "collection" and bundle.entry
    bad = runner.invoke(app, ["report", "--case", str(case), "--fhir", str(tmp_path / "no" / "dir" / "b.json")])
    assert bad.exit_code == 2 and "could not write" in bad.output


def test_serve_refuses_fewer_than_one_worker() -> None:
    result = runner.invoke(app, ["serve", "--workers", "0"])
    assert result.exit_code != 0
    assert "workers" in result.output


def test_serve_workers_listen_on_a_tcp_socket(monkeypatch: pytest.MonkeyPatch) -> None:
    """The workers' listening socket is bound as TCP, so asyncio switches Nagle's algorithm off on
    every connection (a socket with protocol number 0 would keep it on: uvicorn issue #3149)."""
    import socket

    import uvicorn.supervisors

    from hipnerve import cli

    seen: list[tuple[int, int]] = []

    class Supervisor:
        def __init__(self, config: object, sockets: list[socket.socket]) -> None:
            seen.extend((s.type, s.proto) for s in sockets)
            for s in sockets:
                s.close()

        def run(self) -> None:
            pass

    monkeypatch.setattr(uvicorn.supervisors, "Multiprocess", Supervisor)
    cli._serve_workers("127.0.0.1", 0, 2, {"log_level": "warning"})
    assert seen == [(socket.SOCK_STREAM, socket.IPPROTO_TCP)]


def test_interactive_emergency_is_shown_before_the_next_question_and_q_shows_what_to_do() -> None:
    # Tick the first warning sign (saddle numbness) on the first screen, then stop at the next one.
    result = runner.invoke(app, ["assess"], input="\n".join(["44", "female", "1", "q"]) + "\n")
    assert result.exit_code == 0, result.output
    text = re.sub(r"[│╭╮╰╯─\s]+", " ", result.output)  # panel borders and wrapping out of the way
    between = text.split("Question 1")[1].split("Question 2")[0]
    assert "GO TO AN EMERGENCY DEPARTMENT NOW" in between
    assert "The next few questions are optional" in between
    assert "Possible causes" in text.split("Question 2")[1]  # stopping still shows the result and what to do
