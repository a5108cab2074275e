#!/usr/bin/env python3
"""Run the hostile-input corpus against a built `harden`.

    Tests/Fixtures/hostile/run.py [--harden PATH] [-v] [CASE ...]

Every directory NNN-name/ beside this script holds a case.json (format in README.md). For each
case a fresh root is built in a temporary directory (a fixture root materialized, then the
case's setup steps), the steps run in order, and every `run` step is checked against its
expectations and against the rules that hold for every case:

- it ends within 5 s (TIME_LIMIT), by exiting (no signal), with no Swift trap, sanitizer report
  or backtrace in its output;
- nothing outside the root changes: a decoy directory OUTSIDE (files whose names tempt
  includes and globs) keeps its listing, contents, mtimes and atimes (the atimes are set in
  the past, so even a relatime mount records a read), and inotify sees no access to it; the
  host's /etc files harden manages keep their mtime and ctime;
- the decoy's secret never appears in harden's output.

Tests/EndToEndTests/HostileCorpusTests.swift runs the same cases from `swift test`; the two
must agree on the format. Exit status: 0 when every case passes, 1 otherwise.
"""
import argparse
import base64
import ctypes
import ctypes.util
import hashlib
import json
import os
import shutil
import signal
import stat
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.abspath(os.path.join(HERE, "..", "..", ".."))
MATERIALIZE = os.path.join(REPO, "Tests", "Fixtures", "roots", "materialize")
TIME_LIMIT = 5.0
CRASH_MARKERS = ["Fatal error", "Stack dump", "backtrace", "Illegal instruction", "Segmentation fault",
                 "AddressSanitizer", "Current stack trace", "💣", "Program crashed"]
HOST_WATCH = ["/etc", "/etc/ssh", "/etc/ssh/sshd_config", "/etc/ssh/sshd_config.d", "/etc/sysctl.conf",
              "/etc/sysctl.d", "/etc/pam.d", "/etc/pam.d/common-auth", "/etc/login.defs", "/etc/audit",
              "/etc/audit/rules.d", "/etc/security", "/etc/shadow", "/etc/passwd", "/var/lib/harden"]
OLD_ATIME = 1_000_000_000  # 2001: earlier than any mtime, so relatime updates it on a read


class CaseFailure(Exception):
    pass


# ---------------------------------------------------------------- placeholders

def subst(s, env):
    """ROOT, CASE, WORK and OUTSIDE as a whole string or a leading path component, and
    {{ROOT}}, {{CASE}}, {{WORK}}, {{OUTSIDE}} anywhere."""
    for token in ("ROOT", "CASE", "WORK", "OUTSIDE"):
        s = s.replace("{{%s}}" % token, env[token])
    for token in ("ROOT", "CASE", "WORK", "OUTSIDE"):
        if s == token:
            return env[token]
        if s.startswith(token + "/"):
            return env[token] + s[len(token):]
        if s.startswith("--root=" + token):
            return "--root=" + env[token] + s[len("--root=" + token):]
    return s


def normalize(text, env):
    for token in ("ROOT", "WORK", "OUTSIDE", "CASE"):
        text = text.replace(env[token], token)
    return text


def inside(env, path):
    """The host path of `path` inside the root (never through the host's /)."""
    if not path.startswith("/"):
        raise CaseFailure("setup path must be absolute (inside the root): %s" % path)
    return env["ROOT"] + path


# ---------------------------------------------------------------- setup operations

