import queue
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
import os as _os
import sys as _sys

_sys.path.insert(0, _os.path.dirname(_os.path.abspath(__file__)))

import colorsys as _colorsys

AGENT_NAME = 'CorpusAgent11'


SALT = hashlib.sha1(b'x').hexdigest()


def answer():
    return [
        queue.SimpleQueue().empty(),
        xml.etree.ElementTree.fromstring('<a x="1"/>').get('x'),
        mimetext.MIMEText('hi')['Content-Type'],
        SALT[:8],
        'pprint kept',
        csv.excel.delimiter,
        unicodedata.name('a'),
        quote('a b'),
        _colorsys.hls_to_rgb(0, 0.5, 0),
    ]


if __name__ == '__main__':
    print(answer())
