"""Many simulated agent /metrics endpoints in one process, for bench/watch_fanout.py.

    python3 bench/helpers/fake_endpoints.py N

Listens on N free loopback ports (asyncio, HTTP/1.1 keep-alive) and prints them as one JSON line, then serves
until killed. Each answers any GET with the demo agents' exposition (text format 0.0.4: a request counter and a
latency histogram for four paths, an info gauge, start time, RSS), its counters growing with every answer.
"""
import asyncio
import json
import socket
import sys

BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0)
PATHS = ("/run", "/health", "/metrics", "other")


def render(agent, n):
    out = ["# HELP demo_requests_total Total HTTP requests served by the agent, by path.",
           "# TYPE demo_requests_total counter"]
    for p in PATHS:
        out.append('demo_requests_total{agent="%s",path="%s"} %d' % (agent, p, n * 3 if p == "/run" else n))
    out += ["# HELP demo_request_duration_seconds Time spent answering HTTP requests, by path.",
            "# TYPE demo_request_duration_seconds histogram"]
    for p in PATHS:
        count = n * 3 if p == "/run" else n
        for i, b in enumerate(BUCKETS):
            out.append('demo_request_duration_seconds_bucket{agent="%s",path="%s",le="%r"} %d' % (agent, p, b, count * (i + 1) // len(BUCKETS)))
        out.append('demo_request_duration_seconds_bucket{agent="%s",path="%s",le="+Inf"} %d' % (agent, p, count))
        out.append('demo_request_duration_seconds_sum{agent="%s",path="%s"} %r' % (agent, p, count * 0.004))
        out.append('demo_request_duration_seconds_count{agent="%s",path="%s"} %d' % (agent, p, count))
    out += ["# TYPE demo_agent_info gauge", 'demo_agent_info{agent="%s",python="3.11.7"} 1' % agent,
            "# TYPE process_start_time_seconds gauge", "process_start_time_seconds 1764000000.5",
            "# TYPE process_resident_memory_bytes gauge", "process_resident_memory_bytes 2.4e+07"]
    return ("\n".join(out) + "\n").encode()


async def serve(reader, writer, agent, counter):
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            if not head:
                break
            counter[0] += 1
            body = render(agent, counter[0])
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain; version=0.0.4; charset=utf-8\r\nContent-Length: %d\r\n\r\n"
                         % len(body) + body)
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError):
        pass
    finally:
        writer.close()


async def main(n):
    ports = []
    for i in range(n):
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", 0))
        counter = [0]
        agent = "Agent%04d" % i
        await asyncio.start_server(lambda r, w, a=agent, c=counter: serve(r, w, a, c), sock=sock, backlog=512)
        ports.append(sock.getsockname()[1])
    print(json.dumps(ports), flush=True)
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main(int(sys.argv[1])))
