"""Where does a fleetshell command's time go: the loads and starts it must perform, or the rest? (issue 19 items 1-2)

    python3 bench/process_split.py [--repeats N] [--keep-home] [--smoke] -- COMMAND [ARGS...]
    python3 bench/process_split.py -- profile
    python3 bench/process_split.py --agents-running -- batch deploy --top 10 --yes --interval 0s
    python3 bench/process_split.py -- optimize AsyncProcessor --dry-run
    python3 bench/process_split.py --repeats 2 --same-home -- profile KnowledgeIndexAgent --runs 1

Runs `./fleetshell COMMAND...` in a throw-away FLEETSHELL_HOME holding the demo fleet, under
`strace -f -e trace=execve,exit_group` (timestamps of every process start and end, nothing else traced; a process
ends at the "+++" line of its first thread: a JVM exits from another thread), and
splits the wall time into: the union of the intervals during which at least one Python or Java child ran (the loads,
probes and agent starts the command must perform: what a faster fleetshell cannot remove), each kind's own share,
the time before the first child (the JVM's start and the command's set-up), and the rest (the JVM's own work
between children: scheduling, parsing, statistics, waiting). Also counts how much of the children's time went to
a pyenv shim before Python started. The target of issue 19: the rest <= 50 % of the total. Needs strace.

With --agents-running the demo's agents are started first (`agents start`, outside the timed command, as a user
runs them before a deploy) and stopped after it. The agents are long-lived children: each counts only while it
starts (from its `agent_starts` row in the home's history.db: the spawn until healthy), and the analysis' health
probes and synthetic requests count from their stored rows (`health_probes`, `traffic_requests`: sent until
answered). The time an agent merely runs (between requests of the analysis window, or after the command) is not
a load: the window's waits are rest, so the split shows how much of a deploy its measurement windows take.
"""
import argparse
import collections
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

from benchlib import ROOT, build_if_needed, machine

EXEC = re.compile(r'^(\d+)\s+(\d+\.\d+) (.*)$')
PYTHON = re.compile(r'execve\("([^"]*/python3?(\.\d+)*)", \[[^\]]*?\]')


def kind(argv):
    # fleetshell starts its Python programs as files (older builds) or as `-c` with the program's text (so that a remote
    # host needs no copy; a load probe as `-X importtime -c SOURCE`): the markers name both, the text's first line for
    # the latter
    for marker, name in (("load-probe", "python load (profile/load-time probe)"), ('"importtime", "-c"', "python load (profile/load-time probe)"),
                         ("Loads one agent file as a module", "python load (profile/load-time probe)"),
                         ("proof-check", "python proof check"), ("Checks for fleetshell's proofs", "python proof check"),
                         ("agent-run", "python agent start (replay)"), ("Runs an agent file as", "python agent start (replay)"),
                         ("agent_facts", "python facts"), ("helper", "python facts"),
                         ("analysis helper", "python facts"),
                         ("-c", "python -c (version, module kinds, interpreter)")):
        if marker in argv:
            return name
    return "python other"


def split(trace, agent_pids=frozenset()):
    """The trace's first and last instants and every finished child but the agents (pids the command started as agents)."""
    live = {}
    done = []
    first = last = root = None
    for line in trace.read_text(errors="replace").splitlines():
        m = EXEC.match(line)
        if not m:
            continue
        pid, t, rest = int(m.group(1)), float(m.group(2)), m.group(3)
        first = t if first is None else first
        root = pid if root is None else root
        last = t
        if pid in agent_pids:
            continue
        if rest.startswith("execve(") and rest.rstrip().endswith("= 0"):
            binary = rest[len('execve("'):rest.index('"', len('execve("'))]
            record = live.get(pid)
            if binary.endswith("/setsid"):
                live[pid] = {"spawn": t}
            elif re.search(r"/python3?(\.\d+)*$", binary) and "/shims/" not in binary:
                record = live.setdefault(pid, {"spawn": t})
                record.update(start=t, kind=kind(rest))
            elif binary.endswith("/java") and pid != root:
                record = live.setdefault(pid, {"spawn": t})
                record.update(start=t, kind="java (agent start, probe or compile)")
            elif binary.endswith("/javac") and pid != root:
                record = live.setdefault(pid, {"spawn": t})
                record.update(start=t, kind="javac (compiles a Java agent)")
        elif (rest.startswith("exit_group") or rest.startswith("+++ exited") or rest.startswith("+++ killed")) and pid in live:
            # a JVM calls exit_group from one of its threads (another pid under -f), and SIGKILL calls nothing: the
            # end of the process is the "+++" line strace prints for its first thread when the whole group is gone
            record = live.pop(pid)
            if "start" in record:
                record["end"] = t
                done.append(record)
    return first, last, done


