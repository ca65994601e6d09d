"""Issue 20: a Java agent of a remote machine profiled and proved on its host, against the same agent on the local
machine, same run.

    python3 bench/remote_java.py [--repeats N] [--keep DIR] [--smoke]

Set-up (untimed): one real `sshd` on 127.0.0.1 (as `remote_fanout.py` starts them). The demo's pc2 tree (its
`pc2_code/` and `common/`) is copied twice: under `hosts/h00/fleet` (loaded as machine `h00`, over ssh, with
`java:` the JDK fleetshell runs on) and under `local/fleet` (loaded as machine `local`, this computer).
Timed, alternating local and remote in each repeat (the first pair warms caches and is not counted), warm connections:
  profile:  `fleetshell profile MACHINE/RouteMatcherAgent --runs 3 --json`
  optimize: `fleetshell optimize MACHINE/RouteMatcherAgent --dry-run --json` (5 starts of each version)
Remote: the source read over ssh, compiled here, classes shipped to the host in one `tar -x`, each JVM started there
over the shared connection, its /health polled from here.
`--smoke` (what `./run-tests` runs): one pair of each, no warm-up pair, `profile --runs 1` and `optimize --runs 4`.
"""
import argparse
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from benchlib import ROOT, build_if_needed, fmt, java_home, machine, summary
from remote_fanout import DEMO, Hosts, close_masters, run

AGENT = "RouteMatcherAgent"


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--keep", help="work directory to keep (default: a temporary one, removed)")
    parser.add_argument("--smoke", action="store_true", help="one pair of each, no warm-up, fewer runs (./run-tests)")
    args = parser.parse_args()
    repeats, warmups = (1, 0) if args.smoke else (args.repeats, 1)
    profile_runs, optimize_runs = (["--runs", "1"], ["--runs", "4"]) if args.smoke else (["--runs", "3"], [])
    build_if_needed()
    started = machine()
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="remote-java-"))
    if args.keep:
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
    hosts = Hosts(work, 1)
    home = work / "home"
    env = dict(os.environ, FLEETSHELL_HOME=str(home))
    fleetshell = str(ROOT / "fleetshell")
    java = str(Path(java_home()) / "bin" / "java")
    figures = {}
    loads = []
    try:
        hosts.start()
        roots = {"h00": work / "hosts/h00/fleet", "local": work / "local/fleet"}
        for root in roots.values():
            shutil.copytree(DEMO / "pc2_code", root / "pc2_code")
            shutil.copytree(DEMO / "common", root / "common")
            config = root / "pc2_code/config/startup_config.yaml"
            config.write_text(config.read_text().replace("${PORT_OFFSET}+", "15000+"))
        home.mkdir()
        (home / "settings.yaml").write_text("\n".join([
            "machines:", "  h00:",
            "    ssh: %s@127.0.0.1" % os.environ.get("USER", "root"),
            "    port: %d" % hosts.ports[0],
            "    identity_file: %s" % hosts.key,
            "    options: {UserKnownHostsFile: %s, StrictHostKeyChecking: 'yes'}" % hosts.known_hosts,
            "    root: %s" % roots["h00"],
            "    python: /usr/bin/python3",
            "    java: %s" % java,
            "    state_dir: %s" % (work / "hosts/h00/state"), ""]))
        run([fleetshell, "inventory", "load", "h00:%s" % (roots["h00"] / "pc2_code/config/startup_config.yaml")], env)
        run([fleetshell, "inventory", "load", str(roots["local"] / "pc2_code/config/startup_config.yaml"), "--machine", "local",
             "--root", str(roots["local"])], env)
        commands = {
            "profile": lambda m: [fleetshell, "profile", "%s/%s" % (m, AGENT), *profile_runs, "--json"],
            "optimize": lambda m: [fleetshell, "optimize", "%s/%s" % (m, AGENT), "--dry-run", *optimize_runs, "--json"],
        }
        for what, command in commands.items():
            rem, loc, ratios = [], [], []
            for r in range(repeats + warmups):
                lt = run(command("local"), env)
                rt = run(command("h00"), env)
                loads.append(os.getloadavg()[0])
                if r < warmups:
                    continue
                loc.append(lt)
                rem.append(rt)
                ratios.append(rt / lt)
            figures[what] = (rem, loc, ratios)
    finally:
        close_masters(home)
        hosts.stop()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)

    cmd = "`python3 bench/remote_java.py --smoke`" if args.smoke else "`python3 bench/remote_java.py --repeats %d`" % args.repeats
    print("machine: " + started)
    print("load average during the run: %.1f-%.1f" % (min(loads), max(loads)))
    print("| what (%s, one sshd on loopback) | median (min-max) | command |" % AGENT)
    print("|---|---|---|")
    for what, (rem, loc, ratios) in figures.items():
        print("| %s, remote (h00 over ssh) | %s | %s |" % (what, fmt(summary(rem), " s"), cmd))
        print("| %s, local (same tree, this computer) | %s | %s |" % (what, fmt(summary(loc), " s"), cmd))
        print("| ratio remote / local %s (per pair) | %s | %s |" % (what, fmt(summary(ratios)), cmd))


if __name__ == "__main__":
    main()
