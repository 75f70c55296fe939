"""Dump the API's responses for every interview step of all three vignette sets, plus seeded random
evidence lists, one JSON line per request: ``{"path", "body", "status", "response"}`` where
``response`` is the exact response text. Run before and after a change and compare the files
byte for byte (``cmp``): the speed work must not change a single clinical result.

    .venv/bin/python bench/dump_responses.py OUT.jsonl
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import TextIO

from fastapi.testclient import TestClient
from httpx2 import Response

from hipnerve.config import Settings
from hipnerve.engine.model import default_model
from hipnerve.web.app import create_app
from pool import ALL_SETS, interview_bodies, random_bodies

RANDOM = 3000

# Invalid bodies: each must still get a 4xx naming the field.
INVALID: list[object] = [
    {"age": 40, "sex": "male", "evidence": [{"id": "no_such_finding", "choice_id": "present"}]},
    {"age": "40", "sex": "male", "evidence": []},
    {"age": 40.5, "sex": "male", "evidence": []},
    {"age": 40.0, "sex": "male", "evidence": []},
    {"age": True, "sex": "male", "evidence": []},
    {"age": 17, "sex": "male", "evidence": []},
    {"age": 40, "sex": "other", "evidence": []},
    {"age": 40, "sex": "male", "evidence": [{"id": "fever", "choice_id": "maybe"}]},
    {"age": 40, "sex": "male", "evidence": [{"id": "fever", "choice_id": "present", "source": "x"}]},
    {"age": 40, "sex": "male", "evidence": [{"id": "fever", "choice_id": "present", "extra": 1}]},
    {"age": 40, "sex": "male", "evidence": [{"id": "fever", "choice_id": "present"}] * 2},
    {"age": 40, "sex": "male", "evidence": [{"id": "", "choice_id": "present"}]},
    {"age": 40, "sex": "male", "evidence": "fever"},
    {"age": 40, "sex": "male", "evidence": [{"id": "fever", "choice_id": "present"}] * 301},
    {"age": 40, "sex": "male", "evidence": [], "extra": True},
    {"sex": "male", "evidence": []},
    {"age": 40, "sex": "male"},
    {"age": 40, "sex": "male", "evidence": [{"id": "x" * 65, "choice_id": "present"}]},
    {"age": 40, "sex": "male", "evidence": [{"id": 5, "choice_id": "present"}]},
    [],
    "text",
    None,
    {"age": 40, "sex": "male", "evidence": [{"id": "x" * 60, "choice_id": "present"}] * 2000},
]


def _write(f: TextIO, counts: dict[str, int], path: str, payload: object, response: Response) -> None:
    headers = sorted((k, v) for k, v in response.headers.items() if k != "date")
    record = {"path": path, "body": payload, "status": response.status_code, "response": response.text}
    f.write(json.dumps({**record, "headers": headers}, sort_keys=True) + "\n")
    counts[f"{path} {response.status_code}"] = counts.get(f"{path} {response.status_code}", 0) + 1


def main() -> None:
    out = Path(sys.argv[1])
    model = default_model()
    bodies = interview_bodies(model, ALL_SETS) + random_bodies(model, RANDOM)
    data = Path(tempfile.mkdtemp(prefix="hipnerve-dump-"))
    settings = Settings(data_dir=data, database_url=f"sqlite:///{data / 'dump.sqlite3'}")
    counts: dict[str, int] = {}
    with TestClient(create_app(settings)) as client, out.open("w") as f:
        _write(f, counts, "/openapi.json", None, client.get("/openapi.json"))
        for payload in INVALID:
            for path in ("/api/v1/diagnosis", "/api/v1/triage"):
                _write(f, counts, path, payload, client.post(path, json=payload))
        for raw in (b"{", b"\xff\xfe", b'{"age": 40, "sex": "male", "evidence": [}'):
            response = client.post("/api/v1/diagnosis", content=raw, headers={"content-type": "application/json"})
            _write(f, counts, "/api/v1/diagnosis", raw.hex(), response)
        for b in bodies:
            diagnosis = client.post("/api/v1/diagnosis", json=b)
            _write(f, counts, "/api/v1/diagnosis", b, diagnosis)
            for path in ("/api/v1/triage", "/api/v1/rationale"):
                _write(f, counts, path, b, client.post(path, json=b))
            if diagnosis.status_code == 200 and diagnosis.json()["conditions"]:
                explain = {**b, "target": diagnosis.json()["conditions"][0]["id"]}
                _write(f, counts, "/api/v1/explain", explain, client.post("/api/v1/explain", json=explain))
    print(f"{len(bodies)} bodies; " + ", ".join(f"{k}: {v}" for k, v in sorted(counts.items())))


if __name__ == "__main__":
    main()
