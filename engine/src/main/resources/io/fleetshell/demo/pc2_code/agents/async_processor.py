"""AsyncProcessor: runs queued jobs for the other agents by priority."""

import asyncio
import concurrent.futures
import hashlib
import heapq
import logging.handlers
import os
import queue
import socketserver
import ssl
import sys
import xmlrpc.client

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

from common.base_agent import BaseAgent

AGENT_NAME = "AsyncProcessor"
SERVICE_PORT = 7101
HEALTH_PORT = 8101

MAX_JOBS = 200


def job_checksum(job_id, priority):
    return hashlib.sha1(("%d:%d" % (job_id, priority)).encode("ascii")).hexdigest()[:10]


def listen_address(host, port, tls: "ssl.SSLContext | None" = None) -> str:
    scheme = "https" if tls is not None else "http"
    return "%s://%s:%d" % (scheme, host, port)


async def _worker(jobs, done, pool, log):
    loop = asyncio.get_running_loop()
    while True:
        priority, job_id = await jobs.get()
        try:
            digest = await loop.run_in_executor(pool, job_checksum, job_id, priority)
            done.append((priority, job_id, digest))
            log.info("job %d priority %d done", job_id, priority)
        finally:
            jobs.task_done()


async def process(count, workers):
    jobs = asyncio.PriorityQueue()
    for job_id in range(count):
        await jobs.put(((job_id * 7) % 5, job_id))
    done = []
    records = queue.SimpleQueue()
    log = logging.Logger("async_processor.jobs", logging.INFO)
    handler = logging.handlers.QueueHandler(records)
    log.addHandler(handler)
    try:
        with concurrent.futures.ThreadPoolExecutor(max_workers=workers) as pool:
            tasks = [asyncio.create_task(_worker(jobs, done, pool, log)) for _ in range(workers)]
            await jobs.join()
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
    finally:
        log.removeHandler(handler)
    logged = []
    while not records.empty():
        logged.append(records.get_nowait().getMessage())
    return done, logged


def handle_run(params):
    try:
        count = int(params.get("x", "12"))
        workers = int(params.get("workers", "3"))
    except ValueError:
        raise ValueError("x and workers must be integers")
    if not (0 <= count <= MAX_JOBS and 1 <= workers <= 8):
        raise ValueError("x must be 0..%d and workers 1..8" % MAX_JOBS)
    done, logged = asyncio.run(process(count, workers))
    ordered = heapq.nsmallest(len(done), done)
    return {
        "agent": AGENT_NAME,
        "jobs": count,
        "logged": len(logged),
        "last_log": sorted(logged)[-1] if logged else None,
        "by_priority": {str(p): sum(1 for q, _, _ in ordered if q == p) for p in sorted({q for q, _, _ in ordered})},
        "first": [job_id for _, job_id, _ in ordered[:5]],
        "checksums": hashlib.sha256("".join(d for _, _, d in ordered).encode("ascii")).hexdigest(),
        "endpoint": listen_address("127.0.0.1", SERVICE_PORT),
        "callback": xmlrpc.client.dumps(([job_id for _, job_id, _ in ordered[:3]],), methodname="jobs.completed"),
    }


class AsyncProcessor(BaseAgent):
    agent_name, service_port, health_port = AGENT_NAME, SERVICE_PORT, HEALTH_PORT

    def handle_run(self, params):
        return handle_run(params)


if __name__ == "__main__":
    sys.exit(AsyncProcessor().serve())
