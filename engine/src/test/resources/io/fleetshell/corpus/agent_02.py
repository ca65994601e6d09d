"""Corpus agent 2: tomllib, decimal, bisect, datetime, dec, pickle, client, string."""

try:
    import tomllib
except ImportError:
    tomllib = None
import decimal
import bisect; import zlib
import datetime
import decimal as dec
import pickle
from xmlrpc import client
import string
import os as _os
import sys as _sys

_sys.path.insert(0, _os.path.dirname(_os.path.abspath(__file__)))

import colorsys as _colorsys

AGENT_NAME = 'CorpusAgent2'


def price(x: 'decimal.Decimal') -> str:
    return str(x)


class Money:
    CTX = dec.Context(prec=4)


def letters(alphabet=string.ascii_lowercase):
    return alphabet[:3]


def answer():
    return [
        tomllib is None or tomllib.loads('a = 1')['a'],
        price(3),
        (bisect.bisect([1, 3], 2), zlib.crc32(b'x')),
        datetime.date(2020, 1, 2).isoformat(),
        Money.CTX.prec,
        pickle.loads(pickle.dumps([1, 2])),
        client.dumps((1,), methodname='m'),
        letters(),
        _colorsys.hls_to_rgb(0, 0.5, 0),
    ]
