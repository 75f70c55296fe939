"""Geometry of the schematic body map (front and back views), generated once.

The person faces you in the front view, so their right leg is on your left; in the back view their
right leg is on your right. Each shape is a region of one side (or the centre), so it becomes a
``pain:region:side`` or ``numbness:region:side`` mark.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache


@dataclass(frozen=True)
class Shape:
    region: str
    side: str  # left | right | centre
    x: float
    y: float
    width: float
    height: float
    radius: float = 6.0


def _leg_front(side: str, x0: float, lateral_left: bool) -> list[Shape]:
    """One leg seen from the front; ``lateral_left`` says whether its outer side is on the left."""
    width = 62.0

    def strip(a: float, b: float) -> tuple[float, float]:
        # a, b are fractions from the outer edge; convert to x positions
        if lateral_left:
            return x0 + a * width, (b - a) * width
        return x0 + width - b * width, (b - a) * width

    ox, ow = strip(0.0, 0.28)
    fx, fw = strip(0.28, 0.68)
    ix, iw = strip(0.68, 1.0)
    hx, hw = strip(0.0, 0.45)
    gx, gw = strip(0.5, 1.0)
    lx, lw = strip(0.08, 0.5)
    mx, mw = strip(0.5, 0.92)
    tx, tw = strip(0.05, 0.72)
    bx, bw = strip(0.72, 0.98)
    return [
        Shape("outer_hip", side, hx, 98, hw, 30),
        Shape("groin", side, gx, 104, gw, 24),
        Shape("outer_thigh", side, ox, 132, ow, 118),
        Shape("front_thigh", side, fx, 132, fw, 118),
        Shape("inner_thigh", side, ix, 132, iw, 118),
        Shape("knee", side, x0 + 6, 254, width - 12, 30, 12),
        Shape("outer_lower_leg", side, lx, 288, lw, 100),
        Shape("inner_lower_leg", side, mx, 288, mw, 100),
        Shape("top_of_foot", side, tx, 392, tw, 26),
        Shape("big_toe", side, bx, 392, bw, 26, 8),
    ]


def _leg_back(side: str, x0: float, lateral_left: bool) -> list[Shape]:
    width = 62.0
    if lateral_left:
        outer_x, heel_x = x0 + 2, x0 + 22
    else:
        outer_x, heel_x = x0 + 42, x0 + 2
    return [
        Shape("buttock", side, x0, 100, width, 46, 18),
        Shape("back_thigh", side, x0 + 4, 150, width - 8, 100),
        Shape("calf", side, x0 + 8, 288, width - 16, 100, 14),
        Shape("heel_sole", side, heel_x, 392, 38, 26, 8),
        Shape("outer_foot", side, outer_x, 392, 18, 26, 8),
    ]


@cache
def front_shapes() -> tuple[Shape, ...]:
    # viewer's left = person's right leg, outer side on the viewer's left
    return tuple(_leg_front("right", 28, True) + _leg_front("left", 110, False))


@cache
def back_shapes() -> tuple[Shape, ...]:
    # seen from behind: viewer's left = person's left leg, outer side on the viewer's left
    centre = [
        Shape("low_back", "centre", 52, 36, 96, 56, 14),
        Shape("saddle", "centre", 88, 140, 24, 22, 10),
    ]
    return tuple(_leg_back("left", 28, True) + _leg_back("right", 110, False) + centre)


@cache
def silhouette(view: str) -> tuple[Shape, ...]:
    """A faint outline of the lower body drawn behind the regions, so the map reads as a body."""
    trunk = Shape("body", "centre", 40, 28 if view == "back" else 60, 120, 96 if view == "back" else 70, 22)
    hips = Shape("body", "centre", 22, 92, 156, 62, 26)
    legs = [Shape("body", "centre", x, 120, 70, 282, 24) for x in (24, 106)]
    feet = [Shape("body", "centre", x, 386, 70, 36, 14) for x in (22, 106)]
    return (trunk, hips, *legs, *feet)
