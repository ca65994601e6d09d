"""A pure function that is sometimes given a list: cached calls with hashable arguments, the list ones run as before."""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from common.demo_runtime import serve


def weigh(values, power):
    total = 0
    for _ in range(3000):
        total = sum(v ** power for v in values) + total % 7
    return total


def handle_run(params):
    n = int(params.get("x", "3"))
    return {"tuple": weigh(tuple(range(n)), 2), "list": weigh(list(range(n)), 2)}


if __name__ == "__main__":
    sys.exit(serve("W6", handle_run, 0, 0))
