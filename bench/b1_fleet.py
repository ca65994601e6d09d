"""B1 (issue 8): the effect of fleetshell's rewrites on a realistic ML fleet, against the naive rewrite and the floor.

    python3 bench/b1_fleet.py [--repeats N] [--agents NAME,...] [--keep DIR] [--json FILE] [--stdlib-only] [--smoke]
    python3 bench/b1_fleet.py --fleet shared [--repeats N] [--agents NAME,...] [--keep DIR] [--json FILE] [--smoke]

Generates the B1 fleet (`bench/mlfleet`: 40 agents on two machines, 32 of them importing numpy, scipy,
pandas, scikit-learn, matplotlib, requests and PyYAML from Debian's packages, run with `/usr/bin/python3`),
and makes three copies of it:
  fleetshell: each agent's proven `dependency_reduction` + `lazy_loading` diff (`optimize AGENT --dry-run --json`)
  naive:      heavy imports commented out and re-imported in a new `_lazy_imports()` (what fleets do today)
  floor:      the imports fleetshell's analysis calls deferrable or unused deleted (measurement only)
Each agent's self-test (its `test_command`) runs on the original, fleetshell and naive copies; an agent is
broken when it fails there (or fails to load). Then, per repeat and agent, the variants in turns: module load
(fresh process), time until /health answers 200, and latency of the first /run. Per agent:
  captured gain = (original load - optimized load) / (original load - floor load)
reported over agents whose floor saves at least 5 ms and 10 % of the load (the others have nothing to gain).
Missing Debian packages are installed with apt-get when run as root, else the benchmark stops saying what to
install. `--smoke` measures 2-3 agents once (standard-library ones when the packages are absent).

`--fleet shared` (issue 14 item 5) measures the fleet shaped like real ones instead (`mlfleet/shared.py`): 14 agents
subclassing a shared base class module whose imports and further shared modules (config loader, error bus,
metrics, serialization) carry redis, pydantic, numpy, PyYAML, requests, zmq and msgpack, installed from the
machine's own package index (`pip config list`) into a virtualenv under the work directory. Its variants: the
agent-file rewrites alone (`fleetshell`), the same plus each shared module's rewrite (`shared`: `optimize MODULE
--dry-run --json`, when this build has it), the floor with the deferrable imports deleted everywhere, agent files
and shared modules, and the naive peer.
"""
import argparse
import concurrent.futures
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from benchlib import ROOT, build_if_needed, fmt, machine, summary
from mlfleet import generate as gen
from mlfleet import measure, shared as shared_fleet, variants

PYTHON = "/usr/bin/python3"
DEBIAN_PACKAGES = ["python3-numpy", "python3-scipy", "python3-pandas", "python3-requests", "python3-yaml",
                   "python3-sklearn", "python3-matplotlib"]
SMOKE_ML = ["SensorDenoiser", "AlertMailer"]
SMOKE_STDLIB = ["AlertMailer", "AsyncJobRunner", "LinkHarvester"]
OPTIMIZE_RUNS = 5  # loads of each version in optimize's own proof; with 3 its one-sided rank test can never reach p < 0.05
COMMAND = "python3 bench/b1_fleet.py"


def say(message):
    print("b1: " + message, file=sys.stderr, flush=True)


def ensure_packages(smoke):
    """True when Debian's interpreter has the heavy packages (installing them if root); False in smoke mode without."""
    global PYTHON
    if not os.path.exists(PYTHON):
        if not smoke:
            sys.exit("b1: needs Debian's %s (the agents run with it); not found" % PYTHON)
        say("%s not found: smoke mode runs the standard-library agents with %s" % (PYTHON, sys.executable))
        PYTHON = sys.executable
        return False
    if gen.heavy_available(PYTHON):
        return True
    if smoke:
        say("numpy/scipy/pandas/... not importable by %s: smoke mode uses the standard-library agents" % PYTHON)
        return False
    if os.geteuid() == 0 and shutil.which("apt-get"):
        say("installing with apt-get: " + " ".join(DEBIAN_PACKAGES))
        subprocess.run(["apt-get", "update", "-q"], check=True, stdout=subprocess.DEVNULL)
        subprocess.run(["apt-get", "install", "-y", "-q"] + DEBIAN_PACKAGES, check=True, stdout=subprocess.DEVNULL)
        if gen.heavy_available(PYTHON):
            return True
    sys.exit("b1: %s cannot import numpy, scipy, pandas, requests, yaml, sklearn and matplotlib. Install them:\n"
             "    sudo apt-get install -y %s\nor run with --smoke (standard-library agents only)." % (PYTHON, " ".join(DEBIAN_PACKAGES)))


