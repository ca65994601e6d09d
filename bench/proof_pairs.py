"""Do the two loads of a proof's pair distort each other when they run at the same time? (issue 19 item 1)

    python3 bench/proof_pairs.py [--agents A,B] [--pairs N] [--smoke]

The load-time check of a proof times pairs of fresh-process loads (original, rewrite) and decides on their CPU
time. fleetshell runs the two loads of a pair at the same time on a machine with two or more cores. This measures
what that does, on demo agents' files, with the interpreter the demo resolves to: blocks of pairs run one load after
the other (the peer: how pairs ran before) alternate with blocks run concurrently. Both loads of a pair load the SAME
file, so the true gain is 0: the share of pairs a rewrite would "win" (CPU time lower by the proof's floor, 3 % and
2 ms) must stay small in both modes (a false-positive check), and the CPU time of a load run beside another, over
the same load run alone, is the distortion. Wall time per pair shows what running together saves.
"""
import argparse
import os
import shutil
import statistics
import subprocess
import tempfile
import time
from pathlib import Path

from benchlib import ROOT, machine

DEMO = ROOT / "engine/src/main/resources/io/fleetshell/demo"
AGENTS = {"AsyncProcessor": "pc2_code/agents/async_processor.py", "TranslationService": "pc2_code/agents/translation_service.py",
          "TutorAgent": "main_pc_code/agents/tutor_agent.py"}
LOAD = ("import os, runpy, sys; f = sys.argv[1]; sys.argv = [f]; sys.path[0] = os.path.dirname(f); "
        "runpy.run_path(f, run_name='__fleetshell_bench__')")


def start(python, script, env):
    return subprocess.Popen([python, "-c", LOAD, str(script)], cwd=script.parents[2], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def cpu_ms(process):
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    return (usage.ru_utime + usage.ru_stime) * 1000.0


def pair(python, script, env, together):
    began = time.perf_counter()
    if together:
        a, b = start(python, script, env), start(python, script, env)
        result = cpu_ms(a), cpu_ms(b)
    else:
        a = start(python, script, env)
        first = cpu_ms(a)
        b = start(python, script, env)
        result = first, cpu_ms(b)
    return result, time.perf_counter() - began


def wins(pairs):
    return sum(1 for a, b in pairs if b < a - max(0.03 * a, 2.0))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--agents", default="AsyncProcessor,TranslationService,TutorAgent")
    parser.add_argument("--pairs", type=int, default=40, help="pairs per mode and agent, in blocks of 5 alternating the modes")
    parser.add_argument("--smoke", action="store_true")
    args = parser.parse_args()
    if args.smoke:
        args.agents, args.pairs = "AsyncProcessor", 5
    python = subprocess.run(["python3", "-c", "import sys; print(sys.executable)"], cwd=DEMO, capture_output=True, text=True,
                            check=True).stdout.strip()
    copy = Path(tempfile.mkdtemp(prefix="fleetshell-pairs-")) / "demo"
    shutil.copytree(DEMO, copy)  # the loads write their bytecode beside the files, as an agent's do
    env = dict(os.environ)
    print("proof pairs, one after the other vs together: %s; %s" % (machine(), python))
    print("%-20s %-9s %9s %9s %9s %11s %6s" % ("agent", "mode", "cpu_ms", "b/a", "wins", "wall/pair", "load"))
    for name in args.agents.split(","):
        script = copy / AGENTS[name]
        pair(python, script, env, False)  # warm-up: bytecode and file cache
        results = {False: [], True: []}
        walls = {False: [], True: []}
        loads = []
        while len(results[True]) < args.pairs:
            for together in (False, True):
                for _ in range(min(5, args.pairs - len(results[together]))):
                    loads.append(os.getloadavg()[0])
                    cpu, wall = pair(python, script, env, together)
                    results[together].append(cpu)
                    walls[together].append(wall)
        alone = statistics.median([x for p in results[False] for x in p])
        for together in (False, True):
            pairs = results[together]
            cpu = statistics.median([x for p in pairs for x in p])
            print("%-20s %-9s %9.1f %9.3f %5d/%-3d %10.3fs %6.2f" % (
                name, "together" if together else "serial", cpu, statistics.median([b / a for a, b in pairs]), wins(pairs), len(pairs),
                statistics.median(walls[together]), statistics.median(loads)))
        together_cpu = statistics.median([x for p in results[True] for x in p])
        print("%-20s distortion: CPU time together / alone %.3f; wall per pair together / serial %.3f" % (
            name, together_cpu / alone, statistics.median(walls[True]) / statistics.median(walls[False])))
    shutil.rmtree(copy.parent, ignore_errors=True)


if __name__ == "__main__":
    main()
