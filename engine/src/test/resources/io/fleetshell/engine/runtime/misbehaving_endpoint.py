"""A health endpoint that misbehaves on purpose, for probe tests.

Usage: python3 misbehaving_endpoint.py MODE
Binds 127.0.0.1 on a free port, prints "port N" and serves every connection by MODE:
ok (200 with JSON and a Date header), error (500), hang (never answers), garbage (not HTTP),
die (starts a 200 answer, then the process exits mid-headers), hugeheaders (a 200 with 393 KB of headers).
"""
import email.utils
import os
import socket
import sys
import time

mode = sys.argv[1]
server = socket.socket()
server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
server.bind(("127.0.0.1", 0))
server.listen(16)
print("port", server.getsockname()[1], flush=True)
held = []
while True:
    conn, _ = server.accept()
    conn.recv(4096)
    if mode == "ok":
        body = b'{"status": "ok", "agent": "Misbehaving"}'
        conn.sendall(b"HTTP/1.0 200 OK\r\nDate: " + email.utils.formatdate(usegmt=True).encode()
                     + b"\r\nContent-Type: application/json\r\nContent-Length: " + str(len(body)).encode() + b"\r\n\r\n" + body)
    elif mode == "error":
        conn.sendall(b"HTTP/1.0 500 Internal Server Error\r\nContent-Length: 15\r\n\r\ndatabase locked")
    elif mode == "hang":
        held.append(conn)  # keep it open, answer nothing
        continue
    elif mode == "garbage":
        conn.sendall(b"\x00\x01 SSH-2.0-not-http at all\n")
    elif mode == "hugeheaders":
        try:
            conn.sendall(b"HTTP/1.0 200 OK\r\n" + b"".join(b"X-Filler-%d: %s\r\n" % (i, b"x" * 1000) for i in range(393))
                         + b"\r\n{}")
        except OSError:
            pass  # the probe stops reading at its limit and closes
    elif mode == "die":
        conn.sendall(b"HTTP/1.0 200 OK\r\nContent-Ty")
        time.sleep(0.05)
        os._exit(3)
    conn.close()
