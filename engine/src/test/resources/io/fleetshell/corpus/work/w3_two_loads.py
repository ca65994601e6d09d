"""Two loads at module level, one handler reading both: both move, ready waits for both."""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from common.demo_runtime import serve

HERE = os.path.dirname(os.path.abspath(__file__))
for name, size in (("w3_a.json", 30000), ("w3_b.json", 20000)):
    if not os.path.exists(os.path.join(HERE, name)):
        with open(os.path.join(HERE, name), "w") as out:
            json.dump(list(range(size)), out)

A = json.load(open(os.path.join(HERE, "w3_a.json")))
B = json.load(open(os.path.join(HERE, "w3_b.json")))


def handle_run(params):
    n = int(params.get("x", "3"))
    return {"a": A[n], "b": B[-n], "sizes": [len(A), len(B)]}


if __name__ == "__main__":
    sys.exit(serve("W3", handle_run, 0, 0))
