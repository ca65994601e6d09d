"""Corpus agent 22: dec, pickle, client, string, tomllib, decimal, bisect, datetime."""

import decimal as dec
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

AGENT_NAME = 'CorpusAgent22'


class Money:
    CTX = dec.Context(prec=4)


def letters(alphabet=string.ascii_lowercase):
    return alphabet[:3]


def price(x: 'decimal.Decimal') -> str:
    return str(x)


def answer():
    return [
        Money.CTX.prec,
        pickle.loads(pickle.dumps([1, 2])),
        client.dumps((1,), methodname='m'),
        letters(),
        tomllib is None or tomllib.loads('a = 1')['a'],
        price(3),
        (bisect.bisect([1, 3], 2), zlib.crc32(b'x')),
        datetime.date(2020, 1, 2).isoformat(),
    ]
