"""The demo fleet's shared word lexicon: a heavy table that two shared text modules import.

Importing it builds the table (about 35 ms of CPU on a 2-core machine). Building it only computes values (a sorted
permutation of integers), so loading the module only defines names, and ``common.text_features`` and
``common.spelling`` use it only inside functions: each can defer its import. But TranslationService and TutorAgent
load both modules, so deferring the import in one of them takes nothing off their start-up while the other still
imports it: the gain exists only when both modules change together
(``optimize --modules common.text_features,common.spelling``).
"""

LEXICON_SIZE = 150_000

# A fixed pseudo-random word order: deterministic on every interpreter.
WORD_ORDER = tuple(sorted(range(LEXICON_SIZE), key=lambda i: (i * 7919) % 150_001))


def _code(word):
    value = 0
    for ch in word:
        value = (value * 257 + ord(ch)) % LEXICON_SIZE
    return value


def rank(word):
    """The word's place in the lexicon (stable across runs: no use of hash())."""
    return WORD_ORDER[_code(word)]


def known(word):
    return bool(word) and word.isalpha()
