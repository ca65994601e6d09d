"""Start-up of a one-shot command: the launcher's way (extracted jar + JDK AOT cache) against the
plain fat jar, alternated in the same run.

    python3 bench/startup.py [--repeats N] [--smoke]

Both run `inventory list` against the same home holding the demo fleet, so the history database,
YAML and inventory code paths are all exercised.
"""
import argparse
import os
import tempfile

from benchlib import ROOT, alternate, build_if_needed, fmt, java_home, machine, summary, timed


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=15)
    parser.add_argument("--smoke", action="store_true", help="2 repeats: checks the harness, not the machine")
    args = parser.parse_args()
    repeats = 2 if args.smoke else args.repeats

    build_if_needed()
    java = os.path.join(java_home(), "bin", "java")
    app = ROOT / "shell/target/app"
    opts = ["-XX:TieredStopAtLevel=1", "--enable-native-access=ALL-UNNAMED"]
    fat = [java] + opts + ["-jar", str(ROOT / "shell/target/fleetshell-exec.jar"), "inventory", "list"]
    aot = [java] + opts + ["-XX:AOTCache=%s" % (app / "fleetshell.aot"), "-jar", str(app / "fleetshell-exec.jar"),
                           "inventory", "list"]
    with tempfile.TemporaryDirectory() as home:
        env = dict(os.environ, FLEETSHELL_HOME=home)
        timed(fat[:-2] + ["demo", "init"], env)
        aot_times, fat_times, ratios = alternate(aot, fat, repeats, env)
    print("machine: " + machine())
    print("| what | median (min-max) | command |")
    print("|---|---|---|")
    print("| fat jar, `inventory list` | %s | `python3 bench/startup.py` |" % fmt(summary(fat_times), " s"))
    print("| launcher: extracted jar + AOT cache | %s | `python3 bench/startup.py` |" % fmt(summary(aot_times), " s"))
    print("| ratio launcher / fat jar (per pair) | %s | `python3 bench/startup.py` |" % fmt(summary(ratios)))


if __name__ == "__main__":
    main()
