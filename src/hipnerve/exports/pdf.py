"""The clinician's PDF report (WeasyPrint): readable in a minute, one to three pages.

Summary and triage with its reasons, the body map with the marked areas, every red-flag screen
question with its answer, the differential with probabilities and key evidence, the care plan in
brief, numbered sources, knowledge-base version and the disclaimer. Rendering is the only I/O-free
step that needs system libraries (pango); the HTML is built with Jinja2 from the same data as the
web pages.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape

from hipnerve import __version__
from hipnerve.careplan.builder import CarePlan
from hipnerve.careplan.present import plan_to_dict
from hipnerve.engine.model import Choice, Model
from hipnerve.engine.percent import percent
from hipnerve.engine.questions import question_units
from hipnerve.exports.bodymap_svg import back_shapes, front_shapes, silhouette
from hipnerve.interview.session import InterviewResult, InterviewState

TEMPLATES = Environment(
    loader=FileSystemLoader(str(Path(__file__).parent / "templates")),
    autoescape=select_autoescape(["html"]),
)
TEMPLATES.filters["percent"] = percent


def report_html(
    model: Model, state: InterviewState, outcome: InterviewResult, plan: CarePlan | None, now: datetime | None = None
) -> str:
    kb = model.kb
    evidence = state.evidence_map()
    red_flags = []
    for unit in question_units(model):
        if not unit.red_flag:
            continue
        rows = [
            (kb.findings[f].label, evidence.get(f, Choice.UNKNOWN).value if f in evidence else "not asked")
            for f in unit.findings
        ]
        red_flags.append((unit.group.prompt if unit.group else unit.id, rows))
    numbers: dict[str, int] = {}

    def cite(source_id: str) -> int:
        return numbers.setdefault(source_id, len(numbers) + 1)

    conditions = []
    for entry in outcome.entries[:5]:
        ranked = entry.lead
        condition = kb.conditions[ranked.id]
        codes = ", ".join(f"{c.system.upper()} {c.code}" for c in condition.codes)
        evidence_lines = [
            (
                kb.findings[c.finding].label,
                "yes" if c.choice is Choice.PRESENT else "no",
                c.ratio,
                cite(c.term.likelihood.source),
            )
            for c in (*ranked.supporting, *ranked.conflicting)
        ]
        linked = [(kb.conditions[c.id].clinician_name, c.probability) for c in entry.related]
        conditions.append((condition.clinician_name, codes, ranked.probability, evidence_lines, linked))
    reasons = [(r.level.value, r.clinician_text, cite(r.source.id)) for r in outcome.triage.reasons[:5]]
    rule_out = [
        (
            kb.conditions[ranked.id].clinician_name,
            ranked.probability,
            [r.rule_id for r in outcome.triage.naming(ranked.id)],
        )
        for ranked in outcome.rule_out
    ]
    plan_data = plan_to_dict(kb, plan) if plan is not None else None
    if plan_data is not None:
        for section in ("care_team", "seek_care_sooner"):
            for item in plan_data[section]:
                item["n"] = cite(item["source"]["id"])
    marks = set(state.body_map)
    return TEMPLATES.get_template("report.html").render(
        generated=(now or datetime.now(UTC)).strftime("%Y-%m-%d %H:%M UTC"),
        version=__version__,
        kb=kb,
        state=state,
        level=outcome.triage.level.value,
        reasons=reasons,
        questions=outcome.questions,
        red_flags=red_flags,
        conditions=conditions,
        rule_out=rule_out,
        plan=plan_data,
        marks=marks,
        front=front_shapes(),
        back=back_shapes(),
        outline={"front": silhouette("front"), "back": silhouette("back")},
        references=[kb.sources[s] for s in numbers],
    )


def render_pdf(html: str) -> bytes:
    from weasyprint import HTML  # imported here: it needs pango, and only reports use it

    pdf: bytes = HTML(string=html).write_pdf()
    return pdf
