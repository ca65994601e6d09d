"""Checks for fleetshell's proofs of a rewrite, run with the agent's own interpreter.

    PYTHON proof_check.py static ORIGINAL REWRITTEN
        compiles both files and lists, for each, the names read somewhere in it that nothing binds
        (neither the module nor builtins): {"original": {...}, "rewritten": {...}}, each
        {"compiles": true, "undefined": [...]} or {"compiles": false, "error": ..., "line": N}.

    PYTHON proof_check.py load FILE [NAME...]
        loads FILE as a module (its __main__ block does not run; its directory first on sys.path, as
        `python FILE` would have it) and reports {"ok", "error_type", "message", "line", "names", "first_use"}:
        the module's names after the load, and for each NAME the milliseconds its first use took
        (NAME is an attribute path such as urllib.request: reading it and one attribute of it, which is what loads a deferred module).

The result is one JSON document on the last line of stdout.
"""
import builtins
import json
import sys
import time


def static(path):
    with open(path, "rb") as f:
        source = f.read()
    try:
        compile(source, path, "exec", dont_inherit=True)
    except SyntaxError as e:
        return {"compiles": False, "error": "%s: %s" % (type(e).__name__, e.msg), "line": e.lineno}
    import symtable

    top = symtable.symtable(source, path, "exec")
    bound = {s.get_name() for s in top.get_symbols() if s.is_assigned() or s.is_imported() or s.is_namespace()}
    known = bound | set(dir(builtins)) | {"__file__", "__builtins__", "__path__", "__cached__", "__annotations__"}
    read = set()
    tables = [top]
    while tables:
        table = tables.pop()
        for symbol in table.get_symbols():
            if symbol.is_referenced() and (symbol.is_global() or table is top):
                read.add(symbol.get_name())
        tables.extend(table.get_children())
    return {"compiles": True, "undefined": sorted(read - known)}


def load(path, names):
    import importlib.util

    sys.path.insert(0, path.rsplit("/", 1)[0] if "/" in path else ".")
    spec = importlib.util.spec_from_file_location("__fleetshell_agent__", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["__fleetshell_agent__"] = module
    result = {"ok": True}
    try:
        spec.loader.exec_module(module)
    except BaseException as e:  # SystemExit at import is a failure to compare too
        result = {"ok": False, "error_type": type(e).__name__, "message": str(e), "line": _line(e, path)}
        return result
    result["names"] = sorted(vars(module))
    first_use = {}
    for name in names:
        started = time.perf_counter()
        value = module
        for part in name.split("."):
            value = getattr(value, part, None)
        getattr(value, "__name__", None)
        first_use[name] = round((time.perf_counter() - started) * 1000.0, 3)
    result["first_use"] = first_use
    return result


def _line(error, path):
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
    if len(sys.argv) >= 4 and sys.argv[1] == "static":
        report = {"original": static(sys.argv[2]), "rewritten": static(sys.argv[3])}
    elif len(sys.argv) >= 3 and sys.argv[1] == "load":
        report = load(sys.argv[2], sys.argv[3:])
    else:
        sys.stderr.write("usage: proof_check.py static ORIGINAL REWRITTEN | load FILE [NAME...]\n")
        sys.exit(2)
    sys.stdout.write("\n" + json.dumps(report) + "\n")
