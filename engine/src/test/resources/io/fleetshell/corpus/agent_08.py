"""Corpus agent 8: encodings, sqlite3, concurrent, ipaddress, colorsys, js."""

import encodings.idna
from typing import TYPE_CHECKING
if TYPE_CHECKING:
    import sqlite3
import concurrent.futures
import ipaddress
import colorsys
import json as js
import os as _os
import sys as _sys

_sys.path.insert(0, _os.path.dirname(_os.path.abspath(__file__)))

import colorsys as _colorsys

AGENT_NAME = 'CorpusAgent8'


def connection(c: 'sqlite3.Connection' = None):
    return c


def answer():
    return [
        'b\u00fccher.example'.encode('idna').decode(),
        connection() is None,
        list(concurrent.futures.ThreadPoolExecutor(1).map(abs, [-1])),
        str(ipaddress.ip_network('10.0.0.0/30').broadcast_address),
        colorsys.rgb_to_hsv(1, 0, 0),
        js.dumps([1, 2]),
        _colorsys.hls_to_rgb(0, 0.5, 0),
    ]
