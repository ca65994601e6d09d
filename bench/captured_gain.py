"""How much of the possible start-up gain does `optimize` capture? The lazy_loading target, on the demo fleet.

    python3 bench/captured_gain.py [--repeats N] [--python P ...] [--agent A ...] [--keep DIR] [--no-bytecode-cache]
                                   [--compare-loader FILE] [--instructions] [--smoke]

For every demo agent `optimize` rewrites (both patterns, `--dry-run --json`), three versions of its file are
loaded in fresh processes of the interpreter, in turns, after one warm-up each: the original, the optimized
one (fleetshell's diff applied with `patch`) and the floor: the optimized file without the deferred imports
and the loader at all (a variant made only for measurement: what start-up would cost if the deferred modules
were never imported). Per agent:

    captured gain = (original load - optimized load) / (original load - floor load)     (medians)

1.0 means the rewrite removes everything that can be removed from start-up; the loader's own cost and
parent packages loaded eagerly are what keeps it below. An agent whose possible gain (original - floor) is
within noise (under 2 ms or not below the original by a one-sided rank test at p < 0.05) is listed but left
out of the median. "Broken" counts optimized versions that do not load or whose proof did not pass `loads`.
The loads keep their bytecode (`__pycache__`, as an agent's own starts do): an inherited PYTHONDONTWRITEBYTECODE is
dropped for them, since with it every load compiled every file again and the warm-up warmed nothing (that is what
fleetshell's profiler does too). `--no-bytecode-cache` measures the other case, a fleet whose agents run with
PYTHONDONTWRITEBYTECODE=1 (some container images set it): each start then compiles the rewrite, loader included.
`--instructions` counts instead of timing: each version is loaded once under valgrind's callgrind and its cost is
the instructions the whole process ran (millions; the same to about 0.5M from run to run, whatever the machine's load),
so the figures hold on a busy machine; a gain counts beyond noise from 1 % of the original's instructions. It does not
see what instructions do not show (cache misses, I/O waits): the timed run on a quiet machine stays the reference.
`--compare-loader FILE` adds a fourth version, the optimized file with its inlined loader replaced by FILE (e.g. an
older lazy_import.py from git), loaded in the same turns: old and new loader side by side in one run and machine state.
`--keep DIR` copies the three versions of each agent (AGENT.original.py, .optimized.py, .floor.py, per interpreter)
to DIR, for `-X importtime` or any later look at what the rewrite keeps that the floor drops.
"""
import argparse
import json
import os
import re
import shutil
import statistics
import subprocess
import tempfile
from pathlib import Path

from benchlib import ROOT, build_if_needed, machine, summary, fmt

AGENTS = ["SystemDigitalTwin", "MemoryOrchestrator", "ModelManagerAgent", "TutorAgent", "TranslationService",
          "AsyncProcessor", "CacheManager", "UnifiedWebAgent", "DreamWorldAgent"]
# importlib's bootstrap, not importlib.util: the harness must not load for the agent what its start would load itself
# (importlib.util and its 17 modules on Debian's /usr/bin/python3; the loader of fleetshell before 2026-12 imported it)
LOAD = ("import sys,time,_frozen_importlib as b,_frozen_importlib_external as e; sys.path.insert(0, sys.argv[1].rsplit('/',1)[0]); "
        "spec=e.spec_from_file_location('agent', sys.argv[1]); m=b.module_from_spec(spec); "
        "t=time.perf_counter(); spec.loader.exec_module(m); print((time.perf_counter()-t)*1000)")


def fleetshell(env, *args, ok=(0,)):
    run = subprocess.run([str(ROOT / "fleetshell"), *args], cwd=ROOT, env=env, capture_output=True, text=True)
    if run.returncode not in ok:
        raise SystemExit("fleetshell %s failed (%d): %s" % (" ".join(args), run.returncode, run.stderr[-2000:]))
    return run.stdout


def use_interpreter(home, python):
    """Points both demo machines at `python` (global_settings.python) and reloads the inventory."""
    for config in (home / "demo/main_pc_code/config/startup_config.yaml", home / "demo/pc2_code/config/startup_config.yaml"):
        text = config.read_text()
        text = re.sub(r"(?m)^  python: .*\n", "", text)
        config.write_text(text.replace("global_settings:\n", "global_settings:\n  python: %s\n" % python, 1))


