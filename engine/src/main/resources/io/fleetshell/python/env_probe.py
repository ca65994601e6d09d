"""Reports the sys.path, interpreter and working directory a load of one agent sees, for `inventory env`.

Run by fleetshell exactly as it runs load_probe.py (same interpreter, working directory and environment, on the
agent's machine, the program passed with -c and the agent's file as its one argument), and puts the agent's
directory (symbolic links resolved) first on sys.path in place of the working directory -c put there, as
load_probe.py does. One JSON object on stdout.
"""
import json
import os
import sys

if __name__ == "__main__":
    agent = sys.argv[1]
    if not getattr(sys.flags, "safe_path", False):
        sys.path[0] = os.path.dirname(os.path.realpath(agent))
    print(json.dumps({
        "executable": sys.executable,
        "version": "%d.%d.%d" % sys.version_info[:3],
        "cwd": os.getcwd(),
        "path": sys.path,
    }))
