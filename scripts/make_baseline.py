"""Write tests/cases/baseline.json: the measured vignette figures the test suite guards.

Run only after a real improvement (`make baseline`), and say so in the commit message.
"""

from __future__ import annotations

import json
from pathlib import Path

from hipnerve.engine.model import default_model
from hipnerve.evaluation.cases import load_cases
from hipnerve.evaluation.metrics import summarise
from hipnerve.evaluation.simulate import run_case

CASES = Path(__file__).resolve().parent.parent / "tests" / "cases"


def main() -> None:
    model = default_model()
    out: dict[str, object] = {}
    for name in sorted(path.stem for path in CASES.glob("*.jsonl")):
        cases, problems = load_cases(CASES / f"{name}.jsonl", model)
        if problems:
            raise SystemExit(f"{name}: {problems[0]}")
        out[name] = {
            "adaptive": summarise([run_case(model, c) for c in cases], model.must_not_miss).as_dict(),
            "ask_all": summarise([run_case(model, c, ask_all=True) for c in cases], model.must_not_miss).as_dict(),
        }
    out["_note"] = (
        "Measured figures that tests/test_vignettes.py guards against regression. Regenerate with "
        "`make baseline` only after an improvement, and say so in the commit."
    )
    (CASES / "baseline.json").write_text(json.dumps(out, indent=2, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
