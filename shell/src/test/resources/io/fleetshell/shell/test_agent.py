"""An agent for runtime tests: its health port (HEALTH_PORT) behaves as MODE says.

MODE is set in the copy the test writes: ok, error (500), hang (accepts, never answers),
stubborn (answers 200 and ignores SIGTERM), badmetrics (healthy, but /metrics serves garbage). Every mode writes its pid to PID_FILE when that is set.
"""
import http.server
import os
import signal
import socket
import time

MODE = "__MODE__"

if os.environ.get("PID_FILE"):
    with open(os.environ["PID_FILE"], "w") as f:
        f.write(str(os.getpid()))
port = int(os.environ["HEALTH_PORT"])
if MODE == "stubborn":
    signal.signal(signal.SIGTERM, signal.SIG_IGN)
if MODE == "hang":
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", port))
    server.listen(16)
    held = []
    while True:
        held.append(server.accept()[0])


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/metrics" and MODE == "badmetrics":
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; version=0.0.4")
            self.end_headers()
            self.wfile.write(b"# TYPE up gauge\nup{job=\"x\" 1\n\x00garbage\n")
            return
        if self.path == "/metrics":
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; version=0.0.4")
            self.end_headers()
            self.wfile.write(b"# TYPE test_up gauge\ntest_up 1\n")
            return
        code = 500 if MODE == "error" else 200
        self.send_response(code)
        self.end_headers()
        self.wfile.write(b'{"status": "%s"}' % (b"ok" if code == 200 else b"broken"))

    def log_message(self, *args):
        pass


http.server.ThreadingHTTPServer.allow_reuse_address = True
http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