def compile_all(heavy):
    """Smoke mode measures a few agents; this at least compiles every agent of the full fleet and its naive rewrite."""
    for agent in gen.plan(stdlib_only=not heavy, per_archetype=3):
        agent["module"] = gen.snake(agent["name"])
        source = gen.agent_source(agent)
        compile(source, agent["name"], "exec")
        compile(gen.test_source(agent, agent["module"]), "test_" + agent["name"], "exec")
        variants.naive(source)


def fleetshell(env, *args, check=True):
    result = subprocess.run([str(ROOT / "fleetshell")] + list(args), cwd=ROOT, env=env, capture_output=True, text=True)
    if check and result.returncode != 0:
        sys.exit("b1: fleetshell %s failed (%d): %s" % (" ".join(args), result.returncode, result.stderr[-2000:]))
    return result


def optimize_available(env):
    return fleetshell(env, "help", "optimize", check=False).returncode == 0


def joint_module_report(env, manifest, work):
    """`optimize --modules M1,M2,... --dry-run --json`: every shared module as ONE change with one helper module, proved
    once over the union of their dependents (what `batch deploy --modules` deploys as one step); None when this build
    cannot change several modules at once."""
    modules = [path[:-3].replace("/", ".") for path in manifest.get("shared_modules", [])]
    say("optimize --modules %s --dry-run --json --runs %d (one change, proved once over every dependent)"
        % (",".join(modules), OPTIMIZE_RUNS))
    result = fleetshell(env, "optimize", "--modules", ",".join(modules), "--dry-run", "--json", "--runs", str(OPTIMIZE_RUNS), check=False)
    (work / "optimize").mkdir(exist_ok=True)
    (work / "optimize" / "joint-modules.json").write_text(result.stdout + result.stderr)
    try:
        return json.loads(result.stdout)
    except ValueError:
        if result.returncode == 2:  # bad input: this build has no --modules
            say("optimize --modules: %s" % (result.stderr.strip().splitlines() or ["exit 2"])[-1])
            return None
        return {"error": result.stderr.strip()[-300:]}


def agent_reports(env, manifest, work, runs, label):
    """`optimize AGENT --dry-run --json` of every agent, two at a time, in the fleet the home `env` has loaded."""
    say("optimize --dry-run --json --runs %d for %d agents%s (each proof loads both versions and runs the tests)"
        % (runs, len(manifest["agents"]), label))
    reports = {}
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        for agent, result in zip(manifest["agents"], pool.map(lambda a: fleetshell(
                env, "optimize", a["name"], "--dry-run", "--json", "--runs", str(runs), check=False), manifest["agents"])):
            reports[agent["name"]] = result
            (work / "optimize").mkdir(exist_ok=True)
            (work / "optimize" / (agent["name"] + label.replace(" ", "-") + ".json")).write_text(result.stdout)  # kept with --keep
    return reports


def apply_agent_report(root, agent, result, changed, problems, not_deployed, apply_refused):
    """Applies one agent's `optimize --dry-run --json` diff to the copy at `root` (a refused one only if apply_refused)."""
    try:
        report = json.loads(result.stdout)
    except ValueError:
        problems[agent["name"]] = "optimize failed (%d): %s" % (result.returncode, result.stderr.strip()[-300:])
        return
    if not report.get("diff"):
        return  # nothing to change
    if not (report.get("proof") or {}).get("deployable"):
        failed = [c for c in report["proof"]["checks"] if c["outcome"] == "failed"] if report.get("proof") else []
        not_deployed[agent["name"]] = failed[0]["name"] + ": " + failed[0]["detail"] if failed else "no proof"
        if not apply_refused:
            return
    changed.add(agent["name"])
    complaint = variants.apply_diff(root, agent["script"], report["diff"])
    if complaint:
        problems[agent["name"]] = "patch: " + complaint


