"""A pure, expensive function called repeatedly with the same arguments: cache_optimization caches it."""
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from common.demo_runtime import serve

STEPS = 20000


def series(word, scale):
    total = 0.0
    for i in range(STEPS):
        total += math.sin(i * scale) * len(word)
    return round(total, 6)


def as_int(x):
    return int(x)


def handle_run(params):
    word = params.get("x", "a")
    return {"series": series(word, 0.5), "twice": series(word + word, 0.5), "typed": [series(word, 1), series(word, 1.0)]}


if __name__ == "__main__":
    sys.exit(serve("W5", handle_run, 0, 0))
