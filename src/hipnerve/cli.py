"""The ``hipnerve`` command line: a thin edge over the interview, evaluation and knowledge checks.

Exit codes: 0 success, 1 a check failed (``kb check``), 2 bad input (a clear message says which).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from hipnerve import __version__
from hipnerve.cli_render import (
    render_evaluation,
    render_plan,
    render_question,
    render_result,
    render_urgent,
    result_json,
)
from hipnerve.engine.model import MAX_AGE, MIN_AGE, Choice, Model, Patient, Sex, default_model
from hipnerve.evaluation.cases import load_cases, parse_case
from hipnerve.evaluation.metrics import (
    by_information,
    case_mix,
    equal_priors_model,
    recall_by_condition,
    summarise,
)
from hipnerve.evaluation.simulate import run_case
from hipnerve.exceptions import CaseFormatError, HipnerveError, InputError, KnowledgeError
from hipnerve.interview.session import (
    Question,
    answer,
    assess,
    result,
    start_interview,
    undo,
)
from hipnerve.kb.careplan_loader import check_careplan, read_careplan
from hipnerve.kb.check import check_knowledge
from hipnerve.kb.loader import read_knowledge
from hipnerve.kb.models import TriageLevel

app = typer.Typer(
    help="hipnerve: hip pain with numbness, tingling or weakness in the leg - decision support, not a diagnosis.",
    no_args_is_help=True,
    add_completion=False,
)
kb_app = typer.Typer(help="Check and describe the knowledge base.", no_args_is_help=True)
app.add_typer(kb_app, name="kb")

out = Console()
err = Console(stderr=True)


def _fail(message: str, code: int = 2) -> typer.Exit:
    err.print(f"[bold red]error:[/] {message}")
    return typer.Exit(code)


def _model() -> Model:
    try:
        return default_model()
    except KnowledgeError as exc:
        raise _fail(str(exc), 1) from None


@app.callback()
def _main(
    version: Annotated[bool, typer.Option("--version", help="Show the version and exit.")] = False,
) -> None:
    if version:
        out.print(f"hipnerve {__version__}")
        raise typer.Exit(0)


# --- assess -------------------------------------------------------------------------------------


def _read_case_file(path: Path, model: Model) -> Any:
    if not path.is_file():
        raise _fail(f"case file {str(path)!r} not found")
    text = path.read_text(encoding="utf-8").strip()
    if path.suffix == ".jsonl":
        lines = [line for line in text.splitlines() if line.strip()]
        if len(lines) != 1:
            raise _fail(f"{path}: --case takes one case; this file has {len(lines)} lines (use `hipnerve evaluate`)")
        text = lines[0]
    try:
        return parse_case(text, model)
    except CaseFormatError as exc:
        raise _fail(f"{path}: {exc}") from None


PROMPT_HELP = "numbers of the items that apply (e.g. 1 3), 0 = none, d = don't know, ? = why we ask, b = back, q = quit"


def _command(reply: str, question: Question) -> str | None:
    """The commands every prompt understands: quit, back, and ? (why we ask: prints, then 'again')."""
    if reply in {"q", "quit", "exit"}:
        return "quit"
    if reply in {"b", "back"}:
        return "back"
    if reply == "?":
        out.print(f"[cyan]Why we ask:[/] {question.why}")
        return "again"
    return None


def _ask_group(question: Question) -> dict[str, Choice] | str:
    """Ask a tick-all-that-apply screen; return the answers or a command ('back', 'quit')."""
    while True:
        reply = out.input("[bold]> [/]").strip().lower()
        command = _command(reply, question)
        if command == "again":
            continue
        if command is not None:
            return command
        if reply in {"d", "dk", "don't know", "dont know"}:
            return {item.finding: Choice.UNKNOWN for item in question.items}
        if reply in {"0", "none", "n", "no"}:
            return {item.finding: Choice.ABSENT for item in question.items}
        picks = reply.replace(",", " ").split()
        try:
            numbers = {int(p) for p in picks}
        except ValueError:
            out.print(f"[yellow]Please type {PROMPT_HELP}.[/]")
            continue
        if not numbers or not all(1 <= n <= len(question.items) for n in numbers):
            out.print(f"[yellow]Choose numbers from 1 to {len(question.items)}, or 0 for none.[/]")
            continue
        return {
            item.finding: Choice.PRESENT if index in numbers else Choice.ABSENT
            for index, item in enumerate(question.items, start=1)
        }


def _ask_single(question: Question) -> dict[str, Choice] | str:
    finding = question.items[0].finding
    while True:
        reply = out.input("[bold]y / n / d (don't know), ? why, b back > [/]").strip().lower()
        command = _command(reply, question)
        if command == "again":
            continue
        if command is not None:
            return command
        mapping = {
            "y": Choice.PRESENT,
            "yes": Choice.PRESENT,
            "n": Choice.ABSENT,
            "no": Choice.ABSENT,
        }
        mapping |= {"d": Choice.UNKNOWN, "dk": Choice.UNKNOWN, "don't know": Choice.UNKNOWN}
        if reply in mapping:
            return {finding: mapping[reply]}
        out.print("[yellow]Please answer y, n or d (or ? / b).[/]")


def _ask_int(prompt: str, low: int, high: int) -> int:
    while True:
        reply = out.input(prompt).strip()
        if reply.lower() in {"q", "quit"}:
            raise typer.Exit(0)
        if reply.isdigit() and low <= int(reply) <= high:
            return int(reply)
        out.print(f"[yellow]Please type a whole number from {low} to {high}.[/]")


def _interactive(model: Model, age: int | None, sex: str | None) -> None:
    out.rule("[bold]hipnerve[/] - hip pain, numbness, tingling or weakness in the leg")
    out.print(
        "This is decision support and education, [bold]not a diagnosis[/]. If you feel very unwell, "
        "call your local emergency number now.\nWe ask about warning signs first. "
        "Type [bold]?[/] to see why we ask, [bold]b[/] to go back, [bold]q[/] to quit.\n"
    )
    if age is None:
        age = _ask_int("How old are you? ", MIN_AGE, MAX_AGE)
    while sex not in {"female", "male"}:
        sex = out.input("Sex recorded at birth (female / male)? ").strip().lower()
        sex = {"f": "female", "m": "male"}.get(sex, sex)
    state = start_interview(model, age, sex)
    while True:
        step = assess(model, state)
        if step.question is None:
            break
        urgent = step.triage.level.rank >= TriageLevel.EMERGENCY.rank
        if urgent:
            render_urgent(out, step.triage, step.firm_emergency)
        render_question(out, step.question, len(state.asked) + 1)
        reply = _ask_group(step.question) if step.question.kind == "group_multiple" else _ask_single(step.question)
        if reply == "quit":
            if urgent:  # stopping now must still show what to do
                render_result(out, model, result(model, state))
            out.print("Stopped. Nothing was saved.")
            raise typer.Exit(0)
        if reply == "back":
            if state.asked:
                state = undo(state)
            else:
                out.print("[yellow]This is the first question.[/]")
            continue
        assert isinstance(reply, dict)
        state = answer(model, state, step.question.id, reply)
    render_result(out, model, result(model, state))


@app.command("assess")
def assess_command(
    case: Annotated[
        Path | None,
        typer.Option("--case", help="Run one case file (JSON) non-interactively with a simulated patient."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
    ask_all: Annotated[bool, typer.Option("--ask-all", help="Ask every question (the ceiling).")] = False,
    age: Annotated[int | None, typer.Option(help="Age in years (18-120).")] = None,
    sex: Annotated[str | None, typer.Option(help="female or male.")] = None,
) -> None:
    """Run the interview: in the terminal, or on a case file with --case."""
    model = _model()
    try:
        if case is None:
            if age is not None:
                Patient(age, Sex.FEMALE)  # the engine's own check: InvalidDemographicsError names the age
            if sex is not None and sex not in {"female", "male"}:
                raise _fail(f"sex must be 'female' or 'male', got {sex!r}")
            _interactive(model, age, sex)
            return
        parsed = _read_case_file(case, model)
        run = run_case(model, parsed, ask_all=ask_all)
    except InputError as exc:
        raise _fail(str(exc)) from None
    except (EOFError, KeyboardInterrupt):
        out.print("\nStopped. Nothing was saved.")
        raise typer.Exit(130) from None
    if as_json:
        payload = result_json(model, run.result)
        payload["transcript"] = [{"question": t.question, "answer": t.answers} for t in run.transcript]
        out.print_json(json.dumps(payload))
    else:
        render_result(out, model, run.result)


# --- plan ---------------------------------------------------------------------------------------


def _emergency_number(given: str | None) -> str:
    """The number the plan shows: the option, else the deployment setting (HIPNERVE_EMERGENCY_NUMBER)."""
    if given is not None:
        if not given.strip():
            raise _fail("--emergency-number must not be empty")
        return given.strip()
    from hipnerve.config import Settings

    return Settings().emergency_number


EmergencyNumberOption = Annotated[
    str | None,
    typer.Option(
        "--emergency-number",
        help="Emergency number to show in the plan (default: HIPNERVE_EMERGENCY_NUMBER, else 999).",
    ),
]


@app.command()
def plan(
    case: Annotated[Path, typer.Option("--case", help="A case file (JSON) run with the simulated patient.")],
    factors: Annotated[
        Path | None, typer.Option("--factors", help="A JSON file of person factors (height_cm, weight_kg, ...).")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the plan as JSON.")] = False,
    emergency_number: EmergencyNumberOption = None,
) -> None:
    """Build the personalised care plan for a case: not a prescription."""
    from pydantic import ValidationError

    from hipnerve.careplan.builder import build_plan
    from hipnerve.careplan.factors import check_against_person
    from hipnerve.careplan.present import plan_to_dict
    from hipnerve.interview.person import PersonFactors
    from hipnerve.kb.careplan_loader import load_careplan

    model = _model()
    parsed = _read_case_file(case, model)
    person = None
    if factors is not None:
        if not factors.is_file():
            raise _fail(f"factors file {str(factors)!r} not found")
        try:
            person = PersonFactors.model_validate_json(factors.read_text(encoding="utf-8"))
            check_against_person(person, parsed.sex)
        except ValidationError as exc:
            first = exc.errors()[0]
            field = ".".join(str(p) for p in first["loc"]) or "factors"
            raise _fail(f"{factors}: field {field!r}: {first['msg']}") from None
        except ValueError as exc:
            raise _fail(f"{factors}: {exc}") from None
    run = run_case(model, parsed)
    built = build_plan(model, load_careplan(), run.result, parsed.age, person, _emergency_number(emergency_number))
    data = plan_to_dict(model.kb, built)
    if as_json:
        out.print_json(json.dumps(data))
    else:
        render_plan(out, data)


# --- report ---------------------------------------------------------------------------------------


@app.command()
def report(
    case: Annotated[Path, typer.Option("--case", help="A case file (JSON) run with the simulated patient.")],
    fhir: Annotated[Path | None, typer.Option("--fhir", help="Write the FHIR R4 bundle (JSON) here.")] = None,
    pdf: Annotated[Path | None, typer.Option("--pdf", help="Write the clinician PDF report here.")] = None,
    emergency_number: EmergencyNumberOption = None,
) -> None:
    """Export a case's assessment and care plan: FHIR R4 bundle and/or clinician PDF."""
    if fhir is None and pdf is None:
        raise _fail("give --fhir FILE and/or --pdf FILE")
    from hipnerve.careplan.builder import build_plan
    from hipnerve.exports.fhir import build_bundle
    from hipnerve.kb.careplan_loader import load_careplan

    model = _model()
    parsed = _read_case_file(case, model)
    run = run_case(model, parsed)
    plan_built = build_plan(model, load_careplan(), run.result, parsed.age, None, _emergency_number(emergency_number))
    try:
        if fhir is not None:
            bundle = build_bundle(model, run.state, run.result, plan_built)
            fhir.write_text(bundle.model_dump_json(indent=2), encoding="utf-8")
            out.print(f"FHIR bundle with {len(bundle.entry or [])} resources written to {fhir}")
        if pdf is not None:
            from hipnerve.exports.pdf import render_pdf, report_html

            pdf.write_bytes(render_pdf(report_html(model, run.state, run.result, plan_built)))
            out.print(f"PDF report written to {pdf}")
    except OSError as exc:
        raise _fail(f"could not write {exc.filename!r}: {exc.strerror}") from None


