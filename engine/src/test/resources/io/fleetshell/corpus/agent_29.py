from __future__ import annotations

import xml.dom.minidom as minidom
import functools
import textwrap
import smtplib
import os, difflib, heapq
import random
import tarfile
import os as _os
import sys as _sys

_sys.path.insert(0, _os.path.dirname(_os.path.abspath(__file__)))

import colorsys as _colorsys

AGENT_NAME = 'CorpusAgent29'


@functools.lru_cache(maxsize=None)
def cached(x):
    return x * 2


def _wrap():
    return textwrap.wrap('a b c', 3)


WRAPPED = _wrap()


def answer():
    return [
        minidom.parseString('<b/>').documentElement.tagName,
        cached(21),
        WRAPPED,
        'smtplib dead',
        (heapq.nsmallest(2, [3, 1, 2]), round(difflib.SequenceMatcher(None, 'ab', 'ac').ratio(), 3), os.sep),
        random.Random(4).randint(1, 100),
        tarfile.DEFAULT_FORMAT,
        _colorsys.hls_to_rgb(0, 0.5, 0),
    ]
