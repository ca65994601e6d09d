"""LearningAdjusterAgent: tunes the learning rate of the tutoring models from feedback."""

import fractions
import json
import os
import statistics
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

from common.demo_runtime import serve

AGENT_NAME = "LearningAdjusterAgent"
SERVICE_PORT = 7231
HEALTH_PORT = 8231

BASE_RATE = fractions.Fraction(1, 100)


def schedule(base_rate, decay, steps):
    rates = []
    for step in range(steps):
        rate = base_rate * (1 - decay) ** step)
        rates.append(rate)
    return rates


def handle_run(params):
    try:
        decay = fractions.Fraction(params.get("x", "1/10"))
        steps = int(params.get("steps", "5"))
    except (ValueError, ZeroDivisionError):
        raise ValueError("x must be a fraction and steps an integer")
    rates = schedule(BASE_RATE, decay, steps)
    return {
        "agent": AGENT_NAME,
        "rates": [str(r) for r in rates],
        "mean": str(statistics.mean(rates)),
        "as_json": json.dumps([float(r) for r in rates]),
    }


if __name__ == "__main__":
    sys.exit(serve(AGENT_NAME, handle_run, SERVICE_PORT, HEALTH_PORT))
