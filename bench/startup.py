"""Start-up of fleetshell against a hello-world Spring Shell 4.0.1 app built in the same run (issue 8, B3).

    python3 bench/startup.py [--repeats N] [--smoke]

Two measurements, each alternating fleetshell and the peer:
  * one-shot: `./fleetshell inventory list --json` on a home holding the demo fleet (so YAML, SQLite and
    the inventory code all run) against the peer's `hello` command;
  * first prompt: the REPL started in a pseudo-terminal, until its prompt is printed.
The peer (bench/hello-shell: one command, Boot 4.0.7, Spring Shell 4.0.1, default settings) is built
and started the way ./fleetshell starts fleetshell (extracted jar, JDK 25 AOT cache trained on a REPL session
in a pseudo-terminal that runs its command and quits, the same JVM options), so the ratio is the cost of
fleetshell's own code. fleetshell alone also runs its Spring AOT code (-Dspring.aot.enabled=true, generated
by its build): an application's build step, which the default-settings peer does not have. A breakdown line compares
fleetshell's fat jar with the launcher, which is what the launcher's set-up buys.
"""
import argparse
import os
import fcntl
import pty
import re
import select
import shutil
import struct
import subprocess
import sys
import tempfile
import termios
import time

from benchlib import ROOT, build_if_needed, fmt, java_home, machine, summary, timed

HELLO = ROOT / "bench" / "hello-shell"
JVM_OPTS = ["-XX:TieredStopAtLevel=1", "--enable-native-access=ALL-UNNAMED"]  # as in ./fleetshell


def build_hello(java):
    """Builds the peer and prepares it as ./fleetshell prepares fleetshell: extracted jar + AOT cache."""
    env = dict(os.environ, JAVA_HOME=os.path.dirname(os.path.dirname(java)))
    result = subprocess.run(["mvn", "-B", "-q", "package"], cwd=HELLO, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit("building bench/hello-shell failed:\n" + (result.stdout + result.stderr)[-3000:])
    app = HELLO / "target" / "app"
    shutil.rmtree(app, ignore_errors=True)
    subprocess.run([java, "-Djarmode=tools", "-jar", str(HELLO / "target" / "hello-shell.jar"), "extract",
                    "--destination", str(app)], check=True, stdout=subprocess.DEVNULL)
    jar = str(app / "hello-shell.jar")
    # Trained as ./fleetshell trains fleetshell: a REPL session in a pseudo-terminal that runs the command, quits.
    train_in_terminal([java] + JVM_OPTS + ["-XX:AOTCacheOutput=%s" % (app / "hello.aot"), "-jar", jar],
                      b">", [b"hello", b"quit"], dict(os.environ, TERM="xterm-256color"))
    if not (app / "hello.aot").exists():
        sys.exit("training the peer's AOT cache made no cache")
    return [java] + JVM_OPTS + ["-XX:AOTCache=%s" % (app / "hello.aot"), "-jar", jar]


def train_in_terminal(command, prompt, lines, env):
    """Runs `command` in a pseudo-terminal, types each line once a new prompt shows, and waits for its exit."""
    pid, fd = pty.fork()
    if pid == 0:
        # a window's size, as a person's terminal has: in a pty of size 0 x 0 JLine cuts the prompt away
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
        os.execvpe(command[0], command, env)
    seen, typed = b"", 0
    try:
        while True:
            ready, _, _ = select.select([fd], [], [], 120)
            if not ready:
                sys.exit("training %s: no output for 120 s; so far: %r" % (command, seen[-500:]))
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                chunk = b""
            if not chunk:
                break
            seen += chunk
            if typed < len(lines) and seen.count(prompt) > typed:
                os.write(fd, lines[typed] + b"\n")
                typed += 1
    finally:
        os.waitpid(pid, 0)
        os.close(fd)


def run_once(command, env):
    """(wall seconds, CPU seconds user+sys) of one run to its end; fails loudly when the command fails."""
    start = time.perf_counter()
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(process.pid, 0)
    wall = time.perf_counter() - start
    process.returncode = os.waitstatus_to_exitcode(status)
    err = process.stderr.read().decode(errors="replace")
    process.stderr.close()
    if process.returncode != 0:
        sys.exit("benchmark command failed (%d): %s\n%s" % (process.returncode, " ".join(map(str, command)), err[-2000:]))
    return wall, usage.ru_utime + usage.ru_stime


def time_to_prompt(command, prompt, env):
    """(wall seconds, CPU seconds) from spawning `command` in a pseudo-terminal until `prompt` (a bytes regex)
    appears in its output; the CPU is the process's, until it is killed right after."""
    pid, fd = pty.fork()
    if pid == 0:
        # a window's size, as a person's terminal has: in a pty of size 0 x 0 JLine cuts the prompt away
        fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 120, 0, 0))
        os.execvpe(command[0], command, env)
    start = time.perf_counter()
    seen = b""
    try:
        while not re.search(prompt, seen):
            ready, _, _ = select.select([fd], [], [], 30)
            if not ready:
                sys.exit("no prompt %r within 30 s from %s; output so far: %r" % (prompt, command, seen[-500:]))
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                chunk = b""
            if not chunk:
                sys.exit("%s ended before printing its prompt %r; output: %r" % (command, prompt, seen[-500:]))
            seen += chunk
        wall = time.perf_counter() - start
    finally:
        os.kill(pid, 9)
        _, _, usage = os.wait4(pid, 0)
        os.close(fd)
    return wall, usage.ru_utime + usage.ru_stime


