"""Rich rendering for the CLI: question screens, the result screen, evaluation tables, JSON."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from rich.console import Console
from rich.padding import Padding
from rich.panel import Panel
from rich.table import Table

from hipnerve.engine.inference import Contribution
from hipnerve.engine.model import Choice, Model
from hipnerve.engine.percent import percent
from hipnerve.evaluation.metrics import Band, CaseMix, Summary, hit
from hipnerve.evaluation.simulate import CaseRun
from hipnerve.interview.session import InterviewResult, Question, RankedCondition
from hipnerve.kb.models import TriageLevel
from hipnerve.triage.rules import TriageResult

BANNERS: dict[TriageLevel, tuple[str, str]] = {
    TriageLevel.EMERGENCY_AMBULANCE: ("white on red", "CALL AN AMBULANCE NOW"),
    TriageLevel.EMERGENCY: ("white on red", "GO TO AN EMERGENCY DEPARTMENT NOW"),
    TriageLevel.CONSULTATION_24: ("black on yellow", "SEE A DOCTOR WITHIN 24 HOURS"),
    TriageLevel.CONSULTATION: ("black on cyan", "BOOK AN APPOINTMENT WITH A GP OR PHYSIOTHERAPIST"),
    TriageLevel.SELF_CARE: ("black on green", "YOU CAN LOOK AFTER THIS AT HOME FOR NOW"),
}


def render_question(console: Console, question: Question, number: int) -> None:
    tag = " [red](warning signs)[/]" if question.red_flag else ""
    console.print()
    console.rule(f"Question {number}{tag}")
    console.print(f"[bold]{question.text}[/]")
    if question.kind == "group_multiple":
        # A grid keeps a long item's wrapped lines under its text, not under its number.
        items = Table.grid(padding=(0, 1))
        items.add_column(justify="right", no_wrap=True)
        items.add_column(ratio=1)
        for index, item in enumerate(question.items, start=1):
            known = " [dim](already noted)[/]" if item.current is Choice.PRESENT else ""
            items.add_row(f"[bold]{index}.[/]", f"{item.text}{known}")
        console.print(Padding(items, (0, 0, 0, 2)))
        console.print("[dim]Type the numbers that apply (e.g. 1 3), 0 if none, d if you don't know, ? why, b back.[/]")


def render_urgent(console: Console, triage: TriageResult, firm: bool) -> None:
    """Mid-interview: once the level is an emergency, say so before the next question, as the web
    page does. ``firm``: a warning-sign rule set it (it stands); otherwise it may still change."""
    style, title = BANNERS[triage.level]
    reasons = [f"• {r.text}" for r in triage.reasons if r.level is triage.level][:2]
    if firm:
        after = (
            "You can stop now: type q to see what to do. "
            "The next few questions are optional: they help the emergency team."
        )
    else:
        after = (
            "This comes from how likely a serious cause looks on your answers so far. The next questions can make "
            "the advice clearer, and it may change. If you are worried, type q to stop and see what to do."
        )
    console.print()
    console.print(Panel("\n".join([*reasons, "", after]), title=f"[bold]{title}[/]", style=style, padding=(0, 1)))


def _bar(probability: float, width: int = 20) -> str:
    filled = round(probability * width)
    return "█" * filled + "░" * (width - filled)


def _evidence_line(model: Model, items: Sequence[Contribution]) -> str:
    parts = []
    for item in items:
        finding = model.kb.findings[item.finding]
        said = "yes" if item.choice is Choice.PRESENT else "no"
        parts.append(f"{finding.text.rstrip('?')} — you said {said} (×{item.ratio:.1f})")
    return "; ".join(parts) if parts else "-"


def render_result(console: Console, model: Model, outcome: InterviewResult, top: int = 5) -> None:
    style, title = BANNERS[outcome.triage.level]
    reasons = [r for r in outcome.triage.reasons if r.level is outcome.triage.level]
    body = "\n".join(f"• {r.text}" for r in reasons[:3])
    console.print()
    console.print(Panel(body, title=f"[bold]{title}[/]", style=style, padding=(1, 2)))
    table = Table(title="Possible causes (most likely first)", show_lines=True, expand=True)
    table.add_column("Cause", ratio=4)
    table.add_column("Chance", ratio=2, no_wrap=True)
    table.add_column("Why", ratio=7)
    # The bar fits its column (2/13 of the width inside the borders, less padding and "98% ");
    # a terminal too narrow for a useful bar shows the number alone.
    bar_width = min(20, (console.width - 4) * 2 // 13 - 7) if console.width >= 72 else 0
    for entry in outcome.entries[:top]:
        condition = entry.lead
        why = (
            f"[green]For:[/] {_evidence_line(model, condition.supporting)}\n"
            f"[red]Against:[/] {_evidence_line(model, condition.conflicting)}"
        )
        related = "".join(f"\n[dim]• {c.name}: {percent(c.probability)}[/]" for c in entry.related)
        if related:
            related = "\n[italic]Same picture, shown together:[/]" + related
        table.add_row(
            f"[bold]{condition.name}[/]\n[dim]{condition.clinician_name}[/]{related}",
            f"{percent(condition.probability)} {_bar(condition.probability, bar_width)}".rstrip(),
            why,
        )
    console.print(table)
    shown = outcome.shown(top)
    hidden = [c for c in outcome.rule_out if c.id not in shown]
    if hidden:
        console.print("[bold red]Also to be checked for, because of your warning signs:[/]")
        for condition in hidden:
            chance = percent(condition.probability)
            console.print(f"  • {condition.name} [dim]({condition.clinician_name}; {chance})[/]")
    others = [r for r in outcome.triage.reasons if r.level is not outcome.triage.level]
    if others:
        console.print("[bold]Also keep in mind:[/]")
        for reason in others[:4]:
            console.print(f"  • {reason.text}")
    console.print(f"\n[dim]Questions asked: {outcome.questions}. Knowledge base {model.kb.version}.[/]")
    console.print(f"[italic]{model.kb.manifest.disclaimer}[/]")


def _contribution_json(model: Model, item: Contribution) -> dict[str, Any]:
    source = model.kb.sources[item.term.likelihood.source]
    return {
        "finding": item.finding,
        "label": model.kb.findings[item.finding].label,
        "choice": item.choice.value,
        "likelihood_ratio": round(item.ratio, 3),
        "damped": item.damped,
        "estimate": item.term.likelihood.estimate,
        "source": {"id": source.id, "citation": source.citation},
    }


def condition_json(model: Model, condition: RankedCondition) -> dict[str, Any]:
    return {
        "id": condition.id,
        "name": condition.name,
        "clinician_name": condition.clinician_name,
        "probability": round(condition.probability, 4),
        "supporting": [_contribution_json(model, c) for c in condition.supporting],
        "conflicting": [_contribution_json(model, c) for c in condition.conflicting],
    }


def result_json(model: Model, outcome: InterviewResult) -> dict[str, Any]:
    return {
        "triage": {
            "level": outcome.triage.level.value,
            "reasons": [
                {
                    "level": r.level.value,
                    "rule": r.rule_id,
                    "condition": r.condition_id,
                    "red_flag": r.red_flag,
                    "suspects": list(r.suspects),
                    "text": r.text,
                    "clinician_text": r.clinician_text,
                    "source": {"id": r.source.id, "citation": r.source.citation},
                }
                for r in outcome.triage.reasons
            ],
        },
        "conditions": [condition_json(model, c) for c in outcome.conditions],
        # The list a person sees: each family of conditions as one entry, most probable member first.
        "differential": [list(entry.ids) for entry in outcome.entries],
        "rule_out": [c.id for c in outcome.rule_out],
        "questions": outcome.questions,
        "knowledge_base": model.kb.version,
    }


def _pct(value: float) -> str:
    return f"{value:.1%}"


def render_evaluation(
    console: Console,
    summary: Summary,
    ceiling: Summary | None,
    recall: dict[str, tuple[int, int]],
    bands: Sequence[Band],
    runs: Sequence[CaseRun],
    mix: Mapping[str, CaseMix] | None = None,
    evidence_only: Summary | None = None,
    closed: Summary | None = None,
) -> None:
    table = Table(title=f"Vignette evaluation (n = {summary.n})")
    table.add_column("metric")
    table.add_column("adaptive", justify="right")
    if ceiling is not None:
        table.add_column("ask-all (ceiling)", justify="right")
    if closed is not None:
        table.add_column("closed screens", justify="right")
    rows: list[tuple[str, Callable[[Any], str], str]] = [
        ("top-1", _pct, "top1"),
        ("top-3", _pct, "top3"),
        ("top-3, flat list (no families)", _pct, "top3_flat"),
        ("triage exact", _pct, "triage_exact"),
        ("under-triage", _pct, "under_triage"),
        ("under-triage of emergencies (cases)", str, "under_triage_emergency"),
        ("over-triage", _pct, "over_triage"),
        ("safe advice (at most 1 level low)", _pct, "safe_advice"),
        ("questions, median", lambda v: f"{v:.1f}", "questions_median"),
        ("questions, p90", lambda v: f"{v:.1f}", "questions_p90"),
        ("Brier score", lambda v: f"{v:.4f}", "brier"),
        ("must-not-miss cases", str, "must_not_miss_n"),
        ("  ... one in top 3", _pct, "must_not_miss_top3"),
        ("  ... in top 3 or rule-out list", _pct, "must_not_miss_flagged"),
        ("other cases with a rule-out entry", _pct, "rule_out_other"),
    ]
    for label, fmt, key in rows:
        cells = [fmt(getattr(summary, key))]
        if ceiling is not None:
            cells.append(fmt(getattr(ceiling, key)))
        if closed is not None:
            cells.append(fmt(getattr(closed, key)))
        table.add_row(label, *cells)
    console.print(table)
    if closed is not None:
        console.print(
            "Closed screens: unticked items on a screen with a tick count as 'no', as the app records them "
            "(a diagnostic beside the protocol's don't-know)."
        )
    info = Table(title="By information: findings the case reports present")
    for column in ("present findings", "cases", "top-1", "top-3"):
        info.add_column(column, justify="right")
    for band in bands:
        info.add_row(band.label, str(band.n), _pct(band.top1), _pct(band.top3))
    console.print(info)
    if mix:
        _render_case_mix(console, mix, evidence_only)
    per = Table(title="Per-condition recall (in top 3)")
    per.add_column("condition")
    per.add_column("top-3", justify="right")
    for condition, (hits, n) in recall.items():
        per.add_row(condition, f"{hits}/{n}")
    console.print(per)
    misses = [r for r in runs if not hit(r, 3) or r.result.triage.level is not r.case.expected_triage]
    for run in misses:
        console.print(
            f"[yellow]{run.case.id}[/]: expected {list(run.case.expected_conditions)} / "
            f"{run.case.expected_triage}; got {[list(e.ids) for e in run.result.entries[:3]]} / "
            f"{run.result.triage.level.value}"
        )


def _render_case_mix(console: Console, mix: Mapping[str, CaseMix], evidence_only: Summary | None) -> None:
    first = next(iter(mix.values()))
    table = Table(
        title="Case mix: cases about a must-not-miss cause "
        f"{_pct(first.must_not_miss_share_cases)} of this set, {_pct(first.must_not_miss_share_population)} "
        "of the population the priors describe"
    )
    table.add_column("re-weighted to the modelled population")
    for name in mix:
        table.add_column(name.replace("_", "-"), justify="right")
    table.add_row("top-1", *(_pct(m.top1) for m in mix.values()))
    table.add_row("top-3", *(_pct(m.top3) for m in mix.values()))
    table.add_row("population covered by the set's conditions", *(_pct(m.coverage) for m in mix.values()))
    console.print(table)
    if evidence_only is not None:
        console.print(
            f"Evidence only (every prior equal, every question asked): top-1 {_pct(evidence_only.top1)}, "
            f"top-3 {_pct(evidence_only.top3)}. A diagnostic of the likelihoods, not the product's ranking."
        )


def render_plan(console: Console, plan: dict[str, Any]) -> None:
    """The care plan in the terminal: what to do now, medicines, exercises, whom to see, prevention."""
    console.rule("[bold]Your care plan[/]")
    console.print("[italic]General information to discuss with a clinician - not a prescription.[/]")
    sections: list[tuple[str, list[str]]] = [
        ("What to do now", [s["text"] for s in plan["first_steps"]]),
        ("Who to see", [f"{r['role'].replace('_', ' ')}: {r['when']} - {r['why']}" for r in plan["care_team"]]),
    ]
    for title, lines in sections:
        console.print(f"\n[bold]{title}[/]")
        for line in lines:
            console.print(f"  • {line}")
    console.print(f"\n[bold]Pain medicines[/] [dim]{plan['medicines']['disclaimer']}[/]")
    for item in plan["medicines"]["items"]:
        status = {"suitable": "[green]may suit you[/]", "caution": "[yellow]ask first[/]"}.get(
            item["status"], "[red]not for you[/]" if item["status"] == "blocked" else "[dim]ask the team[/]"
        )
        console.print(f"  • [bold]{item['name']}[/] - {status}")
        if item["status"] in {"suitable", "caution"}:
            console.print(f"      {item['usual_dose']} Max: {item['max_daily'].rstrip('.')}.")
        for entry in item["blocked_because"] + item["cautions"]:
            console.print(f"      - {entry['text']}" + (f" Ask {entry['ask']}." if "ask" in entry else ""))
    console.print("\n[bold]Exercises[/]")
    if plan["exercise_note"]:
        console.print(f"  {plan['exercise_note']}")
    for exercise in plan["exercises"]:
        console.print(f"  • [bold]{exercise['name']}[/] ({exercise['dosage'].rstrip('.')}). {exercise['stop_if']}")
    for week in plan["schedule"]:
        console.print(f"  Week {week['week']}: {', '.join(week['exercises']) or '-'}")
    if plan["injections_and_surgery"]:
        console.print("\n[bold]Injections and surgery (to discuss, not to decide here)[/]")
        for proc in plan["injections_and_surgery"]:
            console.print(f"  • {proc['name']}: {proc['when_considered']}")
    console.print("\n[bold]Prevention[/]")
    for item in plan["prevention"]:
        console.print(f"  • {item['title']}: {item['text']}")
    if plan["weight_goal"]:
        console.print(f"  • {plan['weight_goal']}")
    console.print("\n[bold red]Get help sooner if[/]")
    for item in plan["seek_care_sooner"]:
        console.print(f"  • {item['text']}")
    for line in plan["not_personalised"]:
        console.print(f"[dim]{line}[/]")
