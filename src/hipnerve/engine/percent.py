"""One way to show a probability as a whole percentage, everywhere it is shown.

Rounding alone turns a must-not-miss cause at 0.3% into "0%", which reads as "ruled out"; it is
shown as "under 1%" instead (and a near-certainty as "over 99%", never "100%").
"""

from __future__ import annotations

import math


def percent(probability: float) -> str:
    """``0.004`` -> ``"under 1%"``, ``0.237`` -> ``"24%"``, ``0.999`` -> ``"over 99%"``."""
    if probability < 0.005:
        return "under 1%"
    if probability >= 0.995:
        return "over 99%"
    return f"{math.floor(probability * 100 + 0.5)}%"
