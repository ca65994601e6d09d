"""B11 (issue 20): fleetshell over 50 remote hosts against Ansible over the same hosts, and the per-operation
overhead of a remote `optimize --dry-run` against the same on the local machine.

    python3 bench/remote_fanout.py [--hosts N] [--repeats N] [--forks N] [--keep DIR] [--smoke]

Set-up (untimed): N real `sshd` (Debian's openssh-server) on 127.0.0.1, each on a port of its own with a host key
of its own (generated, `-f` a generated config, running as the current user), one user key, one known_hosts file
listing every host key. Each host gets its own fleet root `hosts/hNN/fleet` holding the demo fleet's `common/` and
one pc2 agent (TranslationService, ports of its own) with its startup config. fleetshell's FLEETSHELL_HOME has a
settings.yaml naming machine hNN with `ssh: USER@127.0.0.1`, its port, the user key, the known_hosts file and the
root; each config is loaded with `inventory load hNN:ROOT/config/startup_config.yaml`, and `agents start` starts
every host's agent on its host (pid file and log in the host's remote state directory). Ansible gets an inventory
with the same hosts, user, key and known_hosts, `ansible_python_interpreter=/usr/bin/python3` (no discovery round
trip) and pipelining on: Ansible at its fastest.

Timed, alternating the two in each repeat, both with the default forks (10):
  status: `fleetshell agents status --json` (every host's pid file read and its process checked on that host, the
          agent's health probed)  vs  `ansible all -m ping` (a Python module run on every host)
  score:  `fleetshell score --json` (the facts helper shipped to each host's interpreter over stdin)  vs
          `ansible all -m command -a "python3 -c <parse the agent file with ast>"` (the least a static look needs)
each cold (every ControlMaster connection closed before the run: the handshakes are paid) and warm (the
connections the previous run left open, ControlPersist, are reused: fleetshell's socket under FLEETSHELL_HOME,
Ansible's under its control path dir).
  optimize: `fleetshell optimize TranslationService --dry-run --json` on h00 (remote) vs the same agent loaded from
          a local copy of the same tree as machine `local` (the local transport), warm connections.
Targets (issue 20): fleetshell / Ansible <= 1x for status and score; remote / local optimize <= 1.3x.
`--smoke`: 3 hosts, 1 repeat, warm only; without Ansible installed the smoke run times fleetshell alone and says so
(the full run needs `apt-get install -y ansible openssh-server`). `--only optimize` times the optimize pair alone
(with `--hosts 1`: one sshd; no agents started, no Ansible needed), as its own figure needs no fan-out.
"""
import argparse
import json
import os
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from benchlib import ROOT, build_if_needed, fmt, machine, summary

DEMO = ROOT / "engine/src/main/resources/io/fleetshell/demo"
SSHD = "/usr/sbin/sshd"
USER = os.environ.get("USER") or subprocess.run(["id", "-un"], capture_output=True, text=True).stdout.strip()
AGENT = "TranslationService"


def free_ports(count):
    """Distinct free loopback ports, held open together while chosen so that none is handed out twice."""
    sockets = []
    try:
        for _ in range(count):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            sockets.append(s)
        return [s.getsockname()[1] for s in sockets]
    finally:
        for s in sockets:
            s.close()


def keygen(path):
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "bench", "-f", str(path)], check=True)


