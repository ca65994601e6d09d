"""SystemDigitalTwin: keeps a simulated model of the machines and answers what-if questions."""

import asyncio
import decimal
import os
import statistics
import sys
from concurrent import futures

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

from common.base_agent import BaseAgent

AGENT_NAME = "SystemDigitalTwin"
SERVICE_PORT = 7202
HEALTH_PORT = 8202

WATTS = decimal.Context(prec=10, rounding=decimal.ROUND_HALF_UP)
MACHINES = ("mainpc", "pc2")


class TwinProtocol(asyncio.Protocol):
    def __init__(self):
        self.readings = []
        self.transport = None

    def connection_made(self, transport):
        self.transport = transport

    def data_received(self, data):
        for line in data.decode("ascii").splitlines():
            machine, _, value = line.partition("=")
            self.readings.append((machine, WATTS.create_decimal(value)))

    def eof_received(self):
        return False


async def _sample(machine, load, step):
    await asyncio.sleep(0)
    watts = WATTS.multiply(decimal.Decimal(load), decimal.Decimal(step + 1) / decimal.Decimal(4))
    return "%s=%s\n" % (machine, watts)


def _peak(readings):
    return str(max(value for _, value in readings)) if readings else "0"


async def _simulate(load, steps):
    protocol = TwinProtocol()
    protocol.connection_made(None)
    lines = await asyncio.gather(*(_sample(m, load, s) for s in range(steps) for m in MACHINES))
    for line in lines:
        protocol.data_received(line.encode("ascii"))
    protocol.eof_received()
    loop = asyncio.get_running_loop()
    with futures.ThreadPoolExecutor(max_workers=2) as pool:
        peak = await loop.run_in_executor(pool, _peak, protocol.readings)
    return protocol.readings, peak


def handle_run(params):
    try:
        load = decimal.Decimal(params.get("x", "12.5"))
        steps = int(params.get("steps", "4"))
    except (decimal.InvalidOperation, ValueError):
        raise ValueError("x must be a number and steps an integer")
    if not 1 <= steps <= 64:
        raise ValueError("steps must be between 1 and 64")
    readings, peak = asyncio.run(_simulate(load, steps))
    per_machine = {
        m: str(WATTS.create_decimal(sum(v for name, v in readings if name == m)))
        for m in MACHINES
    }
    return {
        "agent": AGENT_NAME,
        "load": str(load),
        "steps": steps,
        "total_watts": per_machine,
        "peak_watts": peak,
        "median_watts": str(statistics.median(v for _, v in readings)),
    }


class SystemDigitalTwin(BaseAgent):
    agent_name, service_port, health_port = AGENT_NAME, SERVICE_PORT, HEALTH_PORT

    def handle_run(self, params):
        return handle_run(params)


if __name__ == "__main__":
    sys.exit(SystemDigitalTwin().serve())
