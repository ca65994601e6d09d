"""Loads one agent file as a module, without running its __main__ block, and reports what it cost.

Run by fleetshell with the agent's own interpreter, in a fresh process per sample:

    PYTHON -X importtime load_probe.py /path/to/agent.py [ARGV0]
    PYTHON -X importtime -c "$(cat load_probe.py)" /path/to/agent.py [ARGV0]   (how fleetshell runs it)

The agent sees what `python ARGV0` (ARGV0 defaults to the agent's path) minus its `__main__` block would show it:
`sys.argv == [ARGV0]` (none of the probe's arguments), `sys.path[0]` the directory of the agent's file (symbolic
links resolved, left out when the interpreter runs with safe_path), the rest of `sys.path`, the environment and
the working directory as the interpreter set them up, and `sys.modules["__main__"]` the agent's module; the module
itself is named `__fleetshell_agent__`, so its `if __name__ == "__main__":` block does not run.

The probe's own modules (json, ...) are imported before the agent's directory is on sys.path and with the
PYTHONPATH entries taken off it, so a `json.py` planted beside the agent is never the probe's; they are then
taken out of sys.modules again, so the agent's imports find (and pay for) what `python agent.py` would.
The load is bracketed by
marker lines on stderr so that fleetshell can tell the agent's `-X importtime` lines from the
probe's own. The result is one JSON object on the last line of stdout:

    {"ok": true, "load_ms": 41.2, "cpu_ms": 39.8, "rss_kb": 18230, "modules_before": 31, "modules_after": 112,
     "statements": [["numpy", 2, 310.5, 18100], ...], "load_average": 0.42}
    {"ok": false, "error_type": "ModuleNotFoundError", "message": "...", "line": 12, "load_ms": 3.1, ...}

Only importlib.util, which loads the agent, stays imported before the load, so the agent's other imports are
measured in full.

`load_ms` is the wall time of the load, `cpu_ms` the CPU time the process spent in it (all threads, user and
system): on a busy machine other processes stretch the first and hardly touch the second.

`statements` attributes cost to the agent's own import statements: for every import executed by
the agent's module (not by the modules it imports), the module asked for, the statement's line,
its wall time in ms and how much the resident set grew while it ran, in KiB. It comes from a thin
`__import__` wrapper that reads the clock and /proc/self/statm around the call and otherwise
passes everything through unchanged.
"""
import builtins
import os
import sys
import time


def own_modules(names, purge=True):
    """Imports fleetshell's own needs from the interpreter's library only: the probe's directory, '' and every
    PYTHONPATH entry are off sys.path meanwhile. With `purge`, what they loaded leaves sys.modules again, so the
    agent later imports its own copies. Kept in step with proof_check.py's. (os, like sys and time, is loaded by
    the interpreter at start-up already.)"""
    saved = sys.path[:]
    extra = set(os.path.abspath(p) for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p)
    here = globals().get("__file__")  # absent when fleetshell passes the probe with -c, as it does
    if here:
        extra.add(os.path.dirname(os.path.abspath(here)))
    sys.path[:] = [p for p in saved if p and os.path.isabs(p) and os.path.abspath(p) not in extra]
    before = set(sys.modules)
    try:
        modules = []
        for name in names:
            __import__(name)
            modules.append(sys.modules[name])
    finally:
        sys.path[:] = saved
    for name in (set(sys.modules) - before) if purge else ():
        del sys.modules[name]
    return modules


def agent_environment(path, argv0):
    """sys.path[0], sys.argv and __main__ as `python ARGV0` sets them (see the module docstring)."""
    if not getattr(sys.flags, "safe_path", False):
        sys.path[0] = os.path.dirname(os.path.realpath(path))  # was the probe's own directory
    sys.argv[:] = [argv0]


BEGIN = "fleetshell-probe: begin"
END = "fleetshell-probe: end"


