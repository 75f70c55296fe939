"""JSON API v1 through the in-process ASGI client, stored in a real SQLite file."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

CASE: dict[str, Any] = {
    "age": 41,
    "sex": "male",
    "evidence": [
        {"id": "pain_below_knee", "choice_id": "present"},
        {"id": "numb_outer_leg_top_foot", "choice_id": "present"},
    ],
}


def test_diagnosis_starts_with_a_red_flag_screen(client: TestClient) -> None:
    response = client.post("/api/v1/diagnosis", json=CASE)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["question"]["red_flag"] is True
    assert body["question"]["type"] == "group_multiple"
    assert body["should_stop"] is False
    probabilities = [c["probability"] for c in body["conditions"]]
    assert probabilities == sorted(probabilities, reverse=True)
    assert all(0 < p < 1 for p in probabilities)


def test_stateless_interview_runs_to_a_stop(client: TestClient) -> None:
    case = {**CASE, "evidence": list(CASE["evidence"])}
    for _ in range(40):
        body = client.post("/api/v1/diagnosis", json=case).json()
        if body["should_stop"]:
            break
        source = "red_flags" if body["question"]["red_flag"] else "suggest"
        case["evidence"] += [
            {"id": i["id"], "choice_id": "absent", "source": source} for i in body["question"]["items"]
        ]
    assert body["should_stop"] and body["question"] is None
    assert body["questions_asked"] >= 5


def test_saddle_numbness_triage_is_emergency_with_sources(client: TestClient) -> None:
    case = {"age": 44, "sex": "female", "evidence": [{"id": "saddle_numbness", "choice_id": "present"}]}
    body = client.post("/api/v1/triage", json=case).json()
    assert body["triage_level"] == "emergency"
    assert "cauda_equina_sphincter_or_saddle" in body["serious"]
    assert all(r["source"]["citation"] for r in body["reasons"])


def test_explain_lists_supporting_evidence_with_sources(client: TestClient) -> None:
    body = client.post("/api/v1/explain", json={**CASE, "target": "lumbar_radiculopathy_l5"}).json()
    supporting = {e["id"] for e in body["supporting_evidence"]}
    assert "numb_outer_leg_top_foot" in supporting
    assert all(e["likelihood_ratio"] > 1 and e["source"]["id"] for e in body["supporting_evidence"])


def test_rationale_names_red_flag_screening_first(client: TestClient) -> None:
    body = client.post("/api/v1/rationale", json=CASE).json()
    assert body["type"] == "red_flag_screen" and body["why"]


def _until_screen(client: TestClient, sex: str, screen: str) -> tuple[dict[str, Any], list[str]]:
    """Answer "no" to every screen until ``screen`` comes up: the evidence so far and its items."""
    case: dict[str, Any] = {"age": 35, "sex": sex, "evidence": [{"id": "pain_below_knee", "choice_id": "present"}]}
    for _ in range(30):
        question = client.post("/api/v1/diagnosis", json=case).json()["question"]
        assert question is not None, f"{screen} never asked"
        if question["id"] == screen:
            return case, [i["id"] for i in question["items"]]
        case["evidence"] += [{"id": i["id"], "choice_id": "absent", "source": "suggest"} for i in question["items"]]
    raise AssertionError(f"{screen} never asked")


def test_rationale_names_the_always_asked_medical_background(client: TestClient) -> None:
    """Answer "no" to every screen until the one the stop rule may not skip comes up."""
    case, _ = _until_screen(client, "male", "medical_history")
    rationale = client.post("/api/v1/rationale", json=case).json()
    assert rationale["type"] == "always_asked"
    assert rationale["question_id"] == "medical_history" and rationale["why"]


def test_a_screen_shows_each_sex_its_own_items(client: TestClient) -> None:
    """The serialised screens are cached per screen and sex: asking a woman first must not leak the
    pregnancy item into a man's screen, nor the other way round."""
    assert "pregnancy" in _until_screen(client, "female", "medical_history")[1]
    assert "pregnancy" not in _until_screen(client, "male", "medical_history")[1]
    assert "pregnancy" in _until_screen(client, "female", "medical_history")[1]


def test_pregnancy_reported_for_a_man_is_refused(client: TestClient) -> None:
    case = {"age": 35, "sex": "male", "evidence": [{"id": "pregnancy", "choice_id": "present"}]}
    response = client.post("/api/v1/diagnosis", json=case)
    assert response.status_code == 409 and "pregnancy" in response.json()["detail"]


def test_catalogue_endpoints(client: TestClient) -> None:
    findings = client.get("/api/v1/findings").json()
    conditions = client.get("/api/v1/conditions").json()
    info = client.get("/api/v1/info").json()
    assert len(findings) == info["findings"] >= 80
    assert len(conditions) == info["conditions"] >= 24
    assert all(c["icd10cm"] and c["snomed"] for c in conditions)
    assert "not a diagnosis" in info["disclaimer"]


def test_stored_assessment_answer_undo_result(client: TestClient) -> None:
    created = client.post("/api/v1/assessments", json={"age": 70, "sex": "female", "consent_to_store": True})
    assert created.status_code == 201, created.text
    first = created.json()
    token = first["token"]
    assert len(token) >= 40
    question = first["question"]
    answered = client.post(
        f"/api/v1/assessments/{token}/answers",
        json={"question_id": question["id"], "answers": {i["id"]: "absent" for i in question["items"]}},
    ).json()
    assert answered["questions_asked"] == 1 and answered["revision"] == 1
    assert answered["question"]["id"] != question["id"]
    back = client.post(f"/api/v1/assessments/{token}/undo").json()
    assert back["questions_asked"] == 0 and back["question"]["id"] == question["id"]
    result = client.get(f"/api/v1/assessments/{token}/result").json()
    assert result["triage"]["triage_level"] and result["conditions"]


