"""DreamWorldAgent: replays simulated scenarios ("dreams") for offline learning."""

import fractions
import logging.config
import os
import random
import statistics
import sys
import xmlrpc.server

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

from common.base_agent import BaseAgent

AGENT_NAME = "DreamWorldAgent"
SERVICE_PORT = 7104
HEALTH_PORT = 8104

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(name)s %(levelname)s %(message)s"}},
    "handlers": {"stderr": {"class": "logging.StreamHandler", "formatter": "plain", "stream": "ext://sys.stderr"}},
    "loggers": {"dream_world": {"handlers": ["stderr"], "level": os.environ.get("LOG_LEVEL", "INFO").upper()}},
}


class DreamDispatcher(xmlrpc.server.SimpleXMLRPCDispatcher):
    def __init__(self):
        super().__init__(allow_none=False, encoding="utf-8")
        self.register_function(self.dream, "dream.run")
        self.register_function(self.score, "dream.score")
        self.register_introspection_functions()

    def dream(self, seed, steps):
        rng = random.Random(seed)
        position, path = 0, []
        for _ in range(steps):
            position += rng.choice((-1, 1)) * rng.randint(1, 3)
            path.append(position)
        return path

    def score(self, path):
        if not path:
            return "0"
        reward = fractions.Fraction(sum(1 for p in path if p > 0), len(path))
        return str(reward)


DISPATCHER = None


def dispatcher():
    global DISPATCHER
    if DISPATCHER is None:
        DISPATCHER = DreamDispatcher()
    return DISPATCHER


def handle_run(params):
    try:
        seed = int(params.get("x", "7"))
        steps = int(params.get("steps", "20"))
    except ValueError:
        raise ValueError("x and steps must be integers")
    if not 1 <= steps <= 1000:
        raise ValueError("steps must be 1..1000")
    rpc = dispatcher()
    path = rpc._dispatch("dream.run", (seed, steps))
    reward = rpc._dispatch("dream.score", (path,))
    logging.getLogger("dream_world").debug("dream seed=%d steps=%d reward=%s", seed, steps, reward)
    return {
        "agent": AGENT_NAME,
        "seed": seed,
        "path": path,
        "final": path[-1],
        "mean_position": round(statistics.fmean(path), 6),
        "reward": reward,
        "methods": rpc._dispatch("system.listMethods", ()),
    }


class DreamWorldAgent(BaseAgent):
    agent_name, service_port, health_port = AGENT_NAME, SERVICE_PORT, HEALTH_PORT

    def handle_run(self, params):
        return handle_run(params)


if __name__ == "__main__":
    logging.config.dictConfig(LOGGING)
    sys.exit(DreamWorldAgent().serve())
