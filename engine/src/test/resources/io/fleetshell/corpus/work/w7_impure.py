"""Functions that look cacheable but are not: a counter, a clock, a mutable result. Nothing is cached."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from common.demo_runtime import serve

SEEN = []


def remember(x):
    SEEN.append(x)
    return len(SEEN)


def pair(x):
    return [x, x]


def handle_run(params):
    x = params.get("x", "a")
    result = pair(x)
    result.append(remember(x))
    return {"result": result}


if __name__ == "__main__":
    sys.exit(serve("W7", handle_run, 0, 0))
