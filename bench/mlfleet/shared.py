"""The B1 fleet shaped like real ones (issue 14 item 5): agents on a shared base class module that carries the load.

    cd bench && python3 -m mlfleet.shared DIR --python VENV/bin/python [--per-archetype 2]

Real fleets (LAZY_IMPORTS.md, "Shared modules") spend most of each agent's module load inside the fleet's own
shared modules: the agents subclass one base class (`common/core/base_agent.py`), whose imports and the shared
modules it imports (config loader, error bus, metrics, serialization) pull in redis, pydantic, numpy, PyYAML,
requests and zmq. The agent file must keep its import of the base class eager (rule 1: a base class), so a rewrite
of agent files alone cannot reach that cost; a rewrite of the shared modules can, where their imports are deferrable.

The shared modules hold the traps of LAZY_IMPORTS.md, so a correct rewrite must leave these imports eager:
  common/serialization.py  `class Envelope(pydantic.BaseModel)`: a base class defined from an imported class;
                           `@handles("decode")` from the error bus: a decorator registry filled at import time,
                           which BaseAgent reads; deferring `import common.serialization` loses the handler
  common/error_bus.py      `_RUNBOOKS = urllib.request.build_opener()`: a module-level client (stays eager)
  common/config_loader.py  `DEFAULTS = yaml.safe_load(...)`: a module-level constant (yaml stays eager)
and these deferrable (used only inside functions and methods), which is what a shared-module rewrite can gain:
  common/core/base_agent.py  `import numpy as np`, `import zmq`, `import redis.asyncio as aioredis`
  common/metrics.py          `import numpy as np`
  common/error_bus.py        `import redis` (a client is made only when an error is published), `import requests`
  common/serialization.py    `import msgpack`
`SHARED_DEFERRABLE` lists them for the floor variant (deleted there: measurement only). The base class module is
imported by both machines' agents; `common/metrics.py` is also imported directly by some agents.

Archetypes (all subclass BaseAgent): plain subclasses (most of the fleet), agents with their own heavy imports on top
(numpy, requests, zmq + msgpack: deferrable in the agent file, yet loaded anyway by the shared modules), one with
a yaml module-level constant of its own, and one importing `common.metrics` directly.
"""
import argparse
import json
import os
import shutil
from pathlib import Path

from .generate import DEMO, config_text, fill, machine_dir, snake

PACKAGES = ("redis", "pydantic", "numpy", "pyyaml", "requests", "pyzmq", "msgpack")
MODULES = ("redis", "pydantic", "numpy", "yaml", "requests", "zmq", "msgpack")

