"""TranslationService: word-by-word translation with fuzzy matching of unknown words."""

import difflib
import email.mime.text as mimetext
import os
import sys
import unicodedata
from xmlrpc import client

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

from common.base_agent import BaseAgent

AGENT_NAME = "TranslationService"
SERVICE_PORT = 7100
HEALTH_PORT = 8100

GLOSSARY = {
    "en-de": {"hello": "hallo", "world": "welt", "good": "gut", "morning": "morgen",
              "lesson": "lektion", "thank": "danke", "you": "du", "memory": "gedächtnis"},
    "en-fr": {"hello": "bonjour", "world": "monde", "good": "bon", "morning": "matin",
              "lesson": "leçon", "thank": "merci", "you": "toi", "memory": "mémoire"},
}


def normalise(text):
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def closest(word, vocabulary, matcher_cls=difflib.SequenceMatcher, cutoff=0.75):
    best, best_ratio = None, cutoff
    for candidate in sorted(vocabulary):
        ratio = matcher_cls(None, word, candidate).ratio()
        if ratio > best_ratio:
            best, best_ratio = candidate, ratio
    return best


def translate(text, pair):
    glossary = GLOSSARY[pair]
    words, unknown = [], []
    for word in normalise(text).split():
        match = word if word in glossary else closest(word, glossary)
        if match is None:
            unknown.append(word)
            words.append(word)
        else:
            words.append(glossary[match])
    return " ".join(words), unknown


def handle_run(params):
    text = params.get("x", "helo wrld good morning")
    pair = params.get("pair", "en-de")
    if pair not in GLOSSARY:
        raise ValueError("pair must be one of %s" % ", ".join(sorted(GLOSSARY)))
    translated, unknown = translate(text, pair)
    rpc_payload = client.dumps((translated, pair), methodname="translation.deliver")
    message = mimetext.MIMEText(translated, "plain", "utf-8")
    message["Subject"] = "translation " + pair
    return {
        "agent": AGENT_NAME,
        "pair": pair,
        "source": text,
        "translation": translated,
        "unknown": unknown,
        "rpc_payload": rpc_payload,
        "mime": message.as_string(),
    }


# The fleet's shared text tools, read while this module loads (so this import stays eager here): both import
# common.lexicon, so deferring that in one of them gains nothing; optimize --modules changes them together.
from common.spelling import checker  # noqa: E402
from common.text_features import describe  # noqa: E402

FEATURES = describe(AGENT_NAME)
SPELLING = checker("en")


class TranslationService(BaseAgent):
    agent_name, service_port, health_port = AGENT_NAME, SERVICE_PORT, HEALTH_PORT

    def handle_run(self, params):
        return handle_run(params)


if __name__ == "__main__":
    sys.exit(TranslationService().serve())
