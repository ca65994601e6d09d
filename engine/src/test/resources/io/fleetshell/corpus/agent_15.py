#!/usr/bin/env python3

import asyncio
import uuid
from fractions import Fraction
import json
from statistics import median
import html.parser
from keyword import *
import calendar

__all__ = ['Fraction', 'answer']

AGENT_NAME = 'CorpusAgent15'


async def _seven():
    return 7


class Parser(html.parser.HTMLParser):
    pass


def __getattr__(name):
    return getattr(calendar, name)


def answer():
    return [
        asyncio.run(_seven()),
        str(uuid.UUID(int=5)),
        'Fraction re-exported',
        json.dumps({'a': 1}, sort_keys=True),
        median([3, 1, 2]),
        Parser().__class__.__name__,
        iskeyword('def'),
        'calendar via getattr',
    ]


if __name__ == '__main__':
    print(answer())