def apply_module_diffs(root, fleet, reports):
    """Applies each shared module's change (`files`: the module, a helper it creates) to the copy at `root`;
    returns {module: what could not be applied} and {module: why its proof refused it}."""
    problems, refused = {}, {}
    for path, report in reports.items():
        if report.get("error"):
            refused[path] = "optimize failed: " + report["error"]  # nothing applied: its dependents are unchanged
            continue
        proof = report.get("proof")
        if report.get("changes") and not (proof or {}).get("deployable"):
            refused[path] = (proof or {}).get("first_failure") or (proof or {}).get("firstFailure") or "no proof"
        for change in report.get("files") or []:
            if not change.get("changes") or not change.get("diff"):
                continue
            name = os.path.relpath(change["file"], fleet) if os.path.isabs(change["file"]) else change["file"]
            target = Path(root) / name
            if change.get("creates"):
                # a new file (the helper module): its text is the diff's added lines
                lines = change["diff"].splitlines(keepends=True)
                body = [l[1:] for l in lines if l.startswith("+") and not l.startswith("+++")]
                if any(l.startswith("\\ No newline") for l in lines) and body:
                    body[-1] = body[-1].rstrip("\n")
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_text("".join(body))
                continue
            complaint = variants.apply_diff(root, name, change["diff"])
            if complaint:
                problems[path] = "patch %s: %s" % (name, complaint)
    return problems, refused


def make_variants(fleet, work, manifest, env, with_fleetshell, runs):
    """Writes the naive, floor and (when optimize exists) fleetshell copies of the fleet under `work`.
    Returns (copies {variant: directory}, problems {variant: {agent: why the copy could not be made}},
    changed {variant: agents whose file differs}, not_deployed {variant: {agent or module: the proof check that failed}})."""
    problems = {"naive": {}, "floor": {}, "fleetshell": {}}
    changed = {"naive": set(), "floor": set(), "fleetshell": set()}
    not_deployed = {"fleetshell": {}}
    copies = {v: work / v for v in ("naive", "floor") + (("fleetshell",) if with_fleetshell else ())}
    for copy in copies.values():
        shutil.copytree(fleet, copy)
    score = json.loads(fleetshell(env, "score", "--json").stdout)
    statements = {entry["agent"].split("/")[-1]: entry.get("statements", []) for entry in score["agents"]}
    subs = variants.submodules(PYTHON, set().union(*map(variants.submodule_candidates, statements.values())))
    # no --pattern: optimize applies both, dependency_reduction first, and proves the combined rewrite;
    # two at a time, since each proof spends most of its time waiting on fresh Python processes
    reports = agent_reports(env, manifest, work, runs, "") if with_fleetshell else {}
    for agent in manifest["agents"]:
        source = (fleet / agent["script"]).read_text()
        rewritten, moved = variants.naive(source)
        if moved:
            changed["naive"].add(agent["name"])
        (copies["naive"] / agent["script"]).write_text(rewritten)
        floored, _ = variants.floor(source, statements.get(agent["name"], []), subs)
        (copies["floor"] / agent["script"]).write_text(floored)
        if with_fleetshell:
            # a rewrite whose proof fails is applied anyway in this variant, so that the self-tests show what the
            # rewrite alone does; the "as deployed" figures count the agent as unchanged
            apply_agent_report(copies["fleetshell"], agent, reports[agent["name"]], changed["fleetshell"], problems["fleetshell"],
                               not_deployed["fleetshell"], True)
    if "shared_deferrable" in manifest:
        shared_fleet.floor_shared(copies["floor"])  # the floor: deferrable imports deleted everywhere
        if with_fleetshell:
            make_shared_variant(fleet, work, manifest, env, runs, copies, problems, changed, not_deployed)
    return copies, problems, changed, not_deployed


