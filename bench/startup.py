"""Start-up of fleetshell against a hello-world Spring Shell 4.0.1 app built in the same run (issue 8, B3).

    python3 bench/startup.py [--repeats N] [--smoke]

Two measurements, each alternating fleetshell and the peer:
  * one-shot: `./fleetshell inventory list --json` on a home holding the demo fleet (so YAML, SQLite and
    the inventory code all run) against the peer's `hello` command;
  * first prompt: the REPL started in a pseudo-terminal, until its prompt is printed.
The peer (bench/hello-shell: one command, Boot 4.0.7, Spring Shell 4.0.1, default settings) is built
and started the way ./fleetshell starts fleetshell (extracted jar, JDK 25 AOT cache trained on one run,
the same JVM options), so the ratio is the cost of fleetshell's own code. A breakdown line compares
fleetshell's fat jar with the launcher, which is what the launcher's set-up buys.
"""
import argparse
import os
import pty
import select
import shutil
import subprocess
import sys
import tempfile
import time

from benchlib import ROOT, alternate, build_if_needed, fmt, java_home, machine, summary, timed

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
    subprocess.run([java] + JVM_OPTS + ["-XX:AOTCacheOutput=%s" % (app / "hello.aot"), "-jar", jar, "hello"],
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    return [java] + JVM_OPTS + ["-XX:AOTCache=%s" % (app / "hello.aot"), "-jar", jar]


def time_to_prompt(command, prompt, env):
    """Seconds from spawning `command` in a pseudo-terminal until `prompt` appears in its output."""
    pid, fd = pty.fork()
    if pid == 0:
        os.execvpe(command[0], command, env)
    start = time.perf_counter()
    seen = b""
    try:
        while prompt not in seen:
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
        return time.perf_counter() - start
    finally:
        os.kill(pid, 9)
        os.waitpid(pid, 0)
        os.close(fd)


def alternate_prompts(ours, peer, repeats, env):
    """Like benchlib.alternate, for time to first prompt: (ours, peer, ratios)."""
    time_to_prompt(*peer, env)
    time_to_prompt(*ours, env)
    ours_t, peer_t, ratios = [], [], []
    for _ in range(repeats):
        p = time_to_prompt(*peer, env)
        o = time_to_prompt(*ours, env)
        peer_t.append(p)
        ours_t.append(o)
        ratios.append(o / p)
    return ours_t, peer_t, ratios


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
    with tempfile.TemporaryDirectory() as home:
        env = dict(os.environ, FLEETSHELL_HOME=home, TERM="xterm-256color")
        timed(launcher + ["demo", "init"], env)
        timed(launcher + ["inventory", "list"], env)  # the first start after demo init prints the welcome once
        one_ours, one_peer, one_ratio = alternate(launcher + ["inventory", "list", "--json"], hello + ["hello"], repeats, env)
        _, _, fat_ratio = alternate(fat + ["inventory", "list", "--json"],
                                                 launcher + ["inventory", "list", "--json"], repeats, env)
        prompt_ours, prompt_peer, prompt_ratio = alternate_prompts(
            (launcher, b"fleetshell"), (hello, b">"), repeats, env)

    cmd = "`python3 bench/startup.py`"
    print("machine: " + machine())
    print("| what | median (min-max) | command |")
    print("|---|---|---|")
    print("| peer: hello-world Spring Shell, one-shot `hello` | %s | %s |" % (fmt(summary(one_peer), " s"), cmd))
    print("| fleetshell, one-shot `./fleetshell inventory list --json` (target < 0.8 s) | %s | %s |" % (fmt(summary(one_ours), " s"), cmd))
    print("| ratio fleetshell / peer, one-shot (per pair; target <= 1.15) | %s | %s |" % (fmt(summary(one_ratio)), cmd))
    print("| peer: hello-world Spring Shell, first prompt | %s | %s |" % (fmt(summary(prompt_peer), " s"), cmd))
    print("| fleetshell, first prompt (target < 0.8 s) | %s | %s |" % (fmt(summary(prompt_ours), " s"), cmd))
    print("| ratio fleetshell / peer, first prompt (per pair; target <= 1.15) | %s | %s |" % (fmt(summary(prompt_ratio)), cmd))
    print("| breakdown: fat jar / launcher, one-shot (what extraction + AOT cache buy) | %s | %s |"
          % (fmt(summary(fat_ratio)), cmd))


if __name__ == "__main__":
    main()
