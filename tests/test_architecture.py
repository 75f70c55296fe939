"""Imports flow one way: knowledge → engine → triage → interview → evaluation/storage → cli.

The pure core (kb, engine, triage, interview) performs no I/O beyond reading packaged knowledge.
"""

from __future__ import annotations

import ast
from pathlib import Path

import hipnerve

PACKAGE = Path(hipnerve.__file__).parent
LAYERS = {
    "exceptions": 0,
    "kb": 1,
    "engine": 2,
    "triage": 3,
    "interview": 4,
    "careplan": 4,
    "evaluation": 5,
    "storage": 5,
    "exports": 5,
    "config": 5,
    "cli_render": 6,
    "cli": 7,
}
IO_MODULES = {"socket", "sqlite3", "subprocess", "requests", "httpx", "urllib"}


def _layer(module: str) -> int | None:
    parts = module.split(".")
    if parts[0] != "hipnerve" or len(parts) < 2:
        return None
    return LAYERS.get(parts[1])


def _imports(path: Path) -> list[str]:
    tree = ast.parse(path.read_text())
    names: list[str] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.append(node.module)
    return names


def test_imports_flow_one_way() -> None:
    for path in PACKAGE.rglob("*.py"):
        own_name = path.relative_to(PACKAGE).parts[0].removesuffix(".py")
        own = LAYERS.get(own_name)
        if own is None:
            continue
        for name in _imports(path):
            other = _layer(name)
            assert other is None or other <= own, f"{path.name} ({own_name}) imports {name}: against the layering"


def test_pure_core_does_no_io() -> None:
    for folder in ("engine", "triage", "interview", "careplan"):
        for path in (PACKAGE / folder).rglob("*.py"):
            text = path.read_text()
            for name in _imports(path):
                assert name.split(".")[0] not in IO_MODULES, f"{path} imports {name}"
            assert "open(" not in text and "print(" not in text, f"{path} does I/O"
