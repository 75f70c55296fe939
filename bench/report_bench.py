"""PDF report render time (HTML build + WeasyPrint), over dev vignettes. Prints figures only."""

from __future__ import annotations

import statistics
import time
from pathlib import Path

from hipnerve.careplan.builder import build_plan
from hipnerve.engine.model import default_model
from hipnerve.evaluation.cases import load_cases
from hipnerve.evaluation.simulate import run_case
from hipnerve.exports.pdf import render_pdf, report_html
from hipnerve.kb.careplan_loader import load_careplan

CASES = Path(__file__).resolve().parent.parent / "tests" / "cases" / "dev.jsonl"


def main() -> None:
    model = default_model()
    cases, _ = load_cases(CASES, model)
    inputs = []
    for case in cases[:20]:
        run = run_case(model, case)
        inputs.append((run, build_plan(model, load_careplan(), run.result, case.age)))
    render_pdf(report_html(model, inputs[0][0].state, inputs[0][0].result, inputs[0][1]))  # warm up fonts
    timings = []
    for run, plan in inputs:
        start = time.perf_counter()
        render_pdf(report_html(model, run.state, run.result, plan))
        timings.append(time.perf_counter() - start)
    timings.sort()
    median, worst = statistics.median(timings) * 1000, timings[-1] * 1000
    print(f"PDF report: n={len(timings)}  median={median:.0f} ms  max={worst:.0f} ms")


if __name__ == "__main__":
    main()
