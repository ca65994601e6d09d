"""Runs an agent file as `python agent.py ARGS...` would, counting calls of some of its functions. fleetshell passes it
as `python -c SOURCE COUNTS_JSON ...` on the agent's machine (nothing is written there for it).

    PYTHON agent_run.py COUNTS_JSON FUNCTION[,FUNCTION...] /path/to/agent.py [agent arguments...]

Used by fleetshell's cache_optimization: the agent serves as usual while a profile hook (all threads)
counts, for each named module-level function of the agent's own file, how often its body ran, how many
distinct argument tuples it saw (by repr) and the time spent in it. The counts are written to COUNTS_JSON
(atomically: a reader never sees half a file) as soon as SIGTERM arrives, before the agent's own handler
runs, and again when the agent's main returns or raises SystemExit:

    {"score": {"calls": 40, "distinct": 5, "total_ms": 812.4}, ...}

Writing at SIGTERM matters: an agent whose shutdown hangs (a request thread its server joins, say) is
killed by the caller after a grace, and the counts of the replay it did answer must survive that.

An empty FUNCTION list runs the agent without the hook. Standard library only, Python 3.8+.
"""
import json
import os
import runpy
import signal
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

    def write_counts():
        # no lock: this also runs from the SIGTERM handler, which may interrupt the hook while it holds the lock;
        # each entry read here is a single value or len() of a set, consistent under the GIL
        snapshot = dict((n, {"calls": c[0], "distinct": len(c[1]), "total_ms": round(c[2] * 1000.0, 3)})
                        for n, c in list(counts.items()))
        partial = counts_file + ".partial"
        with open(partial, "w") as out:
            json.dump(snapshot, out)
        os.replace(partial, counts_file)

    if wanted:
        flush_on_sigterm(write_counts)
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
            write_counts()
    return status


def flush_on_sigterm(flush):
    """Calls flush() when SIGTERM arrives, then does what the agent asked SIGTERM to do.

    The agent still sees its own handler: signal.signal and signal.getsignal for SIGTERM record and return
    the agent's choice while the handler installed here stays in place and chains to it. An agent that
    installs none dies of SIGTERM as before (default disposition, signal raised again), after the flush.
    """
    real_signal, real_getsignal = signal.signal, signal.getsignal
    chosen = [real_getsignal(signal.SIGTERM)]

    def on_sigterm(signum, frame):
        flush()
        handler = chosen[0]
        if callable(handler):
            return handler(signum, frame)
        if handler == signal.SIG_IGN:
            return None
        real_signal(signal.SIGTERM, signal.SIG_DFL)
        os.kill(os.getpid(), signal.SIGTERM)
        return None

    def agent_signal(signum, handler):
        if signum != signal.SIGTERM:
            return real_signal(signum, handler)
        if not (callable(handler) or handler in (signal.SIG_DFL, signal.SIG_IGN)):
            return real_signal(signum, handler)  # the same TypeError the agent would get
        previous, chosen[0] = chosen[0], handler
        return previous

    def agent_getsignal(signum):
        return chosen[0] if signum == signal.SIGTERM else real_getsignal(signum)

    real_signal(signal.SIGTERM, on_sigterm)
    signal.signal, signal.getsignal = agent_signal, agent_getsignal


if __name__ == "__main__":
    sys.exit(main())