def stamp(text):
    """An instant as history-db stores it (ISO-8601, up to nanoseconds, UTC 'Z') in epoch seconds."""
    m = re.match(r"^(.*T\d\d:\d\d:\d\d)(\.\d+)?Z$", text)
    return datetime.fromisoformat(m.group(1) + "+00:00").timestamp() + float(m.group(2) or 0)


def agent_work(db):
    """From the home's history.db: the agents' pids, and per kind the intervals of their starts, probes and requests."""
    if not db.is_file():
        return set(), {}
    con = sqlite3.connect(str(db))
    try:
        pids = {row[0] for row in con.execute("SELECT pid FROM agent_starts WHERE pid IS NOT NULL")}
        kinds = {"agent start (spawn until healthy)": [(stamp(a), stamp(a) + ms / 1000) for a, ms in
                                                       con.execute("SELECT started_at, waited_ms FROM agent_starts")],
                 "health probe": [(stamp(a), stamp(a) + ms / 1000) for a, ms in con.execute("SELECT at, millis FROM health_probes")]}
        if con.execute("SELECT 1 FROM sqlite_master WHERE name = 'traffic_requests'").fetchone():
            kinds["analysis request"] = [(stamp(a), stamp(a) + ms / 1000) for a, ms in con.execute("SELECT at, millis FROM traffic_requests")]
        return pids, kinds
    finally:
        con.close()


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


def journal(db):
    """A rollout's journal and decisions (instant, what), when the command ran one: to say what a stretch was."""
    if not db.is_file():
        return []
    con = sqlite3.connect(str(db))
    try:
        rows = [(stamp(at), "step %s %s %s" % (step, kind, action)) for at, step, kind, action in
                con.execute("SELECT at, step_id, phase, action FROM rollout_journal")]
        rows += [(stamp(at), "step %s decision %s %s" % (step, name, verdict)) for at, step, name, verdict in
                 con.execute("SELECT at, step_id, name, verdict FROM rollout_decisions")]
        return sorted(rows)
    except sqlite3.Error:
        return []
    finally:
        con.close()


