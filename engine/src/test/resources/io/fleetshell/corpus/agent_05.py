#!/usr/bin/env python3
from __future__ import annotations

from fractions import Fraction
import json
from statistics import median
import html.parser
from keyword import *
import calendar
import asyncio
import os as _os
import sys as _sys

_sys.path.insert(0, _os.path.dirname(_os.path.abspath(__file__)))

import colorsys as _colorsys

__all__ = ['Fraction', 'answer']

AGENT_NAME = 'CorpusAgent5'


class Parser(html.parser.HTMLParser):
    pass


def __getattr__(name):
    return getattr(calendar, name)


async def _seven():
    return 7


def answer():
    return [
        'Fraction re-exported',
        json.dumps({'a': 1}, sort_keys=True),
        median([3, 1, 2]),
        Parser().__class__.__name__,
        iskeyword('def'),
        'calendar via getattr',
        asyncio.run(_seven()),
        _colorsys.hls_to_rgb(0, 0.5, 0),
    ]
