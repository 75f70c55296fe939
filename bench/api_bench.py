"""API benchmark: POST /api/v1/diagnosis beside a trivial endpoint on the same server.

Starts `hipnerve serve` (one uvicorn process, SQLite) and drives it from a separate load-generator
process, Debian's `wrk`, at 50 concurrent connections on loopback, for a bounded time. Prints
throughput and latency for both and the ratio. Prints figures only; nothing is asserted.
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

CONNECTIONS = 50
SECONDS = 10
BODY = {
    "age": 46,
    "sex": "male",
    "evidence": [
        {"id": "pain_low_back", "choice_id": "present"},
        {"id": "pain_buttock", "choice_id": "present"},
        {"id": "pain_below_knee", "choice_id": "present"},
        {"id": "numb_outer_leg_top_foot", "choice_id": "present"},
        {"id": "saddle_numbness", "choice_id": "absent", "source": "red_flags"},
        {"id": "bladder_difficulty", "choice_id": "absent", "source": "red_flags"},
        {"id": "fever", "choice_id": "absent", "source": "red_flags"},
    ],
}


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
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install wrk")
    port = _free_port()
    data = Path(tempfile.mkdtemp(prefix="hipnerve-bench-"))
    env = {**os.environ, "HIPNERVE_DATA_DIR": str(data)}
    env.pop("DATABASE_URL", None)
    server = subprocess.Popen(
        [sys.executable, "-m", "hipnerve.cli", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(150):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        script = data / "post.lua"
        script.write_text(
            'wrk.method = "POST"\nwrk.headers["Content-Type"] = "application/json"\n'
            f"wrk.body = [[{json.dumps(BODY)}]]\n"
        )
        base = f"http://127.0.0.1:{port}"
        _wrk(base + "/healthz", None)  # warm up
        trivial = _wrk(base + "/healthz", None)
        diagnosis = _wrk(base + "/api/v1/diagnosis", script)
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(data, ignore_errors=True)
    print(f"load: wrk, {CONNECTIONS} connections, {SECONDS} s each, one uvicorn process, loopback")
    for name, r in (("GET /healthz (trivial)", trivial), ("POST /api/v1/diagnosis", diagnosis)):
        print(
            f"{name:26} {r['rps']:8.0f} req/s  p50 {r['p50_ms']:6.1f} ms  p99 {r['p99_ms']:6.1f} ms  "
            f"non-2xx {r['errors']:.0f}"
        )
    print(f"diagnosis / trivial throughput: {diagnosis['rps'] / trivial['rps']:.0%}")


if __name__ == "__main__":
    main()
