"""Small helpers for random draws, shared by the enterprises and the hazards."""
from __future__ import annotations

import math
import random


def accumulate(values):
    total = 0.0
    for value in values:
        total += value
        yield total


def geometric(rng: random.Random, p: float) -> int:
    return int(math.log(1.0 - rng.random()) / math.log(1.0 - p))
