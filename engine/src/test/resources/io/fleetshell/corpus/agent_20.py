#!/usr/bin/env python3
"""Corpus agent 20: calendar, asyncio, uuid, fractions, json, median."""

import calendar
import asyncio
import uuid
from fractions import Fraction
import json
from statistics import median
import os as _os
import sys as _sys

_sys.path.insert(0, _os.path.dirname(_os.path.abspath(__file__)))

import colorsys as _colorsys

__all__ = ['Fraction', 'answer']

AGENT_NAME = 'CorpusAgent20'


def __getattr__(name):
    return getattr(calendar, name)


async def _seven():
    return 7


def answer():
    return [
        'calendar via getattr',
        asyncio.run(_seven()),
        str(uuid.UUID(int=5)),
        'Fraction re-exported',
        json.dumps({'a': 1}, sort_keys=True),
        median([3, 1, 2]),
        _colorsys.hls_to_rgb(0, 0.5, 0),
    ]