class Hosts:
    """N sshd processes on 127.0.0.1, each with its own host key and port; one user key; one known_hosts file."""

    def __init__(self, work, count):
        self.work = work
        self.count = count
        self.ports = free_ports(count)
        self.key = work / "user_key"
        self.known_hosts = work / "known_hosts"
        self.processes = []

    def start(self):
        keygen(self.key)
        os.makedirs("/run/sshd", exist_ok=True)  # sshd's privilege separation directory, when run as root
        lines = []
        for i, port in enumerate(self.ports):
            d = self.work / ("sshd/h%02d" % i)
            d.mkdir(parents=True)
            keygen(d / "host_key")
            (d / "sshd_config").write_text("\n".join([
                "ListenAddress 127.0.0.1", "Port %d" % port, "HostKey %s" % (d / "host_key"),
                "AuthorizedKeysFile %s.pub" % self.key, "StrictModes no", "UsePAM no", "PidFile none",
                "PasswordAuthentication no", "KbdInteractiveAuthentication no", "PermitRootLogin prohibit-password",
                # Ansible and fleetshell open several sessions per host at once over one connection.
                "MaxSessions 64", "MaxStartups 200:30:400", "LogLevel ERROR", ""]))
            kind, key = (d / "host_key.pub").read_text().split()[:2]
            lines.append("[127.0.0.1]:%d %s %s" % (port, kind, key))
            self.processes.append(subprocess.Popen([SSHD, "-D", "-e", "-f", str(d / "sshd_config")],
                                                   stdout=subprocess.DEVNULL, stderr=open(d / "sshd.log", "w")))
        self.known_hosts.write_text("\n".join(lines) + "\n")
        deadline = time.time() + 60
        for i, port in enumerate(self.ports):
            while True:
                if self.processes[i].poll() is not None:
                    sys.exit("sshd h%02d exited: %s" % (i, (self.work / ("sshd/h%02d/sshd.log" % i)).read_text()[-1000:]))
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    if time.time() > deadline:
                        sys.exit("sshd h%02d did not listen on %d within 60 s" % (i, port))
                    time.sleep(0.05)

    def stop(self):
        for p in self.processes:
            p.terminate()
        for p in self.processes:
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                p.kill()


def fleet_root(hosts, i, port, health_port):
    """hosts/hNN/fleet: the demo's common/ and one pc2 agent with ports of its own."""
    root = hosts.work / ("hosts/h%02d/fleet" % i)
    shutil.copytree(DEMO / "common", root / "common")
    (root / "pc2_code/agents").mkdir(parents=True)
    (root / "pc2_code/config").mkdir(parents=True)
    shutil.copy(DEMO / "pc2_code/agents/translation_service.py", root / "pc2_code/agents/translation_service.py")
    (root / "pc2_code/config/startup_config.yaml").write_text(
        "global_settings:\n  environment:\n    PYTHONUNBUFFERED: \"1\"\n  python: /usr/bin/python3\n"
        "pc2_services:\n"
        "  - name: %s\n    script_path: pc2_code/agents/translation_service.py\n    host: 127.0.0.1\n"
        "    port: %d\n    health_check_port: %d\n    config: {default_pair: en-de}\n" % (AGENT, port, health_port))
    return root


def settings_yaml(hosts, roots, forks):
    lines = ["machines:"]
    for i, port in enumerate(hosts.ports):
        lines += ["  h%02d:" % i,
                  "    ssh: %s@127.0.0.1" % USER,
                  "    port: %d" % port,
                  "    identity_file: %s" % hosts.key,
                  "    options: {UserKnownHostsFile: %s, StrictHostKeyChecking: 'yes'}" % hosts.known_hosts,
                  "    root: %s" % roots[i],
                  "    python: /usr/bin/python3",
                  # the host's pid files and logs in the bench's directory, not in the user's ~/.fleetshell
                  "    state_dir: %s" % (hosts.work / ("hosts/h%02d/state" % i)),
                  "    forks: %d" % forks]
    return "\n".join(lines) + "\n"


def ansible_inventory(hosts, roots):
    lines = ["[fleet]"]
    for i, port in enumerate(hosts.ports):
        lines.append("h%02d ansible_host=127.0.0.1 ansible_port=%d fleet_root=%s" % (i, port, roots[i]))
    lines += ["", "[fleet:vars]", "ansible_user=%s" % USER, "ansible_ssh_private_key_file=%s" % hosts.key,
              "ansible_python_interpreter=/usr/bin/python3",
              "ansible_ssh_common_args='-o UserKnownHostsFile=%s -o StrictHostKeyChecking=yes -o BatchMode=yes'"
              % hosts.known_hosts]
    return "\n".join(lines) + "\n"


