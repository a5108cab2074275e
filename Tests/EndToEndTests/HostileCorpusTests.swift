import Foundation
import XCTest

#if canImport(Glibc)
import Glibc
#endif

/// The hostile-input corpus: every `Tests/Fixtures/hostile/NNN-name/case.json` builds a root
/// full of traps (FIFOs, devices, symlink loops and escapes, 10 MB lines, include loops, forged
/// journals, read-only mounts, files swapped between plan and apply), runs the built `harden`
/// on it and checks the case's expectations, and for every run: it ends within 5 s, by exiting,
/// without a Swift trap or backtrace, and nothing outside the root is read or written (a decoy
/// directory beside the root is watched with inotify and compared, atimes included; the
/// machine's own /etc files harden manages keep their times).
///
/// `Tests/Fixtures/hostile/run.py` runs the same cases without SwiftPM (see the README there
/// for the format). `HARDEN_HOSTILE_CASES=name,name` runs only those cases;
/// `HARDEN_HOSTILE_TIME_LIMIT` overrides the 5 s limit (the debug build is much slower than the
/// release build on 10 MB inputs).
final class HostileCorpusTests: XCTestCase {
    static let corpus = HardenRunner.fixtures.appendingPathComponent("hostile")

    /// `NNN-name  reason` lines of Tests/Fixtures/hostile/KNOWN-BUGS (# comments).
    static func knownBugs() -> [String: String] {
        guard let text = try? String(contentsOf: corpus.appendingPathComponent("KNOWN-BUGS"), encoding: .utf8) else { return [:] }
        var out: [String: String] = [:]
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let parts = line.split(separator: " ", maxSplits: 1)
            if parts.count == 2 { out[String(parts[0])] = parts[1].trimmingCharacters(in: .whitespaces) }
        }
        return out
    }

    func testCorpus() throws {
        let every = try FileManager.default.contentsOfDirectory(atPath: Self.corpus.path)
            .filter { FileManager.default.fileExists(atPath: Self.corpus.appendingPathComponent($0 + "/case.json").path) }
            .sorted()
        XCTAssertGreaterThanOrEqual(every.count, 100, "the corpus holds at least 100 cases")
        var names = every
        if let only = ProcessInfo.processInfo.environment["HARDEN_HOSTILE_CASES"], !only.isEmpty {
            let wanted = only.split(separator: ",").map(String.init)
            names = every.filter { n in wanted.contains { n == $0 || n.dropFirst(4) == $0 || n.hasPrefix($0) } }
        }
        // Open bugs, each listed with its reason in KNOWN-BUGS: still run, reported, not failed;
        // the case's expectation is unchanged (the bug is the harden behaviour, not the case).
        let known = Self.knownBugs()
        var skipped: [String] = []
        var stillBroken: [String] = []
        for name in names {
            let result = HostileCase(dir: Self.corpus.appendingPathComponent(name)).run()
            switch result {
            case .pass:
                if known[name] != nil { print("hostile corpus: \(name) passes now: remove it from KNOWN-BUGS") }
            case .skip(let why): skipped.append("\(name) (\(why))")
            case .fail(let why):
                if let reason = known[name] {
                    stillBroken.append("\(name): \(reason)")
                } else {
                    XCTFail("hostile case \(name):\n\(why)")
                }
            }
        }
        if !skipped.isEmpty { print("hostile corpus: skipped \(skipped.joined(separator: ", "))") }
        print("hostile corpus: \(names.count - stillBroken.count - skipped.count) of \(names.count) cases pass; open bugs:\n  " + stillBroken.joined(separator: "\n  "))
    }
}

/// One case: its spec, its temporary tree (ROOT, WORK and the decoy OUTSIDE side by side) and
/// the checks. The format is the one `run.py` reads.
final class HostileCase {
    enum Outcome { case pass, skip(String), fail(String) }
    struct Failure: Error { var message: String }

