"""The patient pages without JavaScript: forms, redirects, CSRF, errors, resume."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from httpx2 import Response


def _csrf(html: str) -> str:
    match = re.search(r'name="csrf" value="([^"]+)"', html)
    assert match, "form without a CSRF field"
    return match.group(1)


def _start(client: TestClient, age: str = "45", sex: str = "female") -> tuple[str, str]:
    page = client.get("/")
    csrf = _csrf(page.text)
    response = client.post("/start", data={"csrf": csrf, "age": age, "sex": sex, "consent": "yes"})
    assert response.status_code == 200 and "/map" in str(response.url), response.text
    token = str(response.url).split("/a/")[1].split("/")[0]
    return token, csrf


def test_start_page_explains_what_this_is(client: TestClient) -> None:
    html = client.get("/").text
    assert "Not a diagnosis" in html and "999" in html
    assert "<script>" not in html and 'style="' not in html  # CSP: no inline scripts or styles


def test_start_validation_names_each_field(client: TestClient) -> None:
    csrf = _csrf(client.get("/").text)
    response = client.post("/start", data={"csrf": csrf, "age": "abc", "sex": ""})
    assert response.status_code == 400
    assert "Please enter your age" in response.text
    assert "Please choose female or male" in response.text
    assert "Please tick the box" in response.text
    assert 'aria-invalid="true"' in response.text


def test_form_without_matching_csrf_is_refused(client: TestClient) -> None:
    client.get("/")
    response = client.post("/start", data={"csrf": "forged", "age": "40", "sex": "male", "consent": "yes"})
    assert response.status_code == 403 and "expired" in response.text


def test_body_map_marks_become_findings_and_persist(client: TestClient) -> None:
    token, csrf = _start(client)
    marks = ["pain:back_thigh:left", "numbness:top_of_foot:left", "numbness:big_toe:left", "pain:calf:right"]
    response = client.post(f"/a/{token}/map", data={"csrf": csrf, "mark": marks})
    assert response.status_code == 200 and str(response.url).endswith("/q")
    stored = client.get(f"/api/v1/assessments/{token}").json()
    assert stored["questions_asked"] == 0
    again = client.get(f"/a/{token}/map").text
    for mark in marks:
        assert f'value="{mark}" checked' in again


def test_bad_body_map_mark_is_a_friendly_400(client: TestClient) -> None:
    token, csrf = _start(client)
    response = client.post(f"/a/{token}/map", data={"csrf": csrf, "mark": ["pain:elbow:left"]})
    assert response.status_code == 400 and "unknown body map region" in response.text


def test_whole_interview_without_javascript(client: TestClient) -> None:
    token, csrf = _start(client, age="52", sex="male")
    page = _finish(client, token, csrf, ["pain:buttock:left"])
    assert "/result" in str(page.url)
    assert "Possible causes" in page.text and "<meter" in page.text
    assert "Why this result?" in page.text
    assert f"/a/{token}/q" in page.text  # resume link


def test_back_from_first_question_returns_to_the_map(client: TestClient) -> None:
    token, csrf = _start(client)
    client.post(f"/a/{token}/map", data={"csrf": csrf})
    response = client.post(f"/a/{token}/back", data={"csrf": csrf})
    assert str(response.url).endswith("/map")


def _submit_until_result(
    client: TestClient, token: str, csrf: str, page: Response, tick: frozenset[str] | set[str] = frozenset()
) -> Response:
    """Submit each screen as a browser would (what is pre-ticked stays ticked), ticking ``tick`` too."""
    for _ in range(30):
        if "/result" in str(page.url):
            break
        question_id = re.search(r'name="question_id" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
        ticked = re.findall(r'name="present" value="([^"]+)"\s+checked', page.text)
        ticked += [f for f in tick if f'value="{f}"' in page.text and f not in ticked]
        page = client.post(
            f"/a/{token}/q", data={"csrf": csrf, "question_id": question_id, "action": "submit", "present": ticked}
        )
    return page


def test_emergency_result_page_says_what_to_do(client: TestClient) -> None:
    token, csrf = _start(client, age="39", sex="male")
    page = client.post(f"/a/{token}/map", data={"csrf": csrf, "mark": ["numbness:saddle:centre"]})
    page = _submit_until_result(client, token, csrf, page)
    assert "Go to an emergency department now" in page.text
    assert 'role="alert"' in page.text and "999" in page.text


def test_unknown_token_is_a_friendly_404(client: TestClient) -> None:
    response = client.get("/a/" + "A" * 43 + "/q")
    assert response.status_code == 404 and "could not find" in response.text


def test_delete_removes_the_assessment(client: TestClient) -> None:
    token, csrf = _start(client)
    assert client.post(f"/a/{token}/delete", data={"csrf": csrf}).status_code == 200
    assert client.get(f"/a/{token}/q").status_code == 404


def _finish(client: TestClient, token: str, csrf: str, marks: list[str]) -> Response:
    """Mark the body map, then answer "don't know" to every screen until the result."""
    page = client.post(f"/a/{token}/map", data={"csrf": csrf, "mark": marks})
    for _ in range(40):
        if "/result" in str(page.url):
            break
        question_id = re.search(r'name="question_id" value="([^"]+)"', page.text).group(1)  # type: ignore[union-attr]
        if 'name="answer"' in page.text:
            page = client.post(f"/a/{token}/q", data={"csrf": csrf, "question_id": question_id, "answer": "unknown"})
        else:
            page = client.post(f"/a/{token}/q", data={"csrf": csrf, "question_id": question_id, "action": "dont_know"})
    return page


def test_care_plan_asks_about_you_then_checks_medicines(client: TestClient) -> None:
    token, csrf = _start(client, age="52", sex="male")
    _finish(client, token, csrf, ["pain:back_thigh:left", "numbness:top_of_foot:left"])
    form = client.get(f"/a/{token}/plan")
    assert str(form.url).endswith("/plan/about-you") and "Height in centimetres" in form.text
    assert "I am pregnant" not in form.text  # not asked of a man
    bad = client.post(f"/a/{token}/plan", data={"csrf": csrf, "height_cm": "3 metres"})
    assert bad.status_code == 400 and "Please check your height" in bad.text
    plan = client.post(
        f"/a/{token}/plan", data={"csrf": csrf, "height_cm": "180", "weight_kg": "100", "anticoagulant": "yes"}
    )
    assert str(plan.url).endswith("/plan") and "Your care plan" in plan.text
    assert "not for you" in plan.text and "blood thinner" in plan.text
    assert "Your BMI is 30.9" in plan.text and "not a prescription" in plan.text
    assert "/illustrations/" in plan.text


def test_illustrations_are_served_and_names_checked(client: TestClient) -> None:
    response = client.get("/illustrations/bridge.svg")
    assert response.status_code == 200 and response.headers["content-type"].startswith("image/svg+xml")
    assert client.get("/illustrations/nope.svg").status_code == 404
    assert client.get("/illustrations/..%2Fsecret.svg").status_code in {404, 422}


def test_pdf_and_fhir_downloads(client: TestClient) -> None:
    from fhir.resources.R4B.bundle import Bundle

    token, csrf = _start(client, age="61", sex="female")
    page = _finish(client, token, csrf, ["pain:groin:right"])
    assert f"/a/{token}/report.pdf" in page.text and f"/a/{token}/fhir.json" in page.text
    pdf = client.get(f"/a/{token}/report.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF") and pdf.headers["cache-control"] == "no-store"
    fhir = client.get(f"/a/{token}/fhir.json")
    assert fhir.status_code == 200 and fhir.headers["content-type"].startswith("application/fhir+json")
    assert Bundle.model_validate_json(fhir.text).entry


def test_result_page_lists_what_a_warning_sign_says_to_rule_out(client: TestClient) -> None:
    token, csrf = _start(client, age="45", sex="male")
    page = client.post(f"/a/{token}/map", data={"csrf": csrf, "mark": ["pain:low_back:centre"]})
    page = _submit_until_result(client, token, csrf, page, tick={"fever"})
    assert "/result" in str(page.url)
    name = "An infection in or around the spine"
    assert name in page.text
    in_section = "Also to be checked for, because of your warning signs" in page.text
    tagged = "Your warning signs mean a doctor should check for this first." in page.text
    assert in_section or tagged


def _question_page_after(client: TestClient, evidence: list[str], screens: int) -> str:
    """Start through the API with ``evidence`` present, answer ``screens`` screens "don't know",
    then show the next question page as the browser would."""
    body = {"age": 39, "sex": "male", "consent_to_store": True}
    body["evidence"] = [{"id": f, "choice_id": "present"} for f in evidence]
    state = client.post("/api/v1/assessments", json=body).json()
    token = state["token"]
    for _ in range(screens):
        question = state["question"]
        answers = {item["id"]: "unknown" for item in question["items"]}
        url = f"/api/v1/assessments/{token}/answers"
        state = client.post(url, json={"question_id": question["id"], "answers": answers}).json()
    return client.get(f"/a/{token}/q").text


def test_a_warning_sign_emergency_says_the_rest_is_optional(client: TestClient) -> None:
    html = _question_page_after(client, ["saddle_numbness"], 1)
    assert "Go to an emergency department now" in html
    assert "The next few questions are optional" in html and "it may change" not in html


def test_an_emergency_from_likelihood_alone_says_it_may_change(client: TestClient) -> None:
    """A bruise after an injury makes a fracture likely enough for the emergency department, but no
    warning-sign rule fired: the next answers (a sudden pull during sport, say) can lower it."""
    evidence = ["fall_or_injury", "skin_bruise_abrasion", "onset_sudden", "pain_back_thigh", "pain_buttock"]
    html = _question_page_after(client, evidence, 5)
    assert "Go to an emergency department now" in html
    assert "it may change" in html and "The next few questions are optional" not in html


def test_result_page_shows_the_sciatica_family_as_one_entry(client: TestClient) -> None:
    """Disc herniation and the root patterns take one place in the list, the others inside it."""
    token, csrf = _start(client, age="45", sex="male")
    marks = ["pain:back_thigh:left", "pain:calf:left", "numbness:top_of_foot:left", "numbness:big_toe:left"]
    page = client.post(f"/a/{token}/map", data={"csrf": csrf, "mark": marks})
    page = _submit_until_result(client, token, csrf, page, tick=set())
    assert "/result" in str(page.url)
    causes = page.text.split('<ol class="causes">')[1].split("</ol>")[0]
    assert causes.count('<li class="cause">') == 5
    assert causes.count('class="related"') == 1
    headings = re.findall(r"<h3>([^<]+)</h3>", causes)
    family = ["(herniated disc)", "(sciatica from the L5 nerve root)", "(sciatica from the S1 nerve root)"]
    assert sum(any(name in h for name in family) for h in headings) == 1  # one entry for the family
    assert all(name in causes for name in family)  # every member still shown, inside it