# --- evaluate -----------------------------------------------------------------------------------


@app.command()
def evaluate(
    paths: Annotated[list[Path], typer.Argument(help="Vignette files (JSON Lines).")],
    as_json: Annotated[bool, typer.Option("--json", help="Print figures as JSON.")] = False,
    ask_all: Annotated[
        bool,
        typer.Option("--ask-all", help="Also run every case asking every question (the ceiling)."),
    ] = False,
    failures: Annotated[bool, typer.Option("--failures", help="List the cases that miss top-3 or triage.")] = False,
    equal_priors: Annotated[
        bool,
        typer.Option(
            "--equal-priors",
            help="Also rank every case by its answers alone (every question asked, every prior equal): "
            "a diagnostic of the likelihoods, not the product's ranking.",
        ),
    ] = False,
    closed_screens: Annotated[
        bool,
        typer.Option(
            "--closed-screens",
            help="Also run every case with a patient who answers 'no' to each item left unticked on a "
            "screen where they ticked something, as the app records it: a diagnostic beside the protocol.",
        ),
    ] = False,
) -> None:
    """Evaluate vignettes through the real interview with a simulated patient."""
    model = _model()
    cases = []
    problems = []
    for path in paths:
        found, bad = load_cases(path, model)
        cases.extend(found)
        problems.extend(bad)
    runs = [run_case(model, c) for c in cases]
    ceiling = [run_case(model, c, ask_all=True) for c in cases] if ask_all else []
    summary = summarise(runs, model.must_not_miss)
    ceiling_summary = summarise(ceiling, model.must_not_miss) if ask_all else None
    recall = recall_by_condition(runs)
    bands = by_information(runs)
    mix = {"adaptive": case_mix(runs, model)}
    if ask_all:
        mix["ask_all"] = case_mix(ceiling, model)
    closed_summary = None
    if closed_screens:
        closed_runs = [run_case(model, c, closed_screens=True) for c in cases]
        closed_summary = summarise(closed_runs, model.must_not_miss)
    evidence_only = None
    if equal_priors:
        flat = equal_priors_model(model)
        evidence_only = summarise([run_case(flat, c, ask_all=True) for c in cases])
    if as_json:
        payload: dict[str, Any] = summary.as_dict()
        if ceiling_summary is not None:
            payload["ask_all"] = ceiling_summary.as_dict()
        payload["case_mix"] = {k: v.as_dict() for k, v in mix.items()}
        if closed_summary is not None:
            payload["closed_screens"] = closed_summary.as_dict()
        if evidence_only is not None:
            payload["evidence_only"] = {"top1": evidence_only.top1, "top3": evidence_only.top3}
        payload["per_condition_recall"] = {c: {"top3": h, "n": n} for c, (h, n) in recall.items()}
        payload["by_information"] = [
            {"present_findings": b.label, "n": b.n, "top1": b.top1, "top3": b.top3} for b in bands
        ]
        payload["problems"] = [str(p) for p in problems]
        out.print_json(json.dumps(payload))
    else:
        render_evaluation(
            out, summary, ceiling_summary, recall, bands, runs if failures else [], mix, evidence_only, closed_summary
        )
    for problem in problems:
        err.print(f"[bold red]error:[/] {problem}")
    if problems:
        raise typer.Exit(2)


