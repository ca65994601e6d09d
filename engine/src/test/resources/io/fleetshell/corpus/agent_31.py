# -*- coding: utf-8 -*-

import pprint  # noqa: F401
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

AGENT_NAME = 'CorpusAgent31'


SALT = hashlib.sha1(b'x').hexdigest()


def answer():
    return [
        'pprint kept',
        csv.excel.delimiter,
        unicodedata.name('a'),
        quote('a b'),
        queue.SimpleQueue().empty(),
        xml.etree.ElementTree.fromstring('<a x="1"/>').get('x'),
        mimetext.MIMEText('hi')['Content-Type'],
        SALT[:8],
    ]


if __name__ == '__main__':
    print(answer())
