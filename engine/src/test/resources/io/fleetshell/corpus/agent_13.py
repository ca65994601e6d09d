# -*- coding: utf-8 -*-
from __future__ import annotations

import abc
import encodings.idna
from typing import TYPE_CHECKING
if TYPE_CHECKING:
    import sqlite3
import concurrent.futures
import ipaddress
import colorsys
import json as js

AGENT_NAME = 'CorpusAgent13'


class Base(metaclass=abc.ABCMeta):
    pass


def connection(c: 'sqlite3.Connection' = None):
    return c


def answer():
    return [
        Base.__name__,
        'b\u00fccher.example'.encode('idna').decode(),
        connection() is None,
        list(concurrent.futures.ThreadPoolExecutor(1).map(abs, [-1])),
        str(ipaddress.ip_network('10.0.0.0/30').broadcast_address),
        colorsys.rgb_to_hsv(1, 0, 0),
        js.dumps([1, 2]),
    ]