# --- serve --------------------------------------------------------------------------------------


@app.command()
def serve(
    host: Annotated[str | None, typer.Option(help="Address to listen on (default from HIPNERVE_HOST).")] = None,
    port: Annotated[int | None, typer.Option(help="Port (default from HIPNERVE_PORT, 8000).")] = None,
    workers: Annotated[
        int,
        typer.Option(
            min=1,
            help="Worker processes sharing the port (default 1). Each is one Python process on one core: "
            "on a machine with several cores, more workers serve more requests at once.",
        ),
    ] = 1,
) -> None:
    """Serve the web app and JSON API (SQLite under ./data unless DATABASE_URL is set)."""
    import uvicorn

    from hipnerve.config import Settings
    from hipnerve.web.app import create_app

    settings = Settings()
    try:
        application = create_app(settings)
    except ValueError as exc:
        raise _fail(str(exc)) from None
    bind_host = host or settings.host
    bind_port = port or settings.port
    out.print(f"hipnerve on http://{bind_host}:{bind_port}  (API docs: /docs)")
    # httptools parses HTTP; the standard asyncio loop rather than uvloop: under 50 concurrent
    # connections uvloop gave the same throughput but a p99 latency three to ten times worse
    # (it runs newly arrived requests before flushing finished responses). See docs/evaluation.md.
    options: dict[str, Any] = {
        "host": bind_host,
        "port": bind_port,
        "access_log": False,
        "log_level": "warning",
        "http": "httptools",
        "loop": "asyncio",
    }
    if workers == 1:
        uvicorn.run(application, **options)
    else:
        _serve_workers(bind_host, bind_port, workers, options)


