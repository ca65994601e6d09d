"""B8 (issue 21): async_initialization on agents whose start-up is dominated by model-like loading.

Generates a small fleet of real HTTP agents (the demo fleet's common/demo_runtime.py) that each load a "model" at
module level (a pickle or JSON file the generator writes, then post-processed in Python, as real loaders do),
of different sizes, and compares four variants of every agent, started in turns:

  original:    as generated
  fleetshell:  the diff of `./fleetshell optimize AGENT --pattern async_initialization --dry-run --json`, applied
               with patch (holder + readiness hook: /health says 503 "starting" until the model is loaded)
  naive:       what fleets write by hand: MODEL = None, a bare threading.Thread that assigns the global, nothing
               else (requests that come early read None: it races)
  floor:       the load deleted (MODEL = {}): the best time-to-healthy possible, measurement only (its ready is its
               first answer, a 400: the data it needs is gone)

Per start: time-to-healthy (spawn to the first answer of /health, any status: the process is live) and
time-to-ready (spawn to the first 200 answer of the agent's first request, sent as soon as it is healthy and
repeated until answered). An agent is broken in a variant when that first answer (status and body) differs from
the original's. Prints medians with spread and the reductions, and writes --json.

    python3 bench/b8_async_init.py                 # 6 agents, 5 starts of each variant
    python3 bench/b8_async_init.py --smoke         # 1 agent, 1 start (the fleetshell variant only when built)
"""
import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from benchlib import ROOT, machine  # noqa: E402

DEMO = ROOT / "engine/src/main/resources/io/fleetshell/demo"

TEMPLATE = '''"""{name}: a generated model-serving agent (B8)."""
import json
import os
import pickle
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

from common.demo_runtime import serve

MODEL_PATH = {model_path!r}


def _load(path):
    with open(path, "rb") as fh:
        rows = {loader}
    model = {{}}
    for key, row in rows.items():
        norm = sum(v * v for v in row) ** 0.5 or 1.0
        model[key] = tuple(v / norm for v in row)
    return model


MODEL = _load(MODEL_PATH)


def handle_run(params):
    key = params.get("x", "k0")
    row = MODEL[key]
    return {{"agent": "{name}", "key": key, "first": round(row[0], 6), "size": len(MODEL)}}


if __name__ == "__main__":
    sys.exit(serve("{name}", handle_run, 0, 0))
'''


def generate(fleet, count):
    """Agents of growing model size, alternating pickle and JSON files."""
    shutil.copytree(DEMO / "common", fleet / "common")
    agents_dir = fleet / "main_pc_code" / "agents"
    agents_dir.mkdir(parents=True)
    (fleet / "main_pc_code" / "config").mkdir()
    agents = []
    for i in range(count):
        name = "ModelAgent%d" % i
        rows = 15000 + 9000 * i
        kind = "pickle" if i % 2 == 0 else "json"
        data = dict(("k%d" % r, [((r * 31 + c * 17) % 255 - 127) / 127.0 for c in range(32)]) for r in range(rows))
        model = agents_dir / (name + ".model")
        if kind == "pickle":
            import pickle
            model.write_bytes(pickle.dumps(data, protocol=4))
        else:
            model.write_text(json.dumps(data))
        loader = "pickle.load(fh)" if kind == "pickle" else "json.load(fh)"
        (agents_dir / (name.lower() + ".py")).write_text(TEMPLATE.format(name=name, loader=loader, model_path=str(model)))
        agents.append({"name": name, "file": "main_pc_code/agents/%s.py" % name.lower(), "rows": rows, "kind": kind})
    lines = ["global_settings:", "  python: /usr/bin/python3" if Path("/usr/bin/python3").exists() else "  python: python3",
             "agent_groups:", "  models:"]
    for n, a in enumerate(agents):
        lines += ["    %s:" % a["name"], "      script_path: %s" % a["file"], "      port: %d" % (27300 + n),
                  "      health_check_port: %d" % (28300 + n), "      config:", "        replay_requests: [/run?x=k7]"]
    (fleet / "main_pc_code" / "config" / "startup_config.yaml").write_text("\n".join(lines) + "\n")
    return agents


def naive(source):
    out = source.replace("MODEL = _load(MODEL_PATH)\n", "MODEL = None\n\n\ndef _init():\n    global MODEL\n"
                         "    MODEL = _load(MODEL_PATH)\n\n\nimport threading\nthreading.Thread(target=_init, daemon=True).start()\n")
    assert out != source
    return out


def floor(source):
    out = source.replace("MODEL = _load(MODEL_PATH)\n", "MODEL = {}\n")
    assert out != source
    return out


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(port, path, timeout=0.5):
    try:
        with urllib.request.urlopen("http://127.0.0.1:%d%s" % (port, path), timeout=timeout) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()
    except (OSError, ValueError):
        return None