def floor(optimized):
    """The optimized text without the loader, the deferred bindings and the del: deferred imports deleted."""
    out, skipping = [], False
    for line in optimized.splitlines(keepends=True):
        if line.startswith("def _fleetshell_lazy("):
            skipping = True
            continue
        if skipping and (not line.strip() or line[0] in " \t"):  # the loader's body, up to the next top-level line
            continue
        skipping = False
        if "_fleetshell_lazy" in line and not line.lstrip().startswith("#"):
            body = line.rstrip("\r\n")
            ending = line[len(body):]
            kept = [part for part in body.split("; ") if "_fleetshell_lazy" not in part]
            line = ("; ".join(kept) if kept else "pass") + ending
        out.append(line)
    return "".join(out)


def swap_loader(optimized, loader):
    """The optimized text with its inlined loader (the def up to the next top-level line) replaced by `loader`."""
    lines = optimized.splitlines(keepends=True)
    start = next(i for i, line in enumerate(lines) if line.startswith("def _fleetshell_lazy("))
    end = next(i for i in range(start + 1, len(lines)) if lines[i].strip() and lines[i][0] not in " \t")
    while not lines[end - 1].strip():
        end -= 1
    return "".join(lines[:start]) + loader.rstrip("\n") + "\n" + "".join(lines[end:])


def load_instructions(python, path, env):
    """Millions of instructions of one load's whole process, counted by callgrind (PYTHONHASHSEED fixed)."""
    run = subprocess.run(["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", python, "-c", LOAD, str(path)],
                         capture_output=True, text=True, env=dict(env, PYTHONHASHSEED="0"))
    found = re.search(r"Collected : (\d+)", run.stderr)
    return int(found.group(1)) / 1e6 if run.returncode == 0 and found else None


def load_ms(python, path, env):
    run = subprocess.run([python, "-c", LOAD, str(path)], capture_output=True, text=True, env=env)
    if run.returncode != 0:
        return None
    return float(run.stdout.strip().splitlines()[-1])


def rank_less(a, b):
    """One-sided Mann-Whitney p (normal approximation) that a tends to be smaller than b."""
    pooled = sorted((v, i) for i, v in enumerate(a + b))
    ranks = [0.0] * len(pooled)
    i = 0
    while i < len(pooled):
        j = i
        while j + 1 < len(pooled) and pooled[j + 1][0] == pooled[i][0]:
            j += 1
        for k in range(i, j + 1):
            ranks[pooled[k][1]] = (i + j) / 2 + 1
        i = j + 1
    n1, n2 = len(a), len(b)
    u = sum(ranks[:n1]) - n1 * (n1 + 1) / 2
    mean, sd = n1 * n2 / 2, (n1 * n2 * (n1 + n2 + 1) / 12) ** 0.5
    z = (u - mean + 0.5) / sd if sd else 0.0
    return 0.5 * (1 + __import__("math").erf(z / 2 ** 0.5))


