# -*- coding: utf-8 -*-

import string
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

AGENT_NAME = 'CorpusAgent7'


def letters(alphabet=string.ascii_lowercase):
    return alphabet[:3]


def price(x: 'decimal.Decimal') -> str:
    return str(x)


class Money:
    CTX = dec.Context(prec=4)


def answer():
    return [
        letters(),
        tomllib is None or tomllib.loads('a = 1')['a'],
        price(3),
        (bisect.bisect([1, 3], 2), zlib.crc32(b'x')),
        datetime.date(2020, 1, 2).isoformat(),
        Money.CTX.prec,
        pickle.loads(pickle.dumps([1, 2])),
        client.dumps((1,), methodname='m'),
    ]


if __name__ == '__main__':
    print(answer())