def make_shared_variant(fleet, work, manifest, env, runs, copies, problems, changed, not_deployed):
    """The `shared` variant: exactly what fleetshell would deploy with `batch deploy --modules ... --agents ...`: the
    joint change of the shared modules as proved (not applied when its proof refuses it), then each agent's own rewrite
    proved on the fleet WITH the joint change in place (a second fleetshell home loads the changed copy), applied only
    when its proof passes. Nothing refused is applied, so its figures are the figures as deployed."""
    report = joint_module_report(env, manifest, work)
    if report is None:
        return
    copies["shared"] = work / "shared"
    shutil.copytree(fleet, copies["shared"])
    problems["shared"], changed["shared"], not_deployed["shared"] = {}, set(), {}
    if report.get("error"):
        not_deployed["shared"]["joint change of the shared modules"] = "optimize failed: " + report["error"]
    elif report.get("changes"):
        proof = report.get("proof") or {}
        for module, why in (report.get("left_out") or {}).items():
            say("joint change: %s left out: %s" % (module, why))
        if proof.get("deployable"):
            module_problems, _ = apply_module_diffs(copies["shared"], fleet, {"joint": report})
            changed["shared"] |= {a["name"] for a in manifest["agents"]}
            for _, problem in module_problems.items():
                for agent in manifest["agents"]:
                    problems["shared"].setdefault(agent["name"], "joint change: %s" % problem)
            say("joint change of %s: deployable, applied (%s)" % (",".join(report.get("modules", [])),
                                                                 (proof.get("load_time") or {}).get("detail", "")[:300]))
        else:
            why = proof.get("first_failure") or "no proof"
            not_deployed["shared"]["joint change of " + ",".join(report.get("modules", []))] = why
            say("joint change: not deployable, not applied: %s" % why)
    shared_env = dict(env, FLEETSHELL_HOME=str(work / "home-shared"))
    fleetshell(shared_env, "inventory", "load", *[str(copies["shared"] / c) for c in manifest["configs"]])
    reports = agent_reports(shared_env, manifest, work, runs, " on the joint change")
    for agent in manifest["agents"]:
        apply_agent_report(copies["shared"], agent, reports[agent["name"]], changed["shared"], problems["shared"],
                           not_deployed["shared"], False)


def check_agents(roots, manifest):
    """Self-test of every agent in every copy that must work; returns {variant: {agent: reason}}."""
    broken = {}
    for variant, root in roots.items():
        broken[variant] = {}
        for agent in manifest["agents"]:
            reason = measure.self_test(root, agent["test_command"])
            if reason:
                broken[variant][agent["name"]] = reason
        say("%s: %d of %d agents fail their self-test" % (variant, len(broken[variant]), len(manifest["agents"])))
    return broken


def run_round(roots, agents, samples, answers, recorded=True):
    """One repeat: each agent, each variant in turns (the order rotating with the agent)."""
    for k, agent in enumerate(agents):
        names = agent["variants"]
        names = names[k % len(names):] + names[:k % len(names)]
        for variant in list(names):
            root = roots[variant]
            try:
                load = measure.load_ms(PYTHON, root, agent["script"])
                if not recorded:
                    continue  # the warm-up round only fills the bytecode cache
                if variant == "floor":
                    samples.setdefault((agent["name"], variant), []).append((load, None, None))
                    continue  # the floor is for the captured gain: its load time is all that counts
                healthy, first, answer = measure.start(PYTHON, root, agent["script"], agent["sample"])
            except measure.Failed as exc:
                agent["variants"].remove(variant)
                agent.setdefault("failures", {})[variant] = str(exc)
                continue
            if recorded:
                samples.setdefault((agent["name"], variant), []).append((load, healthy, first))
            answers.setdefault((agent["name"], variant), answer)