    static var timeLimit: TimeInterval {
        ProcessInfo.processInfo.environment["HARDEN_HOSTILE_TIME_LIMIT"].flatMap(Double.init) ?? 5
    }
    static let crashMarkers = [
        "Fatal error", "Stack dump", "backtrace", "Illegal instruction", "Segmentation fault", "AddressSanitizer",
        "Current stack trace", "💣", "Program crashed",
    ]
    static let hostWatch = [
        "/etc", "/etc/ssh", "/etc/ssh/sshd_config", "/etc/ssh/sshd_config.d", "/etc/sysctl.conf", "/etc/sysctl.d",
        "/etc/pam.d", "/etc/pam.d/common-auth", "/etc/login.defs", "/etc/audit", "/etc/audit/rules.d", "/etc/security",
        "/etc/shadow", "/etc/passwd", "/var/lib/harden",
    ]
    static let oldAtime = 1_000_000_000  // 2001: earlier than any mtime, so relatime records a read

    let dir: URL
    var env: [String: String] = [:]
    var snapshots: [String: [String: String]] = [:]
    var fixture: RootFixture?
    var parent = ""
    var secret = ""

    init(dir: URL) { self.dir = dir }

    func run() -> Outcome {
        let spec: [String: Any]
        do {
            let data = try Data(contentsOf: dir.appendingPathComponent("case.json"))
            guard let obj = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
                return .fail("case.json is not an object")
            }
            spec = obj
        } catch {
            return .fail("case.json: \(error)")
        }
        let needs = spec["needs"] as? [String] ?? []
        if (needs.contains("root") || needs.contains("unshare")) && geteuid() != 0 { return .skip("needs root") }
        if needs.contains("unshare") && !FileManager.default.isExecutableFile(atPath: "/usr/bin/unshare") {
            return .skip("needs unshare (util-linux)")
        }
        if needs.contains("sshd") && !FileManager.default.isExecutableFile(atPath: "/usr/sbin/sshd") {
            return .skip("needs /usr/sbin/sshd (openssh-server) for harden's sshd -t preflight")
        }
        defer { cleanup() }
        var watch: OutsideInotify?
        do {
            try makeTree(base: spec["base"] as? String ?? "")
            try makeOutside()
            let outsideBefore = outsideState()
            let hostBefore = Self.hostState()
            watch = try OutsideInotify(env["OUTSIDE"]!)
            for case let step as [String: Any] in spec["steps"] as? [Any] ?? [] {
                if step["op"] != nil {
                    try doOp(step)
                } else if let argv = step["run"] as? [String] {
                    try checkRun(argv, step)
                } else if let check = step["check"] as? [String: Any] {
                    try checkFile(check)
                } else if let name = step["snapshot"] as? String {
                    snapshots[name] = Manifest.of(env["ROOT"]!)
                } else if let path = step["edit_json"] as? String {
                    try editJSON(subst(path), step["set_change"] as? [String: Any] ?? [:])
                } else {
                    throw Failure(message: "step without op, run or check: \(step)")
                }
            }
            let events = watch?.events() ?? 0
            if events > 0 { throw Failure(message: "\(events) inotify event(s) on the directory outside the root") }
            if outsideState() != outsideBefore {
                throw Failure(message: "the directory outside the root changed (listing, mtime or atime)")
            }
            let hostAfter = Self.hostState()
            if hostAfter != hostBefore {
                let changed = Self.hostWatch.filter { hostAfter[$0] != hostBefore[$0] }
                throw Failure(message: "the host's own files changed: \(changed.joined(separator: ", "))")
            }
            return .pass
        } catch let f as Failure {
            return .fail(f.message)
        } catch {
            return .fail("\(error)")
        }
    }

    // MARK: - the tree

    func makeTree(base: String) throws {
        if base.isEmpty {
            parent = FileManager.default.temporaryDirectory.appendingPathComponent("harden-hostile-\(UUID().uuidString)").path
            try FileManager.default.createDirectory(atPath: parent + "/root", withIntermediateDirectories: true)
        } else {
            let f = try RootFixture(base)
            fixture = f
            parent = f.url.deletingLastPathComponent().path
        }
        env = ["ROOT": parent + "/root", "WORK": parent + "/work", "OUTSIDE": parent + "/outside", "CASE": dir.path]
        secret = "OUTSIDE-SECRET-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: env["WORK"]!, withIntermediateDirectories: true)
    }

    func cleanup() {
        guard !parent.isEmpty else { return }
        _ = Self.tool("/bin/chmod", ["-R", "u+rwX", parent])
        _ = Self.tool("/bin/rm", ["-rf", "--one-file-system", parent])
        fixture = nil
    }

    /// The decoy next to the root: names that tempt sshd Includes, sysctl/audit globs and PAM.
    func makeOutside() throws {
        let out = env["OUTSIDE"]!
        let files = [
            "secret": secret, "secret.conf": "PermitRootLogin yes\n# " + secret,
            "sshd_config": "PasswordAuthentication yes\n# " + secret, "sysctl.conf": "net.ipv4.ip_forward = 1\n# " + secret,
            "common-auth": "auth required pam_permit.so\n# " + secret, "audit.rules": "-e 1\n# " + secret,
            "login.defs": "PASS_MAX_DAYS 99999\n# " + secret,
            "conf.d/50-outside.conf": "PermitRootLogin yes\nnet.ipv4.ip_forward = 1\n# " + secret,
            "rules.d/50-outside.rules": "-e 1\n# " + secret,
        ]
        for (rel, text) in files {
            let p = out + "/" + rel
            try FileManager.default.createDirectory(
                atPath: (p as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
            try (text + "\n").write(toFile: p, atomically: false, encoding: .utf8)
            var st = stat()
            guard lstat(p, &st) == 0 else { continue }
            var times = [timespec(tv_sec: Self.oldAtime, tv_nsec: 0), st.st_mtim]
            _ = utimensat(AT_FDCWD, p, &times, 0)
        }
        _ = outsideState()  // the first listing moves the directories' atimes; later ones do not
    }

    func outsideState() -> [String: String] {
        var out: [String: String] = [:]
        var stack = [""]
        while let rel = stack.popLast() {
            let full = env["OUTSIDE"]! + rel
            var st = stat()
            guard lstat(full, &st) == 0 else { continue }
            out[rel] = "\(st.st_mode) \(st.st_size) \(st.st_mtim.tv_sec).\(st.st_mtim.tv_nsec) "
                + "\(st.st_atim.tv_sec).\(st.st_atim.tv_nsec) \(st.st_ctim.tv_sec).\(st.st_ctim.tv_nsec)"
            if (st.st_mode & S_IFMT) == S_IFDIR {
                for n in (try? FileManager.default.contentsOfDirectory(atPath: full)) ?? [] { stack.append(rel + "/" + n) }
            }
        }
        return out
    }

    static func hostState() -> [String: String] {
        var out: [String: String] = [:]
        for p in hostWatch {
            var st = stat()
            out[p] = lstat(p, &st) == 0
                ? "\(st.st_mtim.tv_sec).\(st.st_mtim.tv_nsec) \(st.st_ctim.tv_sec).\(st.st_ctim.tv_nsec) \(st.st_mode) \(st.st_size)"
                : "absent"
        }
        return out
    }

    // MARK: - placeholders

    /// ROOT, CASE, WORK, OUTSIDE as the whole string or its leading path component; `{{TOKEN}}` anywhere.
    func subst(_ s: String) -> String {
        var s = s
        for t in ["ROOT", "CASE", "WORK", "OUTSIDE"] { s = s.replacingOccurrences(of: "{{\(t)}}", with: env[t]!) }
        for t in ["ROOT", "CASE", "WORK", "OUTSIDE"] {
            if s == t { return env[t]! }
            if s.hasPrefix(t + "/") { return env[t]! + s.dropFirst(t.count) }
            if s.hasPrefix("--root=" + t) { return "--root=" + env[t]! + s.dropFirst(("--root=" + t).count) }
        }
        return s
    }

    func normalize(_ text: String) -> String {
        var text = text
        for t in ["ROOT", "WORK", "OUTSIDE", "CASE"] { text = text.replacingOccurrences(of: env[t]!, with: t) }
        return text
    }

    func inside(_ path: String) throws -> String {
        guard path.hasPrefix("/") else { throw Failure(message: "setup path must be absolute (inside the root): \(path)") }
        return env["ROOT"]! + path
    }

    // MARK: - setup operations

    func content(_ step: [String: Any]) throws -> Data {
        if let text = step["text"] as? String {
            var t = text
            for k in ["ROOT", "CASE", "WORK", "OUTSIDE"] { t = t.replacingOccurrences(of: "{{\(k)}}", with: env[k]!) }
            return Data(t.utf8)
        }
        if let b = step["base64"] as? String {
            guard let d = Data(base64Encoded: b) else { throw Failure(message: "bad base64") }
            return d
        }
        if let h = step["hex"] as? String {
            var bytes: [UInt8] = []
            var it = Array(h.utf8).makeIterator()
            while let a = it.next(), let b = it.next() {
                guard let v = UInt8(String(decoding: [a, b], as: UTF8.self), radix: 16) else { throw Failure(message: "bad hex") }
                bytes.append(v)
            }
            return Data(bytes)
        }
        if let from = step["from"] as? String { return try Data(contentsOf: dir.appendingPathComponent(from)) }
        if let r = step["repeat"] as? [String: Any] {
            let text = r["text"] as? String ?? ""
            var out = (r["prefix"] as? String) ?? ""
            for i in 0..<(r["count"] as? Int ?? 0) { out += text.replacingOccurrences(of: "{i}", with: "\(i)") }
            return Data((out + ((r["suffix"] as? String) ?? "")).utf8)
        }
        if let g = step["generate"] as? [String: Any] {
            let size = g["size"] as? Int ?? 0
            let fill = Array(((g["fill"] as? String) ?? "A").utf8)
            var body = [UInt8]()
            body.reserveCapacity(size)
            while body.count < size { body += fill }
            body.removeLast(body.count - size)
            return Data(Array(((g["prefix"] as? String) ?? "").utf8) + body + Array(((g["suffix"] as? String) ?? "").utf8))
        }
        return Data()
    }

    func exists(_ p: String) -> Bool {
        var st = stat()
        return lstat(p, &st) == 0
    }

    func isDir(_ p: String) -> Bool {
        var st = stat()
        return stat(p, &st) == 0 && (st.st_mode & S_IFMT) == S_IFDIR
    }

    /// mkdir -p without recursion (trees 1,500 levels deep).
    func makeDirs(_ path: String) throws {
        var missing: [String] = []
        var p = path
        while !isDir(p) {
            missing.append(p)
            p = (p as NSString).deletingLastPathComponent
        }
        for d in missing.reversed() where mkdir(d, 0o755) != 0 && errno != EEXIST {
            throw Failure(message: "mkdir \(d): \(String(cString: strerror(errno)))")
        }
    }

    func makeParent(_ p: String) throws { try makeDirs((p as NSString).deletingLastPathComponent) }

    func removeAny(_ p: String) {
        guard exists(p) else { return }
        if unlink(p) != 0 { _ = Self.tool("/bin/rm", ["-rf", "--one-file-system", p]) }
    }

    func doOp(_ step: [String: Any]) throws {
        let op = step["op"] as? String ?? ""
        let p = try (step["path"] as? String).map(inside) ?? ""
        func mode(_ key: String = "mode") -> mode_t? { (step[key] as? String).flatMap { mode_t($0, radix: 8) } }
        switch op {
        case "write", "append":
            try makeParent(p)
            if op == "write" { removeAny(p) }
            let data = try content(step)
            let fd = open(p, O_WRONLY | O_CREAT | (op == "append" ? O_APPEND : O_TRUNC), 0o644)
            guard fd >= 0 else { throw Failure(message: "open \(p): \(String(cString: strerror(errno)))") }
            data.withUnsafeBytes { buf in
                var off = 0
                while off < buf.count {
                    let n = Glibc.write(fd, buf.baseAddress! + off, buf.count - off)
                    if n <= 0 { break }
                    off += n
                }
            }
            close(fd)
            if let m = mode() { chmod(p, m) }
        case "mkdir":
            if exists(p) && !isDir(p) { removeAny(p) }
            try makeDirs(p)
            if let m = mode() { chmod(p, m) }
        case "symlink":
            try makeParent(p)
            removeAny(p)
            guard symlink(subst(step["target"] as? String ?? ""), p) == 0 else {
                throw Failure(message: "symlink \(p): \(String(cString: strerror(errno)))")
            }
        case "fifo":
            try makeParent(p)
            removeAny(p)
            guard mkfifo(p, 0o644) == 0 else { throw Failure(message: "mkfifo \(p): \(String(cString: strerror(errno)))") }
        case "mknod":
            try makeParent(p)
            removeAny(p)
            let kind = (step["kind"] as? String) == "b" ? S_IFBLK : S_IFCHR
            let major = step["major"] as? Int ?? 1
            let minor = step["minor"] as? Int ?? 3
            guard mknod(p, kind | 0o644, dev_t((major << 8) | minor)) == 0 else {
                throw Failure(message: "mknod \(p): \(String(cString: strerror(errno)))")
            }
        case "socket":
            try makeParent(p)
            removeAny(p)
            let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
            var addr = sockaddr_un()
            addr.sun_family = sa_family_t(AF_UNIX)
            let bytes = Array(p.utf8CString)
            guard bytes.count <= MemoryLayout.size(ofValue: addr.sun_path) else { throw Failure(message: "socket path too long") }
            withUnsafeMutableBytes(of: &addr.sun_path) { raw in
                for (i, b) in bytes.enumerated() { raw[i] = UInt8(bitPattern: b) }
            }
            let r = withUnsafePointer(to: &addr) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
            }
            close(fd)
            guard r == 0 else { throw Failure(message: "bind \(p): \(String(cString: strerror(errno)))") }
        case "truncate":
            try makeParent(p)
            let fd = open(p, O_WRONLY | O_CREAT, 0o644)
            guard fd >= 0, ftruncate(fd, off_t(step["size"] as? Int ?? 0)) == 0 else {
                throw Failure(message: "truncate \(p): \(String(cString: strerror(errno)))")
            }
            close(fd)
        case "chmod":
            guard let m = mode(), chmod(p, m) == 0 else { throw Failure(message: "chmod \(p)") }
        case "remove":
            removeAny(p)
        case "rename":
            guard rename(p, try inside(step["to"] as? String ?? "")) == 0 else {
                throw Failure(message: "rename \(p): \(String(cString: strerror(errno)))")
            }
        case "many":
            let template = step["path"] as? String ?? ""
            let text = step["text"] as? String ?? ""
            for i in 0..<(step["count"] as? Int ?? 0) {
                func fill(_ s: String) -> String {
                    s.replacingOccurrences(of: "{i}", with: "\(i)").replacingOccurrences(of: "{next}", with: "\(i + 1)")
                }
                let q = try inside(fill(template))
                try makeParent(q)
                guard FileManager.default.createFile(atPath: q, contents: Data(fill(text).utf8)) else {
                    throw Failure(message: "create \(q)")
                }
            }
        default:
            throw Failure(message: "unknown op \(op)")
        }
    }

    func editJSON(_ path: String, _ set: [String: Any]) throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        guard var doc = try JSONSerialization.jsonObject(with: data) as? [String: Any],
            var changes = doc["changes"] as? [[String: Any]], !changes.isEmpty
        else { throw Failure(message: "\(path): no changes to edit") }
        for (k, v) in set { changes[0][k] = v }
        doc["changes"] = changes
        try JSONSerialization.data(withJSONObject: doc).write(to: URL(fileURLWithPath: path))
    }

    // MARK: - running harden

    struct Run {
        var status: Int32
        var signalled: Bool
        var hung: Bool
        var stdout: String
        var stderr: String
        var elapsed: TimeInterval
    }

    func runHarden(_ argv: [String], readonly: String?) -> Run {
        var exe = HardenRunner.binary.path
        var args = argv.map(subst)
        if let ro = readonly {
            let target = ro == "/" ? env["ROOT"]! : env["ROOT"]! + ro
            let script = "mount --bind \"$1\" \"$1\" && mount -o remount,bind,ro \"$1\" && shift && exec \"$@\""
            args = ["-m", "--propagation", "private", "sh", "-c", script, "sh", target, exe] + args
            exe = "/usr/bin/unshare"
        }
        let outURL = URL(fileURLWithPath: env["WORK"]! + "/.stdout-\(UUID().uuidString)")
        let errURL = URL(fileURLWithPath: env["WORK"]! + "/.stderr-\(UUID().uuidString)")
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: outURL)
            try? FileManager.default.removeItem(at: errURL)
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: exe)
        p.arguments = args
        p.currentDirectoryURL = URL(fileURLWithPath: env["WORK"]!)
        var environment = ProcessInfo.processInfo.environment
        environment["NO_COLOR"] = "1"
        environment["SWIFT_BACKTRACE"] = "enable=no"
        p.environment = environment
        p.standardInput = FileHandle.nullDevice
        p.standardOutput = try? FileHandle(forWritingTo: outURL)
        p.standardError = try? FileHandle(forWritingTo: errURL)
        let start = Date()
        do { try p.run() } catch {
            return Run(status: -1, signalled: false, hung: false, stdout: "", stderr: "cannot run \(exe): \(error)", elapsed: 0)
        }
        var hung = false
        while p.isRunning {
            if Date().timeIntervalSince(start) > Self.timeLimit {
                hung = true
                kill(p.processIdentifier, SIGKILL)
                break
            }
            usleep(5_000)
        }
        p.waitUntilExit()
        let elapsed = Date().timeIntervalSince(start)
        let out = (try? Data(contentsOf: outURL)) ?? Data()
        let err = (try? Data(contentsOf: errURL)) ?? Data()
        return Run(
            status: p.terminationStatus, signalled: p.terminationReason == .uncaughtSignal, hung: hung,
            stdout: String(decoding: out, as: UTF8.self), stderr: String(decoding: err, as: UTF8.self), elapsed: elapsed)
    }

    static func strings(_ v: Any?) -> [String] {
        if let s = v as? String { return [s] }
        return v as? [String] ?? []
    }

    func checkRun(_ argv: [String], _ step: [String: Any]) throws {
        let before = (step["root_unchanged"] as? Bool) == true ? Manifest.of(env["ROOT"]!) : nil
        let r = runHarden(argv, readonly: step["readonly"] as? String)
        let out = normalize(r.stdout)
        let err = normalize(r.stderr)
        var problems: [String] = []
        if r.hung { problems.append("did not finish within \(Int(Self.timeLimit)) s (killed)") }
        else if r.signalled { problems.append("killed by signal \(r.status)") }
        for m in Self.crashMarkers where r.stdout.contains(m) || r.stderr.contains(m) { problems.append("output contains '\(m)'") }
        if r.stdout.contains(secret) || r.stderr.contains(secret) {
            problems.append("output contains the secret from outside the root")
        }
        if !r.hung && !r.signalled {
            let wanted: [Int] = (step["status"] as? Int).map { [$0] } ?? (step["status"] as? [Int]) ?? [0, 1, 2]
            if !wanted.contains(Int(r.status)) { problems.append("exit \(r.status), expected \(wanted)") }
        }
        for (key, text) in [("stdout", out), ("stderr", err), ("output", out + err)] {
            if let exact = step[key] as? String, exact != text {
                problems.append("\(key) differs:\n--- expected\n\(exact)--- actual\n\(text)")
            }
            for s in Self.strings(step[key + "_contains"]) where !text.contains(s) { problems.append("\(key) lacks '\(s)'") }
            for s in Self.strings(step[key + "_not_contains"]) where text.contains(s) { problems.append("\(key) contains '\(s)'") }
        }
        if let before {
            let after = Manifest.of(env["ROOT"]!)
            if after != before { problems.append("the root changed:\n" + Manifest.diff(before, after)) }
        }
        if let name = step["root_equals"] as? String {
            guard let snap = snapshots[name] else { throw Failure(message: "no snapshot \(name)") }
            let after = Manifest.of(env["ROOT"]!)
            if after != snap { problems.append("the root differs from snapshot '\(name)':\n" + Manifest.diff(snap, after)) }
        }
        if !problems.isEmpty {
            let shown = (out + err).split(separator: "\n", omittingEmptySubsequences: false).prefix(15)
                .map { "    | " + $0.prefix(200) }.joined(separator: "\n")
            throw Failure(message: "harden \(argv.joined(separator: " ")) -> exit \(r.status) in "
                + String(format: "%.2f", r.elapsed) + " s:\n  " + problems.joined(separator: "\n  ") + "\n" + shown)
        }
    }

    func checkFile(_ c: [String: Any]) throws {
        let rel = c["path"] as? String ?? ""
        let p = try inside(rel)
        if (c["absent"] as? Bool) == true {
            if exists(p) { throw Failure(message: "\(rel) exists") }
            return
        }
        var st = stat()
        guard lstat(p, &st) == 0 else { throw Failure(message: "\(rel) is missing") }
        if let type = c["type"] as? String {
            let kinds: [String: mode_t] = [
                "file": S_IFREG, "dir": S_IFDIR, "symlink": S_IFLNK, "fifo": S_IFIFO, "char": S_IFCHR, "block": S_IFBLK,
            ]
            if kinds[type] != (st.st_mode & S_IFMT) { throw Failure(message: "\(rel) is not a \(type)") }
        }
        if let m = c["mode"] as? String, mode_t(m, radix: 8) != (st.st_mode & 0o7777) {
            throw Failure(message: "\(rel) has mode \(String(st.st_mode & 0o7777, radix: 8)), expected \(m)")
        }
        if let link = c["link"] as? String {
            let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: p)) ?? ""
            if target != subst(link) { throw Failure(message: "\(rel) links to \(target)") }
        }
        if c["equals"] != nil || c["contains"] != nil || c["not_contains"] != nil {
            let data = String(decoding: (try? Data(contentsOf: URL(fileURLWithPath: p))) ?? Data(), as: UTF8.self)
            if let e = c["equals"] as? String, e != data { throw Failure(message: "\(rel) differs: \(data.prefix(300).debugDescription)") }
            for s in Self.strings(c["contains"]) where !data.contains(s) { throw Failure(message: "\(rel) lacks \(s.debugDescription)") }
            for s in Self.strings(c["not_contains"]) where data.contains(s) {
                throw Failure(message: "\(rel) contains \(s.debugDescription)")
            }
        }
    }

    @discardableResult
    static func tool(_ path: String, _ args: [String]) -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: path)
        p.arguments = args
        p.standardOutput = FileHandle.nullDevice
        p.standardError = FileHandle.nullDevice
        do { try p.run() } catch { return -1 }
        p.waitUntilExit()
        return p.terminationStatus
    }
}

