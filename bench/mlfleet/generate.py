"""Writes the B1 benchmark fleet: two machines' startup configs, agents and their self-tests.

    cd bench && python3 -m mlfleet.generate DIR [--python /usr/bin/python3] [--stdlib-only] [--seed 8] [--per-archetype 2]

Layout (like the demo fleet, whose serving code `common/demo_runtime.py` it copies):
    main_pc_code/config/startup_config.yaml   format 1 (agent_groups), machine mainpc
    pc2_code/config/startup_config.yaml       format 2 (pc2_services list), machine pc2
    <machine>_code/agents/<agent>.py          the agents: `python3 AGENT.py --port P --health-port H`
    <machine>_code/tests/test_<agent>.py      self-tests (the config's test_command), run from DIR
    fleet.json                                the same facts for the benchmark (sample /run query, shape)
    README.md                                 every agent with its shape and traps

Every archetype is instantiated once per name, with 2 of its 3 names by default (40 agents; 60 with
`--per-archetype 3`); a seeded choice adds extra import
shapes to each agent (a dead import, a `# noqa` import, a re-export in `__all__`, a string-annotation-only
import, a dead heavy import). The same seed gives byte-identical fleets.
"""
import argparse
import json
import os
import random
import re
import shutil
from pathlib import Path

from .archetypes import ARCHETYPES, FLOATS_HELPER

ROOT = Path(__file__).resolve().parent.parent.parent
DEMO = ROOT / "engine/src/main/resources/io/fleetshell/demo"
HEAVY = ("numpy", "scipy", "pandas", "requests", "yaml", "sklearn", "matplotlib")

GROUPS = {"signal_denoise": "perception", "spectral": "perception", "module_call_trap": "perception",
          "chart_renderer": "reporting", "registration_call": "reporting", "reexport_annotations": "reporting",
          "http_client": "integration", "dead_heavy": "integration", "stdlib_mail": "integration",
          "stdlib_web": "integration"}

EXTRAS = {
    # name: (import lines, body lines, applies to archetype?)
    "dead_stdlib": ("import smtplib  # mail alerts moved to AlertMailer\n", "",
                    lambda a: "smtplib" not in a.imports),
    "noqa": ("import pprint  # noqa: F401  (kept for debugging sessions)\n", "", lambda a: "pprint" not in a.imports),
    "reexport": ("from statistics import median\n", '\n__all__ = ["handle_run", "median"]\n',
                 lambda a: "__all__" not in a.body and "statistics" not in a.imports),
    "annotation": ("import ssl\n", '\n\ndef tls_context(ctx: "ssl.SSLContext | None" = None):\n    return ctx\n',
                   lambda a: "ssl" not in a.imports),
    "dead_heavy": ("import matplotlib.pyplot as plt  # plots moved to the dashboard\n", "",
                   lambda a: a.needs and "matplotlib" not in a.imports),
}

AGENT_TEMPLATE = '''"""@NAME@: generated B1 benchmark agent (archetype @KEY@).

Shape: @SHAPE@.
"""
@IMPORTS@import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

from common.demo_runtime import serve

AGENT_NAME = "@NAME@"
SERVICE_PORT = @PORT@
HEALTH_PORT = @HEALTH@
@EXTRA_BODY@@FLOATS@@BODY@

if __name__ == "__main__":
    sys.exit(serve(AGENT_NAME, handle_run, SERVICE_PORT, HEALTH_PORT))
'''

TEST_TEMPLATE = '''"""Self-test of @NAME@: its answers checked against standard-library computations."""
import cmath
import hashlib
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
    sys.modules["@MODULE@"] = module  # so that mock.patch("@MODULE@.x.y") finds it
    spec.loader.exec_module(module)
    return module


agent = _load()


class SelfTest(unittest.TestCase):
    def test_sample_request_names_the_agent(self):
        self.assertEqual(agent.handle_run({})["agent"], "@NAME@")
@TESTS@

if __name__ == "__main__":
    unittest.main()
'''


def snake(name):
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", name).lower()


def fill(template, **values):
    for key, value in values.items():
        template = template.replace("@%s@" % key, str(value))
    return template


def plan(seed=8, stdlib_only=False, per_archetype=2):
    """The agents to write, in a fixed order: dicts with name, archetype, machine, ports, extras."""
    rng = random.Random(seed)
    agents = []
    counters = {"mainpc": 0, "pc2": 0}
    for arch in ARCHETYPES:
        if stdlib_only and arch.needs:
            continue
        for i, name in enumerate(arch.names[:per_archetype]):
            machine = "mainpc" if len(agents) % 2 == 0 else "pc2"
            eligible = sorted(k for k, (_, _, ok) in EXTRAS.items() if ok(arch))
            extras = sorted(rng.sample(eligible, rng.randint(0, min(2, len(eligible)))))
            base = 7300 if machine == "mainpc" else 7400
            agents.append({"name": name, "archetype": arch, "machine": machine, "extras": extras,
                           "port": base + counters[machine], "health_port": base + 1000 + counters[machine]})
            counters[machine] += 1
    return agents


def agent_source(agent):
    arch = agent["archetype"]
    imports = arch.imports + "".join(EXTRAS[e][0] for e in agent["extras"])
    extra_body = "".join(EXTRAS[e][1] for e in agent["extras"])
    return fill(AGENT_TEMPLATE, NAME=agent["name"], KEY=arch.key, SHAPE=arch.shape, IMPORTS=imports,
                PORT=agent["port"], HEALTH=agent["health_port"], EXTRA_BODY=extra_body,
                FLOATS=FLOATS_HELPER if "_floats(" in arch.body else "", BODY=arch.body)