SHARED = {
    "common/core/__init__.py": "",
    "common/config_loader.py": '''"""Fleet configuration: defaults merged with the agent's own settings."""
import json
import os

import yaml

# trap (module-level constant): yaml is used while this module loads, so it stays eager
DEFAULTS = yaml.safe_load("""
timeout_s: 5
retries: 2
log_level: INFO
""")


def load_config(agent_name, overrides=None):
    config = dict(DEFAULTS)
    config["agent"] = agent_name
    config["machine"] = os.environ.get("FLEET_MACHINE", "local")
    config.update(overrides or {})
    return config


def dump_config(config):
    return json.dumps(config, sort_keys=True)
''',
    "common/error_bus.py": '''"""Errors of every agent, kept locally, published to redis when the fleet's bus is configured."""
import os
import urllib.request

import redis
import requests

# trap (module-level client): an HTTP client built while this module loads, so urllib.request stays eager
_RUNBOOKS = urllib.request.build_opener()
_RUNBOOKS.addheaders = [("User-Agent", "fleet-error-bus")]

HANDLERS = {}
RECENT = []


def handles(kind):
    """Registers the handler of one kind of error (the registry is filled while modules load)."""
    def register(fn):
        HANDLERS[kind] = fn
        return fn
    return register


def _bus():
    # redis is used only here, when an error is published: nothing is contacted unless FLEET_REDIS_URL is set
    return redis.Redis.from_url(os.environ["FLEET_REDIS_URL"], socket_connect_timeout=0.2)


def report(kind, detail):
    handler = HANDLERS.get(kind)
    entry = {"kind": kind, "detail": handler(detail) if handler else str(detail)}
    RECENT.append(entry)
    if os.environ.get("FLEET_REDIS_URL"):
        _bus().publish("fleet-errors", str(entry))
    return entry


def runbook(url):
    """The runbook page of an error kind, through the module's client."""
    with _RUNBOOKS.open(url, timeout=2) as page:
        return page.read().decode()


def post_alert(url, entry):
    """Sends one error to the alerting webhook (the self-tests patch requests.post)."""
    return requests.post(url, json=entry, timeout=2).status_code
''',
    "common/metrics.py": '''"""Latency figures every agent reports."""
import math

import numpy as np


class Meter:
    def __init__(self, name):
        self.name = name
        self.values = []

    def observe(self, value):
        self.values.append(float(value))

    def percentile(self, q):
        if not self.values:
            return None
        return round(float(np.percentile(np.asarray(self.values), q)), 6)


def geometric_mean(values):
    return round(math.exp(sum(math.log(v) for v in values) / len(values)), 6)
''',
    "common/serialization.py": '''"""The envelope every agent answers in, and its binary form."""
import pydantic
import msgpack

from common.error_bus import handles


# trap (base class from an imported class): pydantic is used while this module loads, so it stays eager
class Envelope(pydantic.BaseModel):
    agent: str
    seq: int
    payload: dict


# trap (decorator registry): importing this module registers the "decode" handler that BaseAgent relies on
@handles("decode")
def describe_decode_error(detail):
    return "cannot decode: %s" % detail


def pack(envelope):
    return msgpack.packb(envelope.model_dump(), use_bin_type=True)


def unpack(data):
    return Envelope(**msgpack.unpackb(data, raw=False))
''',
    "common/core/base_agent.py": '''"""The base class of every agent of the fleet: configuration, metrics, errors and the answer envelope."""
import os

import numpy as np
import redis.asyncio as aioredis
import zmq

import common.serialization as serialization
from common.config_loader import load_config
from common.error_bus import HANDLERS, report
from common.metrics import Meter


class BaseAgent:
    """Subclasses implement compute(params) -> dict; run() wraps it in the fleet's envelope."""

    def __init__(self, name):
        self.name = name
        self.config = load_config(name)
        self.meter = Meter(name)
        self.seq = 0

    def compute(self, params):
        raise NotImplementedError

    def run(self, params):
        self.seq += 1
        try:
            payload = self.compute(params)
        except ValueError as exc:
            return {"agent": self.name, "error": report("decode", exc)["detail"]}
        self.meter.observe(len(str(payload)))
        envelope = serialization.Envelope(agent=self.name, seq=self.seq, payload=payload)
        # the envelope goes through its binary form as it would on the bus: what comes back is what is answered
        return serialization.unpack(serialization.pack(envelope)).model_dump()

    def spread(self, values):
        arr = np.asarray(values, dtype=float)
        return round(float(arr.max() - arr.min()), 6)

    def transport(self):
        """What the fleet's bus would use: a zmq PUB socket type and redis' asyncio client class."""
        return {"zmq_socket": zmq.PUB, "redis_client": aioredis.Redis.__name__, "bus": bool(os.environ.get("FLEET_REDIS_URL"))}

    def error_kinds(self):
        return sorted(HANDLERS)
''',
}

# The imports a correct shared-module rewrite may defer (used only inside functions): deleted in the floor.
SHARED_DEFERRABLE = {
    "common/core/base_agent.py": ("import numpy as np", "import redis.asyncio as aioredis", "import zmq"),
    "common/metrics.py": ("import numpy as np",),
    "common/error_bus.py": ("import redis", "import requests"),
    "common/serialization.py": ("import msgpack",),
}

AGENT_TEMPLATE = '''"""@NAME@: generated B1 shared-fleet agent (archetype @KEY@).

Shape: @SHAPE@.
"""
@IMPORTS@import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

from common.core.base_agent import BaseAgent
from common.demo_runtime import serve
@MORE@
AGENT_NAME = "@NAME@"
SERVICE_PORT = @PORT@
HEALTH_PORT = @HEALTH@


def _floats(params, default):
    raw = params.get("x", default)
    try:
        values = [float(v) for v in raw.split(",") if v.strip()]
    except ValueError:
        raise ValueError("x must be comma-separated numbers, got %r" % raw)
    if len(values) < 2:
        raise ValueError("x needs at least 2 numbers")
    return values


class @CLASS@(BaseAgent):
@BODY@

AGENT = @CLASS@(AGENT_NAME)


def handle_run(params):
    return AGENT.run(params)


if __name__ == "__main__":
    sys.exit(serve(AGENT_NAME, handle_run, SERVICE_PORT, HEALTH_PORT))
'''

