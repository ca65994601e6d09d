"""Checks for fleetshell's proofs of a rewrite, run with the agent's own interpreter on the agent's machine, passed as
`python -c SOURCE ...` (nothing is written there for it); the usage below names it as a file.

    PYTHON proof_check.py static ORIGINAL REWRITTEN
        compiles both files and lists, for each, the names read somewhere in it that nothing binds
        (neither the module nor builtins): {"original": {...}, "rewritten": {...}}, each
        {"compiles": true, "undefined": [...], "dynamic": [[what, line], ...]} or {"compiles": false, "error": ..., "line": N}.
        "dynamic" lists the places that read module names by a name computed at run time (exec, eval, globals(),
        locals(), vars(), sys.modules, and __import__ of something but a literal).

    PYTHON proof_check.py load REQUEST
        REQUEST is a JSON object {"file", "argv0", "root", "touch": [NAME...], "removed": [NAME...], "removed_from"}.
        Loads FILE as a module as load_probe.py does (its __main__ block does not run, sys.argv == [argv0], its
        directory first on sys.path) and reports {"ok", "error_type", "message", "line", "names", "first_use",
        "modules", "own"}:
        - names: the module's names after the load;
        - first_use: for each NAME of "touch", the milliseconds its first use took (NAME is an attribute path such
          as urllib.request: reading it and one attribute of it, which is what loads a deferred module);
        - own: after those first uses, the state of the fleet's own modules (files under "root", outside the
          interpreter's installation and site-packages) and of the agent's module: {module: {name: description}},
          a description being the kind of the value, the length of a container, or the value of a plain one;
        - modules: the names in sys.modules at the end, after the modules that the statements binding the
          "removed" names in "removed_from" (the original file) import were imported once more, so that what a
          removed import loaded does not count as a difference, while what it did to other modules does.

The result is one JSON document on the last line of stdout. fleetshell's own modules are imported from the
interpreter's library only (see own_modules), never from the agent's directory or PYTHONPATH.
"""
import builtins
import sys
import time

DYNAMIC_CALLS = ("exec", "eval", "globals", "locals", "vars", "__import__")
CONTAINERS = (dict, list, tuple, set, frozenset)
PLAIN = (bool, int, float, complex, str, bytes, type(None))


def own_modules(names, purge=True):
    """Imports fleetshell's own needs from the interpreter's library only: the probe's directory, '' and every
    PYTHONPATH entry are off sys.path meanwhile. With `purge`, what they loaded leaves sys.modules again, so the
    agent later imports its own copies. Kept in step with load_probe.py's."""
    import os  # preloaded by site, like sys and time

    saved = sys.path[:]
    extra = set(os.path.abspath(p) for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p)
    here = globals().get("__file__")  # none when run with -c, as fleetshell runs it
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


def static(path, ast, symtable):
    with open(path, "rb") as f:
        source = f.read()
    try:
        compile(source, path, "exec", dont_inherit=True)
    except SyntaxError as e:
        return {"compiles": False, "error": "%s: %s" % (type(e).__name__, e.msg), "line": e.lineno}
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
    return {"compiles": True, "undefined": sorted(read - known), "dynamic": dynamic_access(ast.parse(source), ast)}


def dynamic_access(tree, ast):
    """Where the file reads names by a name computed at run time, in source order. The loader that lazy_loading
    inlines (_fleetshell_lazy) imports the module it is given by name and is left out."""
    found = []
    nodes = [tree]
    while nodes:
        node = nodes.pop()
        if isinstance(node, ast.FunctionDef) and node.name == "_fleetshell_lazy":
            continue
        nodes.extend(ast.iter_child_nodes(node))
        if isinstance(node, ast.Call):
            func = node.func
            name = func.id if isinstance(func, ast.Name) else None
            literal = len(node.args) >= 1 and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)
            if name in ("exec", "eval", "globals", "locals"):
                found.append(["%s()" % name, node.lineno])
            elif name == "vars" and not node.args:
                found.append(["vars()", node.lineno])
            elif name == "__import__" and not literal:
                found.append(["__import__() of a computed name", node.lineno])
        elif isinstance(node, ast.Attribute) and node.attr == "modules" and isinstance(node.value, ast.Name) \
                and node.value.id == "sys":
            found.append(["sys.modules", node.lineno])
    found.sort(key=lambda f: f[1])
    return found


