"""Corpus agent 12: client, string, tomllib, decimal, bisect, datetime."""

from xmlrpc import client
import string
try:
    import tomllib
except ImportError:
    tomllib = None
import decimal
import bisect; import zlib
import datetime

AGENT_NAME = 'CorpusAgent12'


def letters(alphabet=string.ascii_lowercase):
    return alphabet[:3]


def price(x: 'decimal.Decimal') -> str:
    return str(x)


def answer():
    return [
        client.dumps((1,), methodname='m'),
        letters(),
        tomllib is None or tomllib.loads('a = 1')['a'],
        price(3),
        (bisect.bisect([1, 3], 2), zlib.crc32(b'x')),
        datetime.date(2020, 1, 2).isoformat(),
    ]
