"""How close is a proof to its physical limit? B10 (issue 19): `optimize AGENT --dry-run` against the fresh-process
loads it must perform.

    python3 bench/proof_speed.py [--agents A,B] [--repeats N] [--runs N] [--smoke] [--json FILE]

Each demo Python agent (or the ones named) is optimized with `./fleetshell optimize AGENT --dry-run --json` in a
throw-away FLEETSHELL_HOME holding the demo fleet. The peer, run right after each optimize (so a noisy neighbour
hurts both alike), is the same number of fresh-process loads of the files that the proof performed (the original and the
rewrite, from the proof's diff, as many of each), each one `python -c` running the file without its `__main__` block, with the interpreter the fleet root resolves to
(its `sys.executable`, not a pyenv shim) and from the fleet root: 2 per pair of the load-time check (the pairs come
from the proof's evidence), its 2 warm-ups, and the 3 loads of the `loads`/`same loaded state` checks. The ratio
optimize / peer is the proof's overhead over its physical limit; the target is <= 3 for each agent and a median
wall time <= 10 s for AsyncProcessor. Agents without a rewrite to prove are listed as such. Real starts of the
agent that the proof must perform are in the peer too (until session 5 they were not, which put EmbeddingAgent at
3.9x): `async_initialization`'s time-to-healthy check starts each version as many times as its evidence lists
samples, `cache_optimization` starts the original once to count calls (before the rewrite) and, when its `call
counts` check runs, each version once more; the peer starts the same file as many times with the same interpreter,
on free ports (`--port`/`--health-port` and PORT/HEALTH_PORT, as the proof does), waits for /health, sends the
agent's `replay_requests` (or waits for /health 200 without any), then SIGTERM and the exit. The load average at each run is printed beside it.
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

from benchlib import ROOT, build_if_needed, machine, summary, fmt

WARM_UPS = 2
CHECK_LOADS = 3  # the original, the rewrite and the original again (loads, same module names, same loaded state)

LOAD = ("import os, runpy, sys; f = sys.argv[1]; sys.argv = [f]; sys.path[0] = os.path.dirname(f); "
        "runpy.run_path(f, run_name='__fleetshell_bench__')")


def fleetshell(env, *args, check=True):
    out = subprocess.run([str(ROOT / "fleetshell"), *args], cwd=ROOT, env=env, capture_output=True, text=True)
    if check and out.returncode not in (0, 1):
        sys.exit("fleetshell %s failed (%d): %s" % (" ".join(args), out.returncode, out.stderr[-2000:]))
    return out


def python_agents(env):
    rows = json.loads(fleetshell(env, "inventory", "list", "--json").stdout)
    rows = rows if isinstance(rows, list) else rows.get("agents", [])
    return [r for r in rows if str(r.get("language", "python")).lower() == "python" and r.get("script") and Path(r["script"]).is_file()
            and not r.get("infrastructure", False)]


def resolved_python(root):
    out = subprocess.run(["python3", "-c", "import sys; print(sys.executable)"], cwd=root, capture_output=True, text=True, check=True)
    return out.stdout.strip()


def rewrite_beside(script, diff):
    """The rewrite the proof loaded, as a hidden sibling of the agent's file (where the proof loads it from)."""
    sibling = script.with_name("." + script.name + ".b10-rewrite.py")
    out = subprocess.run(["patch", "--batch", "--forward", "--quiet", "-o", str(sibling), str(script)], input=diff, text=True,
                         capture_output=True)
    if out.returncode != 0:
        sys.exit("cannot apply the proof's diff to %s: %s" % (script, out.stdout + out.stderr))
    return sibling