def main(path, argv0):
    load_average = _load_average()
    importlib_util, = own_modules(["importlib.util"], purge=False)
    json, resource = own_modules(["json", "resource"])
    agent_environment(path, argv0)
    spec = importlib_util.spec_from_file_location("__fleetshell_agent__", path)
    module = importlib_util.module_from_spec(spec)
    sys.modules["__fleetshell_agent__"] = module
    sys.modules["__main__"] = module
    before = len(sys.modules)
    statements = []
    original_import = builtins.__import__
    page_kb = _page_kb()

    def measuring_import(name, globals=None, locals=None, fromlist=(), level=0):
        if page_kb is None or globals is None or globals.get("__name__") != "__fleetshell_agent__":
            return original_import(name, globals, locals, fromlist, level)
        start_rss = _rss_pages()
        started = time.perf_counter()
        try:
            return original_import(name, globals, locals, fromlist, level)
        finally:
            millis = (time.perf_counter() - started) * 1000.0
            line = sys._getframe(1).f_lineno
            statements.append([("." * level) + name, line, round(millis, 3), (_rss_pages() - start_rss) * page_kb])

    builtins.__import__ = measuring_import
    error = None
    sys.stderr.write(BEGIN + "\n")
    sys.stderr.flush()
    start = time.perf_counter()
    start_cpu = time.process_time()
    try:
        spec.loader.exec_module(module)
    except BaseException as e:  # SystemExit and KeyboardInterrupt at import are failures to report too
        error = e
    cpu = (time.process_time() - start_cpu) * 1000.0
    elapsed = (time.perf_counter() - start) * 1000.0
    builtins.__import__ = original_import
    sys.stderr.write(END + "\n")
    sys.stderr.flush()
    after = len(sys.modules)
    result = {
        "ok": error is None,
        "load_ms": round(elapsed, 3),
        "cpu_ms": round(cpu, 3),
        "rss_kb": _peak_rss_kb(resource),
        "modules_before": before,
        "modules_after": after,
        "python": "%d.%d.%d" % sys.version_info[:3],
        "statements": statements,
        "load_average": load_average,
    }
    if error is not None:
        result["error_type"] = type(error).__name__
        result["message"] = str(error)
        result["line"] = _agent_line(error, path)
        cache_file = _cache_file(error)
        if cache_file is not None:
            result["cache_file"] = cache_file
    sys.stdout.write("\n" + json.dumps(result) + "\n")


def _peak_rss_kb(resource):
    """Peak resident set size of this process image. ru_maxrss would also count the parent's peak
    (the JVM's, some 250 MB) inherited through fork; VmHWM starts afresh at exec."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def _load_average():
    """This machine's one-minute load average as the load starts (the machine the load competes on), or None."""
    try:
        return round(os.getloadavg()[0], 2)
    except (OSError, AttributeError):
        return None


def _page_kb():
    try:
        import os

        return os.sysconf("SC_PAGE_SIZE") // 1024
    except (ImportError, ValueError, OSError, AttributeError):
        return None


def _rss_pages():
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1])


def _cache_file(error):
    """The cached bytecode file being read when the error arose, when it lies under PYTHONPYCACHEPREFIX.

    A truncated .pyc (a full disk) fails in importlib's get_code with EOFError or ValueError: that is the cache's
    failure, not the agent's, and the caller removes the file and loads again.
    """
    prefix = getattr(sys, "pycache_prefix", None)
    if not prefix:
        return None
    tb = error.__traceback__
    found = None
    while tb is not None:
        # only a failure of importlib unmarshalling the cached file: get_code calling _compile_bytecode
        if tb.tb_frame.f_code.co_name == "get_code" and tb.tb_next is not None \
                and tb.tb_next.tb_frame.f_code.co_name == "_compile_bytecode":
            candidate = tb.tb_frame.f_locals.get("bytecode_path")
            if isinstance(candidate, str) and os.path.abspath(candidate).startswith(os.path.abspath(prefix) + os.sep):
                found = candidate
        tb = tb.tb_next
    return found


def _agent_line(error, path):
    """The line of the agent's own file where the error arose, or the syntax error's line."""
    if isinstance(error, SyntaxError) and error.filename == path:
        return error.lineno
    line = None
    tb = error.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == path:
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


if __name__ == "__main__":
    if len(sys.argv) not in (2, 3):
        sys.stderr.write("usage: load_probe.py AGENT_FILE [ARGV0]\n")
        sys.exit(2)
    main(sys.argv[1], sys.argv[-1])
