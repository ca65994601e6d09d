"""Where does a fleetshell command's time go: the loads and starts it must perform, or the rest? (issue 19 items 1-2)

    python3 bench/process_split.py [--repeats N] [--keep-home] [--smoke] -- COMMAND [ARGS...]
    python3 bench/process_split.py -- profile
    python3 bench/process_split.py -- batch deploy --top 10 --yes --interval 0s
    python3 bench/process_split.py -- optimize AsyncProcessor --dry-run

Runs `./fleetshell COMMAND...` in a throw-away FLEETSHELL_HOME holding the demo fleet, under
`strace -f -e trace=execve,exit_group` (timestamps of every process start and end, nothing else traced; a process
ends at the "+++" line of its first thread: a JVM exits from another thread), and
splits the wall time into: the union of the intervals during which at least one Python or Java child ran (the loads,
probes and agent starts the command must perform: what a faster fleetshell cannot remove), each kind's own share,
the time before the first child (the JVM's start and the command's set-up), and the rest (the JVM's own work
between children: scheduling, parsing, statistics, waiting). Also counts how much of the children's time went to
a pyenv shim before Python started. The target of issue 19: the rest <= 50 % of the total. Needs strace.
"""
import argparse
import collections
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchlib import ROOT, build_if_needed, machine

EXEC = re.compile(r'^(\d+)\s+(\d+\.\d+) (.*)$')
PYTHON = re.compile(r'execve\("([^"]*/python3?(\.\d+)*)", \[[^\]]*?\]')


def kind(argv):
    for marker, name in (("load-probe", "python load (profile/load-time probe)"), ("proof-check", "python proof check"),
                         ("agent-run", "python agent start (replay)"), ("agent_facts", "python facts"), ("helper", "python facts"),
                         ("-c", "python -c (version, module kinds, interpreter)")):
        if marker in argv:
            return name
    return "python other"


def split(trace):
    live = {}
    done = []
    first = last = None
    for line in trace.read_text(errors="replace").splitlines():
        m = EXEC.match(line)
        if not m:
            continue
        pid, t, rest = int(m.group(1)), float(m.group(2)), m.group(3)
        first = t if first is None else first
        last = t
        if rest.startswith("execve(") and rest.rstrip().endswith("= 0"):
            binary = rest[len('execve("'):rest.index('"', len('execve("'))]
            record = live.get(pid)
            if binary.endswith("/setsid"):
                live[pid] = {"spawn": t}
            elif re.search(r"/python3?(\.\d+)*$", binary) and "/shims/" not in binary:
                record = live.setdefault(pid, {"spawn": t})
                record.update(start=t, kind=kind(rest))
            elif binary.endswith("/java") and record is not None:
                record.update(start=t, kind="java (agent start or probe)")
            elif binary.endswith("/javac") and record is not None:
                record.update(start=t, kind="javac (compiles a Java agent)")
        elif (rest.startswith("exit_group") or rest.startswith("+++ exited") or rest.startswith("+++ killed")) and pid in live:
            # a JVM calls exit_group from one of its threads (another pid under -f), and SIGKILL calls nothing: the
            # end of the process is the "+++" line strace prints for its first thread when the whole group is gone
            record = live.pop(pid)
            if "start" in record:
                record["end"] = t
                done.append(record)
    return first, last, done


def union(intervals):
    total, reach = 0.0, None
    for start, end in sorted(intervals):
        if reach is None or start > reach:
            total += end - start
            reach = end
        elif end > reach:
            total += end - reach
            reach = end
    return total


def report(first, last, done, load_avg):
    total = last - first
    # a child counts from its interpreter's start: a pyenv shim before it is overhead, not a load the command must perform
    children = union([(r["start"], r["end"]) for r in done])
    by_kind = collections.defaultdict(list)
    for r in done:
        by_kind[r["kind"]].append(r)
    shim = sum(r["start"] - r["spawn"] for r in done)
    print("total %.2f s (load average %.2f at start)" % (total, load_avg))
    before = min((r["spawn"] for r in done), default=last) - first
    print("  before the first child (JVM start, set-up): %6.2f s" % before)
    print("  loads/starts running (union):              %6.2f s  %3.0f %%" % (children, 100 * children / total))
    for name, rows in sorted(by_kind.items(), key=lambda kv: -union([(r["start"], r["end"]) for r in kv[1]])):
        print("    %-45s n=%4d  union %6.2f s  sum %6.2f s" % (name, len(rows), union([(r["start"], r["end"]) for r in rows]),
                                                               sum(r["end"] - r["start"] for r in rows)))
    print("    not counted above: spawn + shim before each interpreter ran, %.2f s in all" % shim)
    rest = total - children
    gaps, reach, previous = [], first, "start"
    for r in sorted(done, key=lambda r: r["start"]):
        if r["start"] > reach:
            gaps.append((r["start"] - reach, reach - first, previous, r["kind"]))
        if r["end"] > reach:
            reach, previous = r["end"], r["kind"]
    if last > reach:
        gaps.append((last - reach, reach - first, previous, "end"))
    for length, at, before_kind, after_kind in sorted(gaps, reverse=True)[:5]:
        print("    longest stretches without a child: %6.2f s at %7.2f s, after %s, before %s" % (length, at, before_kind, after_kind))
    print("  rest (no load or start running):           %6.2f s  %3.0f %%  (target <= 50 %%)" % (rest, 100 * rest / total))
    return {"total": total, "children": children, "rest": rest}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--smoke", action="store_true", help="version only, once")
    parser.add_argument("command", nargs="*")
    args = parser.parse_args()
    command = ["version"] if args.smoke or not args.command else args.command
    if shutil.which("strace") is None:
        if args.smoke:
            print("process_split.py: strace is not installed; the smoke run checks nothing more (apt-get install strace)")
            return
        sys.exit("process_split.py needs strace (apt-get install strace)")
    build_if_needed()
    print("process split of `fleetshell %s`: %s" % (" ".join(command), machine()))
    for _ in range(args.repeats):
        home = Path(tempfile.mkdtemp(prefix="fleetshell-split-"))
        env = dict(os.environ, FLEETSHELL_HOME=str(home))
        try:
            subprocess.run([str(ROOT / "fleetshell"), "demo", "init"], cwd=ROOT, env=env, check=True, capture_output=True)
            trace = home / "trace.txt"
            load_avg = os.getloadavg()[0]
            out = subprocess.run(["strace", "-f", "-q", "-ttt", "-s", "300", "-e", "trace=execve,exit_group", "-e", "signal=none",
                                  "-o", str(trace), str(ROOT / "fleetshell"), *command], cwd=ROOT, env=env,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
            if out.returncode not in (0, 1):
                sys.exit("fleetshell %s failed (%d): %s" % (" ".join(command), out.returncode, out.stderr[-2000:]))
            report(*split(trace), load_avg)
        finally:
            shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
