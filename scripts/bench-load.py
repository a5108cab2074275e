#!/usr/bin/env python3
"""Benchmark of profile loading: 2,000 rules across 20 files (one top profile extending 19
parts). Reports median wall time and peak RSS of `harden validate` next to two baselines
measured in the same run: process start (`harden --version`) and the I/O floor (`cat` of the
same 20 files). Not a timed test: it prints figures, it asserts nothing."""
import os, statistics, subprocess, sys, tempfile, time

RUNS = int(os.environ.get("RUNS", "30"))
harden = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else ".build/release/harden")
work = tempfile.mkdtemp(prefix="harden-bench-load-")

kinds = [
    lambda i: f'sysctl: {{net.bench.k{i}: "{i % 7}"}}',
    lambda i: f'keyvalue: {{path: /etc/bench/f{i % 40}.conf, format: equals, set: {{key{i}: "v{i}"}}}}',
    lambda i: f'file: {{path: /etc/bench/file{i}, owner: root, group: [root, adm], mode: "0640"}}',
    lambda i: f'audit: {{rules: ["-w /etc/bench/w{i} -p wa -k bench{i % 10}"]}}',
    lambda i: f'pam: {{service: bench{i % 5}, type: auth, control: required, module: pam_b{i}.so, args: [a{i}]}}',
]
files = []
for part in range(19):
    lines = [f"profile: part-{part}", f"title: Part {part}", "params:", f"  p{part}: \"{part}\"", "rules:"]
    for j in range(100):
        i = part * 100 + j
        lines += [f"  - id: rule-{i}", f"    title: Generated rule {i}",
                  f"    refs: {{cis-debian12: \"{i // 100}.{i % 100}\", mlps3: security-audit}}",
                  "    severity: medium", "    tags: [bench]", f"    {kinds[i % len(kinds)](i)}"]
    path = os.path.join(work, f"part-{part}.yaml")
    open(path, "w").write("\n".join(lines) + "\n")
    files.append(path)
top = ["profile: bench-top", "extends: [" + ", ".join(f"part-{p}" for p in range(19)) + "]", "rules:"]
for j in range(100):
    i = 1900 + j
    top += [f"  - id: rule-{i}", f"    refs: {{cis-debian12: \"19.{j}\"}}", f"    sshd: {{MaxAuthTries: \"{j % 6 + 1}\"}}" if j == 0 else f"    sysctl: {{net.top.k{i}: \"${{p{j % 19}}}\"}}"]
top_path = os.path.join(work, "top.yaml")
open(top_path, "w").write("\n".join(top) + "\n")
files.append(top_path)

def measure(argv):
    """/usr/bin/time reports the peak RSS of the command alone (a fork of python would carry
    python's own RSS across exec)."""
    times, rss = [], []
    for _ in range(RUNS):
        t0 = time.perf_counter()
        p = subprocess.run(["/usr/bin/time", "-f", "%M"] + argv, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        times.append(time.perf_counter() - t0)
        if p.returncode != 0:
            sys.exit(f"{' '.join(argv)} failed: {p.stderr}")
        rss.append(int(p.stderr.strip().splitlines()[-1]))  # KiB
    return statistics.median(times) * 1000, max(rss) / 1024

check = subprocess.run([harden, "validate", top_path], capture_output=True, text=True)
print(check.stdout.strip() or check.stderr.strip())
rows = [
    ("cat of the 20 files (I/O floor)", ["cat"] + files),
    ("harden --version (process start)", [harden, "--version"]),
    ("harden validate (2,000 rules, 20 files)", [harden, "validate", top_path]),
]
results = [(name, *measure(argv)) for name, argv in rows]
start_ms = results[1][1]
print(f"\n{RUNS} runs each, median wall time and peak RSS")
print(f"{'command':44} {'median ms':>10} {'peak MiB':>9} {'x start':>8}")
for name, ms, mib in results:
    print(f"{name:44} {ms:10.2f} {mib:9.1f} {ms / start_ms:8.2f}")
print(f"\naim: validate under 20 ms and 20 MiB; files in {work}")