def analyse(manifest, samples, answers, broken, changed, not_deployed, fleetshell_measured):
    """The figures of the results table: dict of label -> (summary or text)."""
    names = [a["name"] for a in manifest["agents"]]
    med = lambda name, variant, i: statistics.median(s[i] for s in samples[(name, variant)])
    have = lambda name, *vs: all((name, v) in samples for v in vs)
    rows = []
    counted = [n for n in names if have(n, "original", "floor")
               and med(n, "original", 0) - med(n, "floor", 0) >= max(5.0, 0.1 * med(n, "original", 0))]
    rows.append(("agents in the fleet / with something to gain (floor saves >= 5 ms and >= 10 %)",
                 "%d / %d" % (len(names), len(counted))))
    rows.append(("original: module load (ms), median over agents", summary([med(n, "original", 0) for n in names if have(n, "original")]), " ms"))
    rows.append(("original: time-to-healthy (ms), median over agents", summary([med(n, "original", 1) for n in names if have(n, "original")]), " ms"))
    rows.append(("original: first-request latency (ms), median over agents", summary([med(n, "original", 2) for n in names if have(n, "original")]), " ms"))
    rows.append(("floor: module-load reduction vs original (%), agents with something to gain",
                 summary([100 * (1 - med(n, "floor", 0) / med(n, "original", 0)) for n in counted]), " %"))

    def per_repeat(variant, pool, figure):
        """Fleet median of figure(original, variant, floor) for each repeat: the spread across repeats."""
        repeats = min(len(samples[(n, v)]) for n in pool for v in ("original", variant, "floor")) if pool else 0
        return [statistics.median(figure(samples[(n, "original")][r], samples[(n, variant)][r], samples[(n, "floor")][r])
                                  for n in pool) for r in range(repeats)]

    def variant_rows(variant, label, target):
        ok = [n for n in names if n not in broken.get(variant, {}) and have(n, "original", variant)]
        # fleetshell is judged on every agent with something to gain (an agent it leaves alone counts as
        # gaining nothing); the naive peer on the agents it changed without breaking them
        pool = [n for n in counted if n in ok and (target or n in changed[variant])]
        rows.append(("%s: agents changed by the rewrite" % label, "%d of %d" % (len(changed[variant]), len(names))))
        rows.append(("%s: agents broken by the rewrite (self-test fails, or does not load or answer)" % label,
                     "%d of %d" % (len(broken.get(variant, {})), len(names))))
        refused = not_deployed.get(variant, {})
        if target:
            rows.append(("%s: rewrites whose proof failed (%s)" % (label, "not applied: the figures are as deployed" if variant == "shared"
                                                                  else "fleetshell would not deploy them"),
                         "%d" % len(refused) if variant == "shared" else "%d of %d" % (len(refused), len(changed[variant]))))
            rows.append(("%s: broken agents whose rewrite passed the proof (target 0)" % label,
                         "%d" % len([n for n in broken.get(variant, {}) if n not in refused])))
        if not pool:
            rows.append(("%s: captured gain" % label, "no %s agent with something to gain" % ("unbroken" if target else "changed, unbroken")))
            return
        gains = [(med(n, "original", 0) - med(n, variant, 0)) / (med(n, "original", 0) - med(n, "floor", 0)) for n in pool]
        rows.append(("%s: captured gain per agent, median over %d %s agents with something to gain%s"
                     % (label, len(pool), "unbroken" if target else "changed, unbroken",
                        " (target >= 0.9)" if target else ""), summary(gains), ""))
        rows.append(("%s: same, fleet median of each repeat (spread across repeats)" % label,
                     summary(per_repeat(variant, pool, lambda o, v, f: (o[0] - v[0]) / (o[0] - f[0]) if o[0] != f[0] else 0.0)), ""))
        if target and refused and variant != "shared":
            deployed = [g if n not in refused else 0.0 for n, g in zip(pool, gains)]
            rows.append(("%s as deployed (an agent whose proof failed keeps its original: gain 0), %d agents"
                         % (label, len(pool)), summary(deployed), ""))
        rows.append(("%s: module-load reduction vs original (%%), %d agents" % (label, len(pool)),
                     summary([100 * (1 - med(n, variant, 0) / med(n, "original", 0)) for n in pool]), " %"))
        rows.append(("%s: time-to-healthy reduction vs original (%%), %d agents" % (label, len(pool)),
                     summary([100 * (1 - med(n, variant, 1) / med(n, "original", 1)) for n in pool]), " %"))
        rows.append(("%s: same, fleet median of each repeat (spread across repeats)" % label,
                     summary(per_repeat(variant, pool, lambda o, v, f: 100 * (1 - v[1] / o[1]))), " %"))
        rows.append(("%s: first-request latency / original's, %d agents" % (label, len(pool)),
                     summary([med(n, variant, 2) / med(n, "original", 2) for n in pool]), ""))
        differ = [n for n in ok if (n, variant) in answers and answers[(n, variant)] != answers.get((n, "original"))]
        rows.append(("%s: unbroken agents whose first /run answer differs from the original's" % label,
                     "%d of %d" % (len(differ), len(ok))))

    if fleetshell_measured:
        shared = "shared_deferrable" in manifest
        variant_rows("fleetshell", "fleetshell lazy_loading + dependency_reduction" + (", agent files only" if shared else ""), True)
        if shared and any(k[1] == "shared" for k in samples):
            variant_rows("shared", "fleetshell as deployed: joint change of the shared modules (optimize --modules) + agent files proved on it", True)
        elif shared:
            rows.append(("fleetshell, joint change of the shared modules (optimize --modules)", "not measurable: this build's `optimize` has no --modules"))
    else:
        rows.append(("fleetshell lazy_loading + dependency_reduction", "not yet measurable: `optimize` is not in this build"))
    variant_rows("naive", "peer: naive rewrite (comment out, re-import in `_lazy_imports()`)", False)
    return rows


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--agents", help="comma-separated agent names (default: all)")
    parser.add_argument("--per-archetype", type=int, default=2, choices=(1, 2, 3),
                        help="agents per archetype: 2 gives the 40-agent fleet, 3 gives 60")
    parser.add_argument("--keep", help="write the fleet and its variants into this new directory and keep them")
    parser.add_argument("--json", help="write every sample, failure and answer to this file")
    parser.add_argument("--stdlib-only", action="store_true", help="only the standard-library agents (what CI's smoke "
                        "run does when the Debian packages are missing)")
    parser.add_argument("--smoke", action="store_true", help="2-3 agents, 1 repeat: checks that the harness runs")
    parser.add_argument("--fleet", choices=("ml", "shared"), default="ml", help="ml: the 40-agent ML fleet on Debian's "
                        "packages; shared: agents on a shared base class module (issue 14), packages in a virtualenv")
    args = parser.parse_args()
    if args.fleet == "shared":
        return main_shared(args)
    heavy = not args.stdlib_only and ensure_packages(args.smoke)
    only = set(args.agents.split(",")) if args.agents else set(SMOKE_ML if heavy else SMOKE_STDLIB) if args.smoke else None
    if args.smoke:
        compile_all(True)
    with tempfile.TemporaryDirectory(prefix="b1-") as tmp:
        work = Path(args.keep) if args.keep else Path(tmp)
        manifest, rows, broken, not_deployed, repeats, start_line = run(
            args, work, lambda fleet: gen.generate(fleet, PYTHON, stdlib_only=not heavy, only=only, per_archetype=args.per_archetype))
    report(args, manifest, rows, broken, not_deployed, repeats, start_line,
           "Debian python3-numpy etc. with " + PYTHON if heavy else "none (standard-library agents only)")