/// inotify on the decoy tree: counts every open, access, write, attribute change, create,
/// delete and move in it.
final class OutsideInotify {
    let fd: Int32

    init(_ top: String) throws {
        fd = inotify_init1(Int32(IN_NONBLOCK))
        guard fd >= 0 else { throw HostileCase.Failure(message: "inotify_init1: errno \(errno)") }
        let mask: UInt32 = 0xFFF  // IN_ALL_EVENTS
        var dirs = [top]
        var i = 0
        while i < dirs.count {
            let d = dirs[i]
            i += 1
            for n in (try? FileManager.default.contentsOfDirectory(atPath: d)) ?? [] {
                var isDir: ObjCBool = false
                if FileManager.default.fileExists(atPath: d + "/" + n, isDirectory: &isDir), isDir.boolValue { dirs.append(d + "/" + n) }
            }
        }
        for d in dirs where inotify_add_watch(fd, d, mask) < 0 {
            throw HostileCase.Failure(message: "inotify_add_watch \(d): errno \(errno)")
        }
        _ = events()  // listing the tree above is not the program's doing
    }

    deinit { close(fd) }

    /// Number of events since the last call.
    func events() -> Int {
        var count = 0
        var buf = [UInt8](repeating: 0, count: 65536)
        while true {
            let n = read(fd, &buf, buf.count)
            if n <= 0 { break }
            var off = 0
            while off + 16 <= n {
                let len = buf.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: off + 12, as: UInt32.self) }
                count += 1
                off += 16 + Int(len)
            }
        }
        return count
    }
}
