# fleetshell's file operations on a remote host, run by the machine's interpreter as `python -c THIS OP ARGS...`
# over ssh (nothing is left on the host). Replies on stdout: the file's bytes for `read`, else one JSON object; a
# failure is {"error": ..., "errno": ..., "kind": ...} with exit status 3. Python 3.6+ (no f-strings on purpose).
import base64, errno, grp, hashlib, json, os, pwd, stat, sys

def reply(value, status=0):
    sys.stdout.write(json.dumps(value))
    sys.stdout.flush()
    sys.exit(status)

def fail(kind, message, number=0):
    reply({"error": message, "errno": number, "kind": kind}, 3)

def name_of(lookup, number):
    try:
        return lookup(number)[0]
    except KeyError:
        return str(number)

def describe(st):
    mode = st.st_mode
    kind = "symlink" if stat.S_ISLNK(mode) else "directory" if stat.S_ISDIR(mode) else "regular" if stat.S_ISREG(mode) else "other"
    return {"type": kind, "size": st.st_size, "mode": stat.S_IMODE(mode), "owner": name_of(pwd.getpwuid, st.st_uid),
            "group": name_of(grp.getgrgid, st.st_gid), "mtime_ns": st.st_mtime_ns}

def real_of(path):
    # The directory's real path with the file's own name kept (never followed), as SafeFiles.realPathOf.
    path = os.path.abspath(path)
    return os.path.join(os.path.realpath(os.path.dirname(path)), os.path.basename(path))

def unchanged(target, expected):
    if expected:
        real = real_of(target)
        if real != expected:
            fail("escapes", "%s now resolves to %s, not to %s as when it was planned (a directory on the way was replaced "
                 "by a symlink): refused, nothing was written" % (target, real, expected))
        if os.path.islink(target):
            fail("escapes", "%s is a symlink: refused, nothing was written" % target)

def read_bounded(path, limit):
    fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            fail("not_regular", "%s is not a regular file" % path)
        if st.st_size > limit:
            fail("too_large", "%s is %d bytes, more than the %d a read takes" % (path, st.st_size, limit))
        chunks = []
        while True:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
        return b"".join(chunks)
    finally:
        os.close(fd)

def fsync_dir(path):
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)

def write(target, temp, expected, mode, owner, group, sha256):
    content = sys.stdin.buffer.read()
    # A connection that dropped mid-transfer ends stdin early: the bytes are checked before anything is written.
    if hashlib.sha256(content).hexdigest() != sha256:
        fail("incomplete", "received %d bytes whose sha256 is not the one sent (the connection dropped mid-transfer?): "
             "nothing was written" % len(content))
    unchanged(target, expected)
    try:
        current = os.lstat(target)
    except FileNotFoundError:
        current = None
    mode = int(mode) if mode else (stat.S_IMODE(current.st_mode) if current else None)
    uid = pwd.getpwnam(owner).pw_uid if owner else (current.st_uid if current else -1)
    gid = grp.getgrnam(group).gr_gid if group else (current.st_gid if current else -1)
    try:
        os.unlink(temp)
    except FileNotFoundError:
        pass
    not_kept = None
    # As the JDK creates a file (0666 less the umask), so a new file gets the same mode here and on this computer.
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o666)
    try:
        try:
            view = memoryview(content)
            while view:
                view = view[os.write(fd, view):]
            os.fsync(fd)
            if mode is not None:
                os.fchmod(fd, mode)
            if uid != -1 or gid != -1:
                st = os.fstat(fd)
                if (uid != -1 and st.st_uid != uid) or (gid != -1 and st.st_gid != gid):
                    try:
                        os.fchown(fd, uid, gid)
                    except PermissionError:
                        st = os.fstat(fd)
                        not_kept = ("the owner differs: %s is now %s:%s, the original's was %s:%s (the ssh user may not give a file "
                                    "away; connect as root, or: chown %s:%s %s)") % (target, name_of(pwd.getpwuid, st.st_uid),
                                    name_of(grp.getgrgid, st.st_gid), name_of(pwd.getpwuid, uid), name_of(grp.getgrgid, gid),
                                    name_of(pwd.getpwuid, uid), name_of(grp.getgrgid, gid), target)
        finally:
            os.close(fd)
        unchanged(target, expected)
        os.rename(temp, target)
    except BaseException:
        try:
            os.unlink(temp)
        except OSError:
            pass
        raise
    fsync_dir(os.path.dirname(os.path.abspath(target)))
    back = read_bounded(target, max(len(content), 1))
    reply({"sha256": hashlib.sha256(back).hexdigest(), "not_kept": not_kept})

def stat_many(paths):
    out = {}
    for path in paths:
        try:
            out[path] = describe(os.lstat(path))
            out[path]["readable"] = os.access(path, os.R_OK)
            out[path]["real"] = os.path.realpath(path) if os.path.exists(path) else None
        except OSError:
            out[path] = None
    return out

def delete_tree(path):
    if not os.path.lexists(path):
        return False
    if os.path.isdir(path) and not os.path.islink(path):
        for top, dirs, names in os.walk(path, topdown=False, followlinks=False):
            for name in names:
                os.unlink(os.path.join(top, name))
            for name in dirs:
                sub = os.path.join(top, name)
                if os.path.islink(sub):
                    os.unlink(sub)
                else:
                    os.rmdir(sub)
        os.rmdir(path)
    else:
        os.unlink(path)
    return True