def close_masters(directory):
    """Closes every ControlMaster whose socket lies under `directory` (the next run pays its handshake)."""
    for path in Path(directory).rglob("*"):
        try:
            if stat.S_ISSOCK(path.lstat().st_mode):
                subprocess.run(["ssh", "-o", "ControlPath=%s" % path, "-O", "exit", "unused"],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            pass


def run(command, env, check_json=None):
    start = time.perf_counter()
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if result.returncode != 0:
        sys.exit("benchmark command failed (%d): %s\n%s\n%s" % (result.returncode, " ".join(map(str, command)),
                                                                 result.stdout[-2000:], result.stderr[-2000:]))
    if check_json is not None:
        check_json(json.loads(result.stdout))
    return elapsed


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--hosts", type=int, default=50)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--forks", type=int, default=10)
    parser.add_argument("--keep", help="work directory to keep (default: a temporary one, removed)")
    parser.add_argument("--smoke", action="store_true")
    parser.add_argument("--only", choices=["all", "optimize"], default="all")
    args = parser.parse_args()
    fanout = args.only == "all"
    count, repeats = (3, 1) if args.smoke else (args.hosts, args.repeats)
    if not os.path.exists(SSHD):
        sys.exit("remote_fanout needs a real sshd: apt-get install -y openssh-server (.ci/run installs it)")
    ansible = shutil.which("ansible")
    if ansible is None and not args.smoke and fanout:
        sys.exit("remote_fanout compares with Ansible: apt-get install -y ansible")
    build_if_needed()
    started = machine()
    work = Path(args.keep) if args.keep else Path(tempfile.mkdtemp(prefix="fanout-"))
    if args.keep:
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
    hosts = Hosts(work, count)
    home = work / "home"
    env = dict(os.environ, FLEETSHELL_HOME=str(home))
    fleetshell = str(ROOT / "fleetshell")
    try:
        hosts.start()
        agent_ports = free_ports(2 * (count + 1))
        roots = [fleet_root(hosts, i, agent_ports[2 * i], agent_ports[2 * i + 1]) for i in range(count)]
        local_root = work / "local/fleet"
        shutil.copytree(roots[0], local_root)
        home.mkdir()
        (home / "settings.yaml").write_text(settings_yaml(hosts, roots, args.forks))
        run([fleetshell, "inventory", "load"] + ["h%02d:%s" % (i, r / "pc2_code/config/startup_config.yaml")
                                                 for i, r in enumerate(roots)], env)
        run([fleetshell, "inventory", "load", str(local_root / "pc2_code/config/startup_config.yaml"), "--machine", "local",
             "--root", str(local_root)], env)
        remote_agents = ["h%02d/%s" % (i, AGENT) for i in range(count)]
        if fanout:
            run([fleetshell, "agents", "start"] + remote_agents + ["--json"], env)

        inventory = work / "ansible_hosts"
        inventory.write_text(ansible_inventory(hosts, roots))
        control = work / "ansible_cp"
        control.mkdir()
        ansible_env = dict(os.environ, ANSIBLE_INVENTORY=str(inventory), ANSIBLE_PIPELINING="True",
                           ANSIBLE_SSH_CONTROL_PATH_DIR=str(control), ANSIBLE_HOST_KEY_CHECKING="True",
                           ANSIBLE_FORKS=str(args.forks), ANSIBLE_LOCAL_TEMP=str(work / "ansible_tmp"),
                           ANSIBLE_REMOTE_TEMP="/tmp/.ansible-bench", ANSIBLE_NOCOLOR="1")
        parse = ("/usr/bin/python3 -c \"import ast,sys; ast.parse(open(sys.argv[1]).read())\" "
                 "pc2_code/agents/translation_service.py")

        def status_ok(doc):
            agents = [a for a in doc["agents"] if not a["agent"].startswith("local/")]
            healthy = [a for a in agents if a["state"] == "running" and a.get("health") and a["health"].get("healthy")]
            if len(healthy) != count:
                sys.exit("agents status: %d of %d remote agents healthy: %s" % (len(healthy), count, json.dumps(doc)[:3000]))

        def score_ok(doc):
            if len(doc["agents"]) != count + 1:
                sys.exit("score: %d agents scored, expected %d" % (len(doc["agents"]), count + 1))

        ours = {
            "status": [fleetshell, "agents", "status", "--json"] + remote_agents,
            "score": [fleetshell, "score", "--json"],
        }
        peers = {
            "status": ["ansible", "all", "-m", "ping"],
            "score": ["ansible", "all", "-m", "command", "-a", "chdir=%s %s" % ("{{ fleet_root }}", parse)],
        }
        checks = {"status": status_ok, "score": score_ok}
        modes = ["warm"] if args.smoke else ["cold", "warm"]
        figures = {}
        for what in ("status", "score") if fanout else ():
            for mode in modes:
                o_t, p_t, ratios = [], [], []
                for r in range(repeats + 1):  # the first pair warms caches and is not counted
                    if mode == "cold":
                        close_masters(home)
                        close_masters(control)
                    p = run(peers[what], ansible_env) if ansible else None
                    if mode == "cold":
                        close_masters(home)
                        close_masters(control)
                    o = run(ours[what], env, checks[what])
                    if r == 0:
                        continue
                    o_t.append(o)
                    if p is not None:
                        p_t.append(p)
                        ratios.append(o / p)
                figures[(what, mode)] = (o_t, p_t, ratios)

        optimize_remote = [fleetshell, "optimize", "h00/" + AGENT, "--dry-run", "--json"]
        optimize_local = [fleetshell, "optimize", "local/" + AGENT, "--dry-run", "--json"]
        rem, loc, opt_ratios = [], [], []
        for r in range(repeats + 1):
            lt = run(optimize_local, env)
            rt = run(optimize_remote, env)
            if r == 0:
                continue
            rem.append(rt)
            loc.append(lt)
            opt_ratios.append(rt / lt)
    finally:
        if home.exists():
            subprocess.run([fleetshell, "agents", "stop"] + ["h%02d/%s" % (i, AGENT) for i in range(count)], cwd=ROOT, env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        close_masters(home)
        close_masters(work / "ansible_cp")
        hosts.stop()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)

    cmd = "`python3 bench/remote_fanout.py --hosts %d --repeats %d%s`" % (count, repeats, "" if fanout else " --only optimize")
    print("machine: " + started)
    print("load average at the end: %.2f" % os.getloadavg()[0])
    print("| what (%d sshd hosts on loopback, forks %d) | median (min-max) | command |" % (count, args.forks))
    print("|---|---|---|")
    labels = {"status": ("fleetshell agents status --json", "ansible all -m ping"),
              "score": ("fleetshell score --json", "ansible all -m command (python3 ast.parse of the agent file)")}
    for (what, mode), (o_t, p_t, ratios) in figures.items():
        print("| %s, %s connections | %s | %s |" % (labels[what][0], mode, fmt(summary(o_t), " s"), cmd))
        if p_t:
            print("| peer: %s, %s connections | %s | %s |" % (labels[what][1], mode, fmt(summary(p_t), " s"), cmd))
            print("| ratio fleetshell / Ansible, %s, %s (per pair; target <= 1) | %s | %s |"
                  % (what, mode, fmt(summary(ratios)), cmd))
        else:
            print("| peer: Ansible not installed, not timed (smoke run) | - | %s |" % cmd)
    print("| optimize --dry-run, remote (h00 over ssh) | %s | %s |" % (fmt(summary(rem), " s"), cmd))
    print("| optimize --dry-run, local (same tree, local machine) | %s | %s |" % (fmt(summary(loc), " s"), cmd))
    print("| ratio remote / local optimize (per pair; target <= 1.3) | %s | %s |" % (fmt(summary(opt_ratios)), cmd))


if __name__ == "__main__":
    main()
