"""Static scoring of a generated fleet against CPython's own parsing of the same files.

    python3 bench/static_scoring.py [--files N] [--repeats N] [--smoke]

Generates N agent files (about 200 lines each: imports of every kind, functions, classes,
module-level uses) listed in one startup config, loads them into a fresh home (not timed), then
alternates:
  fleetshell: `./fleetshell score --json` (no baseline: static facts of every file, JVM start included)
  peer:       one python3 process running `ast.parse` over the same files
Target (issue 3): fleetshell / peer <= 1.5. A third line times the facts helper alone (one process
over all files), to show what the JVM side adds.
"""
import argparse
import json
import os
import random
import subprocess
import tempfile
from pathlib import Path

from benchlib import ROOT, alternate, build_if_needed, fmt, machine, summary

MODULES = ["json", "csv", "decimal", "asyncio", "email.mime.text", "xml.etree.ElementTree", "urllib.request",
           "statistics", "difflib", "textwrap", "hashlib", "logging", "sqlite3", "zipfile", "tarfile", "uuid"]


def agent_source(rng, index):
    lines = ['"""Generated agent %d."""' % index]
    chosen = rng.sample(MODULES, 8)
    for m in chosen[:4]:
        lines.append("import %s" % m)
    for m in chosen[4:6]:
        pkg, _, name = m.rpartition(".")
        lines.append("from %s import %s" % (pkg, name) if pkg else "import %s" % m)
    lines.append("try:\n    import %s\nexcept ImportError:\n    %s = None" % (chosen[6].split(".")[0], chosen[6].split(".")[0]))
    lines.append("CONSTANT = %s" % chosen[0].split(".")[0])
    for f in range(18):
        mod = chosen[f % 4].split(".")[0]
        lines.append("\n\ndef handler_%d(request, retries=3):" % f)
        lines.append('    """Handle a request of kind %d."""' % f)
        lines.append("    value = %s" % mod)
        lines.append("    total = 0")
        lines.append("    for i in range(retries):")
        lines.append("        total += i * %d" % f)
        lines.append("        if total > 100:")
        lines.append("            break")
        lines.append("    return {'kind': %d, 'total': total, 'module': value.__name__}" % f)
    lines.append("\n\nclass Agent%d:\n    def __init__(self):\n        self.ready = True\n" % index)
    lines.append('if __name__ == "__main__":\n    Agent%d()\n' % index)
    return "\n".join(lines) + "\n"


def generate(root, count):
    rng = random.Random(42)
    agents = root / "agents"
    agents.mkdir(parents=True)
    entries = []
    for i in range(count):
        (agents / ("agent_%05d.py" % i)).write_text(agent_source(rng, i))
        entries.append("    Agent%05d: {script_path: agents/agent_%05d.py}" % (i, i))
    config = root / "config" / "startup_config.yaml"
    config.parent.mkdir()
    config.write_text("agent_groups:\n  generated:\n" + "\n".join(entries) + "\n")
    return config


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=10000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--smoke", action="store_true")
    args = parser.parse_args()
    count, repeats = (50, 1) if args.smoke else (args.files, args.repeats)
    build_if_needed()
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        config = generate(tmp / "fleet", count)
        env = dict(os.environ, FLEETSHELL_HOME=str(tmp / "home"))
        subprocess.run([str(ROOT / "fleetshell"), "inventory", "load", str(config), "--machine", "gen"], cwd=ROOT, env=env,
                       check=True, capture_output=True)
        files = tmp / "files.txt"
        files.write_text("\n".join(str(p) for p in sorted((tmp / "fleet" / "agents").glob("*.py"))))
        peer = ["python3", "-c", "import ast, sys\nfor p in open(sys.argv[1]).read().split():\n    ast.parse(open(p, 'rb').read(), p)\n",
                str(files)]
        ours = [str(ROOT / "fleetshell"), "score", "--json"]
        ours_t, peer_t, ratios = alternate(ours, peer, repeats, env)
        request = tmp / "request.json"
        request.write_text(json.dumps({"files": files.read_text().split(), "side_effect_modules": []}))
        helper = ["bash", "-c", 'python3 -I "$0" < "$1" > /dev/null',
                  str(ROOT / "engine/src/main/resources/io/fleetshell/python/agent_facts.py"), str(request)]
        helper_t, _, helper_ratios = alternate(helper, peer, repeats, env)
    cmd = "`python3 bench/static_scoring.py --files %d`" % count
    print("machine: " + machine())
    print("| what (%d files) | median (min-max) | command |" % count)
    print("|---|---|---|")
    print("| peer: python3 ast.parse loop, one process | %s | %s |" % (fmt(summary(peer_t), " s"), cmd))
    print("| fleetshell score --json (static, JVM start included) | %s | %s |" % (fmt(summary(ours_t), " s"), cmd))
    print("| ratio fleetshell / peer (per pair; target <= 1.5) | %s | %s |" % (fmt(summary(ratios)), cmd))
    print("| breakdown: facts helper alone, one process / peer | %s | %s |" % (fmt(summary(helper_ratios)), cmd))


if __name__ == "__main__":
    main()
