"""Measurements of one agent file: module load, time-to-healthy, first-request latency, self-test.

Every measurement runs the agent's own interpreter in a fresh process, with the fleet directory as
working directory and the bytecode cache written next to the files (the default; warmed by the
benchmark's first, unrecorded round).
"""
import json
import re
import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request

LOADER = ("import importlib.util, sys, time\n"
          "spec = importlib.util.spec_from_file_location('b1_agent', sys.argv[1])\n"
          "module = importlib.util.module_from_spec(spec)\n"
          "start = time.perf_counter()\n"
          "spec.loader.exec_module(module)\n"
          "print('%.3f' % ((time.perf_counter() - start) * 1000))\n")


class Failed(Exception):
    """The agent did not load, start or answer; the message says how."""


def load_ms(python, root, script, timeout=120):
    """Wall milliseconds of executing the agent's module body (as `exec_module`) in a fresh process."""
    result = subprocess.run([python, "-c", LOADER, script], cwd=root, capture_output=True, text=True, timeout=timeout)
    if result.returncode != 0:
        raise Failed("load failed: " + (result.stderr.strip().splitlines() or ["exit %d" % result.returncode])[-1])
    return float(result.stdout.strip().splitlines()[-1])


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url, timeout=30):
    with urllib.request.urlopen(url, timeout=timeout) as response:
        return response.status, response.read()


def start(python, root, script, sample, timeout=90):
    """Starts the agent on free ports; returns (ms until /health answered 200, ms of the first /run, its JSON).
    Without a sample query, no request is made (the floor variant cannot answer one)."""
    port, health = _free_port(), _free_port()
    env = dict(os.environ, PYTHONUNBUFFERED="1")
    began = time.perf_counter()
    process = subprocess.Popen([python, script, "--port", str(port), "--health-port", str(health)], cwd=root, env=env,
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        while True:
            if process.poll() is not None:
                raise Failed("exited %d before healthy: %s" % (process.returncode, (process.stderr.read().strip().splitlines()
                                                                                  or [""])[-1]))
            try:
                status, _ = _get("http://127.0.0.1:%d/health" % health, timeout=2)
                if status == 200:
                    break
            except (urllib.error.URLError, ConnectionError, OSError):
                pass
            if time.perf_counter() - began > timeout:
                raise Failed("not healthy after %d s" % timeout)
            time.sleep(0.01)
        healthy_ms = (time.perf_counter() - began) * 1000
        if sample is None:
            return healthy_ms, 0.0, None
        before = time.perf_counter()
        try:
            status, body = _get("http://127.0.0.1:%d/run?%s" % (port, sample), timeout=timeout)
        except urllib.error.HTTPError as exc:
            raise Failed("/run answered %d: %s" % (exc.code, exc.read()[:200]))
        first_ms = (time.perf_counter() - before) * 1000
        return healthy_ms, first_ms, json.loads(body)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        process.stderr.close()


def self_test(root, command, timeout=300):
    """Runs the agent's test_command from the fleet directory; returns None when it passes, else the reason."""
    try:
        result = subprocess.run(command, shell=True, cwd=root, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        return "self-test timed out after %d s" % timeout
    if result.returncode == 0:
        return None
    lines = [l for l in result.stderr.strip().splitlines() if l.strip()]
    errors = [l for l in lines if re.match(r"^\w+(Error|Exception): ", l)] or [l for l in lines if "rror" in l]
    return "self-test failed: " + ((errors or lines or ["exit %d" % result.returncode])[-1]).strip()
