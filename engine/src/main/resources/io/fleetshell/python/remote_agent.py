"""fleetshell's supervisor on a remote host: one operation per run, shipped over ssh on stdin, nothing left behind.

    python3 - OPERATION REQUEST_JSON      (this file on stdin)

Prints one JSON object on stdout. Operations:
  start   spawn the agent detached (a session and process group of its own, stdin /dev/null, stdout and stderr
          appended to its log), record its pid and start time in its pid file; refuses when the pid file names a
          live process that is still the agent
  status  what the pid file says and whether that process is still the agent (start time and command line), its
          resident memory; the crash record of a start that died before it was healthy
  stop    SIGTERM to the agent's process group, SIGKILL to it after the grace time; the pid file is removed
  stop_untracked  the same for a pid fleetshell spawned (at spawned_at, epoch seconds; running script) that the pid file no longer
          names; the pid file stays; nothing is done to the pid file's process or to a pid that is no longer that one
  exited  records that a start died before it was healthy (the crash record) and removes the pid file
  tail    the last N lines of the log and the byte offset where it ended
  read    bytes of the log from an offset (base64), and the log's size

Paths come from fleetshell (under the remote state directory; a relative one is relative to the user's home);
this program creates only those files and their directories. Python 3.6 or newer, the standard library only.
"""
import base64
import datetime
import json
import os
import signal
import sys
import time


def now():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def boot_time():
    with open("/proc/stat") as f:
        for line in f:
            if line.startswith("btime "):
                return int(line.split()[1])
    return 0


def start_ticks(pid):
    """When the OS started pid, in clock ticks since boot (/proc/PID/stat field 22), or None when it is gone or a zombie.
    Unlike a wall-clock time, the ticks do not move when the host's clock is set."""
    try:
        with open("/proc/%d/stat" % pid) as f:
            fields = f.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    if fields[0] in ("Z", "X"):
        return None
    return int(fields[19])


def process_start(pid):
    """When the OS started pid, as seconds since the epoch, or None when it is gone."""
    ticks = start_ticks(pid)
    return None if ticks is None else boot_time() + ticks / os.sysconf("SC_CLK_TCK")


def command_line(pid):
    try:
        with open("/proc/%d/cmdline" % pid, "rb") as f:
            return [a.decode("utf-8", "replace") for a in f.read().split(b"\0") if a]
    except OSError:
        return None


