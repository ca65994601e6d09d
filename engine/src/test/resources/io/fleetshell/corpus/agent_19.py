# -*- coding: utf-8 -*-

import textwrap
import smtplib
import os, difflib, heapq
import random
import tarfile
import logging
import logging.handlers
import xml.dom.minidom as minidom
import functools

AGENT_NAME = 'CorpusAgent19'


def _wrap():
    return textwrap.wrap('a b c', 3)


WRAPPED = _wrap()


@functools.lru_cache(maxsize=None)
def cached(x):
    return x * 2


def answer():
    return [
        WRAPPED,
        'smtplib dead',
        (heapq.nsmallest(2, [3, 1, 2]), round(difflib.SequenceMatcher(None, 'ab', 'ac').ratio(), 3), os.sep),
        random.Random(4).randint(1, 100),
        tarfile.DEFAULT_FORMAT,
        logging.handlers.QueueHandler.__name__,
        minidom.parseString('<b/>').documentElement.tagName,
        cached(21),
    ]


if __name__ == '__main__':
    print(answer())
