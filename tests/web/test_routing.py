"""Validating a body from its bytes accepts exactly what FastAPI's json.loads-then-validate accepts,
with the same values: a body either takes the one-pass way with the framework's result, or takes
the framework's own way (and gets its own error)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import BaseModel

from hipnerve.web import schemas as s
from hipnerve.web.api import router
from hipnerve.web.routing import ValidatedBodyRoute, body_model, direct_call

MODELS: list[type[BaseModel]] = [s.CaseIn, s.ExplainIn, s.AssessmentCreate, s.AnswerIn]


def _framework(model: type[BaseModel], raw: bytes) -> BaseModel | None:
    try:
        return model.model_validate(json.loads(raw))
    except Exception:
        return None


def _one_pass(model: type[BaseModel], raw: bytes) -> BaseModel | None:
    try:
        return model.model_validate_json(raw)
    except Exception:
        return None


def _same_or_falls_back(model: type[BaseModel], raw: bytes) -> None:
    fast = _one_pass(model, raw)
    if fast is not None:  # taken the one-pass way: the framework must agree, value for value
        slow = _framework(model, raw)
        assert slow is not None, raw
        assert fast == slow and fast.model_dump_json() == slow.model_dump_json(), raw


EDGE_BODIES = [
    b'{"age": 40, "sex": "male", "sex": "female", "evidence": []}',
    b'{"age": 40, "sex": "male", "evidence": [], "evidence": [{"id": "fever", "choice_id": "present"}]}',
    b'{"age": 40, "sex": "male", "evidence": [{"id": "\\ud800", "choice_id": "present"}]}',
    b'{"age": 40, "sex": "male", "evidence": [{"id": "\\ud83d\\ude00", "choice_id": "present"}]}',
    b'{"age": 40, "sex": "male", "evidence": [{"id": "\xff\xfe", "choice_id": "present"}]}',
    b'{"age": 40, "sex": "male", "evidence": [{"id": "a\nb", "choice_id": "present"}]}',
    b'{"age": 40, "sex": "male", "evidence": [{"id": "fever\\u0000", "choice_id": "present"}]}',
    b'{"age": 40, "sex": "male", "evidence": []} x',
    b'{"age": 40, "sex": "male", "evidence": []}   \n',
    b'\xef\xbb\xbf{"age": 40, "sex": "male", "evidence": []}',
    '{"age": 40, "sex": "male", "evidence": []}'.encode("utf-16"),
    b'{"age": 40.0, "sex": "male", "evidence": []}',
    b'{"age": 4e1, "sex": "male", "evidence": []}',
    b'{"age": 40.000000000000001, "sex": "male", "evidence": []}',
    b'{"age": 39.99999999999999999, "sex": "male", "evidence": []}',
    b'{"age": 040, "sex": "male", "evidence": []}',
    b'{"age": -0, "sex": "male", "evidence": []}',
    b'{"age": NaN, "sex": "male", "evidence": []}',
    b'{"age": Infinity, "sex": "male", "evidence": []}',
    b'{"age": 1e400, "sex": "male", "evidence": []}',
    b'{"age": 100000000000000000000000000000040, "sex": "male", "evidence": []}',
    b'{"age": true, "sex": "male", "evidence": []}',
    b'{"age": 40, "sex": "ma\\u006ce", "evidence": []}',
    b'{"age": 40, "sex": "male", "evidence": [{"id": "fever", "choice_id": "present", "source": null}]}',
    b'{"age": 40, "sex": "male", "consent_to_store": true, "evidence": []}',
    b'{"age": 40, "sex": "male", "consent_to_store": 1, "evidence": []}',
    b'{"question_id": "rf_cauda_equina", "answers": {"fever": "present", "fever": "absent"}}',
    b'{"question_id": "rf_cauda_equina", "answers": {"\\u0066ever": "present"}}',
    b'{"age": 40, "sex": "male", "target": "lumbar_radiculopathy_l5"}',
    b"[]",
    b"null",
    b"",
]


@pytest.mark.parametrize("raw", EDGE_BODIES)
@pytest.mark.parametrize("model", MODELS)
def test_edge_bodies_are_read_alike(model: type[BaseModel], raw: bytes) -> None:
    _same_or_falls_back(model, raw)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-(2**70), 2**70) | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=8,
)
evidence_item = st.fixed_dictionaries(
    {"id": st.sampled_from(["fever", "", "x" * 65, "pain_buttock"]) | st.text(max_size=6) | json_values},
    optional={
        "choice_id": st.sampled_from(["present", "absent", "unknown", "maybe"]) | json_values,
        "source": st.sampled_from(["initial", "red_flags", "suggest", "predefined", "elsewhere"]) | json_values,
        "extra": json_values,
    },
)
body = st.fixed_dictionaries(
    {},
    optional={
        "age": st.integers(0, 200) | st.floats(0, 200) | json_values,
        "sex": st.sampled_from(["female", "male", "Male"]) | json_values,
        "evidence": st.lists(evidence_item, max_size=4) | json_values,
        "target": st.sampled_from(["lumbar_radiculopathy_l5", ""]) | json_values,
        "consent_to_store": st.booleans() | json_values,
        "question_id": st.sampled_from(["rf_cauda_equina", ""]) | json_values,
        "answers": st.dictionaries(st.sampled_from(["fever", "pain_buttock"]), st.sampled_from(["present", "no"])),
    },
)


@settings(max_examples=400, deadline=None)
@given(value=body, ascii_only=st.booleans(), indent=st.sampled_from([None, 1]))
def test_random_bodies_are_read_alike(value: dict[str, Any], ascii_only: bool, indent: int | None) -> None:
    raw = json.dumps(value, ensure_ascii=ascii_only, indent=indent).encode()
    for model in MODELS:
        _same_or_falls_back(model, raw)


def test_api_routes_with_a_model_body_take_the_one_pass_way() -> None:
    posts = {r.path: r for r in router.routes if isinstance(r, ValidatedBodyRoute) and "POST" in r.methods}
    assert body_model(posts["/api/v1/diagnosis"]) is s.CaseIn
    assert body_model(posts["/api/v1/explain"]) is s.ExplainIn
    assert body_model(posts["/api/v1/assessments/{token}/undo"]) is None


def test_only_the_simplest_routes_go_straight_to_the_endpoint() -> None:
    routes = {(r.path, m): r for r in router.routes if isinstance(r, ValidatedBodyRoute) for m in r.methods}
    for path in ("/api/v1/diagnosis", "/api/v1/triage", "/api/v1/explain", "/api/v1/rationale"):
        assert direct_call(routes[(path, "POST")]), path
    # Sync endpoints that return models, with a repository, or without a body: the framework's way.
    assert not direct_call(routes[("/api/v1/assessments", "POST")])
    assert not direct_call(routes[("/api/v1/assessments/{token}/answers", "POST")])
    assert not direct_call(routes[("/api/v1/info", "GET")])


CASE = {
    "age": 58,
    "sex": "female",
    "evidence": [{"id": "pain_buttock", "choice_id": "present"}, {"id": "fever", "choice_id": "absent"}],
}


@pytest.mark.parametrize(
    "content_type",
    ["application/json", "application/json; charset=utf-8", "Application/JSON", "application/vnd.api+json"],
)
@pytest.mark.parametrize("path", ["/api/v1/diagnosis", "/api/v1/triage", "/api/v1/rationale"])
def test_every_json_spelling_gets_the_same_response(client: TestClient, path: str, content_type: str) -> None:
    raw = json.dumps(CASE).encode()
    expected = client.post(path, content=raw, headers={"content-type": "application/json"})
    response = client.post(path, content=raw, headers={"content-type": content_type})
    assert (response.status_code, response.text) == (expected.status_code, expected.text)


@pytest.mark.parametrize("content_type", ["text/plain", None])
def test_a_body_that_is_not_declared_json_is_still_refused(client: TestClient, content_type: str | None) -> None:
    headers = {"content-type": content_type} if content_type else {}
    response = client.post("/api/v1/diagnosis", content=json.dumps(CASE).encode(), headers=headers)
    assert response.status_code == 422
    assert "body" in response.json()["detail"]


def test_dependency_overrides_are_honoured(client: TestClient) -> None:
    """An overridden dependency takes the framework's way, so the override is what the endpoint gets."""
    from hipnerve.engine.model import default_model
    from hipnerve.web.deps import get_model

    calls: list[int] = []

    async def counted_model() -> Any:
        calls.append(1)
        return default_model()

    app: Any = client.app
    app.dependency_overrides[get_model] = counted_model
    try:
        assert client.post("/api/v1/diagnosis", json=CASE).status_code == 200
    finally:
        app.dependency_overrides.clear()
    assert calls == [1]
