"""ServiceRegistry: hands out stable service ids to the agents of the fleet."""

import hashlib
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

from common.base_agent import BaseAgent

AGENT_NAME = "ServiceRegistry"
SERVICE_PORT = 7200
HEALTH_PORT = 8200

REGISTRY_SALT = hashlib.blake2s(b"fleetshell-demo-registry", digest_size=8).hexdigest()


def service_id(name):
    digest = hashlib.blake2s((REGISTRY_SALT + ":" + name).encode("utf-8"), digest_size=6)
    return "svc-" + digest.hexdigest()


def handle_run(params):
    names = [n.strip() for n in params.get("x", "ServiceRegistry").split(",") if n.strip()]
    if not names:
        raise ValueError("x must name at least one agent")
    records = [{"name": n, "id": service_id(n)} for n in sorted(set(names))]
    document = json.dumps({"services": records}, sort_keys=True, separators=(",", ":"))
    return {
        "agent": AGENT_NAME,
        "services": records,
        "document_sha256": hashlib.sha256(document.encode("utf-8")).hexdigest(),
    }


class ServiceRegistry(BaseAgent):
    agent_name, service_port, health_port = AGENT_NAME, SERVICE_PORT, HEALTH_PORT

    def handle_run(self, params):
        return handle_run(params)


if __name__ == "__main__":
    sys.exit(ServiceRegistry().serve())
