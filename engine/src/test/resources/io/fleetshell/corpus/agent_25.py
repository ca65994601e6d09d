#!/usr/bin/env python3
# -*- coding: utf-8 -*-
from __future__ import annotations

from keyword import *
import calendar
import asyncio
import uuid
from fractions import Fraction
import json
from statistics import median

__all__ = ['Fraction', 'answer']

AGENT_NAME = 'CorpusAgent25'


def __getattr__(name):
    return getattr(calendar, name)


async def _seven():
    return 7


def answer():
    return [
        iskeyword('def'),
        'calendar via getattr',
        asyncio.run(_seven()),
        str(uuid.UUID(int=5)),
        'Fraction re-exported',
        json.dumps({'a': 1}, sort_keys=True),
        median([3, 1, 2]),
    ]
