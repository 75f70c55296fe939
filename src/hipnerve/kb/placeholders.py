"""Placeholders in patient-facing care-plan text, filled in wherever a plan is shown.

Care-plan knowledge must not hard-code deployment facts such as the emergency telephone number: the
text says ``{emergency_number}`` and the plan builder fills it from the deployment's setting
(``Settings.emergency_number``; the UK's 999 where no setting applies). ``kb check`` refuses a
placeholder that is not listed here, an unmatched brace, and a hard-coded emergency number.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterator, Mapping
from typing import Any, TypeVar

from pydantic import BaseModel

DEFAULT_EMERGENCY_NUMBER = "999"
"""The UK's emergency number, used where no deployment setting applies."""

PLACEHOLDERS: Mapping[str, str] = {
    "emergency_number": "the deployment's emergency telephone number (HIPNERVE_EMERGENCY_NUMBER)",
}

_FIELD = re.compile(r"\{([^{}]*)\}")
_HARD_CODED = re.compile(r"(?<![\d{.,])(999|911|112)(?![\d}]|[.,]\d)")

T = TypeVar("T")


def text_problems(text: str) -> list[str]:
    """What is wrong with one text's placeholders (empty = fine)."""
    problems = [
        f"unknown placeholder {{{name}}} (known: {', '.join('{' + k + '}' for k in PLACEHOLDERS)})"
        for name in _FIELD.findall(text)
        if name not in PLACEHOLDERS
    ]
    if "{" in _FIELD.sub("", text) or "}" in _FIELD.sub("", text):
        problems.append("unmatched '{' or '}'")
    problems += [
        f"hard-coded emergency number {number!r}: write {{emergency_number}} instead"
        for number in _HARD_CODED.findall(_FIELD.sub("", text))
    ]
    return problems


def fill_text(text: str, values: Mapping[str, str]) -> str:
    """Replace each known ``{name}``; anything else is left as written (``kb check`` refuses it)."""
    return _FIELD.sub(lambda m: values.get(m.group(1), m.group(0)), text)


def fill(value: T, values: Mapping[str, str]) -> T:
    """A copy of ``value`` with every string inside it filled: strings, tuples, frozen pydantic
    models and frozen dataclasses are rebuilt; anything else (numbers, enums, None) is returned as is.
    """
    result: Any = value
    if type(value) is str:  # not str subclasses such as enums
        result = fill_text(str(value), values)
    elif isinstance(value, tuple):
        result = tuple(fill(item, values) for item in value)
    elif isinstance(value, BaseModel):
        changed = {
            name: filled
            for name in type(value).model_fields
            if (filled := fill(getattr(value, name), values)) is not getattr(value, name)
        }
        result = value.model_copy(update=changed) if changed else value
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        updates = {f.name: fill(getattr(value, f.name), values) for f in dataclasses.fields(value)}
        result = dataclasses.replace(value, **updates)
    return result  # type: ignore[no-any-return]


def strings(value: Any, path: str = "") -> Iterator[tuple[str, str]]:
    """Every string inside a knowledge object, with its dotted field path."""
    if type(value) is str:
        yield path, value
    elif isinstance(value, tuple | list):
        for index, item in enumerate(value):
            yield from strings(item, f"{path}[{index}]")
    elif isinstance(value, dict):
        for key, item in value.items():
            yield from strings(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            yield from strings(getattr(value, name), f"{path}.{name}" if path else name)
