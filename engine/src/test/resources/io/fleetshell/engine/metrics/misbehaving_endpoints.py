"""Real HTTP endpoints that misbehave on purpose, for ScraperTest. Prints "port N" once listening.

/ok        valid text format 0.0.4          /om        valid OpenMetrics 1.0
/500       HTTP 500                         /garbage   200 with HTML
/hang      accepts and never answers        /slowbody  headers at once, then the body never ends
/truncated announces 2000 bytes, sends part of them and closes (the process serving it died)
/exit      sends half an answer, then the whole server process exits
/conn      counts the requests served on this connection (a gauge): 2 on the second scrape when it is kept alive
/chunked   the text format in chunked transfer coding, three chunks
/closing   answers with keep-alive but closes the connection right after (as an endpoint's idle timeout does)
"""
import http.server
import os
import socketserver
import sys
import time

TEXT = (b"# HELP demo_requests_total Requests.\n# TYPE demo_requests_total counter\n"
        b'demo_requests_total{path="/run",code="200"} 7\n'
        b'demo_requests_total{path="/run",code="500"} 1\n'
        b"# TYPE demo_request_duration_seconds histogram\n"
        b'demo_request_duration_seconds_bucket{path="/run",le="0.1"} 6\n'
        b'demo_request_duration_seconds_bucket{path="/run",le="+Inf"} 8\n'
        b'demo_request_duration_seconds_sum{path="/run"} 0.5\n'
        b'demo_request_duration_seconds_count{path="/run"} 8\n'
        b"nan_gauge NaN\n")
OM = b"# TYPE up gauge\nup 1\n# TYPE c counter\nc_total 3 1700000000.5\n# EOF\n"


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    served = 0  # per connection: a handler instance serves one connection

    def do_GET(self):
        self.served += 1
        p = self.path
        if p == "/conn":
            self.answer(200, "text/plain; version=0.0.4", b"# TYPE connection_requests gauge\nconnection_requests %d\n" % self.served)
        elif p == "/chunked":
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; version=0.0.4")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            for part in (TEXT[:40], TEXT[40:100], TEXT[100:]):
                self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
            self.wfile.write(b"0\r\n\r\n")
        elif p == "/closing":
            self.answer(200, "text/plain; version=0.0.4", TEXT)
            self.wfile.flush()
            self.close_connection = True
        elif p == "/ok":
            self.answer(200, "text/plain; version=0.0.4; charset=utf-8", TEXT)
        elif p == "/om":
            self.answer(200, "application/openmetrics-text; version=1.0.0; charset=utf-8", OM)
        elif p == "/500":
            self.answer(500, "text/plain", b"internal error\n")
        elif p == "/garbage":
            self.answer(200, "text/html", b"<html><body>It works!</body></html>\n")
        elif p == "/hang":
            time.sleep(60)
        elif p == "/slowbody":
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; version=0.0.4")
            self.send_header("Content-Length", "100000")
            self.end_headers()
            for _ in range(600):
                self.wfile.write(b"# still coming\n")
                self.wfile.flush()
                time.sleep(0.1)
        elif p == "/truncated":
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; version=0.0.4")
            self.send_header("Content-Length", "2000")
            self.end_headers()
            self.wfile.write(TEXT[:60])
            self.wfile.flush()
            self.close_connection = True
            self.connection.shutdown(2)
        elif p == "/exit":
            self.send_response(200)
            self.send_header("Content-Type", "text/plain; version=0.0.4")
            self.send_header("Content-Length", str(len(TEXT)))
            self.end_headers()
            self.wfile.write(TEXT[:50])
            self.wfile.flush()
            os._exit(3)
        else:
            self.answer(404, "text/plain", b"not found\n")

    def answer(self, status, ctype, body):
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True


server = Server(("127.0.0.1", 0), Handler)
print("port", server.server_address[1], flush=True)
server.serve_forever()
