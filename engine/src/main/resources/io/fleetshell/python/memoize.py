def _fleetshell_memo(function, maxsize):
    """fleetshell cache_optimization: function behind functools.lru_cache(maxsize, typed=True).

    Calls with an unhashable argument run the function itself, as before; cache_info() tells hits and misses.
    """
    import functools

    cached = functools.lru_cache(maxsize=maxsize, typed=True)(function)

    @functools.wraps(function)
    def call(*args, **kwargs):
        try:
            hash((args, tuple(kwargs.items())))
        except TypeError:
            return function(*args, **kwargs)
        return cached(*args, **kwargs)

    call.cache_info = cached.cache_info
    call.cache_clear = cached.cache_clear
    return call
