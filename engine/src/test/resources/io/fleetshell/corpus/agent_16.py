"""Corpus agent 16: quote, queue, xml, mimetext, hashlib, pprint."""

from shlex import quote
import queue
import xml.etree.ElementTree
import email.mime.text as mimetext
import hashlib
import pprint  # noqa: F401

AGENT_NAME = 'CorpusAgent16'


SALT = hashlib.sha1(b'x').hexdigest()


def answer():
    return [
        quote('a b'),
        queue.SimpleQueue().empty(),
        xml.etree.ElementTree.fromstring('<a x="1"/>').get('x'),
        mimetext.MIMEText('hi')['Content-Type'],
        SALT[:8],
        'pprint kept',
    ]