def load(request, importlib_util, ast, os):
    path = request["file"]
    if not getattr(sys.flags, "safe_path", False):
        sys.path[0] = os.path.dirname(os.path.realpath(path))  # was this script's own directory, or '' under -c
    sys.argv[:] = [request.get("argv0") or path]
    spec = importlib_util.spec_from_file_location("__fleetshell_agent__", path)
    module = importlib_util.module_from_spec(spec)
    sys.modules["__fleetshell_agent__"] = module
    sys.modules["__main__"] = module
    try:
        spec.loader.exec_module(module)
    except BaseException as e:  # SystemExit at import is a failure to compare too
        return {"ok": False, "error_type": type(e).__name__, "message": str(e), "line": _line(e, path)}
    result = {"ok": True, "names": sorted(vars(module))}
    first_use = {}
    for name in request.get("touch") or ():
        started = time.perf_counter()
        value = module
        for part in name.split("."):
            value = getattr(value, part, None)
        getattr(value, "__name__", None)
        first_use[name] = round((time.perf_counter() - started) * 1000.0, 3)
    result["first_use"] = first_use
    own = own_state(module, request.get("root"), set(request.get("removed") or ()), path, os)
    for target in removed_targets(request, ast):
        try:
            __import__(target)
        except BaseException:  # noqa: BLE001 - it failed in the original too, or it is a from-import of a name
            pass
    for name, state in own_state(module, request.get("root"), set(), path, os).items():
        own.setdefault(name, state)  # modules only the removed imports load: as they are after loading them
    result["own"] = own
    result["modules"] = sorted(m for m in sys.modules if m not in ("__main__", "__fleetshell_agent__"))
    return result


def removed_targets(request, ast):
    """The modules that the original's module-level statements binding the removed names import."""
    removed = set(request.get("removed") or ())
    if not removed or not request.get("removed_from"):
        return []
    with open(request["removed_from"], "rb") as f:
        tree = ast.parse(f.read())
    targets = []
    statements = list(tree.body)
    while statements:
        st = statements.pop(0)
        if isinstance(st, ast.Import):
            targets.extend(a.name for a in st.names if (a.asname or a.name.partition(".")[0]) in removed)
        elif isinstance(st, ast.ImportFrom) and not st.level and st.module:
            for a in st.names:
                if (a.asname or a.name) in removed:
                    targets.extend([st.module, st.module + "." + a.name])
        elif not isinstance(st, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            for field in ("body", "orelse", "finalbody", "handlers"):
                statements.extend(getattr(st, field, None) or ())
    return targets


def own_state(agent, root, removed, path, os):
    """{module: {name: description}} of the agent's module and of every loaded module of the fleet's own code."""
    state = {"__fleetshell_agent__": describe_names(agent, removed, path)}
    if not root:
        return state
    root = os.path.realpath(root) + os.sep
    installed = tuple(os.path.realpath(p) + os.sep for p in {sys.prefix, sys.base_prefix, sys.exec_prefix})
    for name, module in list(sys.modules.items()):
        filename = getattr(module, "__file__", None) if module is not None else None
        if name in ("__main__", "__fleetshell_agent__") or not isinstance(filename, str):
            continue
        real = os.path.realpath(filename)
        if real.startswith(root) and not real.startswith(installed) and "-packages" + os.sep not in real:
            state[name] = describe_names(module, (), path)
    return state


def describe_names(module, leave_out, path):
    described = {}
    for name, value in list(vars(module).items()):
        if name in leave_out or (name.startswith("__") and name.endswith("__") and name != "__all__"):
            continue
        described[name] = describe(value, path)
    return described


def describe(value, path):
    kind = type(value)
    if isinstance(value, type(sys)):
        return "module " + str(getattr(value, "__name__", "?"))
    if isinstance(value, type):
        return "class " + getattr(value, "__qualname__", "?")
    if kind in PLAIN:
        text = repr(value)[:200]
        # the proof loads the rewrite from a hidden sibling file: its own path is not a difference
        return "%s %s" % (kind.__name__, text.replace(path, "<agent file>").replace(path.rpartition("/")[2], "<agent file>"))
    if isinstance(value, CONTAINERS) or kind.__name__ == "deque":
        return "%s of %d" % (kind.__name__, len(value))
    if callable(value) and hasattr(value, "__code__"):
        return "function"
    return "%s.%s" % (kind.__module__, kind.__qualname__)


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


def main():
    json, ast, symtable = own_modules(["json", "ast", "symtable"])
    if len(sys.argv) == 4 and sys.argv[1] == "static":
        report = {"original": static(sys.argv[2], ast, symtable), "rewritten": static(sys.argv[3], ast, symtable)}
    elif len(sys.argv) == 3 and sys.argv[1] == "load":
        import os

        importlib_util, = own_modules(["importlib.util"], purge=False)
        report = load(json.loads(sys.argv[2]), importlib_util, ast, os)
    else:
        sys.stderr.write("usage: proof_check.py static ORIGINAL REWRITTEN | load REQUEST\n")
        sys.exit(2)
    sys.stdout.write("\n" + json.dumps(report) + "\n")


if __name__ == "__main__":
    main()
