"""Serving code shared by every agent of the fleetshell demo fleet.

An agent calls ``serve(name, run, port, health_port)`` from its ``__main__`` block.
Two HTTP servers are started on 127.0.0.1:

* the service port answers ``GET /run?...`` with ``run(params)`` encoded as JSON;
* the health port answers ``GET /health`` (JSON) and ``GET /metrics``
  (Prometheus text exposition format 0.0.4).

SIGTERM and SIGINT stop both servers, let requests in flight finish and exit 0.

Only cheap modules are imported at module level so that the profile of an agent is
made of the agent's own imports; everything else is imported inside the functions.
"""

import os
import sys
import time

__all__ = ["serve", "Metrics", "resolve_ports", "process_start_time"]

_IMPORTED_AT = time.time()

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
KNOWN_PATHS = {
    "service": ("/run",),
    "health": ("/health", "/metrics"),
}


def process_start_time():
    """Start of this process in seconds since the epoch (from /proc when available)."""
    try:
        with open("/proc/self/stat", "rb") as f:
            stat = f.read().decode("ascii", "replace")
        start_ticks = int(stat[stat.rindex(")") + 2:].split()[19])
        with open("/proc/uptime", "rb") as f:
            uptime = float(f.read().split()[0])
        age = uptime - start_ticks / os.sysconf("SC_CLK_TCK")
        return time.time() - max(0.0, age)
    except (OSError, ValueError, IndexError):
        return _IMPORTED_AT


def _resident_memory_bytes():
    try:
        with open("/proc/self/statm", "rb") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return None


def _escape_label(value):
    return str(value).replace("\\", "\\\\").replace("\n", "\\n").replace('"', '\\"')


def _fmt(value):
    if value == float("inf"):
        return "+Inf"
    if isinstance(value, int):
        return str(value)
    return repr(float(value))


def _labels(pairs):
    return "{" + ",".join('%s="%s"' % (k, _escape_label(v)) for k, v in pairs) + "}"


class Metrics:
    """A tiny thread-safe metrics registry: one request counter and one latency histogram."""

    def __init__(self, agent):
        import threading

        self.agent = agent
        self._lock = threading.Lock()
        self._requests = {}
        self._latency = {}
        self.start_time = process_start_time()
        self.startup_seconds = None
        for paths in KNOWN_PATHS.values():
            for path in paths:
                self._series(path)

    def _series(self, path):
        if path not in self._latency:
            self._requests.setdefault(path, 0)
            self._latency[path] = [[0] * len(LATENCY_BUCKETS), 0.0, 0]
        return self._latency[path]

    def observe(self, path, seconds):
        with self._lock:
            self._requests[path] = self._requests.get(path, 0) + 1
            buckets, _, _ = hist = self._series(path)
            for i, bound in enumerate(LATENCY_BUCKETS):
                if seconds <= bound:
                    buckets[i] += 1
            hist[1] += seconds
            hist[2] += 1

    def render(self):
        with self._lock:
            requests = dict(self._requests)
            latency = {p: (list(h[0]), h[1], h[2]) for p, h in self._latency.items()}
        agent = ("agent", self.agent)
        out = [
            "# HELP demo_requests_total Total HTTP requests served by the agent, by path.",
            "# TYPE demo_requests_total counter",
        ]
        for path in sorted(requests):
            out.append("demo_requests_total%s %d" % (_labels([agent, ("path", path)]), requests[path]))
        out += [
            "# HELP demo_request_duration_seconds Time spent answering HTTP requests, by path.",
            "# TYPE demo_request_duration_seconds histogram",
        ]
        for path in sorted(latency):
            buckets, total, count = latency[path]
            for bound, n in zip(LATENCY_BUCKETS, buckets):
                out.append("demo_request_duration_seconds_bucket%s %d"
                           % (_labels([agent, ("path", path), ("le", _fmt(bound))]), n))
            out.append("demo_request_duration_seconds_bucket%s %d"
                       % (_labels([agent, ("path", path), ("le", "+Inf")]), count))
            out.append("demo_request_duration_seconds_sum%s %s"
                       % (_labels([agent, ("path", path)]), _fmt(total)))
            out.append("demo_request_duration_seconds_count%s %d"
                       % (_labels([agent, ("path", path)]), count))
        out += [
            "# HELP demo_agent_info Constant 1, labelled with the agent and its interpreter.",
            "# TYPE demo_agent_info gauge",
            "demo_agent_info%s 1" % _labels([agent, ("python", "%d.%d.%d" % sys.version_info[:3])]),
        ]
        if self.startup_seconds is not None:
            out += [
                "# HELP demo_startup_seconds Seconds from process start until both ports were listening.",
                "# TYPE demo_startup_seconds gauge",
                "demo_startup_seconds%s %s" % (_labels([agent]), _fmt(self.startup_seconds)),
            ]
        out += [
            "# HELP process_start_time_seconds Start time of the process since unix epoch in seconds.",
            "# TYPE process_start_time_seconds gauge",
            "process_start_time_seconds %s" % _fmt(round(self.start_time, 2)),
        ]
        rss = _resident_memory_bytes()
        if rss is not None:
            out += [
                "# HELP process_resident_memory_bytes Resident memory size in bytes.",
                "# TYPE process_resident_memory_bytes gauge",
                "process_resident_memory_bytes %d" % rss,
            ]
        return "\n".join(out) + "\n"