def loads(python, root, scripts):
    """Wall seconds of one fresh-process load of each script, one after another."""
    start = time.perf_counter()
    for script in scripts:
        subprocess.run([python, "-c", LOAD, str(script)], cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return time.perf_counter() - start


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get(port, path, timeout):
    """The status of GET path, or None when nothing answered."""
    try:
        with urllib.request.urlopen("http://127.0.0.1:%d%s" % (port, path), timeout=timeout) as answer:
            answer.read()
            return answer.status
    except urllib.error.HTTPError as e:
        return e.code
    except (OSError, ValueError):
        return None


def start_once(python, root, script, requests):
    """One fresh start of the agent as the proof's AgentRuns does it: until /health answers, the requests answered (or
    /health 200 without requests), then SIGTERM and its exit."""
    port, health = free_port(), free_port()
    env = dict(os.environ, PORT=str(port), HEALTH_PORT=str(health))
    process = subprocess.Popen([python, str(script), "--port", str(port), "--health-port", str(health)], cwd=root, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while get(health, "/health", 0.5) is None and process.poll() is None and time.monotonic() < deadline:
            time.sleep(0.02)
        if requests:
            get(port, requests[0], 60)
            get(health, "/health", 60)
            for request in requests[1:]:
                get(port, request, 60)
        else:
            while get(health, "/health", 0.5) != 200 and process.poll() is None and time.monotonic() < deadline:
                time.sleep(0.02)
    finally:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def starts(python, root, runs):
    """Wall seconds of the agent starts the proof performed, one after another: runs = [(script, requests)]."""
    start = time.perf_counter()
    for script, requests in runs:
        start_once(python, root, script, requests)
    return time.perf_counter() - start


def agent_starts(pattern, checks):
    """The starts of each version the proof performed, from the rewrite's patterns and its checks' evidence:
    (original starts, rewrite starts)."""
    original = rewrite = 0
    healthy = checks.get("time to healthy")
    if healthy is not None:
        n = len((healthy.get("evidence") or {}).get("before_ms") or []) or 1
        original, rewrite = original + n, rewrite + n
    if "cache_optimization" in pattern:
        original += 1  # the replay that counts calls, before the rewrite is made (its counts are in the diff's comment)
    if "call counts" in checks:
        original, rewrite = original + 1, rewrite + 1
    return original, rewrite


def one(env, agent, runs):
    load_avg = os.getloadavg()[0]
    start = time.perf_counter()
    out = fleetshell(env, "optimize", agent, "--dry-run", "--json", "--runs", str(runs), check=False)
    took = time.perf_counter() - start
    if out.returncode == 2:  # the demo's agent with a syntax error, on purpose: nothing to prove
        return {"agent": agent, "optimize_s": took, "pairs": 0, "loads": 0, "load_average": load_avg, "checks": {},
                "start_checks": [], "diff": "", "agent_starts": [0, 0], "refused": out.stderr.strip().splitlines()[-1][:160]}
    if out.returncode not in (0, 1):
        sys.exit("optimize %s failed (%d): %s" % (agent, out.returncode, out.stderr[-2000:]))
    result = json.loads(out.stdout)
    proof = result.get("proof") or {}
    checks = {c["name"]: c for c in proof.get("checks", [])}
    load_time = checks.get("load time", {}).get("evidence") or {}
    pairs = int(load_time.get("pairs", 0))
    performed = (2 * pairs + WARM_UPS if pairs else 0) + (CHECK_LOADS if "loads" in checks else 0)
    starts = [name for name in checks if name not in ("compiles", "no new undefined name", "loads", "same module names",
                                                      "same loaded state", "load time", "agent tests")]
    return {"agent": agent, "optimize_s": took, "pairs": pairs, "loads": performed, "load_average": load_avg,
            "checks": {n: c["outcome"] for n, c in checks.items()}, "start_checks": starts, "diff": result.get("diff") or "",
            "agent_starts": list(agent_starts(result.get("pattern") or "", checks))}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--agents", help="comma-separated agent names (default: every demo Python agent)")
    parser.add_argument("--repeats", type=int, default=1, help="runs per agent (AsyncProcessor gets at least 3)")
    parser.add_argument("--runs", type=int, default=11, help="--runs of optimize (the load-time test's planned look)")
    parser.add_argument("--smoke", action="store_true", help="one agent, once, --runs 4")
    parser.add_argument("--json", help="write every run here")
    args = parser.parse_args()
    if args.smoke:
        args.agents, args.repeats, args.runs = "AsyncProcessor", 1, 4
    build_if_needed()
    home = Path(tempfile.mkdtemp(prefix="fleetshell-b10-"))
    env = dict(os.environ, FLEETSHELL_HOME=str(home))
    try:
        fleetshell(env, "demo", "init")
        root = home / "demo"
        python = resolved_python(root)
        known = {r["name"]: r for r in python_agents(env)}
        names = args.agents.split(",") if args.agents else sorted(known)
        print("B10 proof speed: %s" % machine())
        print("interpreter: %s (resolved from %s)" % (python, root))
        print("%-22s %8s %6s %6s %9s %6s %9s %7s %6s  %s" % ("agent", "optimize", "pairs", "loads", "loads_s", "starts", "starts_s",
                                                              "ratio", "load", "notes"))
        runs = []
        for name in names:
            repeats = max(args.repeats, 3) if name == "AsyncProcessor" and not args.smoke else args.repeats
            for _ in range(repeats):
                run = one(env, name, args.runs)
                script = Path(known[name]["script"]) if name in known and known[name].get("script") else None
                if script is not None and not script.is_absolute():
                    script = root / script
                run["loads_s"] = run["starts_s"] = 0.0
                original_starts, rewrite_starts = run.pop("agent_starts")
                requests = ((known.get(name) or {}).get("config") or {}).get("replay_requests") or []
                run["starts"] = original_starts + rewrite_starts
                if (run["loads"] or run["starts"]) and script and run["diff"]:
                    # as the proof loads them: the original 3 times and the rewrite once outside the pairs, each once per pair
                    rewritten = rewrite_beside(script, run["diff"])
                    try:
                        timed = [script, rewritten, script, script, rewritten] if "loads" in run["checks"] else []
                        timed += [script, rewritten] * ((run["loads"] - len(timed)) // 2)
                        run["loads_s"] = loads(python, root, timed) if timed else 0.0
                        # the call count first, then the versions alternated as the proof does
                        order = [script] * (original_starts - rewrite_starts) + [script, rewritten] * rewrite_starts
                        run["starts_s"] = starts(python, root, [(f, requests) for f in order])
                    finally:
                        rewritten.unlink()
                run.pop("diff")
                peer = run["loads_s"] + run["starts_s"]
                run["ratio"] = run["optimize_s"] / peer if peer else None
                runs.append(run)
                note = run["refused"] if "refused" in run else "nothing to prove" if not run["checks"] else (
                    "starts the agent (in the peer): " + ", ".join(run["start_checks"]) if run["start_checks"] else "")
                print("%-22s %7.2fs %6d %6d %8.2fs %6d %8.2fs %7s %6.2f  %s" % (
                    name, run["optimize_s"], run["pairs"], run["loads"], run["loads_s"], run["starts"], run["starts_s"],
                    "%.2f" % run["ratio"] if run["ratio"] else "-", run["load_average"], note), flush=True)
        proved = [r for r in runs if r["ratio"]]
        if proved:
            print("ratio optimize / its loads and starts, all agents: %s (target <= 3)" % fmt(summary([r["ratio"] for r in proved]), "x"))
            for name in sorted({r["agent"] for r in proved}):
                mine = [r for r in proved if r["agent"] == name]
                print("  %-20s ratio %s, optimize %s" % (name, fmt(summary([r["ratio"] for r in mine]), "x"),
                                                       fmt(summary([r["optimize_s"] for r in mine]), " s")))
        asyncp = [r["optimize_s"] for r in runs if r["agent"] == "AsyncProcessor"]
        if asyncp:
            print("AsyncProcessor optimize --dry-run: median %.2f s of %d (target <= 10 s), load average %.2f-%.2f" % (
                statistics.median(asyncp), len(asyncp), min(r["load_average"] for r in runs), max(r["load_average"] for r in runs)))
        if args.json:
            Path(args.json).write_text(json.dumps({"machine": machine(), "python": python, "runs": runs}, indent=2))
    finally:
        shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