def main_shared(args):
    """--fleet shared: the fleet on a shared base class module, its packages in a virtualenv under the work dir."""
    global PYTHON
    only = set(args.agents.split(",")) if args.agents else {"RouteAgent", "ScoringAgent"} if args.smoke else None
    if args.smoke:
        for agent in shared_fleet.plan(2):
            agent["module"] = gen.snake(agent["name"])
            compile(shared_fleet.agent_source(agent), agent["name"], "exec")
            compile(shared_fleet.test_source(agent, agent["module"]), "test_" + agent["name"], "exec")
    with tempfile.TemporaryDirectory(prefix="b1-shared-") as tmp:
        work = Path(args.keep) if args.keep else Path(tmp)
        work.mkdir(parents=True, exist_ok=True)
        say("virtualenv with %s from the local package index" % " ".join(shared_fleet.PACKAGES))
        PYTHON = shared_fleet.make_venv(work / "venv")
        manifest, rows, broken, not_deployed, repeats, start_line = run(
            args, work, lambda fleet: shared_fleet.generate(fleet, PYTHON, args.per_archetype if args.per_archetype < 3 else 2, only))
    report(args, manifest, rows, broken, not_deployed, repeats, start_line,
           "%s in a virtualenv (%s)" % (", ".join(shared_fleet.PACKAGES), PYTHON))