def content_of(step, env):
    if "text" in step:
        text = step["text"]
        for token in ("ROOT", "CASE", "WORK", "OUTSIDE"):
            text = text.replace("{{%s}}" % token, env[token])
        return text.encode("utf-8")
    if "base64" in step:
        return base64.b64decode(step["base64"])
    if "hex" in step:
        return bytes.fromhex(step["hex"])
    if "from" in step:
        with open(os.path.join(env["CASE"], step["from"]), "rb") as f:
            return f.read()
    if "repeat" in step:
        r = step["repeat"]
        body = "".join(r["text"].replace("{i}", str(i)) for i in range(r["count"]))
        return (r.get("prefix", "") + body + r.get("suffix", "")).encode("utf-8")
    if "generate" in step:
        g = step["generate"]
        fill = g.get("fill", "A").encode()
        body = (fill * (g["size"] // len(fill) + 1))[: g["size"]]
        return g.get("prefix", "").encode() + body + g.get("suffix", "").encode()
    return b""


def makedirs(path):
    """os.makedirs without recursion (trees 1,000 levels deep)."""
    missing = []
    while not os.path.isdir(path):
        missing.append(path)
        path = os.path.dirname(path)
    for d in reversed(missing):
        os.mkdir(d)


def ensure_parent(path):
    makedirs(os.path.dirname(path))


def remove(path):
    if os.path.islink(path) or (os.path.exists(path) and not os.path.isdir(path)):
        os.unlink(path)
    elif os.path.isdir(path):
        shutil.rmtree(path)


def do_op(step, env):
    op = step["op"]
    p = inside(env, step["path"]) if "path" in step else None
    if op in ("write", "append"):
        ensure_parent(p)
        if op == "write" and (os.path.lexists(p)):
            remove(p)
        with open(p, "ab" if op == "append" else "wb") as f:
            f.write(content_of(step, env))
        if "mode" in step:
            os.chmod(p, int(step["mode"], 8))
    elif op == "mkdir":
        if os.path.lexists(p) and not os.path.isdir(p):
            remove(p)
        makedirs(p)
        if "mode" in step:
            os.chmod(p, int(step["mode"], 8))
    elif op == "symlink":
        ensure_parent(p)
        if os.path.lexists(p):
            remove(p)
        os.symlink(subst(step["target"], env), p)
    elif op == "fifo":
        ensure_parent(p)
        if os.path.lexists(p):
            remove(p)
        os.mkfifo(p, 0o644)
    elif op == "mknod":
        ensure_parent(p)
        if os.path.lexists(p):
            remove(p)
        kind = stat.S_IFBLK if step.get("kind", "c") == "b" else stat.S_IFCHR
        os.mknod(p, kind | 0o644, os.makedev(step.get("major", 1), step.get("minor", 3)))
    elif op == "socket":
        import socket
        ensure_parent(p)
        if os.path.lexists(p):
            remove(p)
        s = socket.socket(socket.AF_UNIX)
        s.bind(p)
        s.close()
    elif op == "truncate":
        ensure_parent(p)
        with open(p, "ab") as f:
            f.truncate(step["size"])
    elif op == "chmod":
        os.chmod(p, int(step["mode"], 8))
    elif op == "remove":
        if os.path.lexists(p):
            remove(p)
    elif op == "rename":
        os.rename(p, inside(env, step["to"]))
    elif op == "many":
        template = step["path"]
        text = step.get("text", "")
        for i in range(step["count"]):
            q = inside(env, template.replace("{i}", str(i)).replace("{next}", str(i + 1)))
            ensure_parent(q)
            with open(q, "wb") as f:
                f.write(text.replace("{i}", str(i)).replace("{next}", str(i + 1)).encode())
    else:
        raise CaseFailure("unknown op %r" % op)


# ---------------------------------------------------------------- observation

def manifest(root, exclude=("/var/lib/harden",)):
    out = {}
    stack = [""]
    while stack:
        rel = stack.pop()
        if rel in exclude:
            continue
        full = root + rel
        try:
            st = os.lstat(full)
        except FileNotFoundError:
            continue
        line = "type=%o mode=%o uid=%d gid=%d" % (stat.S_IFMT(st.st_mode), stat.S_IMODE(st.st_mode), st.st_uid, st.st_gid)
        if stat.S_ISLNK(st.st_mode):
            line += " link=" + os.readlink(full)
        elif stat.S_ISREG(st.st_mode):
            h = hashlib.sha256()
            with open(full, "rb") as f:
                for chunk in iter(lambda: f.read(1 << 20), b""):
                    h.update(chunk)
            line += " sha256=" + h.hexdigest()
        elif stat.S_ISDIR(st.st_mode):
            for name in os.listdir(full):
                stack.append(rel + "/" + name)
        elif stat.S_ISCHR(st.st_mode) or stat.S_ISBLK(st.st_mode):
            line += " rdev=%d" % st.st_rdev
        out[rel or "/"] = line
    return out


def manifest_diff(a, b):
    lines = []
    for k in sorted(set(a) | set(b)):
        if a.get(k) != b.get(k):
            lines.append("%s: %s => %s" % (k, a.get(k, "absent"), b.get(k, "absent")))
    return "\n".join(lines[:20])


class Inotify:
    """Counts every event (open, access, modify, attrib, create, delete, move) under a tree."""
    MASK = 0x1 | 0x2 | 0x4 | 0x8 | 0x10 | 0x20 | 0x40 | 0x80 | 0x100 | 0x200 | 0x400 | 0x800

    def __init__(self, top):
        libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
        self.libc = libc
        self.fd = libc.inotify_init1(os.O_NONBLOCK)
        if self.fd < 0:
            raise OSError(ctypes.get_errno(), "inotify_init1")
        for d in [d for d, _, _ in os.walk(top)]:
            if libc.inotify_add_watch(self.fd, d.encode(), self.MASK) < 0:
                raise OSError(ctypes.get_errno(), "inotify_add_watch " + d)
        self.events()  # nothing before this point counts

    def events(self):
        n = 0
        while True:
            try:
                buf = os.read(self.fd, 65536)
            except BlockingIOError:
                break
            off = 0
            while off < len(buf):
                length = int.from_bytes(buf[off + 12:off + 16], sys.byteorder)
                n += 1
                off += 16 + length
        return n

    def close(self):
        os.close(self.fd)


def make_outside(path, secret):
    """The decoy tree outside the root: names that tempt sshd Includes, sysctl/audit globs, PAM."""
    os.makedirs(path)
    files = {
        "secret": secret,
        "secret.conf": "PermitRootLogin yes\n# " + secret,
        "sshd_config": "PasswordAuthentication yes\n# " + secret,
        "sysctl.conf": "net.ipv4.ip_forward = 1\n# " + secret,
        "common-auth": "auth required pam_permit.so\n# " + secret,
        "audit.rules": "-e 1\n# " + secret,
        "login.defs": "PASS_MAX_DAYS 99999\n# " + secret,
        "conf.d/50-outside.conf": "PermitRootLogin yes\nnet.ipv4.ip_forward = 1\n# " + secret,
        "rules.d/50-outside.rules": "-e 1\n# " + secret,
    }
    for rel, text in files.items():
        p = os.path.join(path, rel)
        os.makedirs(os.path.dirname(p), exist_ok=True)
        with open(p, "w") as f:
            f.write(text)
    for d, dirs, names in os.walk(path):
        for n in names:
            st = os.stat(os.path.join(d, n))
            os.utime(os.path.join(d, n), ns=(OLD_ATIME * 10**9, st.st_mtime_ns))


def outside_state(path):
    out = {}
    for d, dirs, names in os.walk(path):
        for n in dirs + names:
            p = os.path.join(d, n)
            st = os.lstat(p)
            out[os.path.relpath(p, path)] = (st.st_mode, st.st_size, st.st_mtime_ns, st.st_atime_ns, st.st_ctime_ns)
    return out


def host_state():
    out = {}
    for p in HOST_WATCH:
        try:
            st = os.lstat(p)
            out[p] = (st.st_mtime_ns, st.st_ctime_ns, st.st_mode, st.st_size)
        except FileNotFoundError:
            out[p] = None
    return out


# ---------------------------------------------------------------- running harden

def run_harden(harden, argv, env, readonly=None):
    args = [harden] + [subst(a, env) for a in argv]
    if readonly is not None:
        target = inside(env, readonly) if readonly != "/" else env["ROOT"]
        script = 'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && shift && exec "$@"'
        args = ["unshare", "-m", "--propagation", "private", "sh", "-c", script, "sh", target] + args
    e = dict(os.environ)
    e["NO_COLOR"] = "1"
    e["SWIFT_BACKTRACE"] = "enable=no"
    start = time.monotonic()
    p = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                         cwd=env["WORK"], env=e, start_new_session=True)
    try:
        out, err = p.communicate(timeout=TIME_LIMIT)
        hung = False
    except subprocess.TimeoutExpired:
        os.killpg(p.pid, signal.SIGKILL)
        out, err = p.communicate()
        hung = True
    elapsed = time.monotonic() - start
    return p.returncode, out.decode("utf-8", "replace"), err.decode("utf-8", "replace"), elapsed, hung


def check_run(step, env, harden, verbose):
    before = manifest(env["ROOT"]) if step.get("root_unchanged") else None
    status, out, err, elapsed, hung = run_harden(harden, step["run"], env, step.get("readonly"))
    out_n, err_n = normalize(out, env), normalize(err, env)
    cmd = "harden " + " ".join(step["run"])
    problems = []
    if hung:
        problems.append("did not finish within %.0f s (killed)" % TIME_LIMIT)
    elif status < 0:
        problems.append("killed by signal %d" % -status)
    for m in CRASH_MARKERS:
        if m in out or m in err:
            problems.append("output contains %r" % m)
    if env["SECRET"] in out or env["SECRET"] in err:
        problems.append("output contains the secret from outside the root")
    want = step.get("status", [0, 1, 2])
    if not hung:
        wants = want if isinstance(want, list) else [want]
        if status not in wants:
            problems.append("exit %d, expected %s" % (status, want))
    for key, text, label in (("stdout", out_n, "stdout"), ("stderr", err_n, "stderr"), ("output", out_n + err_n, "output")):
        if key in step and text != step[key]:
            problems.append("%s differs:\n--- expected\n%s--- actual\n%s" % (label, step[key], text))
        for s in step.get(key + "_contains", []):
            if s not in text:
                problems.append("%s lacks %r" % (label, s))
        for s in step.get(key + "_not_contains", []):
            if s in text:
                problems.append("%s contains %r" % (label, s))
    if before is not None:
        after = manifest(env["ROOT"])
        if after != before:
            problems.append("the root changed:\n" + manifest_diff(before, after))
    if "root_equals" in step:
        snap = env["SNAPSHOTS"][step["root_equals"]]
        after = manifest(env["ROOT"])
        if after != snap:
            problems.append("the root differs from snapshot %r:\n%s" % (step["root_equals"], manifest_diff(snap, after)))
    if verbose or problems:
        print("  $ %s  -> exit %s in %.2fs" % (cmd, status, elapsed))
        if verbose or problems:
            for line in (out_n + err_n).splitlines()[:15]:
                print("    | " + line[:200])
    if problems:
        raise CaseFailure("%s:\n    %s" % (cmd, "\n    ".join(problems)))


def check_file(step, env):
    c = step["check"]
    p = inside(env, c["path"])
    if c.get("absent"):
        if os.path.lexists(p):
            raise CaseFailure("%s exists" % c["path"])
        return
    if "type" in c:
        st = os.lstat(p)
        kinds = {"file": stat.S_ISREG, "dir": stat.S_ISDIR, "symlink": stat.S_ISLNK, "fifo": stat.S_ISFIFO,
                 "char": stat.S_ISCHR, "block": stat.S_ISBLK}
        if not kinds[c["type"]](st.st_mode):
            raise CaseFailure("%s is not a %s" % (c["path"], c["type"]))
    if "mode" in c and stat.S_IMODE(os.lstat(p).st_mode) != int(c["mode"], 8):
        raise CaseFailure("%s has mode %o, expected %s" % (c["path"], stat.S_IMODE(os.lstat(p).st_mode), c["mode"]))
    if "link" in c and os.readlink(p) != subst(c["link"], env):
        raise CaseFailure("%s links to %s" % (c["path"], os.readlink(p)))
    if "equals" in c or "contains" in c or "not_contains" in c:
        with open(p, "rb") as f:
            data = f.read().decode("utf-8", "surrogateescape")
        if "equals" in c and data != c["equals"]:
            raise CaseFailure("%s differs: %r" % (c["path"], data[:300]))
        for s in ([c["contains"]] if isinstance(c.get("contains"), str) else c.get("contains", [])):
            if s not in data:
                raise CaseFailure("%s lacks %r" % (c["path"], s))
        for s in ([c["not_contains"]] if isinstance(c.get("not_contains"), str) else c.get("not_contains", [])):
            if s in data:
                raise CaseFailure("%s contains %r" % (c["path"], s))


def run_case(case_dir, harden, verbose):
    with open(os.path.join(case_dir, "case.json")) as f:
        spec = json.load(f)
    needs = spec.get("needs", [])
    if ("root" in needs or "unshare" in needs) and os.geteuid() != 0:
        return "skip", "needs root"
    if "unshare" in needs and not shutil.which("unshare"):
        return "skip", "needs unshare (util-linux)"
    if "sshd" in needs and not os.access("/usr/sbin/sshd", os.X_OK):
        return "skip", "needs /usr/sbin/sshd (openssh-server) for harden's sshd -t preflight"
    tmp = tempfile.mkdtemp(prefix="harden-hostile-")
    env = {"CASE": case_dir, "ROOT": os.path.join(tmp, "root"), "WORK": os.path.join(tmp, "work"),
           "OUTSIDE": os.path.join(tmp, "outside")}
    env["SECRET"] = "OUTSIDE-SECRET-" + os.path.basename(tmp)
    env["SNAPSHOTS"] = {}
    watch = None
    try:
        os.makedirs(env["WORK"])
        if spec.get("base"):
            r = subprocess.run([MATERIALIZE, spec["base"], env["ROOT"]], capture_output=True, text=True)
            if r.returncode != 0:
                raise CaseFailure("materialize: " + r.stderr)
        else:
            os.makedirs(env["ROOT"])
        make_outside(env["OUTSIDE"], env["SECRET"] + "\n")
        outside_before = outside_state(env["OUTSIDE"])
        host_before = host_state()
        watch = Inotify(env["OUTSIDE"])
        for step in spec["steps"]:
            if "op" in step:
                do_op(step, env)
            elif "run" in step:
                check_run(step, env, harden, verbose)
            elif "check" in step:
                check_file(step, env)
            elif "edit_json" in step:
                path = subst(step["edit_json"], env)
                with open(path) as f:
                    doc = json.load(f)
                doc["changes"][0].update(step.get("set_change", {}))
                with open(path, "w") as f:
                    json.dump(doc, f)
            elif "snapshot" in step:
                env["SNAPSHOTS"][step["snapshot"]] = manifest(env["ROOT"])
            else:
                raise CaseFailure("step without op, run or check: %r" % step)
        events = watch.events()
        if events:
            raise CaseFailure("%d inotify event(s) on the directory outside the root" % events)
        if outside_state(env["OUTSIDE"]) != outside_before:
            raise CaseFailure("the directory outside the root changed (listing, mtime or atime)")
        if host_state() != host_before:
            changed = [p for p, v in host_state().items() if host_before.get(p) != v]
            raise CaseFailure("the host's own files changed: %s" % ", ".join(changed))
        return "pass", ""
    except CaseFailure as e:
        return "FAIL", str(e)
    except Exception as e:  # a broken case is a failure too
        return "FAIL", "%s: %s" % (type(e).__name__, e)
    finally:
        if watch:
            watch.close()
        # a read-only bind mount lived in its own namespace and is gone; mode-000 directories
        # and trees 1,000 levels deep are handled by chmod -R and rm -rf (no recursion here)
        subprocess.run(["chmod", "-R", "u+rwX", tmp], stderr=subprocess.DEVNULL)
        subprocess.run(["rm", "-rf", "--one-file-system", tmp])


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--harden", default=os.environ.get("HARDEN", os.path.join(REPO, ".build", "debug", "harden")))
    ap.add_argument("-v", "--verbose", action="store_true")
    ap.add_argument("cases", nargs="*", help="case directory names (default: all)")
    a = ap.parse_args()
    harden = os.path.abspath(a.harden)
    if not os.access(harden, os.X_OK):
        sys.exit("run.py: no harden binary at %s (build it, or pass --harden)" % harden)
    every = sorted(d for d in os.listdir(HERE) if os.path.isfile(os.path.join(HERE, d, "case.json")))
    names = []
    for want in a.cases or every:
        want = want.rstrip("/").split("/")[-1]
        hits = [d for d in every if d == want or d.startswith(want) or d[4:].startswith(want)]
        if not hits:
            sys.exit("run.py: no case %s" % want)
        names += hits
    counts = {"pass": 0, "FAIL": 0, "skip": 0}
    failed = []
    for name in names:
        case_dir = os.path.join(HERE, name.rstrip("/").split("/")[-1])
        start = time.monotonic()
        result, why = run_case(case_dir, harden, a.verbose)
        counts[result] += 1
        print("%-4s %s (%.1fs)%s" % (result, os.path.basename(case_dir), time.monotonic() - start,
                                     ("\n    " + why.replace("\n", "\n    ")) if why else ""), flush=True)
        if result == "FAIL":
            failed.append(os.path.basename(case_dir))
    print("\n%d passed, %d failed, %d skipped" % (counts["pass"], counts["FAIL"], counts["skip"]))
    if failed:
        print("failed: " + " ".join(failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
