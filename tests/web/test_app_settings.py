"""Settings are documented, unsafe production values refused, and no health data reaches the logs."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from hipnerve.config import Settings
from hipnerve.web.app import create_app

README = Path(__file__).resolve().parents[2] / "README.md"


def test_every_setting_is_documented_in_the_readme() -> None:
    text = README.read_text()
    for name in Settings.model_fields:
        assert f"HIPNERVE_{name.upper()}" in text, f"setting {name} is not documented in README.md"


def test_production_refuses_the_development_secret(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="HIPNERVE_SECRET_KEY"):
        create_app(Settings(environment="production", data_dir=tmp_path))
    app = create_app(Settings(environment="production", data_dir=tmp_path, secret_key="x" * 40))
    assert app.title == "hipnerve API"


def test_docs_are_self_hosted_without_inline_script(client: TestClient) -> None:
    page = client.get("/docs")
    assert page.status_code == 200
    assert "/docs-assets/swagger-ui-bundle.js" in page.text and "cdn" not in page.text.lower()
    assert "<script>" not in page.text
    assert "script-src 'self'" in page.headers["content-security-policy"]
    assert client.get("/docs-assets/swagger-ui-bundle.js").status_code == 200


def test_no_health_data_in_logs(client: TestClient, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    body = {"age": 44, "sex": "female", "evidence": [{"id": "saddle_numbness", "choice_id": "present"}]}
    client.post("/api/v1/diagnosis", json=body)
    client.post("/api/v1/diagnosis", json={**body, "age": 7})
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "saddle_numbness" not in logged and "saddle" not in logged
