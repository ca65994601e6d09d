from __future__ import annotations

import pickle
from xmlrpc import client
import string
try:
    import tomllib
except ImportError:
    tomllib = None
import decimal
import bisect; import zlib
import datetime
import os as _os
import sys as _sys

_sys.path.insert(0, _os.path.dirname(_os.path.abspath(__file__)))

import colorsys as _colorsys

AGENT_NAME = 'CorpusAgent17'


def letters(alphabet=string.ascii_lowercase):
    return alphabet[:3]


def price(x: 'decimal.Decimal') -> str:
    return str(x)


def answer():
    return [
        pickle.loads(pickle.dumps([1, 2])),
        client.dumps((1,), methodname='m'),
        letters(),
        tomllib is None or tomllib.loads('a = 1')['a'],
        price(3),
        (bisect.bisect([1, 3], 2), zlib.crc32(b'x')),
        datetime.date(2020, 1, 2).isoformat(),
        _colorsys.hls_to_rgb(0, 0.5, 0),
    ]
