"""Property-based API tests from the OpenAPI document: no 5xx, every response matches its schema."""

from __future__ import annotations

import tempfile
from pathlib import Path

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.config import SchemathesisConfig

from hipnerve.config import Settings
from hipnerve.web.app import create_app

_data = Path(tempfile.mkdtemp(prefix="hipnerve-schemathesis-"))
APP = create_app(Settings(data_dir=_data, database_url=f"sqlite:///{_data / 'api.sqlite3'}"))
# An invalid body over the 64 KB limit (say, more evidence items than allowed) is refused with 413,
# as the OpenAPI document says; schemathesis's list of rejection statuses leaves 413 out.
_DEFAULT = SchemathesisConfig().projects.default.checks.negative_data_rejection.expected_statuses
_REJECTION = [*_DEFAULT, "413"]
CONFIG = SchemathesisConfig.from_dict({"checks": {"negative_data_rejection": {"expected-statuses": _REJECTION}}})
schema = schemathesis.openapi.from_asgi("/openapi.json", APP, config=CONFIG)


@schema.parametrize()
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_api_conforms_to_its_schema(case: schemathesis.Case) -> None:
    case.call_and_validate()
