"""An agent object whose __init__ reads its data, created at module level: the instance moves to a thread."""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from common.demo_runtime import serve


class Catalog(object):
    def __init__(self, path):
        if not os.path.exists(path):
            with open(path, "w") as out:
                json.dump({"k%d" % i: i * i for i in range(50000)}, out)
        with open(path) as fh:
            self.items = json.load(fh)
        limit = os.environ.get("W2_LIMIT", "50000")
        if not limit.isdigit():
            raise ValueError("W2_LIMIT must be a number, not %r" % limit)
        self.limit = int(limit)

    def lookup(self, key):
        return self.items.get(key, -1) if len(self.items) <= self.limit else -2


CATALOG = Catalog(os.path.join(os.path.dirname(os.path.abspath(__file__)), "w2_catalog.json"))


def handle_run(params):
    return {"value": CATALOG.lookup(params.get("x", "k1"))}


if __name__ == "__main__":
    sys.exit(serve("W2", handle_run, 0, 0))
