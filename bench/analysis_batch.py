"""B9 (issue 15): wall time of one 2-agent batch's analysis on the demo fleet, and where it goes.

    python3 bench/analysis_batch.py [--repeats N] [--agents A,B] [--port-offset N] [--smoke]

A fresh FLEETSHELL_HOME with the demo fleet, its agents started (`agents start`), then per repeat:
`batch deploy --agents A,B --batch-size 2 --interval 1s --runs 5 --yes --json` with the default `analysis:`
settings (5 starts, 30 probes, 5 s window per side; the demo configs' request GET /run at 10/s), and
`rollback --deployment N --yes` after it. settings.yaml sets `baseline_lookback: 1s`, so that every repeat
measures the baseline from the original again (a rollout reuses a recent usable baseline; here both sides
are what is timed). From `explain N --json`, per batch: the analysis' wall time (the baseline phase and
the after-change phase, each as long as its slowest agent, the agents running at once), and per side and
agent its split: restarts (stop, start, until healthy), requests, probes, and idle (waiting for the next
request's slot). The whole command's wall time (plans, proofs, writes) is shown beside it.
Target (issue 15): the analysis of one 2-agent demo batch <= 60 s on this 2-core machine.
No peer: nothing else gathers this evidence; the figure is an absolute bound.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

from benchlib import ROOT, build_if_needed, demo_port_offset, fmt, machine, summary

FLEETSHELL = str(ROOT / "fleetshell")


def run(env, *args, check=True):
    result = subprocess.run([FLEETSHELL, *args], cwd=ROOT, env=env, capture_output=True, text=True)
    if check and result.returncode != 0:
        sys.exit("fleetshell %s failed (%d):\n%s" % (" ".join(args), result.returncode, result.stderr[-3000:]))
    return result


def analysis_of(explain):
    """Per batch: wall seconds of the baseline and after-change phases, and the split of every side of every agent."""
    phases = {"baseline": [], "current": []}
    split = {"restarts_seconds": [], "requests_seconds": [], "probes_seconds": [], "idle_seconds": []}
    for step in explain["steps"]:
        for d in step["decisions"]:
            if d["name"] != "analysis":
                continue
            ev = d["evidence"]
            base = ev.get("baseline", {})
            if ev.get("baseline_measurement", {}).get("measured"):
                base = ev["baseline_measurement"]
                phases["baseline"].append(base["seconds"])
                for k in split:
                    split[k].append(base["split"][k])
            phases["current"].append(ev["seconds"])
            for k in split:
                split[k].append(ev["split"][k])
    wall = max(phases["baseline"] or [0]) + max(phases["current"] or [0])
    return wall, phases, split


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--agents", default="AsyncProcessor,UnifiedWebAgent")
    parser.add_argument("--port-offset", type=int, default=2600, help="PORT_OFFSET of the demo's agents; the next free one is used")
    parser.add_argument("--smoke", action="store_true")
    args = parser.parse_args()
    repeats = 1 if args.smoke else args.repeats
    build_if_needed()
    home = tempfile.mkdtemp(prefix="fleetshell-b9-")
    env = dict(os.environ, FLEETSHELL_HOME=home, PORT_OFFSET=str(demo_port_offset(args.port_offset)))
    settings = "thresholds: {baseline_lookback: 1s}\n"
    if args.smoke:
        settings += "analysis: {starts: 2, probes: 4, duration: 1s}\n"
    with open(os.path.join(home, "settings.yaml"), "w") as f:
        f.write(settings)
    header = machine()
    run(env, "demo", "init")
    run(env, "agents", "start", check=False)  # the demo's LearningAdjusterAgent does not parse, on purpose
    run(env, "agents", "start", *args.agents.split(","))  # the measured ones must run, started by fleetshell
    walls, commands, splits = [], [], {}
    try:
        for i in range(repeats):
            start = time.perf_counter()
            deployed = run(env, "batch", "deploy", "--agents", args.agents, "--batch-size", "2", "--interval", "1s", "--runs", "5",
                           "--yes", "--json", check=False)
            commands.append(time.perf_counter() - start)
            result = json.loads(deployed.stdout)
            deployment = result["deployment"]
            explain = json.loads(run(env, "explain", str(deployment), "--json").stdout)
            wall, phases, split = analysis_of(explain)
            if not phases["current"]:
                # nothing was measured: the run cannot give this benchmark's figures; say why, from the deployment itself
                sys.exit("deployment %d %s without an analysis (%s).\nbatch deploy said:\n%s\nexplain %d said:\n%s" % (
                    deployment, result["state"], result.get("summary", ""), deployed.stderr[-4000:], deployment,
                    run(env, "explain", str(deployment), check=False).stdout[-6000:]))
            walls.append(wall)
            for k, v in split.items():
                splits.setdefault(k, []).extend(v)
            print("repeat %d: deployment %d %s; analysis %.1f s (baseline %s s, after %s s)" % (
                i + 1, deployment, result["state"], wall, phases["baseline"], phases["current"]), file=sys.stderr)
            run(env, "rollback", "--deployment", str(deployment), "--yes", check=False)
    finally:
        run(env, "agents", "stop", check=False)
    print("Machine: " + header)
    command = "`python3 bench/analysis_batch.py%s`" % (" --smoke" if args.smoke else "")
    print("| what (one batch of %s) | median (min-max) | command |" % args.agents.replace(",", " + "))
    print("|---|---|---|")
    print("| analysis wall time per batch (baseline phase + after-change phase; target <= 60 s) | %s | %s |"
          % (fmt(summary(walls), " s", digits=1), command))
    print("| whole `batch deploy` (plan, proofs, writes, restarts, analysis) | %s | %s |" % (fmt(summary(commands), " s", digits=1), command))
    for key, label in (("restarts_seconds", "restarts (stop, start, until healthy)"), ("requests_seconds", "traffic: requests"),
                       ("probes_seconds", "probes (health, memory)"), ("idle_seconds", "idle (waiting for request slots)")):
        print("| split per side and agent: %s | %s | %s |" % (label, fmt(summary(splits[key]), " s", digits=2), command))


if __name__ == "__main__":
    main()
