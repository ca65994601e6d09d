"""Does the proof's load-time verdict hold when the machine is busy? B7: the decision on CPU time against the
decision on wall time (the peer: what the proof decided before issue 22), measured on the same loads.

    python3 bench/proof_stability.py [--agent NAME] [--neighbour NAME] [--runs N] [--repeats N] [--smoke]

`optimize AGENT --dry-run --json --runs N` is run `--repeats` times on a quiet machine, as many times while two
`yes > /dev/null` keep both cores busy, and as many while a second fleetshell proves another agent in a loop
(bursty load: JVM starts, JIT, fresh Python processes, as a CI run of the test suite makes). Each run's load-time evidence holds every load's wall time and CPU
time, original and rewrite interleaved. The same exact one-sided Mann-Whitney test (all rank splits enumerated)
is applied to both, and a verdict is "passes" when p < 0.05 and the rewrite's median is lower. A rewrite that
really is faster (TranslationService: about 6x on CPU) should pass every time in both conditions: every run
that does not is a decision flipped by the machine's load.
"""
import argparse
import itertools
import json
import os
import statistics
import subprocess
import tempfile
from pathlib import Path

from benchlib import ROOT, build_if_needed, machine, summary, fmt

ALPHA = 0.05


def exact_p_less(after, before):
    """One-sided exact Mann-Whitney p that `after` is stochastically smaller than `before` (ties count half)."""
    def u(a, b):
        return sum(1.0 if x < y else 0.5 if x == y else 0.0 for x in a for y in b)

    observed = u(after, before)
    pooled = after + before
    n = len(after)
    count = total = 0
    for chosen in itertools.combinations(range(len(pooled)), n):
        picked = set(chosen)
        a = [pooled[i] for i in chosen]
        b = [pooled[i] for i in range(len(pooled)) if i not in picked]
        total += 1
        if u(a, b) >= observed:
            count += 1
    return count / total


def verdict(after, before):
    p = exact_p_less(after, before)
    return p, p < ALPHA and statistics.median(after) < statistics.median(before)


def one_run(env, agent, runs):
    out = subprocess.run([str(ROOT / "fleetshell"), "optimize", agent, "--dry-run", "--json", "--runs", str(runs)],
                         cwd=ROOT, env=env, capture_output=True, text=True)
    if out.returncode not in (0, 1):
        raise SystemExit("optimize failed (%d): %s" % (out.returncode, out.stderr[-2000:]))
    checks = json.loads(out.stdout)["proof"]["checks"]
    evidence = next(c["evidence"] for c in checks if c["name"] == "load time")
    wall = verdict(evidence["after_ms"], evidence["before_ms"])
    cpu = verdict(evidence["after_cpu_ms"], evidence["before_cpu_ms"])
    return {"wall_p": wall[0], "wall_pass": wall[1], "cpu_p": cpu[0], "cpu_pass": cpu[1],
            "wall_ratio": statistics.median(evidence["after_ms"]) / statistics.median(evidence["before_ms"]),
            "cpu_ratio": statistics.median(evidence["after_cpu_ms"]) / statistics.median(evidence["before_cpu_ms"]),
            "wall_spread": max(evidence["before_ms"]) / min(evidence["before_ms"]),
            "cpu_spread": max(evidence["before_cpu_ms"]) / min(evidence["before_cpu_ms"]),
            "load": os.getloadavg()[0]}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--agent", default="TranslationService")
    parser.add_argument("--neighbour", default="AsyncProcessor", help="the agent the bursty neighbour proves")
    parser.add_argument("--runs", type=int, default=5, help="loads of each version per proof (optimize --runs)")
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--smoke", action="store_true", help="1 repeat per condition: checks that the harness runs")
    args = parser.parse_args()
    repeats = 1 if args.smoke else args.repeats
    build_if_needed()
    start_line = machine()
    # The neighbour's last proof children (own sessions) may still write its cache for a moment after the kill.
    with tempfile.TemporaryDirectory(prefix="fleetshell-b7-", ignore_cleanup_errors=True) as home:
        env = dict(os.environ, FLEETSHELL_HOME=home)
        subprocess.run([str(ROOT / "fleetshell"), "demo", "init"], cwd=ROOT, env=env, check=True, capture_output=True)
        # Neighbours: two `yes` share the cores evenly; a second fleetshell proving another agent in a loop is
        # bursty (JVM start, JIT, fresh Python processes), the kind of load a CI run of the test suite makes.
        neighbour = ("while :; do %s optimize %s --dry-run --json --runs 5 >/dev/null 2>&1; done"
                     % (ROOT / "fleetshell", args.neighbour))
        conditions = {"quiet": [], "two `yes` (both cores busy)": [["yes"], ["yes"]],
                      "a second fleetshell proving %s in a loop" % args.neighbour: [["bash", "-c", neighbour]]}
        results = {}
        for condition, commands in conditions.items():
            hogs = [subprocess.Popen(c, stdout=subprocess.DEVNULL, env=env, start_new_session=True) for c in commands]
            try:
                results[condition] = [one_run(env, args.agent, args.runs) for _ in range(repeats)]
            finally:
                for hog in hogs:
                    os.killpg(hog.pid, 9)
                    hog.wait()
    command = "python3 bench/proof_stability.py --agent %s --runs %d --repeats %d%s" % (
        args.agent, args.runs, repeats, " --smoke" if args.smoke else "")
    print("machine: " + start_line)
    print("| condition | load average (median) | verdict on CPU time: passes | verdict on wall time (peer): passes "
          "| p on CPU (median, range) | p on wall (median, range) | rewrite/original, CPU | rewrite/original, wall "
          "| spread of the original's loads in a run (max/min), CPU | same, wall | command |")
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for condition, rows in results.items():
        print("| %s | %.1f | %d of %d | %d of %d | %s | %s | %s | %s | %s | %s | `%s` |" % (
            condition, statistics.median(r["load"] for r in rows),
            sum(r["cpu_pass"] for r in rows), len(rows), sum(r["wall_pass"] for r in rows), len(rows),
            fmt(summary([r["cpu_p"] for r in rows]), digits=4), fmt(summary([r["wall_p"] for r in rows]), digits=4),
            fmt(summary([r["cpu_ratio"] for r in rows])), fmt(summary([r["wall_ratio"] for r in rows])),
            fmt(summary([r["cpu_spread"] for r in rows])), fmt(summary([r["wall_spread"] for r in rows])), command))


if __name__ == "__main__":
    main()
