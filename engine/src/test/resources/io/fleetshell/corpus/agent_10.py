#!/usr/bin/env python3
"""Corpus agent 10: uuid, fractions, json, median, html, keyword, calendar, asyncio."""

import uuid
from fractions import Fraction
import json
from statistics import median
import html.parser
from keyword import *
import calendar
import asyncio

__all__ = ['Fraction', 'answer']

AGENT_NAME = 'CorpusAgent10'


class Parser(html.parser.HTMLParser):
    pass


def __getattr__(name):
    return getattr(calendar, name)


async def _seven():
    return 7


def answer():
    return [
        str(uuid.UUID(int=5)),
        'Fraction re-exported',
        json.dumps({'a': 1}, sort_keys=True),
        median([3, 1, 2]),
        Parser().__class__.__name__,
        iskeyword('def'),
        'calendar via getattr',
        asyncio.run(_seven()),
    ]
