"""Runs a sequence of fresh-process loads of agent files on one machine and streams one JSON line per finished load.

Run by fleetshell (passed with -c, as the other shipped programs, so nothing is left on the machine) with the
agent's own interpreter, its working directory and its environment, the request on stdin:

    {"prefix": ["python3", "-X", "importtime", "-c", "<load_probe.py's text>"],
     "args": [["/srv/a.py"], ["/srv/.a.fleetshell-1.py"], ["/srv/a.py"]], "timeout": 60}

Each entry of `args` runs `prefix + entry` (one load of `SCRIPT` exactly as fleetshell runs one itself, or one load
of proof_check.py) as a new child process, with this process's working directory and environment, one after the
other, in the order given. An entry may instead be an object naming its own directory and environment:

    {"args": ["/copy/a.py"], "directory": "/copy", "environment": {"PYTHONPATH": "/copy"}, "unset": ["NAME"]}

(`environment` added to this process's, `unset` removed from it): the loads of an agent from the fleet and from a
changed copy of it, paired in one runner. For each finished load one line goes to stdout:

    {"index": 3, "status": 0, "timed_out": false, "stdout": "...", "stderr": ""}

`stdout` is the child's whole stdout (its report is the last line). `stderr` (the `-X importtime` lines) is kept only
when the load left no report (a last line starting with `{`), its last 4000 characters, to say why: the pairs of a proof compare CPU and wall time
and need none of it, and it is most of the bytes. The children stay in this process's group, so stopping the group
(fleetshell does when the sequential test has decided) stops the load under way too; a load over `timeout` seconds is
killed and reported with `timed_out`.

Why one process for many loads: on a machine reached over ssh each load of its own costs an ssh session, a wrapper
shell and setsid (0.2-0.5 s at load 3, more than a load), and a proof takes 20 to 60 loads.
"""
import json
import os
import subprocess
import sys


def main():
    request = json.loads(sys.stdin.read())
    prefix = request["prefix"]
    timeout = request["timeout"]
    for index, entry in enumerate(request["args"]):
        directory, environment = None, None
        if isinstance(entry, dict):
            directory = entry.get("directory")
            environment = dict(os.environ)
            environment.update(entry.get("environment") or {})
            for name in entry.get("unset") or ():
                environment.pop(name, None)
            entry = entry["args"]
        child = subprocess.Popen(prefix + entry, cwd=directory, env=environment,
                                 stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        timed_out = False
        try:
            out, err = child.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            child.kill()
            out, err = child.communicate()
            timed_out = True
        out = out.decode("utf-8", "replace")
        err = err.decode("utf-8", "replace")
        last = [line for line in out.splitlines() if line.strip()]
        has_report = bool(last) and last[-1].strip().startswith("{")
        line = {"index": index, "status": -1 if timed_out else child.returncode, "timed_out": timed_out,
                "stdout": out, "stderr": "" if has_report else err[-4000:]}
        sys.stdout.write(json.dumps(line) + "\n")
        sys.stdout.flush()


main()
