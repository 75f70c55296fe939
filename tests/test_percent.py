"""Probabilities are shown one way everywhere: never "0%" for a cause still on the list, never "100%"."""

from __future__ import annotations

import pytest

from hipnerve.engine.percent import percent


@pytest.mark.parametrize(
    ("probability", "shown"),
    [
        (0.0001, "under 1%"),
        (0.0049, "under 1%"),
        (0.005, "1%"),
        (0.237, "24%"),
        (0.5, "50%"),
        (0.994, "99%"),
        (0.995, "over 99%"),
        (0.99999, "over 99%"),
    ],
)
def test_percent(probability: float, shown: str) -> None:
    assert percent(probability) == shown