def start(python, script, request, limit=30.0, any_status=False):
    """One start: (healthy ms, ready ms, first answer); ready is the first 200 answer (any answer with any_status)."""
    port, health = free_port(), free_port()
    env = dict(os.environ, PORT=str(port), HEALTH_PORT=str(health))
    began = time.perf_counter()
    proc = subprocess.Popen([python, str(script), "--port", str(port), "--health-port", str(health)], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    try:
        while get(health, "/health") is None:
            if proc.poll() is not None or time.perf_counter() - began > limit:
                raise RuntimeError("%s did not answer /health" % script)
            time.sleep(0.005)
        healthy = (time.perf_counter() - began) * 1000
        first = get(port, request, timeout=limit)
        answer = first
        while answer is None or (answer[0] != 200 and not any_status):
            if proc.poll() is not None or time.perf_counter() - began > limit:
                return healthy, None, first  # never ready: broken
            time.sleep(0.005)
            answer = get(port, request, timeout=limit)
        ready = (time.perf_counter() - began) * 1000
        return healthy, ready, first
    finally:
        proc.terminate()
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def fleetshell_variant(fleet, agents, home, runs):
    """The fleetshell copy of each agent: optimize --dry-run --json, diff applied with patch. None when not built."""
    launcher = ROOT / "fleetshell"
    if not (ROOT / "shell/target/fleetshell-exec.jar").exists():
        return None
    env = dict(os.environ, FLEETSHELL_HOME=str(home))
    subprocess.run([str(launcher), "inventory", "load", str(fleet / "main_pc_code/config/startup_config.yaml")],
                   cwd=ROOT, env=env, check=True, capture_output=True)
    proofs = {}
    for a in agents:
        out = subprocess.run([str(launcher), "optimize", a["name"], "--pattern", "async_initialization", "--dry-run", "--json",
                              "--runs", str(runs)], cwd=ROOT, env=env, capture_output=True, text=True)
        if not out.stdout.startswith("{"):
            sys.exit("b8: optimize %s failed (%d): %s" % (a["name"], out.returncode, out.stderr[-1500:]))
        result = json.loads(out.stdout)
        copy = fleet / "fleetshell" / a["file"]
        copy.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(fleet / a["file"], copy)
        diff = tempfile.NamedTemporaryFile("w", suffix=".diff", delete=False)
        diff.write(result["diff"])
        diff.close()
        subprocess.run(["patch", "-s", str(copy), diff.name], check=True)
        os.unlink(diff.name)
        proofs[a["name"]] = {"deployable": result["proof"]["deployable"],
                             "checks": dict((c["name"], c["outcome"]) for c in result["proof"]["checks"])}
    return proofs


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, default=6)
    parser.add_argument("--starts", type=int, default=5)
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument("--json", help="write the results here")
    args = parser.parse_args()
    if args.smoke:
        args.agents, args.starts = 1, 1
    python = "/usr/bin/python3" if Path("/usr/bin/python3").exists() else "python3"
    work = Path(tempfile.mkdtemp(prefix="fleetshell-b8-"))
    try:
        fleet = work / "fleet"
        agents = generate(fleet, args.agents)
        proofs = fleetshell_variant(fleet, agents, work / "home", 4)
        variants = ["original", "naive", "floor"] + (["fleetshell"] if proofs is not None else [])
        for v in variants[1:]:
            # each copy is a fleet root of its own: the agents find common/ three directories up, as in the original
            shutil.copytree(fleet / "common", fleet / v / "common")
        for a in agents:
            source = (fleet / a["file"]).read_text()
            for v, transform in (("naive", naive), ("floor", floor)):
                path = fleet / v / a["file"]
                path.parent.mkdir(parents=True, exist_ok=True)
                path.write_text(transform(source))
        results = {}
        for a in agents:
            per = dict((v, {"healthy": [], "ready": [], "first": []}) for v in variants)
            for _ in range(args.starts):
                for v in variants:
                    script = fleet / a["file"] if v == "original" else fleet / v / a["file"]
                    healthy, ready, first = start(python, script, "/run?x=k7", any_status=v == "floor")
                    per[v]["healthy"].append(healthy)
                    per[v]["ready"].append(ready)
                    per[v]["first"].append(first)
            reference = per["original"]["first"][0]
            results[a["name"]] = dict((v, {"healthy_ms": statistics.median(per[v]["healthy"]),
                                           "ready_ms": statistics.median([r if r is not None else float("inf") for r in per[v]["ready"]]),
                                           "broken": sum(1 for f in per[v]["first"] if f != reference) if v != "floor" else None})
                                      for v in variants)
        print("B8 async_initialization, %d agents x %d starts per variant; %s" % (args.agents, args.starts, machine()))
        print("%-12s %-11s %10s %10s %8s" % ("agent", "variant", "healthy", "ready", "broken"))
        for name, r in results.items():
            for v in variants:
                print("%-12s %-11s %8.0fms %8.0fms %8s" % (name, v, r[v]["healthy_ms"], r[v]["ready_ms"],
                                                           "-" if r[v]["broken"] is None else r[v]["broken"]))
        summary = {}
        for v in variants[1:]:
            healthy = [1 - r[v]["healthy_ms"] / r["original"]["healthy_ms"] for r in results.values()]
            ready = [r[v]["ready_ms"] / r["original"]["ready_ms"] - 1 for r in results.values()]
            broken = sum(1 for r in results.values() if r[v]["broken"])
            summary[v] = {"healthy_reduction_median": statistics.median(healthy), "ready_change_median": statistics.median(ready),
                          "broken_agents": None if v == "floor" else broken}
            print("%-11s time-to-healthy reduction median %5.1f %%, time-to-ready change median %+5.1f %%, broken agents %s"
                  % (v, 100 * summary[v]["healthy_reduction_median"], 100 * summary[v]["ready_change_median"],
                     "n/a (answers change)" if v == "floor" else broken))
        if proofs is not None:
            print("fleetshell proofs deployable: %d of %d" % (sum(1 for p in proofs.values() if p["deployable"]), len(proofs)))
        if args.json:
            Path(args.json).write_text(json.dumps({"machine": machine(), "results": results, "summary": summary,
                                                   "proofs": proofs}, indent=2))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
