"""How much do the Java patterns shorten the demo Java agents' start-up? (B-java)

    python3 bench/java_startup.py [--runs N] [--smoke]

For each demo Java agent, `optimize AGENT --dry-run --json` rewrites it with every Java pattern that
applies, compiles both versions with javax.tools and starts them in alternating fresh JVMs, N runs each,
timing spawn to the first /health 200. The peer is the original agent, measured in the same run; the
figure is the ratio of the rewritten agent's median to the original's, with the rank test's p-value.
"""
import argparse
import json
import os
import subprocess
import tempfile

from benchlib import ROOT, build_if_needed, machine

AGENTS = ["KnowledgeIndexAgent", "SignatureService", "RouteMatcherAgent"]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=11)
    parser.add_argument("--smoke", action="store_true")
    args = parser.parse_args()
    agents, runs = (AGENTS[:1], 4) if args.smoke else (AGENTS, args.runs)
    build_if_needed()
    where = machine()
    rows = []
    with tempfile.TemporaryDirectory() as home:
        env = dict(os.environ, FLEETSHELL_HOME=home)
        subprocess.run([str(ROOT / "fleetshell"), "demo", "init"], cwd=ROOT, env=env, check=True, capture_output=True)
        for agent in agents:
            out = subprocess.run([str(ROOT / "fleetshell"), "optimize", agent, "--dry-run", "--json", "--runs", str(runs)],
                                 cwd=ROOT, env=env, capture_output=True, text=True)
            if out.returncode != 0:
                raise SystemExit("optimize %s failed (%d): %s" % (agent, out.returncode, out.stderr[-2000:]))
            result = json.loads(out.stdout)
            check = next(c for c in result["proof"]["checks"] if c["name"] == "start-up")
            e = check["evidence"]
            rows.append((agent, result["pattern"], e["before_ms"], e["after_ms"], e["median_before_ms"],
                         e["median_after_ms"], e["p_faster"]))
    print("machine: " + where)
    print("| agent | patterns | original, median ms (min-max) | rewritten, median ms (min-max) | rewritten / original | p (one-sided) | command |")
    print("|---|---|---|---|---|---|---|")
    for agent, patterns, before, after, mb, ma, p in rows:
        print("| %s | %s | %.0f (%.0f-%.0f) | %.0f (%.0f-%.0f) | %.2fx | %.4f | `python3 bench/java_startup.py --runs %d` |" % (
            agent, patterns, mb, min(before), max(before), ma, min(after), max(after), ma / mb, p, runs))


if __name__ == "__main__":
    main()
