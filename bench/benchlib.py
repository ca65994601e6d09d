"""Shared helpers for fleetshell's benchmarks: timing commands, median and spread, the machine line.

Every benchmark compares fleetshell with a peer measured in the same run, alternating the two so
that a noisy neighbour hurts both alike, and reports median and spread (min-max) of the repeats.
"""
import os
import platform
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def java_home():
    """The JDK >= 25 that bin/jdk.sh selects."""
    out = subprocess.run(["bash", "-c", ". bin/jdk.sh && select_jdk && echo $JAVA_HOME"], cwd=ROOT,
                         capture_output=True, text=True, check=True)
    return out.stdout.strip()


def timed(command, env=None, cwd=ROOT):
    """Wall seconds of one run; fails loudly when the command fails."""
    start = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit("benchmark command failed (%d): %s\n%s" % (result.returncode, " ".join(map(str, command)), result.stderr[-2000:]))
    return elapsed


def alternate(ours, peer, repeats, env=None):
    """Times the two commands in turns, `repeats` times after one warm-up run each (file cache).
    Returns (our times, peer times, per-pair ratios ours / peer)."""
    timed(peer, env)
    timed(ours, env)
    ours_t, peer_t, ratios = [], [], []
    for _ in range(repeats):
        p = timed(peer, env)
        o = timed(ours, env)
        peer_t.append(p)
        ours_t.append(o)
        ratios.append(o / p)
    return ours_t, peer_t, ratios


def summary(values):
    """median and spread of a list of numbers."""
    return {"median": statistics.median(values), "min": min(values), "max": max(values), "n": len(values)}


def fmt(s, unit="", scale=1.0, digits=2):
    return "%.*f%s (%.*f-%.*f, n=%d)" % (digits, s["median"] * scale, unit, digits, s["min"] * scale, digits,
                                        s["max"] * scale, s["n"])


def machine():
    cpus = os.cpu_count()
    mem = ""
    try:
        with open("/proc/meminfo") as f:
            mem = "%.0f GiB" % (int(f.readline().split()[1]) / 1024 / 1024)
    except OSError:
        pass
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return "%s, %s cores, %s, Python %s, load average %.2f at start, %s" % (
        platform.platform(), cpus, mem, platform.python_version(), load, time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()))


def demo_port_offset(preferred):
    """The first PORT_OFFSET from `preferred` on (in steps of 1000) at which every port the demo fleet can use is free
    (service ports 7100-7299, health ports 8100-8299, plus the offset): a port something else answers on would be taken
    for a running agent that fleetshell did not start, and the run would measure nothing."""
    import socket
    for offset in range(preferred, preferred + 20000, 1000):
        ports = [p + offset for p in list(range(7100, 7300)) + list(range(8100, 8300))]
        if max(ports) > 65535:
            break
        taken = None
        for port in ports:
            with socket.socket() as s:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as the agents' servers do: TIME_WAIT is no obstacle
                try:
                    s.bind(("127.0.0.1", port))
                except OSError:
                    taken = port
                    break
        if taken is None:
            return offset
        print("port %d is taken (something listens there): trying PORT_OFFSET %d" % (taken, offset + 1000), file=sys.stderr)
    sys.exit("no PORT_OFFSET from %d on leaves the demo's 400 ports free" % preferred)


def build_if_needed():
    """Runs ./fleetshell version once so the jar, the extracted app and the AOT cache exist."""
    subprocess.run([str(ROOT / "fleetshell"), "version"], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)