def measure(python, agent, home, env, repeats, runs, keep, load_env, other_loader, instructions):
    result = json.loads(fleetshell(env, "optimize", agent, "--dry-run", "--json", "--runs", str(runs), ok=(0, 1)))
    script = Path(result["file"])
    if not result["changes"]:
        return {"agent": agent, "changes": False}
    optimized = script.with_name("." + script.name + ".optimized.py")
    shutil.copyfile(script, optimized)
    diff = optimized.with_suffix(".diff")
    diff.write_text(result["diff"])
    subprocess.run(["patch", "--quiet", str(optimized), str(diff)], check=True)
    floored = script.with_name("." + script.name + ".floor.py")
    floored.write_text(floor(optimized.read_text()))
    versions = [("original", script), ("optimized", optimized), ("floor", floored)]
    if other_loader is not None:
        other = script.with_name("." + script.name + ".other.py")
        other.write_text(swap_loader(optimized.read_text(), other_loader))
        versions.append(("other", other))
    if keep is not None:
        keep.mkdir(parents=True, exist_ok=True)
        for version, path in versions:
            shutil.copyfile(path, keep / ("%s.%s.py" % (agent, version)))
    times = {version: [] for version, _ in versions}
    broken = not any(c["name"] == "loads" and c["outcome"] == "passed" for c in result["proof"]["checks"])
    for version, path in versions:
        if load_ms(python, path, load_env) is None:  # warm-up: bytecode and file cache
            broken = broken or version == "optimized"
    for _ in range(1 if instructions else repeats):
        for version, path in versions:
            value = load_instructions(python, path, load_env) if instructions else load_ms(python, path, load_env)
            if value is not None:
                times[version].append(value)
    med = {k: statistics.median(v) for k, v in times.items() if v}
    possible = med["original"] - med["floor"]
    real = possible >= 0.01 * med["original"] if instructions else possible >= 2.0 and rank_less(times["floor"], times["original"]) < 0.05
    return {"agent": agent, "changes": True, "pattern": result["pattern"], "deployable": result["proof"]["deployable"],
            "broken": broken, "median_ms": med, "captured": (med["original"] - med["optimized"]) / possible if possible else None,
            "captured_other": (med["original"] - med["other"]) / possible if possible and "other" in med else None,
            "gain_beyond_noise": real}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--python", action="append", help="interpreter(s); default python3 and /usr/bin/python3 if present")
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument("--instructions", action="store_true", help="count instructions with callgrind instead of timing")
    parser.add_argument("--compare-loader", type=Path, help="also load the optimized file with this loader inlined instead")
    parser.add_argument("--no-bytecode-cache", action="store_true", help="load with PYTHONDONTWRITEBYTECODE=1: every load compiles")
    parser.add_argument("--agent", action="append", help="only these demo agents (default: all nine)")
    parser.add_argument("--keep", type=Path, help="copy each agent's three versions here, one folder per interpreter")
    args = parser.parse_args()
    pythons = args.python or (["python3"] + (["/usr/bin/python3"] if os.path.exists("/usr/bin/python3") else []))
    agents, repeats, runs = (["TranslationService"], 2, 4) if args.smoke else (args.agent or AGENTS, args.repeats, 7)
    if args.smoke:
        pythons = pythons[:1]
    build_if_needed()
    other_loader = args.compare_loader.read_text() if args.compare_loader else None
    load_env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    if args.no_bytecode_cache:
        load_env["PYTHONDONTWRITEBYTECODE"] = "1"
    print("machine: " + machine())
    if args.instructions:
        print("cost: instructions of each load's process (callgrind), one load per version")
    print("bytecode: " + ("not cached (PYTHONDONTWRITEBYTECODE=1): every load compiles" if args.no_bytecode_cache else "cached after the warm-up"))
    unit = "M instructions" if args.instructions else "ms"
    extra = " optimized %s, compared loader | captured gain, compared loader |" % unit if other_loader is not None else ""
    print("| interpreter | agent | patterns | original %s | optimized %s | floor %s | captured gain | gain beyond noise | deployable | broken |"
          % (unit, unit, unit) + extra)
    print("|---|---|---|---|---|---|---|---|---|---|" + ("---|---|" if extra else ""))
    for python in pythons:
        with tempfile.TemporaryDirectory() as tmp:
            home = Path(tmp)
            env = dict(os.environ, FLEETSHELL_HOME=str(home))
            fleetshell(env, "demo", "init")
            if python != "python3":  # the demo's own setting
                use_interpreter(home, python)
                fleetshell(env, "inventory", "refresh")
            keep = args.keep / re.sub(r"[^A-Za-z0-9.]+", "_", python).strip("_") if args.keep else None
            interpreter = subprocess.run([python, "-c", "import sys; print(sys.executable)"], capture_output=True, text=True,
                                         check=True).stdout.strip() if args.instructions else python  # callgrind follows no shim
            rows = [measure(interpreter, agent, home, env, repeats, runs, keep, load_env, other_loader, args.instructions)
                    for agent in agents]
        captured, compared = [], []
        for r in rows:
            if not r["changes"]:
                print("| %s | %s | - | - | - | - | nothing to change | - | - | - |" % (python, r["agent"]) + (" - | - |" if extra else ""))
                continue
            m = r["median_ms"]
            print("| %s | %s | %s | %.1f | %.1f | %.1f | %s | %s | %s | %s |" % (
                python, r["agent"], r["pattern"], m["original"], m["optimized"], m["floor"],
                "%.2f" % r["captured"] if r["captured"] is not None else "-", "yes" if r["gain_beyond_noise"] else "no",
                "yes" if r["deployable"] else "no", "BROKEN" if r["broken"] else "no")
                  + (" %.1f | %s |" % (m["other"], "%.2f" % r["captured_other"] if r["captured_other"] is not None else "-") if extra else ""))
            if r["gain_beyond_noise"] and r["captured"] is not None:
                captured.append(r["captured"])
                if r["captured_other"] is not None:
                    compared.append(r["captured_other"])
        broken = sum(1 for r in rows if r.get("broken"))
        if captured:
            print("\n%s: captured gain over %d agents with a gain beyond noise: %s; broken agents: %d (repeats %d)"
                  % (python, len(captured), fmt(summary(captured)), broken, 1 if args.instructions else repeats))
            if compared:
                print("%s: the same agents with the compared loader (%s): %s" % (python, args.compare_loader, fmt(summary(compared))))
        else:
            print("\n%s: no agent with a gain beyond noise; broken agents: %d" % (python, broken))


if __name__ == "__main__":
    main()
