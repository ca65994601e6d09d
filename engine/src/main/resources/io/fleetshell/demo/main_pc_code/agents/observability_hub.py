"""ObservabilityHub: collects samples from the fleet and summarises them."""

import json
import logging
import logging.handlers
import os
import statistics
import sys
import uuid

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

from common.demo_runtime import serve

AGENT_NAME = "ObservabilityHub"
SERVICE_PORT = 7201
HEALTH_PORT = 8201

log = logging.getLogger("observability_hub")


class _Collector(logging.Handler):
    def __init__(self):
        super().__init__()
        self.records = []

    def emit(self, record):
        self.records.append(self.format(record))


def summarise(samples):
    collector = _Collector()
    collector.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    buffer = logging.handlers.MemoryHandler(capacity=64, flushLevel=logging.CRITICAL, target=collector)
    events = logging.Logger("observability_hub.events", logging.DEBUG)
    events.addHandler(buffer)
    try:
        for value in samples:
            level = logging.WARNING if value > statistics.fmean(samples) * 2 else logging.DEBUG
            events.log(level, "sample=%s", value)
        buffer.flush()
    finally:
        events.removeHandler(buffer)
        buffer.close()
    summary = {
        "count": len(samples),
        "mean": round(statistics.fmean(samples), 6),
        "median": statistics.median(samples),
        "pstdev": round(statistics.pstdev(samples), 6),
        "quantiles": [round(q, 6) for q in statistics.quantiles(samples, n=4)] if len(samples) > 1 else [],
        "warnings": sum(1 for r in collector.records if r.startswith("WARNING")),
    }
    return summary


def handle_run(params):
    raw = params.get("x", "3,1,4,1,5,9,2,6")
    try:
        samples = [float(v) for v in raw.split(",") if v.strip()]
    except ValueError:
        raise ValueError("x must be a comma-separated list of numbers")
    if not samples:
        raise ValueError("x must hold at least one number")
    trace = uuid.uuid5(uuid.NAMESPACE_URL, "fleetshell-demo:" + raw)
    result = summarise(samples)
    result["agent"] = AGENT_NAME
    result["trace_id"] = str(trace)
    result["digest"] = json.dumps(result, sort_keys=True)[:40]
    return result


if __name__ == "__main__":
    sys.exit(serve(AGENT_NAME, handle_run, SERVICE_PORT, HEALTH_PORT))
