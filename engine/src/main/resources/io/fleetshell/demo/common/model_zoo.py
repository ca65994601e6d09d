"""The demo fleet's shared "model zoo": token tables that a model-serving agent would load at start.

Importing it builds the tables (about 60 ms of CPU on a 2-core machine): the cost a heavy shared import
(numpy, a model checkpoint) puts on every agent that loads it. Building them only computes values (sorted
ranges of integers), so loading the module only defines names and deferring its import changes nothing but
when that cost is paid. Nothing here is read while an agent module loads: ``BaseAgent`` uses it only in methods.
"""

import array

VOCABULARY_SIZE = 60_000

# A fixed pseudo-random token order (Knuth's multiplicative hash): deterministic on every interpreter.
TOKEN_ORDER = tuple(sorted(range(VOCABULARY_SIZE), key=lambda i: (i * 2654435761) % 4294967296))

# 2 x 60,000 "weights": a second permutation, the row each token's embedding starts at.
EMBEDDING_ROWS = tuple(sorted(range(2 * VOCABULARY_SIZE), key=lambda i: ((i * 40503) ^ (i >> 3)) % 65521))


def token_id(word):
    """The token a word maps to (stable across runs: no use of hash())."""
    value = 0
    for ch in word:
        value = (value * 131 + ord(ch)) % VOCABULARY_SIZE
    return TOKEN_ORDER[value]


def embed(text, dimensions=8):
    """A small deterministic embedding of a text: one row offset per word, summed per dimension."""
    vector = array.array("d", [0.0] * dimensions)
    for word in text.split():
        row = EMBEDDING_ROWS[token_id(word)]
        for d in range(dimensions):
            vector[d] += ((row >> d) & 0xFF) / 255.0
    return [round(v, 6) for v in vector]
