"""TutorAgent: short interactive lessons with graded answers."""

import difflib
import doctest
import io
import os
import pprint  # noqa: F401
import smtplib
import sys
import textwrap
import threading
from statistics import median

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__)))))

from common.base_agent import BaseAgent

__all__ = ["handle_run", "grade", "median", "LESSONS"]

AGENT_NAME = "TutorAgent"
SERVICE_PORT = 7230
HEALTH_PORT = 8230

LESSON_TEXT = """
arithmetic: Adding and multiplying.
>>> 2 + 3
5
>>> 7 * 6
42

lists: Building and summing lists.
>>> sum([1, 2, 3])
6
>>> sorted([3, 1, 2])
[1, 2, 3]

strings: Joining and upper-casing strings.
>>> "-".join(["a", "b"])
'a-b'
>>> "tutor".upper()
'TUTOR'
"""


def _parse_examples(name, text):
    parser = doctest.DocTestParser()
    return parser.get_doctest(text, {}, name, "<lessons>", 0)


def _load_lessons():
    lessons = {}
    for block in LESSON_TEXT.strip().split("\n\n"):
        head, _, body = block.partition("\n")
        name, _, title = head.partition(":")
        lessons[name.strip()] = (title.strip(), _parse_examples(name.strip(), body))
    return lessons


LESSONS = _load_lessons()
_RUNNER_LOCK = threading.Lock()


def _check(test):
    out = io.StringIO()
    runner = doctest.DocTestRunner(verbose=False)
    with _RUNNER_LOCK:
        result = runner.run(test, out=out.write, clear_globs=False)
    return result.attempted, result.failed


def grade(lesson, answer):
    title, test = LESSONS[lesson]
    expected = " ".join(example.want.strip() for example in test.examples)
    ratio = difflib.SequenceMatcher(None, expected, answer.strip()).ratio()
    diff = list(difflib.unified_diff(expected.split(), answer.split(), lineterm="", n=0))
    return title, expected, round(ratio, 4), diff[2:]


def handle_run(params):
    lesson = params.get("x", "arithmetic")
    if lesson not in LESSONS:
        raise ValueError("unknown lesson %r; known: %s" % (lesson, ", ".join(sorted(LESSONS))))
    answer = params.get("answer", "5 41")
    title, expected, ratio, diff = grade(lesson, answer)
    attempted, failed = _check(LESSONS[lesson][1])
    feedback = "Lesson %s (%s): your answer matches %.0f%% of the expected output %r." % (
        lesson, title, ratio * 100, expected)
    return {
        "agent": AGENT_NAME,
        "lesson": lesson,
        "score": ratio,
        "passed": ratio == 1.0,
        "diff": diff,
        "examples": {"attempted": attempted, "failed": failed},
        "feedback": textwrap.wrap(feedback, width=48),
    }


# The fleet's shared text tools, read while this module loads (so this import stays eager here): both import
# common.lexicon, so deferring that in one of them gains nothing; optimize --modules changes them together.
from common.spelling import checker  # noqa: E402
from common.text_features import describe  # noqa: E402

FEATURES = describe(AGENT_NAME)
SPELLING = checker("en")


class TutorAgent(BaseAgent):
    agent_name, service_port, health_port = AGENT_NAME, SERVICE_PORT, HEALTH_PORT

    def handle_run(self, params):
        return handle_run(params)


if __name__ == "__main__":
    sys.exit(TutorAgent().serve())