def report(first, last, done, load_avg, work=None, events=()):
    total = last - first
    for name, intervals in (work or {}).items():
        done = done + [{"spawn": max(a, first), "start": max(a, first), "end": min(b, last), "kind": name}
                       for a, b in intervals if b > first and a < last]
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
        inside = [(t - first, what) for t, what in events if first + at - 1 <= t <= first + at + length + 1]
        for t, what in inside[:12]:
            print("      %7.2f s  %s" % (t, what))
    print("  rest (no load or start running):           %6.2f s  %3.0f %%  (target <= 50 %%)" % (rest, 100 * rest / total))
    return {"total": total, "children": children, "rest": rest}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--smoke", action="store_true", help="version only, once")
    parser.add_argument("--keep-home", action="store_true", help="keep the throw-away FLEETSHELL_HOME (its history.db, logs, trace)")
    parser.add_argument("--report", metavar="HOME", help="report again from a home kept by --keep-home (its trace, history.db and end)")
    parser.add_argument("--agents-running", action="store_true", help="`agents start` before the command, `agents stop` after it")
    parser.add_argument("--port-offset", type=int, default=3300, help="PORT_OFFSET of the demo's agents (away from other runs' ports)")
    parser.add_argument("--settings", help="a settings.yaml to put in the throw-away home (e.g. the analysis settings)")
    parser.add_argument("--same-home", action="store_true",
                        help="every repeat in one home: the second and later runs find what the first kept (Java builds, bytecode)")
    parser.add_argument("command", nargs="*")
    args = parser.parse_args()
    command = ["version"] if args.smoke or not args.command else args.command
    if shutil.which("strace") is None:
        if args.smoke:
            print("process_split.py: strace is not installed; the smoke run checks nothing more (apt-get install strace)")
            return
        sys.exit("process_split.py needs strace (apt-get install strace)")
    if args.report:
        home = Path(args.report)
        pids, work = agent_work(home / "history.db")
        first, last, done = split(home / "trace.txt", pids)
        last = min(last, float((home / "ended").read_text()))
        report(first, last, [r for r in done if r["end"] <= last], float((home / "load_average").read_text()), work,
               journal(home / "history.db"))
        return
    build_if_needed()
    print("process split of `fleetshell %s`: %s" % (" ".join(command), machine()))
    shared = Path(tempfile.mkdtemp(prefix="fleetshell-split-")) if args.same_home else None
    for repeat in range(args.repeats):
        home = shared or Path(tempfile.mkdtemp(prefix="fleetshell-split-"))
        env = dict(os.environ, FLEETSHELL_HOME=str(home), PORT_OFFSET=str(args.port_offset))
        last_repeat = repeat == args.repeats - 1
        try:
            if args.settings:
                shutil.copy(args.settings, home / "settings.yaml")
            if repeat == 0 or not args.same_home:
                subprocess.run([str(ROOT / "fleetshell"), "demo", "init"], cwd=ROOT, env=env, check=True, capture_output=True)
            if args.agents_running:
                # the demo's LearningAdjusterAgent does not parse, on purpose: status 1 is expected
                subprocess.run([str(ROOT / "fleetshell"), "agents", "start"], cwd=ROOT, env=env, capture_output=True)
            trace = home / "trace.txt"
            load_avg = os.getloadavg()[0]
            # the agents restarted by the command outlive it under strace: read its output to the end (the JVM's exit),
            # then stop them so that strace ends
            with tempfile.TemporaryFile() as err:
                tracer = subprocess.Popen(["strace", "-f", "-q", "-ttt", "-s", "300", "-e", "trace=execve,exit_group", "-e", "signal=none",
                                           "-o", str(trace), str(ROOT / "fleetshell"), *command], cwd=ROOT, env=env,
                                          stdout=subprocess.PIPE, stderr=err)
                output = tracer.stdout.read().decode(errors="replace")
                # the JVM's exit: its stdout closed (System.exit's exit_group comes from one of its threads, which strace
                # names by thread id, so the trace cannot tell it from the agents' ends)
                ended = time.time()
                if args.agents_running:
                    subprocess.run([str(ROOT / "fleetshell"), "agents", "stop"], cwd=ROOT, env=env, capture_output=True)
                tracer.wait()
                err.seek(0)
                stderr = err.read().decode(errors="replace")
            if tracer.returncode not in (0, 1):
                sys.exit("fleetshell %s failed (%d): %s" % (" ".join(command), tracer.returncode, stderr[-2000:]))
            print("  the command's last lines: " + " | ".join((output + stderr).strip().splitlines()[-3:])[:600])
            pids, work = agent_work(home / "history.db") if args.agents_running else (set(), {})
            (home / "ended").write_text(repr(ended))
            (home / "load_average").write_text(repr(load_avg))
            first, last, done = split(trace, pids)
            last = min(last, ended)
            report(first, last, [r for r in done if r["end"] <= last], load_avg, work, journal(home / "history.db"))
        finally:
            if args.agents_running:
                subprocess.run([str(ROOT / "fleetshell"), "agents", "stop"], cwd=ROOT, env=env, capture_output=True)
            if args.keep_home:
                print("  kept FLEETSHELL_HOME=%s" % home)
            elif last_repeat or not args.same_home:
                shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    main()
