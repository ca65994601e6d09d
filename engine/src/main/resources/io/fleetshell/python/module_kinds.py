"""What each import target of an agent loads, asked of the agent's own interpreter in its environment.

Run by fleetshell (Optimizer) as ``PYTHON -c "<this file>" SCRIPT_DIR TARGET...``; prints one JSON object
mapping each target (``module`` or ``module.name`` for a from-import) to its kind:

    preloaded  in sys.modules when the interpreter starts
    source     a Python module that can load lazily
    native     built-in or C extension: nothing to gain
    attribute  a from-import of something that is not a submodule
    missing    not found, or finding it failed

Packages above a dotted name are imported (never the target itself), in this process only.
"""
import importlib, importlib.util, json, sys
preloaded = set(sys.modules)
sys.path.insert(0, sys.argv[1])
kinds = {}
for target in sys.argv[2:]:
    parent, _, leaf = target.rpartition(".")
    try:
        if target in preloaded:
            kinds[target] = "preloaded"
            continue
        owner = importlib.import_module(parent) if parent else None
        if owner is not None and hasattr(owner, leaf) and target not in sys.modules:
            kinds[target] = "attribute"
            continue
        spec = importlib.util.find_spec(target)
        if spec is None:
            kinds[target] = "missing"
        elif type(spec.loader).__name__ in ("SourceFileLoader", "SourcelessFileLoader"):
            kinds[target] = "source"
        else:
            kinds[target] = "native"
    except Exception:
        kinds[target] = "missing"
print(json.dumps(kinds))