def test_stored_result_lists_what_a_warning_sign_says_to_rule_out(client: TestClient) -> None:
    present = {"pain_low_back", "fever", "heavy_lifting", "onset_sudden"}
    evidence = [{"id": "pain_low_back", "choice_id": "present"}]
    body = {"age": 45, "sex": "male", "consent_to_store": True, "evidence": evidence}
    step = client.post("/api/v1/assessments", json=body).json()
    token = step["token"]
    while step["question"] is not None:
        question = step["question"]
        answers = {i["id"]: "present" if i["id"] in present else "absent" for i in question["items"]}
        step = client.post(
            f"/api/v1/assessments/{token}/answers", json={"question_id": question["id"], "answers": answers}
        ).json()
    result = client.get(f"/api/v1/assessments/{token}/result").json()
    assert "spinal_infection" in [c["id"] for c in result["rule_out"]]
    fever_rule = next(r for r in result["triage"]["reasons"] if r["rule"] == "fever_with_back_pain")
    assert "spinal_infection" in fever_rule["suspects"]
    ranked = [c["id"] for c in result["conditions"]]
    assert ranked.index("spinal_infection") >= 3  # listed because of the warning sign, not its rank


def test_unknown_token_is_404(client: TestClient) -> None:
    assert client.get("/api/v1/assessments/" + "x" * 43).status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**CASE, "age": "41"}, "age"),
        ({**CASE, "age": False}, "age"),
        ({**CASE, "age": 17}, "age"),
        ({**CASE, "age": 121}, "age"),
        ({**CASE, "sex": "other"}, "sex"),
        ({"sex": "male", "evidence": []}, "age"),
        ({**CASE, "evidence": [{"id": "pain_groin", "choice_id": "maybe"}]}, "evidence.0.choice_id"),
        ({**CASE, "evidence": [{"id": "no_such_finding", "choice_id": "present"}]}, "evidence.id"),
        ({**CASE, "surprise": 1}, "surprise"),
    ],
)
def test_bad_input_is_422_naming_the_field(client: TestClient, body: dict[str, Any], field: str) -> None:
    response = client.post("/api/v1/diagnosis", json=body)
    assert response.status_code == 422, response.text
    assert field in response.json()["detail"]


def test_duplicate_evidence_is_a_conflict(client: TestClient) -> None:
    evidence = [{"id": "pain_groin", "choice_id": "present"}, {"id": "pain_groin", "choice_id": "absent"}]
    response = client.post("/api/v1/diagnosis", json={**CASE, "evidence": evidence})
    assert response.status_code == 409 and "more than once" in response.json()["detail"]


def test_non_json_body_is_422(client: TestClient) -> None:
    response = client.post("/api/v1/diagnosis", content=b"age=40", headers={"content-type": "text/plain"})
    assert response.status_code == 422


def test_one_megabyte_body_is_413(client: TestClient) -> None:
    response = client.post(
        "/api/v1/diagnosis", content=b"{" + b" " * 1_000_000 + b"}", headers={"content-type": "application/json"}
    )
    assert response.status_code == 413


def test_security_headers(client: TestClient) -> None:
    response = client.get("/api/v1/info")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert "unsafe-inline" not in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"


def test_answer_to_wrong_question_is_409(client: TestClient) -> None:
    token = client.post("/api/v1/assessments", json={"age": 50, "sex": "male", "consent_to_store": False}).json()[
        "token"
    ]
    response = client.post(f"/api/v1/assessments/{token}/answers", json={"question_id": "nope", "answers": {}})
    assert response.status_code == 409 and "unknown question" in response.json()["detail"]


def _diagnosis_as_pydantic_builds_it(body: dict[str, Any]) -> str:
    """The diagnosis response built the documented way: nested pydantic models, model_dump_json."""
    from hipnerve.engine.model import default_model
    from hipnerve.interview.session import assess, state_from_evidence
    from hipnerve.web import schemas as s
    from hipnerve.web.api import conditions_out, question_out

    model = default_model()
    items = [(e["id"], e["choice_id"], e.get("source", "initial")) for e in body["evidence"]]
    state = state_from_evidence(model, body["age"], body["sex"], items)
    step = assess(model, state, explain=False)
    return s.DiagnosisOut(
        question=question_out(step.question),
        conditions=conditions_out(model, step),
        should_stop=step.should_stop,
        stop_reason=step.next.reason if step.should_stop else None,
        questions_asked=len(state.asked),
    ).model_dump_json()


@pytest.mark.parametrize("answer", ["absent", "present", "unknown"])
def test_diagnosis_bytes_are_the_pydantic_models_bytes(client: TestClient, answer: str) -> None:
    """The hot path serialises plain dicts; every step of an interview gives the same bytes as the
    response models would (and the models read them back unchanged)."""
    from hipnerve.web import schemas as s

    case: dict[str, Any] = {**CASE, "evidence": list(CASE["evidence"])}
    for _ in range(40):
        response = client.post("/api/v1/diagnosis", json=case)
        assert response.text == _diagnosis_as_pydantic_builds_it(case)
        assert s.DiagnosisOut.model_validate_json(response.text).model_dump_json() == response.text
        body = response.json()
        if body["should_stop"]:
            break
        source = "red_flags" if body["question"]["red_flag"] else "suggest"
        case["evidence"] += [{"id": i["id"], "choice_id": answer, "source": source} for i in body["question"]["items"]]
    assert body["should_stop"]
