"""The clinician PDF: every section present (pdftotext), at most 3 pages, renders to PNG."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from hipnerve.careplan.builder import build_plan
from hipnerve.engine.model import default_model
from hipnerve.evaluation.cases import load_cases
from hipnerve.evaluation.simulate import run_case
from hipnerve.exports.pdf import render_pdf, report_html
from hipnerve.kb.careplan_loader import load_careplan

MODEL = default_model()
CASES, _ = load_cases(Path(__file__).parent / "cases" / "dev.jsonl", MODEL)
SECTIONS = [
    "clinician summary",
    "Summary",
    "Body map",
    "Red-flag screen",
    "Differential",
    "Care plan in brief",
    "Sources",
    "not a diagnosis",
]


def _pdf(case_id: str, tmp_path: Path) -> Path:
    case = next(c for c in CASES if c.id == case_id)
    run = run_case(MODEL, case)
    plan = build_plan(MODEL, load_careplan(), run.result, case.age)
    path = tmp_path / f"{case_id}.pdf"
    path.write_bytes(render_pdf(report_html(MODEL, run.state, run.result, plan)))
    return path


@pytest.mark.parametrize(
    "case_id", ["l5_clinicalpub_skier_footdrop", "ces_benko2019_sni", "hipoa_konala2011_jmcr_preop"]
)
def test_report_has_every_section_and_fits_three_pages(case_id: str, tmp_path: Path) -> None:
    path = _pdf(case_id, tmp_path)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True).stdout
    for section in SECTIONS:
        assert section in text, section
    info = subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True, check=True).stdout
    pages = int(next(line.split()[-1] for line in info.splitlines() if line.startswith("Pages:")))
    assert 1 <= pages <= 3
    subprocess.run(
        ["pdftoppm", "-r", "40", "-png", "-f", "1", "-l", "1", str(path), str(tmp_path / "page")], check=True
    )
    assert list(tmp_path.glob("page*.png"))
