#!/usr/bin/env python3
"""make bench: median wall time and peak RSS of harden plan, check, apply (fresh copy each run)
and rollback on a root, next to two baselines measured in the same run: the I/O floor (`cat`
of the files the plan reads) and process start (`harden --version`). Prints a table; asserts
nothing.

usage: bench.py HARDEN PROFILE ROOT_SOURCE [ROOT_SOURCE...]
  ROOT_SOURCE is a fixture root name (materialized with Tests/Fixtures/roots/materialize) or a
  tarball path (extracted with tar) — e.g. the cached real Debian 12 root of `make e2e`."""
import json, os, shutil, statistics, subprocess, sys, tempfile, time

RUNS = int(os.environ.get("RUNS", "15"))
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
harden, profile, sources = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2]), sys.argv[3:]
work = tempfile.mkdtemp(prefix="harden-bench-")

def make_root(source, dest):
    if os.path.exists(dest):
        shutil.rmtree(dest)
    if source.endswith((".tar", ".tar.gz", ".tgz", ".tar.zst")):
        os.makedirs(dest)
        subprocess.run(["tar", "-xpf", source, "-C", dest, "--numeric-owner", "--xattrs"], check=True)
    else:
        subprocess.run([os.path.join(REPO, "Tests/Fixtures/roots/materialize"), source, dest], check=True,
                       stdout=subprocess.DEVNULL)

def timed(argv, ok=(0,)):
    t0 = time.perf_counter()
    p = subprocess.run(["/usr/bin/time", "-f", "%M"] + argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    dt = time.perf_counter() - t0
    if p.returncode not in ok:
        sys.exit(f"{' '.join(argv)} exited {p.returncode}: {p.stderr[-2000:]}")
    return dt, int(p.stderr.strip().splitlines()[-1])

def series(fn):
    ts, rs = [], []
    for _ in range(RUNS):
        t, r = fn()
        ts.append(t); rs.append(r)
    return statistics.median(ts) * 1000, max(rs) / 1024

for source in sources:
    root = os.path.join(work, "root")
    make_root(source, root)
    rules = subprocess.run([harden, "rules", "--profile", profile], capture_output=True, text=True).stdout.strip().splitlines()[-1]
    plan = json.loads(subprocess.run([harden, "plan", "--root", root, "--profile", profile, "--format", "json"],
                                     capture_output=True, text=True).stdout)
    files = [root + p for p, d in sorted(plan["reads"].items()) if d != "absent" and os.path.isfile(root + p)]
    rows = []
    rows.append(("cat of the files plan reads (I/O floor)", *series(lambda: timed(["cat"] + files))))
    rows.append(("harden --version (process start)", *series(lambda: timed([harden, "--version"]))))
    rows.append(("harden plan", *series(lambda: timed([harden, "plan", "--root", root, "--profile", profile], ok=(0, 2)))))
    rows.append(("harden check", *series(lambda: timed([harden, "check", "--root", root, "--profile", profile], ok=(0, 2)))))

    def apply_once():
        make_root(source, root)
        return timed([harden, "apply", "--root", root, "--profile", profile, "--yes"])
    rows.append(("harden apply (fresh copy)", *series(apply_once)))

    def rollback_once():
        make_root(source, root)
        subprocess.run([harden, "apply", "--root", root, "--profile", profile, "--yes"], stdout=subprocess.DEVNULL, check=True)
        return timed([harden, "rollback", "--root", root, "--yes"])
    rows.append(("harden rollback", *series(rollback_once)))

    floor, start = rows[0][1], rows[1][1]
    print(f"\nroot: {source}; profile: {os.path.relpath(profile, REPO)} ({rules}); {len(files)} files read; {RUNS} runs each")
    print(f"{'command':42} {'median ms':>10} {'peak MiB':>9} {'x floor':>8} {'x start':>8}")
    for name, ms, mib in rows:
        print(f"{name:42} {ms:10.2f} {mib:9.1f} {ms / floor:8.2f} {ms / start:8.2f}")
shutil.rmtree(work, ignore_errors=True)