def _serve_workers(host: str, port: int, workers: int, options: dict[str, Any]) -> None:
    """Several uvicorn worker processes on one listening socket.

    Each worker builds its own app from the same environment (the database was migrated and the
    settings checked by the app ``serve`` built first). The socket is bound here as a TCP socket:
    the one uvicorn binds for its workers leaves the protocol number at 0, so asyncio does not
    switch Nagle's algorithm off on the accepted connections (uvicorn issue #3149), and every
    response body after the headers then waits for the client's delayed ACK, some 40 ms.
    """
    import contextlib
    import socket

    from uvicorn import Config
    from uvicorn.supervisors import Multiprocess

    config = Config("hipnerve.web.app:create_app", factory=True, workers=workers, **options)
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    listener = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        listener.bind((host, port))
    except OSError as exc:
        raise _fail(f"cannot listen on {host}:{port}: {exc}") from None
    listener.set_inheritable(True)
    with contextlib.suppress(KeyboardInterrupt):
        Multiprocess(config, sockets=[listener]).run()


# --- kb -----------------------------------------------------------------------------------------


@kb_app.command("check")
def kb_check(
    path: Annotated[
        Path | None,
        typer.Option(help="A knowledge directory to check instead of the packaged one."),
    ] = None,
) -> None:
    """Validate every knowledge file and cross-reference; exit 1 on any problem."""
    if path is not None and not path.is_dir():
        raise _fail(f"knowledge directory {str(path)!r} not found")
    kb, problems = read_knowledge(path)
    if kb is not None:
        problems.extend(check_knowledge(kb))
        plan_knowledge, plan_problems = read_careplan(path)
        problems.extend(plan_problems)
        if plan_knowledge is not None:
            problems.extend(check_careplan(kb, plan_knowledge))
    for problem in problems:
        err.print(f"[red]✗[/] {problem}", soft_wrap=True)
    if problems or kb is None:
        err.print(f"[bold red]kb check failed:[/] {len(problems)} problem(s)")
        raise typer.Exit(1)
    out.print(
        f"[green]✓[/] knowledge base {kb.version}: {len(kb.conditions)} conditions, {len(kb.findings)} findings, "
        f"{len(kb.sources)} sources, {len(kb.triage.rules)} triage rules - no problems"
    )


@kb_app.command("stats")
def kb_stats(
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Count conditions, findings, sources and triage rules."""
    kb = _model().kb
    stats = {
        "conditions": len(kb.conditions),
        "findings": len(kb.findings),
        "sources": len(kb.sources),
        "triage_rules": len(kb.triage.rules),
    }
    if as_json:
        out.print_json(json.dumps(stats))
    else:
        for key, value in stats.items():
            out.print(f"{key:>14}: {value}")


@kb_app.command("findings")
def kb_findings() -> None:
    """List every finding id with its patient wording."""
    kb = _model().kb
    for finding in kb.findings.values():
        out.print(f"[bold]{finding.id}[/] ({finding.group or 'single'}): {finding.text}")


def main() -> None:
    try:
        app()
    except HipnerveError as exc:  # a last guard: our own errors never end in a traceback
        err.print(f"[bold red]error:[/] {exc}")
        sys.exit(2)


if __name__ == "__main__":
    main()
