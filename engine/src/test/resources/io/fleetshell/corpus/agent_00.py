#!/usr/bin/env python3
"""Corpus agent 0: json, median, html, keyword, calendar, asyncio."""

import json
from statistics import median
import html.parser
from keyword import *
import calendar
import asyncio

AGENT_NAME = 'CorpusAgent0'


class Parser(html.parser.HTMLParser):
    pass


def __getattr__(name):
    return getattr(calendar, name)


async def _seven():
    return 7


def answer():
    return [
        json.dumps({'a': 1}, sort_keys=True),
        median([3, 1, 2]),
        Parser().__class__.__name__,
        iskeyword('def'),
        'calendar via getattr',
        asyncio.run(_seven()),
    ]
