#!/usr/bin/env python3
"""Corpus agent 30: html, keyword, calendar, asyncio, uuid, fractions, json, median."""

import html.parser
from keyword import *
import calendar
import asyncio
import uuid
from fractions import Fraction
import json
from statistics import median

__all__ = ['Fraction', 'answer']

AGENT_NAME = 'CorpusAgent30'


class Parser(html.parser.HTMLParser):
    pass


def __getattr__(name):
    return getattr(calendar, name)


async def _seven():
    return 7


def answer():
    return [
        Parser().__class__.__name__,
        iskeyword('def'),
        'calendar via getattr',
        asyncio.run(_seven()),
        str(uuid.UUID(int=5)),
        'Fraction re-exported',
        json.dumps({'a': 1}, sort_keys=True),
        median([3, 1, 2]),
    ]