def interleave(runs, repeats):
    """Runs each (name, thunk) in turn, `repeats` times after one warm-up round (file cache); per name the lists
    of wall and CPU seconds."""
    for _, run in runs:
        run()
    results = {name: ([], []) for name, _ in runs}
    for _ in range(repeats):
        for name, run in runs:
            wall, cpu = run()
            results[name][0].append(wall)
            results[name][1].append(cpu)
    return results


def ratios(ours, peer):
    return [o / p for o, p in zip(ours, peer)]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--smoke", action="store_true", help="2 repeats: checks the harness, not the machine")
    args = parser.parse_args()
    repeats = 2 if args.smoke else args.repeats

    build_if_needed()
    java = os.path.join(java_home(), "bin", "java")
    hello = build_hello(java)
    launcher = [str(ROOT / "fleetshell")]
    fat = [java] + JVM_OPTS + ["-jar", str(ROOT / "shell/target/fleetshell-exec.jar")]
    load_before = os.getloadavg()[0]
    with tempfile.TemporaryDirectory() as home:
        env = dict(os.environ, FLEETSHELL_HOME=home, TERM="xterm-256color")
        timed(launcher + ["demo", "init"], env)
        timed(launcher + ["inventory", "list"], env)  # the first start after demo init prints the welcome once
        r = interleave([
            ("peer", lambda: run_once(hello + ["hello"], env)),
            ("inventory", lambda: run_once(launcher + ["inventory", "list", "--json"], env)),
            ("version", lambda: run_once(launcher + ["version"], env)),
            ("fat", lambda: run_once(fat + ["inventory", "list", "--json"], env)),
            ("peer prompt", lambda: time_to_prompt(hello, rb">", env)),
            ("prompt", lambda: time_to_prompt(launcher, rb"fleetshell(\x1b\[0m)?> ", env)),
        ], repeats)
    load_after = os.getloadavg()[0]

    cmd = "`python3 bench/startup.py`"
    print("machine: " + machine())
    print("| what | median (min-max) | command |")
    print("|---|---|---|")
    rows = [
        ("peer: hello-world Spring Shell, one-shot `hello`", "peer", None, " s"),
        ("fleetshell, one-shot `./fleetshell inventory list --json` (target < 0.8 s)", "inventory", None, " s"),
        ("ratio fleetshell / peer, one-shot `inventory list --json` (per pair; target <= 1.15)", "inventory", "peer", ""),
        ("fleetshell, one-shot `./fleetshell version`", "version", None, " s"),
        ("ratio fleetshell / peer, one-shot `version` (per pair; target <= 1.15)", "version", "peer", ""),
        ("peer: hello-world Spring Shell, first prompt", "peer prompt", None, " s"),
        ("fleetshell, first prompt (target < 0.8 s)", "prompt", None, " s"),
        ("ratio fleetshell / peer, first prompt (per pair; target <= 1.15)", "prompt", "peer prompt", ""),
    ]
    for label, ours, peer, unit in rows:
        wall = r[ours][0] if peer is None else ratios(r[ours][0], r[peer][0])
        print("| %s | %s | %s |" % (label, fmt(summary(wall), unit), cmd))
    for label, ours, peer, unit in rows:
        if peer is not None:
            print("| CPU (user+sys) %s | %s | %s |" % (label.replace("ratio ", "ratio of "), fmt(summary(ratios(r[ours][1], r[peer][1]))), cmd))
    print("| breakdown: fat jar / launcher, one-shot (what extraction, Spring AOT and the AOT cache buy) | %s | %s |"
          % (fmt(summary(ratios(r["fat"][0], r["inventory"][0]))), cmd))
    print("load average %.2f before the runs, %.2f after them (the machine line reads it as they end)" % (load_before, load_after))


if __name__ == "__main__":
    main()
