"""Load the knowledge files into one immutable :class:`KnowledgeBase`.

Files are read with :mod:`importlib.resources` from ``hipnerve/knowledge`` by default, or from a
directory (for ``kb check --path`` and for tests that build broken knowledge bases on purpose).
Loading never stops at the first bad file: :func:`read_knowledge` returns every problem it finds,
and :func:`load_knowledge` raises one :class:`KnowledgeError` listing them all.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from hipnerve.exceptions import KnowledgeError
from hipnerve.kb.models import (
    BodyMapFile,
    Cluster,
    Condition,
    Finding,
    FindingGroup,
    FindingsFile,
    Manifest,
    Source,
    SourcesFile,
    TriageFile,
)


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the knowledge base, located by file and id."""

    file: str
    item: str
    message: str

    def __str__(self) -> str:
        where = f"{self.file}: {self.item}" if self.item else self.file
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class KnowledgeBase:
    manifest: Manifest
    sources: dict[str, Source]
    groups: dict[str, FindingGroup]
    findings: dict[str, Finding]
    clusters: tuple[Cluster, ...]
    conditions: dict[str, Condition]
    triage: TriageFile
    bodymap: BodyMapFile
    source_files: dict[str, str] = field(default_factory=dict)
    condition_files: dict[str, str] = field(default_factory=dict)

    @property
    def version(self) -> str:
        return self.manifest.version


def _documents(root: Traversable) -> Iterator[tuple[str, Traversable]]:
    for name in ("manifest.yaml", "findings.yaml", "triage_rules.yaml", "bodymap.yaml"):
        yield name, root / name
    for folder in ("sources", "conditions"):
        directory = root / folder
        if directory.is_dir():
            for item in sorted(directory.iterdir(), key=lambda t: t.name):
                if item.name.endswith((".yaml", ".yml")):
                    yield f"{folder}/{item.name}", item


def _item_of(error: dict[str, Any], raw: Any) -> str:
    """Name the id of the list entry a validation error sits in, when there is one."""
    location = error.get("loc", ())
    node = raw
    name = ""
    for part in location:
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            break
        if isinstance(node, dict) and isinstance(node.get("id"), str):
            name = node["id"]
        elif isinstance(node, dict) and isinstance(node.get("finding"), str):
            name = f"{name} → {node['finding']}" if name else node["finding"]
    return name


def _validation_problems(file: str, error: ValidationError, raw: Any) -> list[Problem]:
    problems = []
    for detail in error.errors():
        path = ".".join(str(p) for p in detail["loc"])
        item = _item_of(dict(detail), raw)
        problems.append(Problem(file, item, f"{path}: {detail['msg']}"))
    return problems


def _register(
    registry: dict[str, Any], files: dict[str, str], item_id: str, item: Any, file: str, kind: str
) -> list[Problem]:
    """Add an item by id; a second item with the same id is a problem naming both files."""
    problems = []
    if item_id in registry:
        problems.append(Problem(file, item_id, f"duplicate {kind} id (also in {files[item_id]})"))
    registry[item_id] = item
    files.setdefault(item_id, file)
    return problems


def read_knowledge(path: Path | None = None) -> tuple[KnowledgeBase | None, list[Problem]]:
    """Read and validate every file; return the knowledge base (if it could be built) and problems."""
    root: Traversable = resources.files("hipnerve") / "knowledge" if path is None else path
    problems: list[Problem] = []
    manifest: Manifest | None = None
    findings_file: FindingsFile | None = None
    triage: TriageFile | None = None
    bodymap: BodyMapFile | None = None
    sources: dict[str, Source] = {}
    source_files: dict[str, str] = {}
    conditions: dict[str, Condition] = {}
    condition_files: dict[str, str] = {}

    for name, item in _documents(root):
        if not item.is_file():
            problems.append(Problem(name, "", "file is missing"))
            continue
        try:
            raw = yaml.safe_load(item.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            problems.append(Problem(name, "", f"not valid YAML: {exc}"))
            continue
        try:
            if name == "manifest.yaml":
                manifest = Manifest.model_validate(raw)
            elif name == "findings.yaml":
                findings_file = FindingsFile.model_validate(raw)
            elif name == "triage_rules.yaml":
                triage = TriageFile.model_validate(raw)
            elif name == "bodymap.yaml":
                bodymap = BodyMapFile.model_validate(raw)
            elif name.startswith("sources/"):
                for source in SourcesFile.model_validate(raw).sources:
                    problems += _register(sources, source_files, source.id, source, name, "source")
            else:
                condition = Condition.model_validate(raw)
                problems += _register(conditions, condition_files, condition.id, condition, name, "condition")
        except ValidationError as exc:
            problems.extend(_validation_problems(name, exc, raw))

    if manifest is None or findings_file is None or triage is None or bodymap is None:
        return None, problems

    findings: dict[str, Finding] = {}
    for finding in findings_file.findings:
        if finding.id in findings:
            problems.append(Problem("findings.yaml", finding.id, "duplicate finding id"))
        findings[finding.id] = finding
    groups: dict[str, FindingGroup] = {}
    for group in findings_file.groups:
        if group.id in groups:
            problems.append(Problem("findings.yaml", group.id, "duplicate group id"))
        groups[group.id] = group

    kb = KnowledgeBase(
        manifest=manifest,
        sources=sources,
        groups=groups,
        findings=findings,
        clusters=findings_file.clusters,
        conditions=dict(sorted(conditions.items())),
        triage=triage,
        bodymap=bodymap,
        source_files=source_files,
        condition_files=condition_files,
    )
    return kb, problems


@cache
def load_knowledge() -> KnowledgeBase:
    """The packaged knowledge base, checked; raises :class:`KnowledgeError` listing every problem."""
    from hipnerve.kb.check import check_knowledge

    kb, problems = read_knowledge()
    if kb is not None:
        problems.extend(check_knowledge(kb))
    if kb is None or problems:
        listing = "\n".join(f"  - {p}" for p in problems)
        raise KnowledgeError(f"the knowledge base has {len(problems)} problem(s):\n{listing}")
    return kb
