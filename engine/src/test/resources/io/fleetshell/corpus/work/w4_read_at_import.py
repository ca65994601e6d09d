"""The loaded data is read while the module loads: async_initialization must leave it alone."""
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from common.demo_runtime import serve

PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "w4.json")
if not os.path.exists(PATH):
    with open(PATH, "w") as out:
        json.dump({"greeting": "hello", "size": 3}, out)

SETTINGS = json.load(open(PATH))
SIZE = SETTINGS["size"]


def handle_run(params):
    return {"greeting": SETTINGS["greeting"] * SIZE}


if __name__ == "__main__":
    sys.exit(serve("W4", handle_run, 0, 0))
