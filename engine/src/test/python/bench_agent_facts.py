"""Times agent_facts.py against a bare ast.parse loop over the same generated agent files.

    python3 bench_agent_facts.py [--python /usr/bin/python3] [--files 1000] [--runs 3]

Both run as one process over the whole batch (as fleetshell runs the helper), alternating, and
the medians of wall and CPU time are printed. The files are generated (about 200 lines each:
imports incl. a try/except fallback, typed helpers, classes with methods, a __main__ block) into
a temporary directory that is removed afterwards. Numbers measured by hand on this project's
machines are in the hand-off report of the helper; turn this into a benchmark rather than
trusting one run: the machine is shared and timings move by 10-20 %.
"""
import argparse
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

HELPER = os.path.join(os.path.dirname(os.path.abspath(__file__)),
                      "../../main/resources/io/fleetshell/python/agent_facts.py")
MODULES = ["numpy as np", "pandas as pd", "torch", "requests", "yaml", "zmq", "json", "os", "sys",
           "logging", "time", "threading", "re", "collections", "typing"]
BARE_LOOP = ("import ast, json, sys\n"
             "for f in json.load(sys.stdin)['files']:\n"
             "    with open(f, 'rb') as fh:\n"
             "        ast.parse(fh.read())\n")


def agent_source(i, rnd):
    lines = ['"""Agent %d, generated for the analysis benchmark."""' % i,
             "from __future__ import annotations" if rnd.random() < 0.3 else ""]
    lines += ["import " + m for m in rnd.sample(MODULES, 8)]
    lines += ["from typing import Any, Dict, List, Optional",
              "from collections import defaultdict, OrderedDict",
              "try:\n    import ujson as fastjson\nexcept ImportError:\n    import json as fastjson",
              "from .common import helpers, settings  # noqa: F401", "",
              "LOG = logging.getLogger(__name__)",
              "CONFIG = {'port': %d, 'name': 'agent_%d', 'retries': 3}" % (7000 + i, i), ""]
    n = 0
    while len(lines) < 190:
        n += 1
        if rnd.random() < 0.5:
            lines += ["def helper_%d(x: int, y: Optional[int] = None) -> Dict[str, Any]:" % n,
                      '    """Do step %d."""' % n,
                      "    result = {}",
                      "    for j in range(x):",
                      "        if j %% %d == 0:" % (n % 5 + 2),
                      "            result[str(j)] = j * (y or 1)",
                      "        else:",
                      "            result.setdefault('odd', []).append(j)",
                      "    LOG.debug('helper %%d done: %%s', %d, len(result))" % n,
                      "    return result", ""]
        else:
            lines += ["class Worker%d:" % n, '    """A worker."""', "    retries = 3", "",
                      "    def __init__(self, name: str, port: int = 0):",
                      "        self.name = name",
                      "        self.port = port or CONFIG['port']",
                      "        self.state: Dict[str, Any] = defaultdict(int)",
                      "        self.lock = None", "",
                      "    def handle(self, request: Dict[str, Any]) -> Dict[str, Any]:",
                      "        action = request.get('action')",
                      "        if action == 'ping':",
                      "            return {'status': 'ok', 'name': self.name}",
                      "        elif action == 'sum':",
                      "            values = [int(v) for v in request.get('values', []) if v is not None]",
                      "            return {'status': 'ok', 'sum': sum(values)}",
                      "        self.state[action] += 1",
                      "        return {'status': 'error', 'message': f'unknown action {action!r}'}", ""]
    lines += ["def main():", "    w = Worker1('x') if 'Worker1' in globals() else None",
              "    while True:", "        time.sleep(1)", "",
              'if __name__ == "__main__":', "    main()"]
    return "\n".join(lines) + "\n"


def timed(command, stdin):
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(command, input=stdin, stdout=subprocess.DEVNULL, check=True)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--files", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=3)
    options = parser.parse_args()
    directory = tempfile.mkdtemp(prefix="agent-facts-bench-")
    try:
        rnd = random.Random(42)
        files = []
        for i in range(options.files):
            path = os.path.join(directory, "agent_%05d.py" % i)
            with open(path, "w") as fh:
                fh.write(agent_source(i, rnd))
            files.append(path)
        request = json.dumps({"files": files, "side_effect_modules": []}).encode()
        bare, helper = [], []
        for _ in range(options.runs):
            bare.append(timed([options.python, "-I", "-c", BARE_LOOP], request))
            helper.append(timed([options.python, "-I", HELPER], request))
        b_wall, b_cpu = (statistics.median(x[i] for x in bare) for i in (0, 1))
        h_wall, h_cpu = (statistics.median(x[i] for x in helper) for i in (0, 1))
        print("%d files, %s, median of %d" % (len(files), options.python, options.runs))
        print("bare ast.parse loop: wall %.2f s  cpu %.2f s" % (b_wall, b_cpu))
        print("agent_facts.py:      wall %.2f s  cpu %.2f s" % (h_wall, h_cpu))
        print("ratio:               wall %.2f    cpu %.2f" % (h_wall / b_wall, h_cpu / b_cpu))
    finally:
        shutil.rmtree(directory)


if __name__ == "__main__":
    main()
