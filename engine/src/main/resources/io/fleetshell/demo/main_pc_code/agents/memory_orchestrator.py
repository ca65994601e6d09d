"""MemoryOrchestrator: stores and recalls memories for the other agents."""

import csv
import encodings.idna
import io
import os
import sqlite3
import sys
import xml.etree.ElementTree

try:
    import tomllib
except ImportError:
    tomllib = None

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

from common.base_agent import BaseAgent

AGENT_NAME = "MemoryOrchestrator"
SERVICE_PORT = 7210
HEALTH_PORT = 8210

SEED_MEMORIES = """
[[memory]]
topic = "greeting"
text = "The user prefers short answers."
weight = 3

[[memory]]
topic = "schedule"
text = "Lessons happen on weekday evenings."
weight = 2

[[memory]]
topic = "greeting"
text = "Say hello in the user's language."
weight = 1
"""


def _parse_seed(text):
    if tomllib is not None:
        return tomllib.loads(text)["memory"]
    memories, current = [], None
    for line in text.splitlines():
        line = line.strip()
        if line == "[[memory]]":
            current = {}
            memories.append(current)
        elif "=" in line and current is not None:
            key, _, value = (part.strip() for part in line.partition("="))
            current[key] = int(value) if value.isdigit() else value.strip('"')
    return memories


def recall(topic, owner):
    db = sqlite3.connect(":memory:")
    try:
        db.execute("CREATE TABLE memory (id INTEGER PRIMARY KEY, owner TEXT, topic TEXT, text TEXT, weight INT)")
        rows = [(owner, m["topic"], m["text"], m["weight"]) for m in _parse_seed(SEED_MEMORIES)]
        db.executemany("INSERT INTO memory (owner, topic, text, weight) VALUES (?, ?, ?, ?)", rows)
        found = db.execute(
            "SELECT id, topic, text, weight FROM memory WHERE topic = ? ORDER BY weight DESC, id",
            (topic,),
        ).fetchall()
        total = db.execute("SELECT COUNT(*), SUM(weight) FROM memory").fetchone()
    finally:
        db.close()
    return found, total


def to_xml(owner, found):
    root = xml.etree.ElementTree.Element("memories", owner=owner)
    for mid, topic, text, weight in found:
        item = xml.etree.ElementTree.SubElement(root, "memory", id=str(mid), topic=topic, weight=str(weight))
        item.text = text
    return xml.etree.ElementTree.tostring(root, encoding="unicode")


def to_csv(found):
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["id", "topic", "weight"])
    writer.writerows((mid, topic, weight) for mid, topic, _, weight in found)
    return out.getvalue()


def handle_run(params):
    topic = params.get("x", "greeting")
    owner = params.get("owner", "bücher.example")
    try:
        owner_ascii = owner.encode("idna").decode("ascii")
    except UnicodeError:
        raise ValueError("owner must be a valid host name")
    found, (count, weight) = recall(topic, owner_ascii)
    return {
        "agent": AGENT_NAME,
        "topic": topic,
        "owner": owner_ascii,
        "matches": len(found),
        "stored": count,
        "total_weight": weight,
        "xml": to_xml(owner_ascii, found),
        "csv": to_csv(found),
    }


class MemoryOrchestrator(BaseAgent):
    agent_name, service_port, health_port = AGENT_NAME, SERVICE_PORT, HEALTH_PORT

    def handle_run(self, params):
        return handle_run(params)


if __name__ == "__main__":
    sys.exit(MemoryOrchestrator().serve())
