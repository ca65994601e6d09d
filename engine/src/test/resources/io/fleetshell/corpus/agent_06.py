"""Corpus agent 6: xml, mimetext, hashlib, pprint, csv, unicodedata, quote, queue."""

import xml.etree.ElementTree
import email.mime.text as mimetext
import hashlib
import pprint  # noqa: F401
import sys
if sys.version_info >= (3, 8):
    import csv
else:
    csv = None
import unicodedata
from shlex import quote
import queue

AGENT_NAME = 'CorpusAgent6'


SALT = hashlib.sha1(b'x').hexdigest()


def answer():
    return [
        xml.etree.ElementTree.fromstring('<a x="1"/>').get('x'),
        mimetext.MIMEText('hi')['Content-Type'],
        SALT[:8],
        'pprint kept',
        csv.excel.delimiter,
        unicodedata.name('a'),
        quote('a b'),
        queue.SimpleQueue().empty(),
    ]
