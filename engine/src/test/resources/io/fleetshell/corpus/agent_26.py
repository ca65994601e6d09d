"""Corpus agent 26: csv, unicodedata, quote, queue, xml, mimetext, hashlib, pprint."""

import sys
if sys.version_info >= (3, 8):
    import csv
else:
    csv = None
import unicodedata
from shlex import quote
import queue
import xml.etree.ElementTree
import email.mime.text as mimetext
import hashlib
import pprint  # noqa: F401
import os as _os
import sys as _sys

_sys.path.insert(0, _os.path.dirname(_os.path.abspath(__file__)))

import colorsys as _colorsys

AGENT_NAME = 'CorpusAgent26'


SALT = hashlib.sha1(b'x').hexdigest()


def answer():
    return [
        csv.excel.delimiter,
        unicodedata.name('a'),
        quote('a b'),
        queue.SimpleQueue().empty(),
        xml.etree.ElementTree.fromstring('<a x="1"/>').get('x'),
        mimetext.MIMEText('hi')['Content-Type'],
        SALT[:8],
        'pprint kept',
        _colorsys.hls_to_rgb(0, 0.5, 0),
    ]
