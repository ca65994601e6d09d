"""How much does profiling agents in parallel distort their load times? Decides `profile --parallel`'s default.

    python3 bench/profile_parallelism.py [--repeats N] [--smoke]

On the demo fleet, alternates `profile --parallel 1` and `profile --parallel 2` (5 runs an agent
each). Per agent, the ratio of its median load time under parallel 2 to serial is the distortion;
the ratio between two serial rounds is the control (the machine's own noise).
"""
import argparse
import json
import os
import statistics
import subprocess
import tempfile

from benchlib import ROOT, build_if_needed, machine, summary, fmt


def profile(env, parallel, runs):
    out = subprocess.run([str(ROOT / "fleetshell"), "profile", "--runs", str(runs), "--parallel", str(parallel), "--json"],
                         cwd=ROOT, env=env, capture_output=True, text=True, check=True).stdout
    return {b["agent"]: b["load_ms"]["median"] for b in json.loads(out)["baselines"] if b["loaded"]}


def ratios(a, b):
    return [b[k] / a[k] for k in a if k in b]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=4)
    parser.add_argument("--smoke", action="store_true")
    args = parser.parse_args()
    repeats, runs = (1, 1) if args.smoke else (args.repeats, 5)
    build_if_needed()
    with tempfile.TemporaryDirectory() as home:
        env = dict(os.environ, FLEETSHELL_HOME=home)
        subprocess.run([str(ROOT / "fleetshell"), "demo", "init"], cwd=ROOT, env=env, check=True, capture_output=True)
        profile(env, 1, 1)  # fills the bytecode cache
        serial, parallel = [], []
        for _ in range(repeats):
            serial.append(profile(env, 1, runs))
            parallel.append(profile(env, 2, runs))
    distortion = [r for s, p in zip(serial, parallel) for r in ratios(s, p)]
    control = [r for a, b in zip(serial, serial[1:]) for r in ratios(a, b)] or [1.0]
    print("machine: " + machine())
    print("| what (per agent, ratio of median load times) | median (min-max) | command |")
    print("|---|---|---|")
    print("| control: serial round / previous serial round | %s | `python3 bench/profile_parallelism.py` |" % fmt(summary(control)))
    print("| distortion: parallel 2 / serial, same repeat | %s | `python3 bench/profile_parallelism.py` |" % fmt(summary(distortion)))
    spread = lambda xs: statistics.quantiles(xs, n=10)[-1] - statistics.quantiles(xs, n=10)[0] if len(xs) >= 10 else max(xs) - min(xs)
    print("\n10-90%% spread: control %.2f, distortion %.2f" % (spread(control), spread(distortion)))


if __name__ == "__main__":
    main()