def resolve_ports(default_port, default_health_port, argv=None, environ=None):
    """Ports from --port/--health-port, else $PORT/$HEALTH_PORT, else the defaults + $PORT_OFFSET."""
    import argparse

    environ = os.environ if environ is None else environ
    offset = int(environ.get("PORT_OFFSET") or 0)
    parser = argparse.ArgumentParser(description="Run this demo agent until SIGTERM.")
    parser.add_argument("--port", type=int,
                        default=int(environ.get("PORT") or default_port + offset),
                        help="service port, GET /run (default: $PORT, else %d + $PORT_OFFSET)" % default_port)
    parser.add_argument("--health-port", type=int,
                        default=int(environ.get("HEALTH_PORT") or default_health_port + offset),
                        help="health port, GET /health and /metrics "
                             "(default: $HEALTH_PORT, else %d + $PORT_OFFSET)" % default_health_port)
    parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")
    return parser.parse_args(argv)


def _make_handler(name, metrics, routes, kind):
    import http.server
    import json

    debug = os.environ.get("LOG_LEVEL", "INFO").upper() == "DEBUG"

    class Handler(http.server.BaseHTTPRequestHandler):
        server_version = "fleetshell-demo/1"
        protocol_version = "HTTP/1.0"

        def do_GET(self):
            started = time.perf_counter()
            path, _, query = self.path.partition("?")
            label = path if path in KNOWN_PATHS[kind] else "other"
            try:
                route = routes.get(path)
                if route is None:
                    self._send(404, "application/json",
                               json.dumps({"error": "not found", "agent": name, "path": path}))
                else:
                    status, ctype, body = route(query)
                    self._send(status, ctype, body)
            finally:
                metrics.observe(label, time.perf_counter() - started)

        def _send(self, status, ctype, body):
            data = body.encode("utf-8")
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, fmt, *args):
            if debug:
                sys.stderr.write("%s %s %s\n" % (name, kind, fmt % args))

    return Handler


def _run_route(name, run):
    import json
    import traceback
    import urllib.parse

    def route(query):
        params = {k: v[0] for k, v in urllib.parse.parse_qs(query, keep_blank_values=True).items()}
        try:
            result = run(params)
        except (ValueError, KeyError) as exc:
            return 400, "application/json", json.dumps(
                {"error": "%s: %s" % (type(exc).__name__, exc), "agent": name}, sort_keys=True)
        except Exception as exc:
            traceback.print_exc()
            return 500, "application/json", json.dumps(
                {"error": "%s: %s" % (type(exc).__name__, exc), "agent": name}, sort_keys=True)
        return 200, "application/json", json.dumps(result, sort_keys=True)

    return route


def _health_routes(name, metrics, ports, ready=None):
    import json

    def health(query):
        if ready is not None and not ready():
            # live but not ready: orchestrators keep traffic away until the agent's start-up work is done
            body = {"status": "starting", "agent": name, "pid": os.getpid(),
                    "uptime_seconds": round(time.time() - metrics.start_time, 3)}
            return 503, "application/json", json.dumps(body, sort_keys=True)
        body = {
            "status": "ok",
            "agent": name,
            "pid": os.getpid(),
            "port": ports[0],
            "health_port": ports[1],
            "python": "%d.%d.%d" % sys.version_info[:3],
            "uptime_seconds": round(time.time() - metrics.start_time, 3),
        }
        return 200, "application/json", json.dumps(body, sort_keys=True)

    def prometheus(query):
        return 200, "text/plain; version=0.0.4; charset=utf-8", metrics.render()

    return {"/health": health, "/metrics": prometheus}


def serve(name, run, port, health_port, argv=None, ready=None):
    """Serve ``run`` on the service port and health/metrics on the health port until SIGTERM.

    ``port`` and ``health_port`` are the agent's configured ports (PORT_OFFSET=0); command-line
    options and environment variables override them. ``ready``, when given, is called by each
    ``/health`` request: while it returns false the answer is 503 ``{"status": "starting"}``
    (the readiness hook fleetshell's async_initialization passes). Returns the process exit status.
    """
    import http.server
    import signal
    import threading

    args = resolve_ports(port, health_port, argv)
    metrics = Metrics(name)
    ports = (args.port, args.health_port)

    servers = []
    try:
        for kind, bind_port, routes in (
            ("service", args.port, {"/run": _run_route(name, run)}),
            ("health", args.health_port, _health_routes(name, metrics, ports, ready)),
        ):
            handler = _make_handler(name, metrics, routes, kind)
            server = http.server.ThreadingHTTPServer((args.host, bind_port), handler)
            server.daemon_threads = False
            servers.append(server)
    except OSError as exc:
        for server in servers:
            server.server_close()
        sys.stderr.write("%s: cannot listen on %s: %s\n" % (name, args.host, exc))
        return 1

    stop = threading.Event()

    def on_signal(signum, frame):
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)

    threads = [threading.Thread(target=s.serve_forever, kwargs={"poll_interval": 0.2},
                                name="%s-%d" % (name, s.server_address[1]), daemon=True)
               for s in servers]
    for t in threads:
        t.start()
    metrics.startup_seconds = max(0.0, time.time() - metrics.start_time)
    sys.stdout.write("%s ready service=%s:%d health=%s:%d pid=%d startup=%.3fs\n"
                     % (name, args.host, args.port, args.host, args.health_port,
                        os.getpid(), metrics.startup_seconds))
    sys.stdout.flush()

    while not stop.wait(0.5):
        pass
    for server in servers:
        server.shutdown()
    for server in servers:
        server.server_close()
    for t in threads:
        t.join(5)
    sys.stdout.write("%s stopped\n" % name)
    sys.stdout.flush()
    return 0
