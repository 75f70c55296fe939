"""In-process cost of one request through the whole ASGI app (middleware, routing, validation,
engine, serialisation), without a server or a socket: what the app itself costs per request.

Calls the ASGI application directly on one event loop, for ``GET /healthz`` and for
``POST /api/v1/diagnosis`` cycling through the bench pool (every dev-interview step). Prints
figures only. The machine is shared and noisy: rounds alternate between the two endpoints, and
the mean of the best round is printed beside the figures over all rounds.

    .venv/bin/python bench/inprocess_bench.py [--profile]
"""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from hipnerve.config import Settings
from hipnerve.engine.model import default_model
from hipnerve.web.app import create_app
from pool import interview_bodies

ROUNDS = 5


def _scope(method: str, path: str, length: int) -> dict[str, Any]:
    headers = [(b"host", b"127.0.0.1"), (b"content-type", b"application/json")]
    if method == "POST":
        headers.append((b"content-length", str(length).encode()))
    return {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": headers,
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }


async def _call(app: Any, method: str, path: str, body: bytes) -> tuple[int, bytes]:
    sent = False
    status = 0
    chunks: list[bytes] = []

    async def receive() -> dict[str, Any]:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": False}
        await asyncio.sleep(3600)
        return {"type": "http.disconnect"}  # pragma: no cover

    async def send(message: dict[str, Any]) -> None:
        nonlocal status
        if message["type"] == "http.response.start":
            status = message["status"]
        elif message["type"] == "http.response.body":
            chunks.append(message.get("body", b""))

    await app(_scope(method, path, len(body)), receive, send)
    return status, b"".join(chunks)


async def _measure(app: Any, requests: list[tuple[str, str, bytes]]) -> list[float]:
    timings: list[float] = []
    for method, path, body in requests:
        start = time.perf_counter()
        status, _ = await _call(app, method, path, body)
        timings.append((time.perf_counter() - start) * 1000)
        assert status == 200, status
    return timings


def _summary(name: str, rounds: list[list[float]]) -> str:
    timings = sorted(t for r in rounds for t in r)
    p99 = timings[int(0.99 * (len(timings) - 1))]
    best = min(statistics.fmean(r) for r in rounds)
    return (
        f"{name:26} n={len(timings):5}  mean {statistics.fmean(timings):.3f} ms  best round {best:.3f} ms  "
        f"p50 {statistics.median(timings):.3f} ms  p99 {p99:.3f} ms"
    )


def main() -> None:
    profile = "--profile" in sys.argv
    bodies = [json.dumps(b).encode() for b in interview_bodies(default_model())]
    data = Path(tempfile.mkdtemp(prefix="hipnerve-inprocess-"))
    app = create_app(Settings(data_dir=data, database_url=f"sqlite:///{data / 'bench.sqlite3'}"))
    diagnosis = [("POST", "/api/v1/diagnosis", b) for b in bodies]
    healthz = [("GET", "/healthz", b"")] * len(bodies)

    async def run() -> None:
        await _measure(app, diagnosis[:200] + healthz[:200])  # warm up
        if profile:
            import cProfile
            import pstats

            profiler = cProfile.Profile()
            profiler.enable()
            await _measure(app, diagnosis)
            profiler.disable()
            pstats.Stats(profiler).sort_stats(sys.argv[2] if len(sys.argv) > 2 else "cumulative").print_stats(45)
            return
        trivial: list[list[float]] = []
        diag: list[list[float]] = []
        for _ in range(ROUNDS):  # alternating, so both see the same machine; the best round is the least disturbed
            trivial.append(await _measure(app, healthz))
            diag.append(await _measure(app, diagnosis))
        print(_summary("GET /healthz (trivial)", trivial))
        print(_summary("POST /api/v1/diagnosis", diag))

    asyncio.run(run())


if __name__ == "__main__":
    main()
