"""RoutePlanner: prices delivery routes between the fleet's depots on a fixed cost grid."""

import heapq
import os
import sys
import zlib

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

from common.demo_runtime import serve

AGENT_NAME = "RoutePlanner"
SERVICE_PORT = 7106
HEALTH_PORT = 8106

GRID = 48
DEPOTS = ("north", "south", "east", "west", "harbor", "airport")


def route_cost(source, target):
    """The cheapest path between two depots over a GRID x GRID grid whose cell costs follow from the pair (pure)."""
    salt = zlib.crc32(("%s>%s" % (source, target)).encode("utf-8"))
    start = (zlib.crc32(source.encode("utf-8")) % GRID, 0)
    goal = (zlib.crc32(target.encode("utf-8")) % GRID, GRID - 1)
    best = {start: 0.0}
    queue = [(0.0, start)]
    while queue:
        cost, cell = heapq.heappop(queue)
        if cell == goal:
            return round(cost, 3)
        if cost > best.get(cell, float("inf")):
            continue
        row, col = cell
        for nxt in ((row + 1, col), (row - 1, col), (row, col + 1), (row, col - 1)):
            if 0 <= nxt[0] < GRID and 0 <= nxt[1] < GRID:
                step = 1.0 + (zlib.crc32(b"%d:%d:%d" % (salt, nxt[0], nxt[1])) % 97) / 10.0
                if cost + step < best.get(nxt, float("inf")):
                    best[nxt] = cost + step
                    heapq.heappush(queue, (cost + step, nxt))
    return -1.0


def handle_run(params):
    origin = params.get("x", "north")
    if origin not in DEPOTS:
        raise ValueError("unknown depot %r (depots: %s)" % (origin, ", ".join(DEPOTS)))
    costs = {depot: route_cost(origin, depot) for depot in DEPOTS if depot != origin}
    cheapest = min(sorted(costs), key=lambda depot: costs[depot])
    return {"agent": AGENT_NAME, "from": origin, "costs": costs, "cheapest": cheapest}


if __name__ == "__main__":
    sys.exit(serve(AGENT_NAME, handle_run, SERVICE_PORT, HEALTH_PORT))
