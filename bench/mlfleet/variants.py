"""The rewritten copies of an agent that B1 measures against the original.

* `naive`: what fleets do by hand today. Every module-level import statement (also one inside a
  module-level try/if) naming a heavy ML package by keyword is commented out, and a new function
  `_lazy_imports()` holding the same imports is added and called first thing in `handle_run`. The
  imports in that function bind its local names only, never the module globals: this is the
  rewrite as it is found in fleets, reproduced faithfully, not a straw man made worse.
* `floor`: the import statements fleetshell's analysis (`score --json`) classifies as deferrable or
  unused are replaced by `pass`. Made only to measure what start-up would be without them: the
  agent no longer works.
* `fleetshell`: the unified diffs of `optimize AGENT --pattern P --dry-run --json` applied with `patch`.
"""
import ast
import re
import subprocess

NAIVE_KEYWORDS = ("torch", "tensorflow", "transformers", "numpy", "pandas", "scipy", "sklearn", "matplotlib", "cv2")
_KEYWORD = re.compile(r"^\s*(?:import|from)\s+(?:%s)\b" % "|".join(NAIVE_KEYWORDS))


def _module_level_imports(tree):
    """Import statements that run while the module loads: top level and inside top-level try/if/with/for."""
    found = []

    def walk(body):
        for node in body:
            if isinstance(node, (ast.Import, ast.ImportFrom)):
                found.append(node)
            elif isinstance(node, (ast.Try, ast.If, ast.With, ast.For, ast.While)):
                for field in ("body", "orelse", "finalbody"):
                    walk(getattr(node, field, []))
                for handler in getattr(node, "handlers", []):
                    walk(handler.body)
    walk(tree.body)
    return found


def naive(source):
    """The naive rewrite of `source`; returns (new source, the import lines it moved)."""
    lines = source.splitlines(keepends=True)
    moved = []
    for node in _module_level_imports(ast.parse(source)):
        first = lines[node.lineno - 1]
        if not _KEYWORD.match(first):
            continue
        indent = first[:len(first) - len(first.lstrip())]
        moved.append(ast.get_source_segment(source, node))
        for i in range(node.lineno - 1, node.end_lineno):
            lines[i] = indent + "# " + lines[i][len(indent):].rstrip("\n") + "  # lazy: see _lazy_imports()\n"
    if not moved:
        return source, moved
    out = []
    for line in lines:
        if line.startswith("if __name__ == \"__main__\":"):
            out.append("def _lazy_imports():\n    \"\"\"Heavy imports, loaded on first use instead of at start-up.\"\"\"\n")
            out.extend("    %s\n" % m for m in moved)
            out.append("\n\n")
        out.append(line)
        if line.startswith("def handle_run("):
            out.append("    _lazy_imports()\n")
    return "".join(out), moved


_FROM = re.compile(r"^from\s+([\w.]+)\s+import\s+(\w+)(?:\s+as\s+\w+)?\s*(?:#.*)?$")


def submodule_candidates(statements):
    """`pkg.name` of from-imports that score keeps eager only because it cannot tell whether `name` is a
    submodule (rule 4: `from pkg import submodule` is deferrable)."""
    found = set()
    for s in statements:
        match = _FROM.match(s["text"])
        if s["verdict"] == "eager" and match and "can be deferred only when" in s["reason"]:
            found.add("%s.%s" % match.groups())
    return found


def submodules(python, names):
    """The names among `names` that are submodules for `python` (one process for all)."""
    probe = ("import importlib.util, sys\nfor n in sys.argv[1:]:\n    try:\n        ok = importlib.util.find_spec(n) is not None\n"
             "    except (ImportError, ValueError):\n        ok = False\n    if ok:\n        print(n)\n")
    out = subprocess.run([python, "-c", probe] + sorted(names), capture_output=True, text=True, check=True).stdout
    return set(out.split())


def floor(source, statements, submodule_names=frozenset()):
    """`source` with the statements (score --json entries) that are deferrable or unused replaced by `pass`;
    so are from-imports of a submodule (in `submodule_names`) that score kept eager only for want of that fact."""
    lines = source.splitlines(keepends=True)
    wanted = {s["line"] for s in statements if s["verdict"] in ("deferrable", "unused")}
    wanted |= {s["line"] for s in statements if _FROM.match(s["text"]) and "can be deferred only when" in s["reason"]
               and "%s.%s" % _FROM.match(s["text"]).groups() in submodule_names}
    removed = 0
    for node in _module_level_imports(ast.parse(source)):
        if node.lineno in wanted:
            first = lines[node.lineno - 1]
            indent = first[:len(first) - len(first.lstrip())]
            lines[node.lineno - 1] = indent + "pass  # floor: removed " + first.strip() + "\n"
            for i in range(node.lineno, node.end_lineno):
                lines[i] = "\n"
            removed += 1
    return "".join(lines), removed


def apply_diff(root, script, diff):
    """Applies a unified diff of one agent file to `root/script` with patch(1); returns None or patch's complaint.
    The diff's own file names (which may point into the original fleet) are replaced by `script`."""
    lines = []
    for line in diff.splitlines(keepends=True):
        if line.startswith("--- "):
            line = "--- a/%s\n" % script
        elif line.startswith("+++ "):
            line = "+++ b/%s\n" % script
        lines.append(line)
    diff = "".join(lines)
    if not diff.endswith("\n"):
        diff += "\n"
    dry = subprocess.run(["patch", "-p1", "--dry-run", "--batch", "--forward"], cwd=root, input=diff,
                         capture_output=True, text=True)
    if dry.returncode != 0:
        return (dry.stdout + dry.stderr).strip()[-500:]
    subprocess.run(["patch", "-p1", "--batch", "--forward", "--quiet", "--no-backup-if-mismatch"], cwd=root,
                   input=diff, capture_output=True, text=True, check=True)
    return None
