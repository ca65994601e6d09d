"""Rolling back 1,000 agents (restore and verify) against `cp` copying the same files, in the same run.

    python3 bench/rollback.py [--agents N] [--repeats N] [--smoke]

Each repeat, alternating:
  peer:       `cp` of the N original files over the N rewritten ones (one process, wall time; no fsync)
  fleetshell: `rollback --deployment`'s engine call on a deployment that rewrote the same N files
              (bench fixture io.fleetshell.history.RollbackBench in a fresh JVM; the time is measured
              inside it around the rollback alone: backups read from history-db, intents committed, each
              original written atomically with fsync and rename, read back and verified by sha256,
              outcomes committed; JVM start and the untimed set-up are not in it)
A third line times `cp` followed by `sync`, the peer that is as durable as the rollback.
Target (issue 5): fleetshell / cp <= 2.
"""
import argparse
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchlib import ROOT, fmt, java_home, machine, summary

CLASSPATH_FILE = ROOT / "history-db/target/bench-classpath.txt"


def build():
    """Compiles history-db with its test classes and writes their classpath (engine from the reactor)."""
    subprocess.run(["mvn", "-B", "-q", "-pl", "history-db", "-am", "test-compile", "dependency:build-classpath",
                    "-Dmdep.outputFile=" + str(CLASSPATH_FILE)], cwd=ROOT, check=True,
                   env=dict(os.environ, JAVA_HOME=java_home()))
    return os.pathsep.join([str(ROOT / "history-db/target/test-classes"), str(ROOT / "history-db/target/classes"),
                            str(ROOT / "engine/target/classes"), CLASSPATH_FILE.read_text().strip()])


def ours(classpath, work, agents):
    java = os.path.join(java_home(), "bin", "java")
    result = subprocess.run([java, "-XX:+UseSerialGC", "--enable-native-access=ALL-UNNAMED", "-cp", classpath,
                             "io.fleetshell.history.RollbackBench", str(work), str(agents)],
                            capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit("RollbackBench failed:\n" + result.stderr[-3000:])
    return float(re.search(r"restore_ms=([0-9.]+)", result.stdout).group(1)) / 1000.0


def peer(originals, target, durable):
    files = sorted(str(p) for p in originals.iterdir())
    start = time.perf_counter()
    subprocess.run(["cp"] + files + [str(target)], check=True)
    if durable:
        subprocess.run(["sync"], check=True)
    return time.perf_counter() - start


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--agents", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=7)
    parser.add_argument("--smoke", action="store_true", help="50 agents, 1 repeat: checks the harness, not the machine")
    args = parser.parse_args()
    agents, repeats = (50, 1) if args.smoke else (args.agents, args.repeats)
    classpath = build()
    ours_t, cp_t, sync_t, ratios = [], [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        for r in range(repeats):
            work = tmp / ("run%d" % r)
            ours_t.append(ours(classpath, work, agents))
            agents_dir = work / "fleet" / "agents"
            originals = tmp / "originals"
            shutil.rmtree(originals, ignore_errors=True)
            shutil.copytree(agents_dir, originals)  # the same files, as the rollback left them
            for p in agents_dir.iterdir():
                p.write_text(p.read_text().replace("MODE = 'eager'", "MODE = 'lazy'  # edited by edit_mode"))
            cp_t.append(peer(originals, agents_dir, durable=False))
            sync_t.append(peer(originals, agents_dir, durable=True))
            ratios.append(ours_t[-1] / cp_t[-1])
            shutil.rmtree(work)
    print("machine: " + machine())
    print("| what (%d agents) | median (min-max) | command |" % agents)
    print("|---|---|---|")
    print("| `cp` of the same files | %s | `python3 bench/rollback.py` |" % fmt(summary(cp_t), " ms", 1000, 1))
    print("| `cp` then `sync` | %s | `python3 bench/rollback.py` |" % fmt(summary(sync_t), " ms", 1000, 1))
    print("| fleetshell rollback (restore, fsync, verify, journal) | %s | `python3 bench/rollback.py` |" % fmt(summary(ours_t), " ms", 1000, 1))
    print("| ratio fleetshell / `cp` (per pair; target <= 2) | %s | `python3 bench/rollback.py` |" % fmt(summary(ratios)))


if __name__ == "__main__":
    main()