def copy_tree(source, target):
    # A proof's copy of a fleet root, in one round trip: directories and regular files, no __pycache__ or .git, links
    # neither followed nor copied; then the replaced files (relative path -> base64 bytes, JSON on stdin).
    import base64, shutil
    replaced = json.loads(sys.stdin.read() or "{}")
    os.mkdir(target, 0o700)
    try:
        for top, dirs, names in os.walk(source, followlinks=False):
            dirs[:] = [d for d in dirs if d not in ("__pycache__", ".git") and not os.path.islink(os.path.join(top, d))]
            here = os.path.join(target, os.path.relpath(top, source))
            if not os.path.isdir(here):
                os.mkdir(here)
            for name in names:
                path = os.path.join(top, name)
                if os.path.isfile(path) and not os.path.islink(path):
                    shutil.copy2(path, os.path.join(here, name))
        for relative, data in replaced.items():
            path = os.path.normpath(os.path.join(target, relative))
            if not path.startswith(target.rstrip("/") + "/"):
                fail("escapes", "%s is not inside the copy %s" % (relative, target))
            if not os.path.isdir(os.path.dirname(path)):
                os.makedirs(os.path.dirname(path))
            if os.path.lexists(path):
                os.unlink(path)
            with open(path, "wb") as out:
                out.write(base64.b64decode(data))
    except BaseException:
        delete_tree(target)
        raise
    reply({"path": target})

def main():
    if sys.version_info < (3, 6):
        sys.stdout.write(json.dumps({"error": "Python %d.%d is too old: fleetshell needs 3.6 or newer on the host" % sys.version_info[:2],
                                     "errno": 0, "kind": "python_too_old"}))
        sys.exit(3)
    op, args = sys.argv[1], sys.argv[2:]
    try:
        if op == "stat":
            try:
                reply(describe(os.lstat(args[0])))
            except FileNotFoundError:
                reply({"type": None})
        elif op == "statmany":
            reply(stat_many(json.loads(sys.stdin.read())))
        elif op == "readunder":
            # statmany of the file and the root, and the file's bytes when it is not a link and its directory
            # resolves inside the root (Host.Under.readable), read as readsafe reads it: one round trip for a script
            path, root, limit = args[0], args[1], int(args[2])
            stats = stat_many(json.loads(sys.stdin.read()))
            f, r = stats.get(path), stats.get(root)
            data = None
            if f and r and f["type"] != "symlink" and f["real"] and r["real"] and \
                    (os.path.dirname(f["real"]) + "/").startswith(r["real"].rstrip("/") + "/"):
                try:
                    unchanged(path, f["real"])
                    data = base64.b64encode(read_bounded(path, limit)).decode("ascii")
                except FileNotFoundError:
                    data = None
            reply({"stats": stats, "data": data})
        elif op == "files":
            root, skipped, found = args[0], set(json.loads(args[1])), []
            for top, dirs, names in os.walk(root, followlinks=False):
                dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in skipped)
                for name in names:
                    path = os.path.join(top, name)
                    if os.path.islink(path) or os.path.isfile(path):
                        found.append(path)
            reply(found)
        elif op == "realpath":
            if not os.path.lexists(args[0]):
                fail("missing", "%s does not exist" % args[0], errno.ENOENT)
            reply({"path": os.path.realpath(args[0])})
        elif op == "read":
            data = read_bounded(args[0], int(args[1]))
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
        elif op == "readsafe":
            unchanged(args[0], args[1])
            data = read_bounded(args[0], int(args[2]))
            sys.stdout.buffer.write(data)
            sys.stdout.flush()
        elif op == "removesafe":
            unchanged(args[0], args[1])
            try:
                os.unlink(args[0])
            except FileNotFoundError:
                reply({"deleted": False})
            fsync_dir(os.path.dirname(os.path.abspath(args[0])))
            reply({"deleted": True})
        elif op == "list":
            try:
                reply(sorted(os.listdir(args[0])))
            except FileNotFoundError:
                reply([])
        elif op == "write":
            write(*args)
        elif op == "delete":
            try:
                os.unlink(args[0])
                reply({"deleted": True})
            except FileNotFoundError:
                reply({"deleted": False})
        elif op == "writefresh":
            content = sys.stdin.buffer.read()
            if hashlib.sha256(content).hexdigest() != args[1]:
                fail("incomplete", "received %d bytes whose sha256 is not the one sent (the connection dropped mid-transfer?): "
                     "nothing was written" % len(content))
            # with a prefix: the names beside it that start with it, as they were before the write (a proof's sweep);
            # with a state directory too: it is created (0700) and resolved first (Host.prepareProof)
            siblings, state = None, None
            if len(args) > 3:
                os.makedirs(args[3], 0o700, exist_ok=True)
                state = os.path.realpath(args[3])
            if len(args) > 2:
                try:
                    siblings = sorted(n for n in os.listdir(os.path.dirname(args[0]) or ".") if n.startswith(args[2]))
                except FileNotFoundError:
                    siblings = []
            if os.path.lexists(args[0]):
                os.unlink(args[0])
            fd = os.open(args[0], os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o666)
            try:
                view = memoryview(content)
                while view:
                    view = view[os.write(fd, view):]
            finally:
                os.close(fd)
            reply({"path": args[0], "siblings": siblings, "state": state})
        elif op == "copytree":
            copy_tree(args[0], args[1])
        elif op == "deletetree":
            reply({"deleted": delete_tree(args[0])})
        elif op == "mkdirs":
            os.makedirs(args[0], 0o700, exist_ok=True)
            reply({"path": os.path.realpath(args[0])})
        else:
            fail("usage", "unknown operation %s" % op)
    except OSError as e:
        kind = "missing" if e.errno == errno.ENOENT else "loop" if e.errno == errno.ELOOP else "os"
        # A write that fails on a full disk has no file name of its own: the operation's path says which file.
        fail(kind, "%s: %s" % (e.strerror, e.filename) if e.filename else e.strerror or str(e), e.errno or 0)

main()
