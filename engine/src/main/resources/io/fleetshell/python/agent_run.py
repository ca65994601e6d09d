"""Runs an agent file as `python agent.py ARGS...` would, counting calls of some of its functions.

    PYTHON agent_run.py COUNTS_JSON FUNCTION[,FUNCTION...] /path/to/agent.py [agent arguments...]

Used by fleetshell's cache_optimization: the agent serves as usual while a profile hook (all threads)
counts, for each named module-level function of the agent's own file, how often its body ran, how many
distinct argument tuples it saw (by repr) and the time spent in it. When the agent's main returns or
raises SystemExit (after SIGTERM, say), the counts are written to COUNTS_JSON:

    {"score": {"calls": 40, "distinct": 5, "total_ms": 812.4}, ...}

An empty FUNCTION list runs the agent without the hook. Standard library only, Python 3.8+.
"""
import json
import os
import runpy
import sys
import threading
import time


def main():
    counts_file, names, path = sys.argv[1], [n for n in sys.argv[2].split(",") if n], os.path.abspath(sys.argv[3])
    sys.argv = [path] + sys.argv[4:]
    sys.path[0] = os.path.dirname(path)
    wanted = frozenset(names)
    counts = dict((n, [0, set(), 0.0]) for n in names)
    started = {}
    lock = threading.Lock()
    clock = time.perf_counter

    def hook(frame, event, arg):
        code = frame.f_code
        if code.co_name not in wanted or code.co_filename != path:
            return
        if event == "call":
            params = code.co_varnames[:code.co_argcount + code.co_kwonlyargcount]
            key = repr(tuple(frame.f_locals.get(p) for p in params))
            with lock:
                entry = counts[code.co_name]
                entry[0] += 1
                entry[1].add(key)
            started[id(frame)] = clock()
        elif event == "return":
            begun = started.pop(id(frame), None)
            if begun is not None:
                with lock:
                    counts[code.co_name][2] += clock() - begun

    if wanted:
        threading.setprofile(hook)
        sys.setprofile(hook)
    status = 0
    try:
        runpy.run_path(path, run_name="__main__")
    except SystemExit as e:
        status = e.code
    finally:
        sys.setprofile(None)
        threading.setprofile(None)
        if wanted:
            with open(counts_file, "w") as out:
                json.dump(dict((n, {"calls": c[0], "distinct": len(c[1]), "total_ms": round(c[2] * 1000.0, 3)})
                               for n, c in counts.items()), out)
    return status


if __name__ == "__main__":
    sys.exit(main())
