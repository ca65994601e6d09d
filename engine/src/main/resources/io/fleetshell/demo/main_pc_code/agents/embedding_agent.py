"""EmbeddingAgent: finds the words closest to a query word in an embedding model it loads at start-up."""

import array
import hashlib
import os
import pickle
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

from common.demo_runtime import serve

AGENT_NAME = "EmbeddingAgent"
SERVICE_PORT = 7221
HEALTH_PORT = 8221

MODEL_DIR = os.environ.get("MODEL_DIR") or "/tmp/fleetshell-demo/models"
DIMENSIONS = 48
VOCABULARY = 40000


def _generate(path):
    """Writes the model file once: deterministic weights derived from each word (no download, no dependency)."""
    rows = {}
    for i in range(VOCABULARY):
        seed = hashlib.blake2b(b"w%d" % i, digest_size=DIMENSIONS).digest()
        rows["w%05d" % i] = array.array("d", [(b - 127.5) / 127.5 for b in seed])
    os.makedirs(os.path.dirname(path), exist_ok=True)
    partial = "%s.%d.tmp" % (path, os.getpid())
    with open(partial, "wb") as out:
        pickle.dump(rows, out, protocol=4)
    os.replace(partial, path)


def _load_model(directory):
    """Reads the weights and normalises every row, as a real loader post-processes what it reads."""
    path = os.path.join(directory, "embedding-v1-%d-%d.pkl" % (VOCABULARY, DIMENSIONS))
    if not os.path.exists(path):
        _generate(path)
    with open(path, "rb") as fh:
        rows = pickle.load(fh)
    model = {}
    for word, row in rows.items():
        norm = sum(v * v for v in row) ** 0.5 or 1.0
        model[word] = tuple(v / norm for v in row)
    return model


MODEL = _load_model(MODEL_DIR)


def handle_run(params):
    word = params.get("x", "w00042")
    if word not in MODEL:
        raise KeyError("unknown word %r (the vocabulary is w00000 .. w%05d)" % (word, VOCABULARY - 1))
    query = MODEL[word]
    start = int(word[1:]) // 500 * 500
    scores = []
    for other in ("w%05d" % i for i in range(start, min(VOCABULARY, start + 500))):
        if other != word:
            scores.append((round(sum(a * b for a, b in zip(query, MODEL[other])), 6), other))
    scores.sort(reverse=True)
    return {"agent": AGENT_NAME, "word": word, "closest": [w for _, w in scores[:3]],
            "similarity": scores[0][0], "vocabulary": len(MODEL)}


if __name__ == "__main__":
    sys.exit(serve(AGENT_NAME, handle_run, SERVICE_PORT, HEALTH_PORT))
