"""Corpus agent 28: colorsys, js, urllib, abc, encodings, sqlite3."""

import colorsys
import json as js
import urllib.parse
import abc
import encodings.idna
from typing import TYPE_CHECKING
if TYPE_CHECKING:
    import sqlite3

AGENT_NAME = 'CorpusAgent28'


class Base(metaclass=abc.ABCMeta):
    pass


def connection(c: 'sqlite3.Connection' = None):
    return c


def answer():
    return [
        colorsys.rgb_to_hsv(1, 0, 0),
        js.dumps([1, 2]),
        urllib.parse.quote('a b'),
        Base.__name__,
        'b\u00fccher.example'.encode('idna').decode(),
        connection() is None,
    ]