TEST_TEMPLATE = '''"""Self-test of @NAME@: its answers checked against standard-library computations, the shared modules' state."""
import importlib.util
import math
import os
import statistics
import sys
import unittest
from unittest import mock

AGENT_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "agents", "@MODULE@.py")


def _load():
    spec = importlib.util.spec_from_file_location("@MODULE@", AGENT_PATH)
    module = importlib.util.module_from_spec(spec)
    sys.modules["@MODULE@"] = module
    spec.loader.exec_module(module)
    return module


agent = _load()
error_bus = sys.modules["common.error_bus"]


class SelfTest(unittest.TestCase):
    def test_the_decode_handler_is_registered_by_loading_the_agent(self):
        self.assertIn("decode", error_bus.HANDLERS)

    def test_answers_in_the_envelope(self):
        answer = agent.handle_run({"x": "1,2,3"})
        self.assertEqual(answer["agent"], "@NAME@")
        self.assertEqual(sorted(answer), ["agent", "payload", "seq"])

    def test_bad_input_is_reported_through_the_decode_handler(self):
        answer = agent.handle_run({"x": "1,zz"})
        self.assertTrue(answer["error"].startswith("cannot decode: x must be"), answer)

    def test_transport_and_spread(self):
        self.assertEqual(agent.AGENT.transport()["zmq_socket"], 1)
        self.assertEqual(agent.AGENT.transport()["redis_client"], "Redis")
        self.assertEqual(agent.AGENT.spread([3, 1, 4]), 3.0)

    def test_alerts_go_through_requests(self):
        with mock.patch("common.error_bus.requests.post") as post:
            post.return_value.status_code = 202
            self.assertEqual(error_bus.post_alert("http://alerts.invalid/hook", {"kind": "x"}), 202)
@TESTS@

if __name__ == "__main__":
    unittest.main()
'''


class Archetype:
    def __init__(self, key, names, shape, imports, body, sample, tests, more=""):
        self.key, self.names, self.shape, self.imports, self.body = key, names, shape, imports, body
        self.sample, self.tests, self.more = sample, tests, more
        self.needs = MODULES  # through the shared modules, every agent needs every package