def run(args, work, generate):
    """Generates the fleet under `work`, makes its variants, checks and measures them; returns the figures."""
    repeats = 1 if args.smoke else args.repeats
    build_if_needed()
    start_line = machine()
    fleet = work / "original"
    manifest = generate(fleet)
    if not manifest["agents"]:
        sys.exit("b1: no agent matches --agents %s" % args.agents)
    say("generated %d agents in %s" % (len(manifest["agents"]), fleet))
    env = dict(os.environ, FLEETSHELL_HOME=str(work / "home"), PORT_OFFSET="0")  # configured ports are only recorded: agents run on free ports
    fleetshell(env, "inventory", "load", *[str(fleet / c) for c in manifest["configs"]])
    with_fleetshell = optimize_available(env)
    if with_fleetshell and not shutil.which("patch"):
        sys.exit("b1: applying fleetshell's diffs needs patch(1): apt-get install -y patch")
    if not with_fleetshell:
        say("this fleetshell has no `optimize` command: the fleetshell column is not yet measurable")
    copies, problems, changed, not_deployed = make_variants(fleet, work, manifest, env, with_fleetshell,
                                                              4 if args.smoke else OPTIMIZE_RUNS)
    roots = {"original": fleet, **copies}
    broken = check_agents({v: r for v, r in roots.items() if v != "floor"}, manifest)
    for variant in ("fleetshell", "shared"):
        for name, problem in problems.get(variant, {}).items():
            broken.setdefault(variant, {}).setdefault(name, problem)
    if broken["original"]:
        sys.exit("b1: the generated fleet itself fails self-tests (a harness bug): %s" % broken["original"])
    agents = []
    for a in manifest["agents"]:
        agents.append(dict(a, variants=[v for v in roots if a["name"] not in broken.get(v, {})]))
    samples, answers = {}, {}
    say("warm-up round (bytecode caches, not recorded)")
    run_round(roots, agents, samples, answers, recorded=False)
    for r in range(repeats):
        say("repeat %d of %d" % (r + 1, repeats))
        run_round(roots, agents, samples, answers)
    for a in agents:
        for variant, reason in a.get("failures", {}).items():
            broken.setdefault(variant, {}).setdefault(a["name"], reason)
            samples.pop((a["name"], variant), None)
    rows = analyse(manifest, samples, answers, broken, changed, not_deployed, with_fleetshell)
    if args.json:
        Path(args.json).write_text(json.dumps({
            "machine": start_line, "repeats": repeats, "agents": [a["name"] for a in manifest["agents"]],
            "samples_ms": {"%s %s" % k: v for k, v in samples.items()}, "broken": broken,
            "answers": {"%s %s" % k: v for k, v in answers.items()}}, indent=1, sort_keys=True) + "\n")
    return manifest, rows, broken, not_deployed, repeats, start_line


def report(args, manifest, rows, broken, not_deployed, repeats, start_line, packages):
    command = COMMAND + (" --fleet shared" if args.fleet == "shared" else "") + (" --smoke" if args.smoke else "") \
        + (" --stdlib-only" if args.stdlib_only else "") \
        + (" --per-archetype %d" % args.per_archetype if args.per_archetype != 2 else "") + (" --repeats %d" % repeats if repeats != 3 and not args.smoke else "")
    print("machine: " + start_line)
    print("packages: %s" % packages)
    print("| what (%d agents, %d repeats) | median (min-max) | command |" % (len(manifest["agents"]), repeats))
    print("|---|---|---|")
    for row in rows:
        value = row[1] if isinstance(row[1], str) else fmt(row[1], row[2], digits=1 if row[2].strip() else 2)
        print("| %s | %s | `%s` |" % (row[0], value, command))
    for variant, refused in sorted(not_deployed.items()):
        for name, reason in sorted(refused.items()):
            print("not deployable (%s): %s: %s" % (variant, name, reason))
    for variant in ("fleetshell", "shared", "naive"):
        for name, reason in sorted(broken.get(variant, {}).items()):
            print("broken (%s): %s: %s" % (variant, name, reason))
    for variant in ("fleetshell", "shared"):
        if args.smoke and broken.get(variant):
            # The smoke run checks the harness and that fleetshell's proved rewrites still pass the agents' self-tests.
            sys.exit("b1 smoke: %s broke %d agent(s): %s" % (variant, len(broken[variant]), ", ".join(sorted(broken[variant]))))


if __name__ == "__main__":
    main()