def rss_kb(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        return None
    return None


def iso(seconds):
    return datetime.datetime.fromtimestamp(seconds, datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def epoch(text):
    return datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc).timestamp()


def read_json(path):
    try:
        with open(path) as f:
            return json.load(f)
    except FileNotFoundError:
        return None


def write_json(path, value):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    temporary = path + ".tmp"
    with open(temporary, "w") as f:
        json.dump(value, f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(temporary, path)


def remove(path):
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


def still_ours(record):
    """The pid file's process is alive and is still the agent: same start (the same clock tick; in a record without
    ticks, the same time within 2 s), same script."""
    pid = record["pid"]
    if record.get("start_ticks") is not None:
        if start_ticks(pid) != record["start_ticks"]:
            return False
    else:
        started = process_start(pid)
        if started is None or abs(started - epoch(record["process_start"])) > 2:
            return False
    args = command_line(pid)
    return args is not None and record["command"][-1] in args


def start(request):
    pid_file, log = request["pid_file"], request["log"]
    record = read_json(pid_file)
    if record is not None and still_ours(record):
        return {"outcome": "already_running", "pid": record["pid"], "spawned_at": record["spawned_at"]}
    os.makedirs(os.path.dirname(log), exist_ok=True)
    with open(log, "ab") as f:
        f.write(("--- fleetshell %s: spawn %s\n" % (now(), " ".join(request["command"]))).encode("utf-8"))
        offset = f.tell()
    environment = dict(os.environ)
    environment.update(request["environment"])
    # The child reports a failed exec through a pipe closed on a successful one.
    read_end, write_end = os.pipe()
    spawned_at = now()
    pid = os.fork()
    if pid == 0:
        try:
            os.close(read_end)
            os.setsid()
            out = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
            null = os.open(os.devnull, os.O_RDONLY)
            os.dup2(null, 0)
            os.dup2(out, 1)
            os.dup2(out, 2)
            os.chdir(request["directory"])
            os.set_inheritable(write_end, False)
            os.execvpe(request["command"][0], request["command"], environment)
        except BaseException as e:  # noqa: the child must never return into the parent's code
            os.write(write_end, ("%s: %s" % (type(e).__name__, e)).encode("utf-8", "replace"))
        finally:
            os._exit(127)
    os.close(write_end)
    failure = b""
    while True:
        chunk = os.read(read_end, 4096)
        if not chunk:
            break
        failure += chunk
    os.close(read_end)
    if failure:
        os.waitpid(pid, 0)
        return {"outcome": "cannot_start", "error": failure.decode("utf-8", "replace")}
    ticks = start_ticks(pid)
    started = process_start(pid)
    record = {"agent": request["agent"], "pid": pid, "process_start": iso(started) if started else spawned_at,
              "start_ticks": ticks, "spawned_at": spawned_at, "command": request["command"], "log": log}
    write_json(pid_file, record)
    remove(request["exit_file"])
    # The agent is not this program's child to wait for: once this program exits, init reaps it.
    return {"outcome": "started", "pid": pid, "process_start": record["process_start"], "start_ticks": ticks, "spawned_at": spawned_at,
            "log_offset": offset}


def status(request):
    record = read_json(request["pid_file"])
    if record is not None:
        if still_ours(record):
            return {"state": "running", "record": record, "rss_kb": rss_kb(record["pid"])}
        return {"state": "gone", "record": record}
    crash = read_json(request["exit_file"])
    if crash is not None:
        return {"state": "crashed", "crash": crash}
    return {"state": "none"}


def alive(pid):
    return process_start(pid) is not None


def terminate(pid, grace_seconds):
    """SIGTERM to pid's process group (the agent leads its own: its children go too), SIGKILL after the grace time."""
    started = time.monotonic()
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    deadline = started + grace_seconds
    while alive(pid) and time.monotonic() < deadline:
        time.sleep(0.02)
    outcome = "terminated"
    waited = time.monotonic() - started
    if alive(pid):
        outcome = "killed"
        try:
            os.killpg(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        end = time.monotonic() + 10
        while alive(pid) and time.monotonic() < end:
            time.sleep(0.02)
    return {"outcome": outcome, "pid": pid, "took_ms": int(waited * 1000)}


def stop(request):
    record = read_json(request["pid_file"])
    if record is None:
        return {"outcome": "not_running", "reason": "none"}
    if not still_ours(record):
        remove(request["pid_file"])
        remove(request["exit_file"])
        return {"outcome": "not_running", "reason": "gone", "record": record}
    result = terminate(record["pid"], request["grace_seconds"])
    remove(request["pid_file"])
    remove(request["exit_file"])
    return result


def stop_untracked(request):
    pid = request["pid"]
    started = process_start(pid)
    if started is None:
        return {"outcome": "not_running", "reason": "pid %d had already exited" % pid}
    record = read_json(request["pid_file"])
    if record is not None and record["pid"] == pid:
        return {"outcome": "not_running", "reason": "pid %d is the agent's tracked process" % pid}
    args = command_line(pid)
    if started < request["spawned_at"] - 2 or args is None or request["script"] not in args:
        return {"outcome": "not_running", "reason": "pid %d is no longer the process fleetshell spawned" % pid}
    return terminate(pid, request["grace_seconds"])


def exited(request):
    record = read_json(request["pid_file"])
    if record is not None and not still_ours(record):
        remove(request["pid_file"])
        crash = {"agent": record["agent"], "pid": record["pid"], "spawned_at": record["spawned_at"], "exited_at": now(),
                 "log": record["log"]}
        write_json(request["exit_file"], crash)
        return {"recorded": True}
    return {"recorded": False}


def tail(request):
    log, lines = request["log"], request["lines"]
    try:
        with open(log, "rb") as f:
            f.seek(0, 2)
            size = f.tell()
            start = 0
            if lines > 0:
                position, newlines, last = size, 0, True
                while position > 0 and start == 0:
                    step = min(8192, position)
                    position -= step
                    f.seek(position)
                    block = f.read(step)
                    for i in range(len(block) - 1, -1, -1):
                        if block[i] != 0x0A:
                            last = False
                            continue
                        if last:
                            last = False
                            continue
                        newlines += 1
                        if newlines == lines:
                            start = position + i + 1
                            break
            f.seek(start)
            data = f.read(size - start)
    except FileNotFoundError:
        return {"exists": False}
    return {"exists": True, "lines": data.decode("utf-8", "replace").splitlines(), "offset": start + len(data)}


def read(request):
    try:
        with open(request["log"], "rb") as f:
            f.seek(0, 2)
            size = f.tell()
            if size < request["offset"]:
                return {"exists": True, "size": size, "data": ""}
            f.seek(request["offset"])
            data = f.read(request["max"])
    except FileNotFoundError:
        return {"exists": False, "size": 0, "data": ""}
    return {"exists": True, "size": size, "data": base64.b64encode(data).decode("ascii")}


OPERATIONS = {"start": start, "status": status, "stop": stop, "stop_untracked": stop_untracked, "exited": exited, "tail": tail, "read": read}

PATHS = ("pid_file", "exit_file", "log")

if __name__ == "__main__":
    request = json.loads(sys.argv[2])
    for key in PATHS:
        if key in request:
            request[key] = os.path.join(os.path.expanduser("~"), request[key])
    result = OPERATIONS[sys.argv[1]](request)
    sys.stdout.write(json.dumps(result))