ARCHETYPES = [
    Archetype("plain", ("RouteAgent", "PlannerAgent", "SchedulerAgent", "NotifierAgent"),
              "subclasses BaseAgent, no imports of its own: all of its load is the shared modules'",
              "import json\n",
              '''    def compute(self, params):
        values = _floats(params, "2,4,8")
        return {"sum": round(sum(values), 6), "digest": json.dumps(values)[:32], "spread": self.spread(values)}
''', "x=2,4,8",
              '''
    def test_sum(self):
        self.assertEqual(agent.handle_run({"x": "2,4,8"})["payload"]["sum"], 14.0)
'''),
    Archetype("numpy_own", ("ScoringAgent", "RankerAgent", "EmbedderAgent"),
              "own `import numpy as np` used only in compute: deferrable in the agent file, but common.metrics loads numpy anyway",
              "import numpy as np\n",
              '''    def compute(self, params):
        values = _floats(params, "1,2,3,4")
        arr = np.asarray(values)
        return {"norm": round(float(np.linalg.norm(arr)), 6), "mean": round(float(arr.mean()), 6)}
''', "x=1,2,3,4",
              '''
    def test_norm_and_mean(self):
        payload = agent.handle_run({"x": "1,2,3,4"})["payload"]
        self.assertAlmostEqual(payload["norm"], math.sqrt(30), places=5)
        self.assertAlmostEqual(payload["mean"], statistics.mean([1, 2, 3, 4]), places=6)
        self.assertIs(agent.np, sys.modules["numpy"])
'''),
    Archetype("requests_own", ("WebhookAgent", "HarvestAgent"),
              "own `import requests` used only in a method (its test patches agent.requests.get); error_bus loads requests anyway",
              "import requests\n",
              '''    def fetch(self, url):
        return requests.get(url, timeout=2).status_code

    def compute(self, params):
        values = _floats(params, "5,1")
        return {"max": max(values), "min": min(values)}
''', "x=5,1",
              '''
    def test_fetch_goes_through_the_module_global(self):
        with mock.patch("@MODULE@.requests.get") as get:
            get.return_value.status_code = 204
            self.assertEqual(agent.AGENT.fetch("http://example.invalid/"), 204)
        self.assertEqual(agent.handle_run({"x": "5,1"})["payload"], {"max": 5.0, "min": 1.0})
'''),
    Archetype("zmq_msgpack_own", ("StreamAgent", "RelayAgent"),
              "own `import zmq` and `import msgpack` used only in methods: deferrable here, loaded by the shared modules anyway",
              "import msgpack\nimport zmq\n",
              '''    def frame(self, values):
        return msgpack.packb(values)

    def compute(self, params):
        values = _floats(params, "3,1,2")
        return {"frame_bytes": len(self.frame(values)), "kind": zmq.PUSH, "sorted": sorted(values)}
''', "x=3,1,2",
              '''
    def test_frame(self):
        payload = agent.handle_run({"x": "3,1,2"})["payload"]
        self.assertEqual(payload["sorted"], [1.0, 2.0, 3.0])
        self.assertEqual(payload["kind"], 8)
        self.assertEqual(payload["frame_bytes"], 28)
'''),
    Archetype("yaml_constant", ("RulesAgent", "PolicyAgent"),
              "own `import yaml` with a module-level constant `RULES = yaml.safe_load(...)` (trap: stays eager)",
              "import yaml\n",
              '''    def compute(self, params):
        values = _floats(params, "1,9")
        limit = RULES["limit"]
        return {"over": [v for v in values if v > limit], "limit": limit}
''', "x=1,9",
              '''
    def test_rules(self):
        self.assertEqual(agent.handle_run({"x": "1,9"})["payload"], {"over": [9.0], "limit": 5})
''', more='\nRULES = yaml.safe_load("limit: 5\\n")\n'),
    Archetype("metrics_direct", ("LatencyAgent", "BudgetAgent"),
              "also imports the shared `common.metrics` directly (`from common.metrics import geometric_mean`)",
              "",
              '''    def compute(self, params):
        values = _floats(params, "1,4,16")
        return {"geomean": geometric_mean(values)}
''', "x=1,4,16",
              '''
    def test_geometric_mean(self):
        self.assertAlmostEqual(agent.handle_run({"x": "1,4,16"})["payload"]["geomean"], 4.0, places=5)
''', more="from common.metrics import geometric_mean\n"),
]


def plan(per_archetype=2):
    agents = []
    counters = {"mainpc": 0, "pc2": 0}
    for arch in ARCHETYPES:
        count = per_archetype * 2 if arch.key == "plain" else per_archetype  # most agents are plain subclasses
        for name in arch.names[:count]:
            machine = "mainpc" if len(agents) % 2 == 0 else "pc2"
            base = 7500 if machine == "mainpc" else 7600
            agents.append({"name": name, "archetype": arch, "machine": machine, "extras": [],
                           "port": base + counters[machine], "health_port": base + 1000 + counters[machine]})
            counters[machine] += 1
    return agents


def agent_source(agent):
    arch = agent["archetype"]
    return fill(AGENT_TEMPLATE, NAME=agent["name"], KEY=arch.key, SHAPE=arch.shape, IMPORTS=arch.imports, MORE=arch.more,
                PORT=agent["port"], HEALTH=agent["health_port"], CLASS=agent["name"] + "Impl", BODY=arch.body.rstrip("\n"))


def test_source(agent, module):
    return fill(TEST_TEMPLATE, NAME=agent["name"], MODULE=module, TESTS=fill(agent["archetype"].tests, MODULE=module).rstrip("\n"))


