def _fleetshell_lazy(target, bound):
    # Binds the module `target` now and runs its code on first attribute access; returns the module to
    # bind (`bound`: the top package for `import a.b.c`). Packages above `target` load now, as eagerly
    # as importlib.util.find_spec needs them. The object bound is the one sys.modules holds, before and
    # after the load. A lock makes the first load run once when threads race on it (the standard
    # library's LazyLoader races before 3.11.9 and 3.12.3), and a missing module fails here, as the
    # eager import did.
    import _thread, importlib, importlib.util, sys
    parent, _, leaf = target.rpartition(".")
    owner = importlib.import_module(parent) if parent else None
    if target in sys.modules:
        module = sys.modules[target]
    elif owner is not None and hasattr(owner, leaf):
        module = getattr(owner, leaf)
    else:
        spec = importlib.util.find_spec(target)
        if spec is None or type(spec.loader).__name__ not in ("SourceFileLoader", "SourcelessFileLoader"):
            module = importlib.import_module(target)  # missing (the eager error) or not lazy-loadable (C code)
        else:
            module, lock, loading = importlib.util.module_from_spec(spec), _thread.RLock(), []

            class LazyModule(type(sys)):
                def __getattribute__(self, attr):
                    with lock:
                        if object.__getattribute__(self, "__class__") is LazyModule and not loading:
                            loading.append(target)
                            try:
                                spec.loader.exec_module(self)
                                self.__class__ = type(sys)
                            except BaseException:
                                if sys.modules.get(target) is self:  # as a failed eager import leaves it
                                    del sys.modules[target]
                                raise
                            finally:
                                loading.clear()
                    return type(sys).__getattribute__(self, attr)

            module.__class__ = LazyModule
            sys.modules[target] = module
            if owner is not None:
                setattr(owner, leaf, module)
    return module if bound == target else sys.modules[bound]
