"""How much does profiling heavy agents in parallel distort their load times? Decides `profile --parallel`'s default.

    python3 bench/profile_parallelism_heavy.py [--python python3] [--repeats N] [--runs N] [--smoke]

Issue 16 saw `--parallel 2` inflate profile medians by 15-45 % on 2 cores with agents that import numpy, scipy
and pandas (1548 vs 1083 ms), where `profile_parallelism.py` (the demo fleet, 5-50 ms loads) had seen none. This
benchmark writes four heavy agents (numpy, scipy.signal, scipy.stats, sympy, requests: whatever of them the
interpreter has) and loads each the way `profile` does (a fresh `PYTHON -X importtime load_probe.py AGENT` per run,
the bytecode cached by a warm-up), with 1 and with 2 agents at a time, alternated. Per agent and repeat it prints the
ratio of the median under parallel 2 to the serial median, for the wall time (what `profile` reports and `score`
uses) and for the CPU time (what proofs decide on), with the machine's load average.
"""
import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROBE = ROOT / "engine/src/main/resources/io/fleetshell/python/load_probe.py"
HEAVY = [["numpy", "scipy.signal"], ["scipy.stats", "json"], ["sympy"], ["requests", "numpy"]]


def agents(python, directory):
    found = []
    for i, modules in enumerate(HEAVY):
        usable = [m for m in modules if subprocess.run([python, "-c", "import " + m], capture_output=True).returncode == 0]
        if not usable:
            continue
        path = Path(directory) / ("heavy_%d.py" % i)
        path.write_text("".join("import %s\n" % m for m in usable) + "\n\ndef handle():\n    return 1\n")
        found.append(path)
    return found


def load(python, agent, cache):
    env = dict(os.environ, PYTHONPYCACHEPREFIX=cache)
    out = subprocess.run([python, "-X", "importtime", str(PROBE), str(agent)], capture_output=True, text=True, env=env).stdout
    report = json.loads(out.strip().splitlines()[-1])
    return report["load_ms"], report["cpu_ms"]


def profile(python, targets, runs, parallel, cache):
    """{agent: (median wall ms, median cpu ms)}, each agent's runs in a row, `parallel` agents at a time."""
    results = {}
    queue = list(targets)
    lock = threading.Lock()

    def worker():
        while True:
            with lock:
                if not queue:
                    return
                agent = queue.pop(0)
            samples = [load(python, agent, cache) for _ in range(runs)]
            results[agent.name] = (statistics.median(s[0] for s in samples), statistics.median(s[1] for s in samples))

    threads = [threading.Thread(target=worker) for _ in range(parallel)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--python", default="python3")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--smoke", action="store_true")
    args = parser.parse_args()
    repeats, runs = (1, 1) if args.smoke else (args.repeats, args.runs)
    with tempfile.TemporaryDirectory() as directory:
        cache = os.path.join(directory, "pycache")
        targets = agents(args.python, directory)
        if not targets:
            sys.exit("none of the heavy modules imports with %s" % args.python)
        profile(args.python, targets, 1, 1, cache)  # fills the bytecode cache
        wall, cpu, control, loads = [], [], [], []
        previous = None
        for _ in range(repeats):
            loads.append(os.getloadavg()[0])
            serial = profile(args.python, targets, runs, 1, cache)
            both = profile(args.python, targets, runs, 2, cache)
            wall += [both[a][0] / serial[a][0] for a in serial]
            cpu += [both[a][1] / serial[a][1] for a in serial]
            if previous is not None:
                control += [serial[a][0] / previous[a][0] for a in serial]
            previous = serial
            print("serial: %s" % {a: "%.0f/%.0f ms" % v for a, v in sorted(serial.items())}, file=sys.stderr)
            print("parallel 2: %s" % {a: "%.0f/%.0f ms" % v for a, v in sorted(both.items())}, file=sys.stderr)
    fmt = lambda xs: "%.2f (%.2f-%.2f, n=%d)" % (statistics.median(xs), min(xs), max(xs), len(xs)) if xs else "-"
    print("%d heavy agents (%s), %s, %d cores, load average %.1f-%.1f"
          % (len(targets), ", ".join("+".join(m) for m in HEAVY), args.python, os.cpu_count(), min(loads), max(loads)))
    print("| what (per agent, ratio of medians) | median (min-max) |")
    print("|---|---|")
    print("| control: serial wall / previous serial wall | %s |" % fmt(control))
    print("| distortion, wall time: parallel 2 / serial | %s |" % fmt(wall))
    print("| distortion, CPU time: parallel 2 / serial | %s |" % fmt(cpu))


if __name__ == "__main__":
    main()
