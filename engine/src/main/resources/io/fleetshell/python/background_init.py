def _fleetshell_start(name, work):
    """fleetshell async_initialization: runs work() in a thread started here and returns its holder.

    holder.result() waits for the work and returns its value, or raises its exception with the original
    traceback; holder.ready() says whether it finished without error. When the agent runs as a script, a
    failure prints its traceback and ends the process with status 1, as the failure at start-up did.
    """
    import os
    import sys
    import threading

    class Holder(object):
        __slots__ = ("done", "value", "error", "trace")

        def ready(self):
            return self.done.is_set() and self.error is None

        def result(self):
            self.done.wait()
            if self.error is not None:
                raise self.error.with_traceback(self.trace)
            return self.value

    holder = Holder()
    holder.done = threading.Event()
    holder.value = holder.error = holder.trace = None
    as_script = sys._getframe(1).f_globals.get("__name__") == "__main__"

    def run():
        try:
            holder.value = work()
        except BaseException as error:
            holder.error, holder.trace = error, error.__traceback__
            if as_script:
                import traceback
                sys.stderr.write("fleetshell async_initialization: %s failed while the agent started:\n" % name)
                traceback.print_exception(type(error), error, error.__traceback__)
                sys.stderr.flush()
                os._exit(1)
        finally:
            holder.done.set()

    threading.Thread(target=run, name="fleetshell-init-" + name, daemon=True).start()
    return holder
