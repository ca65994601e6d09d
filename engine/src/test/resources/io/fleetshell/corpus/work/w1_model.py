"""A model read from a pickle at load (written on first start), read by the handler: async_initialization moves it."""
import os
import pickle
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from common.demo_runtime import serve

PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "w1_model.pkl")


def _load(path):
    if not os.path.exists(path):
        with open(path + ".tmp%d" % os.getpid(), "wb") as out:
            pickle.dump([i * 0.5 for i in range(200000)], out)
        os.replace(path + ".tmp%d" % os.getpid(), path)
    with open(path, "rb") as fh:
        return pickle.load(fh)


WEIGHTS = _load(PATH)


def handle_run(params):
    i = int(params.get("x", "0"))
    return {"weight": WEIGHTS[i], "count": len(WEIGHTS)}


if __name__ == "__main__":
    sys.exit(serve("W1", handle_run, 0, 0))
