"""ModelManagerAgent: picks the model that serves a task and prepares its download."""

import concurrent.futures as cf
import dataclasses
import os
import ssl
import sys
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

from common.base_agent import BaseAgent

AGENT_NAME = "ModelManagerAgent"
SERVICE_PORT = 7220
HEALTH_PORT = 8220

MODEL_MIRROR = "https://models.fleet.invalid/v1/"


@dataclasses.dataclass(frozen=True)
class ModelSpec:
    name: str
    params_b: float
    quant_bits: int
    tasks: tuple = ()

    def vram_gb(self):
        return round(self.params_b * self.quant_bits / 8 * 1.2, 2)


CATALOG = (
    ModelSpec("phi-mini", 3.8, 4, ("chat", "summarise")),
    ModelSpec("llama-8b", 8.0, 4, ("chat", "reason", "translate")),
    ModelSpec("mistral-7b", 7.2, 8, ("reason", "code")),
    ModelSpec("whisper-small", 0.24, 16, ("speech",)),
)


def _score(spec, task, budget_gb):
    fits = spec.vram_gb() <= budget_gb
    return spec.name, (2.0 if task in spec.tasks else 0.0) + (1.0 if fits else -5.0) - spec.vram_gb() / 100


def tls_settings(protocol=ssl.PROTOCOL_TLS_CLIENT):
    ctx = ssl.SSLContext(protocol)
    return {"check_hostname": ctx.check_hostname, "verify_mode": ctx.verify_mode.name}


def download_request(spec):
    req = urllib.request.Request(
        MODEL_MIRROR + spec.name + ".gguf",
        method="HEAD",
        headers={"User-Agent": "fleetshell-demo/1", "X-Quant-Bits": str(spec.quant_bits)},
    )
    return {"url": req.full_url, "method": req.get_method(), "host": req.host,
            "headers": sorted(req.header_items())}


def handle_run(params):
    task = params.get("x", "chat")
    try:
        budget = float(params.get("budget_gb", "8"))
    except ValueError:
        raise ValueError("budget_gb must be a number")
    with cf.ThreadPoolExecutor(max_workers=2) as pool:
        scores = dict(pool.map(lambda spec: _score(spec, task, budget), CATALOG))
    best = max(CATALOG, key=lambda spec: (scores[spec.name], spec.name))
    return {
        "agent": AGENT_NAME,
        "task": task,
        "selected": dataclasses.asdict(best),
        "scores": {k: round(v, 4) for k, v in sorted(scores.items())},
        "vram_gb": best.vram_gb(),
        "download": download_request(best),
        "tls": tls_settings(),
    }


class ModelManagerAgent(BaseAgent):
    agent_name, service_port, health_port = AGENT_NAME, SERVICE_PORT, HEALTH_PORT

    def handle_run(self, params):
        return handle_run(params)


if __name__ == "__main__":
    sys.exit(ModelManagerAgent().serve())
