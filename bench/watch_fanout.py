"""One watch cycle over 1,000 simulated endpoints, and its CPU time per scrape against a real Prometheus.

    python3 bench/watch_fanout.py [--endpoints N] [--repeats N] [--window S] [--interval 1s] [--smoke]

Starts N loopback endpoints (bench/helpers/fake_endpoints.py: the demo agents' exposition, ~66 samples each), an
inventory of N agents pointing at them, and a real Prometheus (Debian's package) scraping the same targets
every second. Then, alternately:
  ours: `./fleetshell watch --once --json --interval 1s` on a fresh copy of the home: one cycle to open the
        connections and start every agent's first interval, then the measured cycle: scrape all N, parse,
        store every sample in history-db, compute p95s. The command reports that cycle's wall time
        (`took_ms`) and the CPU time of the whole JVM meanwhile (`cpu_ms`: every thread, GC and JIT included).
  peer: Prometheus, resumed (SIGCONT) for a window of S seconds and stopped (SIGSTOP) again while ours runs;
        its CPU time over the window (/proc utime + stime) divided by the scrapes it did in it
        (`sum(count_over_time(up[S s]))`).
Targets (issue 6): one cycle <= 1 s on 2 cores; CPU per scrape reported as a ratio against Prometheus.
`--interval` (default 1s) is watch's interval, whose 4/5 is each scrape's timeout: on a machine other builds keep
busy, the 1,000 endpoints (one Python process) may not all answer within 0.8 s; a longer interval changes no work
of the measured cycle, only how long a slow answer is waited for.
"""
import argparse
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

from benchlib import ROOT, build_if_needed, fmt, machine, summary

TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def query(base, promql):
    url = base + "api/v1/query?" + urllib.parse.urlencode({"query": promql})
    with urllib.request.urlopen(url, timeout=10) as r:
        result = json.load(r)["data"]["result"]
    return float(result[0]["value"][1]) if result else 0.0


def wait_ready(base, proc, seconds=60):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if proc.poll() is not None:
            raise SystemExit("prometheus exited early")
        try:
            with urllib.request.urlopen(base + "-/ready", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("prometheus not ready within %d s" % seconds)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--endpoints", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--window", type=float, default=5.0)
    parser.add_argument("--interval", default="1s")
    parser.add_argument("--smoke", action="store_true")
    args = parser.parse_args()
    n, repeats, window = (20, 1, 2.0) if args.smoke else (args.endpoints, args.repeats, args.window)
    prometheus = shutil.which("prometheus")
    if prometheus is None:
        raise SystemExit("watch_fanout needs Prometheus as its peer: apt-get install -y prometheus (.ci/run installs it)")
    build_if_needed()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        endpoints = subprocess.Popen(["python3", str(ROOT / "bench/helpers/fake_endpoints.py"), str(n)], stdout=subprocess.PIPE, text=True)
        prom = None
        try:
            ports = json.loads(endpoints.stdout.readline())
            (tmp / "agent.py").write_text("pass\n")
            entries = ["    Agent%04d: {script_path: agent.py, health_check_port: %d}" % (i, p) for i, p in enumerate(ports)]
            config = tmp / "startup_config.yaml"
            config.write_text("agent_groups:\n  simulated:\n" + "\n".join(entries) + "\n")
            home = tmp / "home"
            env = dict(os.environ, FLEETSHELL_HOME=str(home))
            subprocess.run([str(ROOT / "fleetshell"), "inventory", "load", str(config), "--machine", "sim", "--root", str(tmp)],
                           cwd=ROOT, env=env, check=True, capture_output=True)

            prom_port = free_port()
            (tmp / "prometheus.yml").write_text("global:\n  scrape_interval: 1s\n  scrape_timeout: 1s\nscrape_configs:\n"
                                                "  - job_name: fleet\n    static_configs:\n      - targets: [%s]\n"
                                                % ", ".join("'127.0.0.1:%d'" % p for p in ports))
            prom = subprocess.Popen([prometheus, "--config.file=%s" % (tmp / "prometheus.yml"),
                                     "--web.listen-address=127.0.0.1:%d" % prom_port, "--storage.tsdb.path=%s" % (tmp / "tsdb")],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            base = "http://127.0.0.1:%d/" % prom_port
            wait_ready(base, prom)
            time.sleep(3)  # every target scraped a few times: connections open, series created

            took, cpu_ours, cpu_prom, ratios = [], [], [], []
            for r in range(repeats + 1):  # the first pair warms the file cache and is not counted
                os.kill(prom.pid, signal.SIGCONT)
                time.sleep(1.0)
                c0 = cpu_seconds(prom.pid)
                time.sleep(window)
                c1 = cpu_seconds(prom.pid)
                scrapes = query(base, 'sum(count_over_time(up{job="fleet"}[%ds]))' % round(window))
                os.kill(prom.pid, signal.SIGSTOP)
                run_home = tmp / ("home-%d" % r)
                shutil.copytree(home, run_home)
                out = subprocess.run([str(ROOT / "fleetshell"), "watch", "--once", "--json", "--interval", args.interval], cwd=ROOT,
                                     env=dict(env, FLEETSHELL_HOME=str(run_home)), capture_output=True, text=True)
                shutil.rmtree(run_home)
                if out.returncode != 0:
                    raise SystemExit("watch --once failed: " + out.stderr[-2000:])
                frame = json.loads(out.stdout)
                if frame["up"] != n:
                    raise SystemExit("only %d of %d endpoints answered: %s" % (frame["up"], n, out.stdout[:2000]))
                if r == 0 or scrapes == 0:
                    continue
                prom_per_scrape = (c1 - c0) / scrapes
                ours_per_scrape = frame["cpu_ms"] / 1000 / n
                took.append(frame["took_ms"] / 1000)
                cpu_ours.append(ours_per_scrape)
                cpu_prom.append(prom_per_scrape)
                ratios.append(ours_per_scrape / prom_per_scrape)
        finally:
            if prom is not None:
                os.kill(prom.pid, signal.SIGCONT)
                prom.terminate()
                prom.wait(timeout=30)
            endpoints.terminate()
            endpoints.wait(timeout=10)
    cmd = "`python3 bench/watch_fanout.py --endpoints %d%s`" % (n, "" if args.interval == "1s" else " --interval " + args.interval)
    print("machine: " + machine())
    print("| what (%d loopback endpoints, ~66 samples each) | median (min-max) | command |" % n)
    print("|---|---|---|")
    print("| fleetshell: one watch cycle, wall (scrape, parse, store, p95; target <= 1 s) | %s | %s |" % (fmt(summary(took), " s"), cmd))
    print("| fleetshell: CPU per scrape (JVM, all threads) | %s | %s |" % (fmt(summary(cpu_ours), " ms", 1000, 3), cmd))
    print("| peer: Prometheus CPU per scrape (steady state, 1 s interval) | %s | %s |" % (fmt(summary(cpu_prom), " ms", 1000, 3), cmd))
    print("| ratio fleetshell / Prometheus CPU per scrape (per pair) | %s | %s |" % (fmt(summary(ratios)), cmd))


if __name__ == "__main__":
    main()