def generate(directory, python, per_archetype=2, only=None):
    """Writes the shared fleet into `directory` (must not exist); returns the manifest (also in fleet.json)."""
    directory = Path(directory)
    directory.mkdir(parents=True)
    (directory / "common").mkdir()
    shutil.copy(DEMO / "common/demo_runtime.py", directory / "common/demo_runtime.py")
    (directory / "common/__init__.py").write_text("")
    for path, text in SHARED.items():
        (directory / path).parent.mkdir(parents=True, exist_ok=True)
        (directory / path).write_text(text)
    agents = [a for a in plan(per_archetype) if only is None or a["name"] in only]
    for a in agents:
        d = machine_dir(a["machine"])
        a["module"] = snake(a["name"])
        a["script"] = "%s/agents/%s.py" % (d, a["module"])
        a["test"] = "%s/tests/test_%s.py" % (d, a["module"])
        a["test_command"] = "%s %s" % (python, a["test"])
        for path, text in ((a["script"], agent_source(a)), (a["test"], test_source(a, a["module"]))):
            (directory / path).parent.mkdir(parents=True, exist_ok=True)
            (directory / path).write_text(text)
    configs = []
    for machine in ("mainpc", "pc2"):
        path = directory / machine_dir(machine) / "config/startup_config.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(config_text(machine, [a for a in agents if a["machine"] == machine], python))
        configs.append(str(path.relative_to(directory)))
    manifest = {"seed": 0, "python": python, "configs": configs, "shared_deferrable": SHARED_DEFERRABLE,
                "shared_modules": sorted(p for p in SHARED if not p.endswith("__init__.py")), "agents": [
        {"name": a["name"], "machine": a["machine"], "archetype": a["archetype"].key, "needs": list(MODULES),
         "shape": a["archetype"].shape, "extras": [], "script": a["script"], "test_command": a["test_command"],
         "sample": a["archetype"].sample, "port": a["port"], "health_port": a["health_port"]} for a in agents]}
    (directory / "fleet.json").write_text(json.dumps(manifest, indent=1) + "\n")
    rows = ["| Agent | Machine | Archetype | Shape | Sample request |", "|---|---|---|---|---|"]
    rows += ["| %s | %s | %s | %s | `/run?%s` |" % (a["name"], a["machine"], a["archetype"], a["shape"], a["sample"])
             for a in manifest["agents"]]
    (directory / "README.md").write_text("# B1 shared fleet (generated)\n\nWritten by `bench/mlfleet/shared.py`; its "
                                         "docstring describes the shared modules and their traps.\n\n%s\n" % "\n".join(rows))
    return manifest


def floor_shared(root):
    """Deletes the shared modules' deferrable imports in the fleet copy at `root` (the floor: measurement only)."""
    removed = 0
    for path, lines in SHARED_DEFERRABLE.items():
        file = Path(root) / path
        text = file.read_text()
        for line in lines:
            if line + "\n" not in text:
                raise SystemExit("b1: %s has no line %r (generator and floor disagree)" % (path, line))
            text = text.replace(line + "\n", "pass  # floor: removed %s\n" % line, 1)
            removed += 1
        file.write_text(text)
    return removed


def local_index_options():
    """pip options for the machine's own package index, read from `pip config list` (file:// indexes and
    find-links), so that installing never waits on an index this machine cannot reach."""
    import subprocess
    out = subprocess.run([os.environ.get("PIP", "pip"), "config", "list"], capture_output=True, text=True).stdout
    urls, links = [], []
    for line in out.splitlines():
        key, _, value = line.partition("=")
        value = value.strip().strip("'\"")
        if key.endswith("index-url"):
            urls += [u for u in value.split() if u.startswith("file:")]
        elif key.endswith("find-links"):
            links += value.split()
    if not urls and not links:
        return []
    options = ["--index-url", urls[0]] if urls else ["--no-index"]
    for u in urls[1:]:
        options += ["--extra-index-url", u]
    for l in sorted(set(links)):
        options += ["--find-links", l]
    return options


def make_venv(directory):
    """A virtualenv at `directory` with the shared fleet's packages; returns its python."""
    import subprocess
    import sys
    python = Path(directory) / "bin/python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(directory)], check=True)
        options = local_index_options()
        result = subprocess.run([str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check"] + options + list(PACKAGES),
                                capture_output=True, text=True)
        if result.returncode != 0:
            raise SystemExit("b1: cannot install %s into %s (pip options from `pip config list`: %s):\n%s"
                             % (" ".join(PACKAGES), directory, " ".join(options) or "none", result.stderr[-1500:]))
    return str(python)


def main():
    parser = argparse.ArgumentParser(description="Write the B1 shared fleet.")
    parser.add_argument("directory")
    parser.add_argument("--python", required=True, help="an interpreter that imports %s" % ", ".join(MODULES))
    parser.add_argument("--per-archetype", type=int, default=2, choices=(1, 2))
    args = parser.parse_args()
    manifest = generate(args.directory, args.python, args.per_archetype)
    print("wrote %d agents to %s" % (len(manifest["agents"]), args.directory))


if __name__ == "__main__":
    main()
