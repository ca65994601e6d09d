def _fleetshell_lazy(target, bound):
    # Binds the module `target` now and runs its code on first attribute access; returns the module to
    # bind (`bound`: the top package for `import a.b.c`). The whole dotted chain waits: the first package
    # not loaded yet is bound unloaded, and when its first use runs it, the next package of the chain is
    # bound unloaded in it, and so on, so each package runs at its own first use (a package's __init__ is
    # deferred on the same terms as any module). `import a.b.c as x` and `from a.b import c` bind the
    # submodule itself, unloaded too while its parents wait: its first use runs the parents first, as the
    # eager import ran them (a parent that imports it runs it then, at that statement), then the module.
    # The object bound is the one sys.modules holds, before and after the load. A lock makes the first load
    # run once when threads race on it (the standard library's LazyLoader races before 3.11.9 and
    # 3.12.3), and a missing module fails here, as the eager import did.
    # It imports nothing new: it uses importlib's bootstrap (`_frozen_importlib`, loaded with the interpreter), whose
    # functions importlib.import_module and importlib.util.find_spec call; importlib.util would add about 17 modules
    # (contextlib, functools, collections...) to the start where the site has not loaded it (Debian's /usr/bin/python3).
    import _thread, sys
    boot = sys.modules["_frozen_importlib"]
    load = boot._gcd_import  # importlib.import_module(name); not __import__, which drops an error raised by a waiting module

    def find(name):  # importlib.util.find_spec of a module whose parent is loaded: imports nothing
        parent = name.rpartition(".")[0]
        path = getattr(load(parent), "__path__", None) if parent else None
        return None if parent and path is None else boot._find_spec(name, path)  # None: not a package, the eager error comes

    def source(spec):
        return spec is not None and type(spec.loader).__name__ in ("SourceFileLoader", "SourcelessFileLoader")

    def found(parts, spec, depth):  # the spec at the end of the chain if all of it exists, as the eager import checked, running nothing
        search = spec.submodule_search_locations if source(spec) else None
        finder = next((f for f in sys.meta_path if getattr(f, "__name__", None) == "PathFinder"), None)  # no new import
        for end in range(depth + 1, len(parts) + 1):
            spec = None if search is None or finder is None else finder.find_spec(".".join(parts[:end]), search)
            if spec is None:
                return None
            search = spec.submodule_search_locations
        return spec

    def unloaded(name, spec, chains, parents=False):
        module, lock, loading = boot.module_from_spec(spec), _thread.RLock(), []

        def run(self):
            loading.append("run")
            try:
                try:
                    spec.loader.exec_module(self)
                except BaseException:
                    if sys.modules.get(name) is self:  # as a failed eager import leaves it
                        del sys.modules[name]
                    raise
                waiting, LazyModule.chains = LazyModule.chains, None
                try:
                    for chain in waiting:  # the next package of each chain waits in this one
                        bind(chain, chain.partition(".")[0])
                finally:
                    self.__class__ = type(sys)
            finally:
                loading.remove("run")

        class LazyModule(type(sys)):
            def __getattribute__(self, attr):
                first = False
                if parents and object.__getattribute__(self, "__class__") is LazyModule:
                    with lock:  # the parents wait too: the first use runs them first, as the eager import ran them
                        first = not loading
                        if first:
                            loading.append("parents")
                if first:  # without the lock: a parent importing this module, in any thread, runs it there
                    try:
                        owner = load(name.rpartition(".")[0])
                        names = vars(owner)  # runs a waiting parent
                    except BaseException:
                        with lock:
                            loading.remove("parents")
                            if sys.modules.get(name) is self:  # as a failed eager import leaves it
                                del sys.modules[name]
                        raise
                with lock:
                    if object.__getattribute__(self, "__class__") is LazyModule and "run" not in loading:
                        run(self)
                if first:
                    names.setdefault(name.rpartition(".")[2], self)
                return type(sys).__getattribute__(self, attr)

        LazyModule.chains, LazyModule.lock, LazyModule.spec = chains, lock, spec
        module.__class__ = LazyModule
        sys.modules[name] = module
        if "." in name and not parents:
            setattr(sys.modules[name.rpartition(".")[0]], name.rpartition(".")[2], module)
        return module

    def bind(target, bound):
        parts = target.split(".")
        for depth in range(1, len(parts)):
            head = ".".join(parts[:depth])
            waiting = sys.modules.get(head)
            if waiting is None:
                spec = find(head)  # its parent is loaded: this imports nothing
                leaf = found(parts, spec, depth)
                if leaf is None or (bound == target and not source(leaf)):
                    break  # not a source package, or not found without running it: the parents load now
                unloaded(head, spec, [target])
                return sys.modules[bound] if bound != target else unloaded(target, leaf, [], parents=True)
            kind = type(waiting)  # the class, not the module: asking the module would load it
            leaf = found(parts, kind.spec, depth) if vars(kind).get("chains") is not None else None
            if leaf is not None and (bound != target or source(leaf)):
                with kind.lock:
                    if vars(kind).get("chains") is not None:  # still waiting: its first use binds this chain too
                        kind.chains.append(target)
                        return sys.modules[bound] if bound != target else unloaded(target, leaf, [], parents=True)
        parent, _, leaf = target.rpartition(".")
        owner = load(parent) if parent else None
        if target in sys.modules:
            module = sys.modules[target]
            if owner is not None:
                vars(owner).setdefault(leaf, module)  # a submodule that waited for its parents: set as the eager import sets it
        elif owner is not None and leaf in vars(owner):  # not hasattr: a package __getattr__ (scipy's) would import it
            module = vars(owner)[leaf]
        else:
            spec = find(target)
            if not source(spec):
                module = load(target)  # missing (the eager error) or not lazy-loadable (C code)
            else:
                module = unloaded(target, spec, [])
        return module if bound == target else sys.modules[bound]

    return bind(target, bound)
