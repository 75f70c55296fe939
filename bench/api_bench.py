"""API benchmark: POST /api/v1/diagnosis beside a trivial endpoint on the same server.

Starts `hipnerve serve` (one uvicorn process, SQLite) and drives it from a separate load-generator
process, Debian's `wrk`, at 50 concurrent connections on loopback, for a bounded time. The diagnosis
requests cycle through a pool of distinct bodies: every step of every development vignette's
simulated interview (``pool.py``), so no single body is served from warm state. Prints throughput
and latency for both endpoints and the ratio, for each of ``runs`` rounds (default 2):

    .venv/bin/python bench/api_bench.py [runs] [--workers N]

With ``--workers N`` the server runs N uvicorn worker processes (``hipnerve serve --workers N``)
instead of one. Prints figures only; nothing is asserted.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from hipnerve.engine.model import default_model
from pool import interview_bodies

CONNECTIONS = 50
SECONDS = 10

# wrk cycles through the pool: each thread precomputes its requests once, then starts at its own
# offset and takes the next body on every request.
LUA = """
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/json"
local threads = 0
function setup(thread)
  thread:set("thread_number", threads)
  threads = threads + 1
end
local requests = {}
local counter = 0
function init(args)
  for i, body in ipairs(bodies) do
    requests[i] = wrk.format(nil, nil, nil, body)
  end
  counter = (thread_number or 0) * math.floor(#requests / 2)
end
function request()
  counter = counter % #requests + 1
  return requests[counter]
end
"""


def pool_script(bodies: list[dict[str, Any]]) -> str:
    """A wrk Lua script that cycles through ``bodies`` (long brackets: JSON never contains ``]==]``)."""
    texts = [json.dumps(b, separators=(",", ":")) for b in bodies]
    assert not any("]==]" in t for t in texts)
    return "bodies = {\n" + "".join(f"[==[{t}]==],\n" for t in texts) + "}\n" + LUA


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def _wrk(url: str, script: Path | None) -> dict[str, float]:
    args = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{SECONDS}s", "--latency", url]
    if script is not None:
        args[1:1] = ["-s", str(script)]
    out = subprocess.run(args, capture_output=True, text=True, timeout=SECONDS + 30, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]

    def ms(label: str) -> float:
        value, unit = re.search(rf"{label}\s+([\d.]+)(us|ms|s)", out).groups()  # type: ignore[union-attr]
        return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]

    non_2xx = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    return {"rps": rps, "p50_ms": ms("50%"), "p99_ms": ms("99%"), "errors": float(non_2xx.group(1)) if non_2xx else 0.0}


def main() -> None:
    args = sys.argv[1:]
    workers = 1
    if "--workers" in args:
        at = args.index("--workers")
        workers = int(args[at + 1])
        del args[at : at + 2]
    runs = int(args[0]) if args else 2
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk")
    bodies = list({json.dumps(b, sort_keys=True): b for b in interview_bodies(default_model())}.values())
    port = _free_port()
    data = Path(tempfile.mkdtemp(prefix="hipnerve-bench-"))
    env = {**os.environ, "HIPNERVE_DATA_DIR": str(data)}
    env.pop("DATABASE_URL", None)
    server = subprocess.Popen(
        [sys.executable, "-m", "hipnerve.cli", "serve", "--port", str(port), "--workers", str(workers)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    results: list[tuple[dict[str, float], dict[str, float]]] = []
    try:
        for _ in range(150):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        script = data / "pool.lua"
        script.write_text(pool_script(bodies))
        base = f"http://127.0.0.1:{port}"
        _wrk(base + "/healthz", None)  # warm up both
        _wrk(base + "/api/v1/diagnosis", script)
        for _ in range(runs):
            results.append((_wrk(base + "/healthz", None), _wrk(base + "/api/v1/diagnosis", script)))
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(data, ignore_errors=True)
    print(
        f"load: wrk, {CONNECTIONS} connections, {SECONDS} s each, "
        f"{'one uvicorn process' if workers == 1 else f'{workers} uvicorn worker processes'}, loopback; "
        f"diagnosis bodies cycle through {len(bodies)} distinct dev-interview steps"
    )
    for number, (trivial, diagnosis) in enumerate(results, start=1):
        for name, r in (("GET /healthz (trivial)", trivial), ("POST /api/v1/diagnosis", diagnosis)):
            print(
                f"run {number}  {name:26} {r['rps']:8.0f} req/s  p50 {r['p50_ms']:6.1f} ms  "
                f"p99 {r['p99_ms']:6.1f} ms  non-2xx {r['errors']:.0f}"
            )
        print(f"run {number}  diagnosis / trivial throughput: {diagnosis['rps'] / trivial['rps']:.0%}")


if __name__ == "__main__":
    main()
