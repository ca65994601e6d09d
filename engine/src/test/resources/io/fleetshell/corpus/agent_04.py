"""Corpus agent 4: random, tarfile, logging, ET, functools, textwrap."""

import random
import tarfile
import logging
import logging.handlers
import xml.dom.minidom as minidom
import functools
import textwrap

AGENT_NAME = 'CorpusAgent4'


@functools.lru_cache(maxsize=None)
def cached(x):
    return x * 2


def _wrap():
    return textwrap.wrap('a b c', 3)


WRAPPED = _wrap()


def answer():
    return [
        random.Random(4).randint(1, 100),
        tarfile.DEFAULT_FORMAT,
        logging.handlers.QueueHandler.__name__,
        minidom.parseString('<b/>').documentElement.tagName,
        cached(21),
        WRAPPED,
    ]
