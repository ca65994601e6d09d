"""Corpus agent 24: functools, textwrap, smtplib, heapq, random, tarfile."""

import functools
import textwrap
import smtplib
import os, difflib, heapq
import random
import tarfile

AGENT_NAME = 'CorpusAgent24'


@functools.lru_cache(maxsize=None)
def cached(x):
    return x * 2


def _wrap():
    return textwrap.wrap('a b c', 3)


WRAPPED = _wrap()


def answer():
    return [
        cached(21),
        WRAPPED,
        'smtplib dead',
        (heapq.nsmallest(2, [3, 1, 2]), round(difflib.SequenceMatcher(None, 'ab', 'ac').ratio(), 3), os.sep),
        random.Random(4).randint(1, 100),
        tarfile.DEFAULT_FORMAT,
    ]