def test_source(agent, module):
    return fill(TEST_TEMPLATE, NAME=agent["name"], MODULE=module, TESTS=agent["archetype"].tests.rstrip("\n"))


def machine_dir(machine):
    return "main_pc_code" if machine == "mainpc" else "pc2_code"


def config_text(machine, agents, python):
    header = ("# Start-up configuration of %s (generated B1 benchmark fleet).\nglobal_settings:\n"
              "  environment:\n    PYTHONUNBUFFERED: \"1\"\n    LOG_LEVEL: ${LOG_LEVEL:-INFO}\n"
              "    FLEET_MACHINE: %s\n  python: %s\n\n" % (machine, machine, python))
    def fields(a, indent):
        d = machine_dir(machine)
        return "".join("%s%s: %s\n" % (indent, k, v) for k, v in (
            ("script_path", "%s/agents/%s.py" % (d, a["module"])),
            ("port", "${PORT_OFFSET}+%d" % a["port"]),
            ("health_check_port", "${PORT_OFFSET}+%d" % a["health_port"]),
            ("required", "true" if a["archetype"].needs else "false"),
            ("dependencies", "[]"),
            ("test_command", a["test_command"])))
    if machine == "mainpc":
        out, groups = [header, "agent_groups:\n"], {}
        for a in agents:
            groups.setdefault(GROUPS.get(a["archetype"].key, "ml_models"), []).append(a)
        for group in sorted(groups):
            out.append("  %s:\n" % group)
            for a in groups[group]:
                out.append("    %s:\n" % a["name"] + fields(a, "      "))
        return "".join(out)
    out = [header, "pc2_services:\n"]
    for a in agents:
        out.append("  - name: %s\n    host: 127.0.0.1\n" % a["name"] + fields(a, "    "))
    return "".join(out)


def generate(directory, python="/usr/bin/python3", seed=8, stdlib_only=False, only=None, per_archetype=2):
    """Writes the fleet into `directory` (must not exist). `only`: keep just these agent names.
    Returns the manifest (also written to fleet.json)."""
    directory = Path(directory)
    directory.mkdir(parents=True)
    (directory / "common").mkdir()
    shutil.copy(DEMO / "common/demo_runtime.py", directory / "common/demo_runtime.py")
    (directory / "common/__init__.py").write_text("")
    agents = [a for a in plan(seed, stdlib_only, per_archetype) if only is None or a["name"] in only]
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
        mine = [a for a in agents if a["machine"] == machine]
        path = directory / machine_dir(machine) / "config/startup_config.yaml"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(config_text(machine, mine, python))
        configs.append(str(path.relative_to(directory)))
    manifest = {"seed": seed, "python": python, "configs": configs, "agents": [
        {"name": a["name"], "machine": a["machine"], "archetype": a["archetype"].key, "needs": list(a["archetype"].needs),
         "shape": a["archetype"].shape, "extras": a["extras"], "script": a["script"], "test_command": a["test_command"],
         "sample": a["archetype"].sample, "port": a["port"], "health_port": a["health_port"]} for a in agents]}
    (directory / "fleet.json").write_text(json.dumps(manifest, indent=1) + "\n")
    (directory / "README.md").write_text(readme(manifest))
    return manifest


def readme(manifest):
    rows = ["| Agent | Machine | Archetype | Shape and traps | Extra import shapes | Sample request |", "|---|---|---|---|---|---|"]
    for a in manifest["agents"]:
        rows.append("| %s | %s | %s | %s | %s | `/run?%s` |" % (a["name"], a["machine"], a["archetype"], a["shape"],
                                                               ", ".join(a["extras"]) or "-", a["sample"]))
    return ("# B1 benchmark fleet (generated, seed %d)\n\nWritten by `bench/mlfleet/generate.py`; see `bench/README.md`. "
            "Extra shapes: dead_stdlib = `import smtplib` unused; noqa = `import pprint  # noqa: F401` (keep); "
            "reexport = `from statistics import median` in `__all__` (keep); annotation = `import ssl` used only in a "
            "string annotation; dead_heavy = `import matplotlib.pyplot as plt` unused.\n\n%s\n"
            % (manifest["seed"], "\n".join(rows)))


def heavy_available(python):
    """True when `python` imports every heavy package (the Debian python3-numpy etc.)."""
    import subprocess
    probe = "import importlib.util, sys; sys.exit(any(importlib.util.find_spec(m) is None for m in %r))" % (HEAVY,)
    return subprocess.run([python, "-c", probe], capture_output=True).returncode == 0


def main():
    parser = argparse.ArgumentParser(description="Write the B1 benchmark fleet.")
    parser.add_argument("directory")
    parser.add_argument("--python", default="/usr/bin/python3" if os.path.exists("/usr/bin/python3") else "python3")
    parser.add_argument("--seed", type=int, default=8)
    parser.add_argument("--stdlib-only", action="store_true", help="only the agents that need no third-party package")
    parser.add_argument("--per-archetype", type=int, default=2, choices=(1, 2, 3),
                        help="agents per archetype (20 archetypes: 2 gives 40 agents, 3 gives 60)")
    args = parser.parse_args()
    manifest = generate(args.directory, args.python, args.seed, args.stdlib_only, per_archetype=args.per_archetype)
    print("wrote %d agents to %s (configs: %s)" % (len(manifest["agents"]), args.directory, ", ".join(manifest["configs"])))


if __name__ == "__main__":
    main()
