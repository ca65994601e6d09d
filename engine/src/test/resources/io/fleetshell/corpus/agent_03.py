from typing import TYPE_CHECKING
if TYPE_CHECKING:
    import sqlite3
import concurrent.futures
import ipaddress
import colorsys
import json as js
import urllib.parse
import abc
import encodings.idna

AGENT_NAME = 'CorpusAgent3'


def connection(c: 'sqlite3.Connection' = None):
    return c


class Base(metaclass=abc.ABCMeta):
    pass


def answer():
    return [
        connection() is None,
        list(concurrent.futures.ThreadPoolExecutor(1).map(abs, [-1])),
        str(ipaddress.ip_network('10.0.0.0/30').broadcast_address),
        colorsys.rgb_to_hsv(1, 0, 0),
        js.dumps([1, 2]),
        urllib.parse.quote('a b'),
        Base.__name__,
        'b\u00fccher.example'.encode('idna').decode(),
    ]


if __name__ == '__main__':
    print(answer())
