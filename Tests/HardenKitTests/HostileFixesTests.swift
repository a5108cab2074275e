import Foundation
import XCTest
@testable import HardenKit

/// Regressions for the hostile-corpus bugs B7, B8, B11 and the 051/057 Include decision, and for
/// the byte-level scans that let the 10 MB / million-line cases finish in a debug build. Each
/// test failed (or did not finish) before its fix. Real files in a temporary root, except the
/// loader scale test, which uses an in-memory host with O(1) operations so that only the
/// loader's own bookkeeping is measured.
final class HostileFixesTests: XCTestCase {
    var root: URL!

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("hostile-fixes-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
    }

    override func tearDown() {
        // rm: FileManager takes seconds on thousands of directories
        let rm = Process()
        rm.executableURL = URL(fileURLWithPath: "/bin/rm")
        rm.arguments = ["-rf", root.path]
        if (try? rm.run()) != nil { rm.waitUntilExit() }
    }

    func write(_ rel: String, _ text: String, mode: mode_t = 0o644) throws {
        let url = root.appendingPathComponent(rel)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try text.write(to: url, atomically: false, encoding: .utf8)
        chmod(url.path, mode)
    }

    func symlink(_ rel: String, to target: String) throws {
        let url = root.appendingPathComponent(rel)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: url.path, withDestinationPath: target)
    }

    func seconds(_ body: () throws -> Void) rethrows -> Double {
        let start = Date()
        try body()
        return Date().timeIntervalSince(start)
    }

    // MARK: B7: Include of tens of thousands of drop-ins

    /// A reader whose every operation is a dictionary lookup.
    final class FlatHost: HostReader, @unchecked Sendable {
        var files: [String: [UInt8]] = [:]
        var dirs: [String: [String]] = [:]

        func readFile(_ path: String) throws(HostError) -> [UInt8] {
            guard let b = files[path] else { throw .notFound(path) }
            return b
        }

        func listDirectory(_ path: String) throws(HostError) -> [String] {
            guard let names = dirs[path] else { throw .notFound(path) }
            return names
        }

        func fileType(_ path: String) throws(HostError) -> HostFileType? {
            files[path] != nil ? .regular : dirs[path] != nil ? .directory : nil
        }
    }

    func testIncludeOfFortyThousandDropInsIsLinear() {
        let host = FlatHost()
        let n = 40_000
        host.files["/etc/ssh/sshd_config"] = Array("Include /etc/ssh/sshd_config.d/*.conf\nX11Forwarding yes\n".utf8)
        host.dirs["/etc"] = ["ssh"]
        host.dirs["/etc/ssh"] = ["sshd_config", "sshd_config.d"]
        var names: [String] = []
        for i in 0..<n {
            let name = "x\(i).conf"
            names.append(name)
            host.files["/etc/ssh/sshd_config.d/" + name] = Array("ClientAliveInterval \(i)\n".utf8)
        }
        host.dirs["/etc/ssh/sshd_config.d"] = names.shuffled()
        var loaded: SshdLoadedConfig?
        // quadratic bookkeeping (a `contains` over every path read so far) took minutes here
        let t = seconds { loaded = SshdConfigLoader(host: host).load() }
        XCTAssertLessThan(t, 15, "loading \(n) drop-ins took \(t) s")
        guard let loaded else { return }
        XCTAssertNil(loaded.error)
        XCTAssertEqual(loaded.readPaths.count, n + 1)
        XCTAssertEqual(Set(loaded.readPaths).count, n + 1, "each path read once")
        // byte order, as sshd's glob sorts them: x0, x1, x10, x100, ...
        XCTAssertEqual(Array(loaded.readPaths.prefix(4)), [
            "/etc/ssh/sshd_config", "/etc/ssh/sshd_config.d/x0.conf", "/etc/ssh/sshd_config.d/x1.conf",
            "/etc/ssh/sshd_config.d/x10.conf",
        ])
        XCTAssertEqual(SshdEffectiveConfig(loaded).value(for: "ClientAliveInterval")?.values, ["0"])
    }

    func testGlobStarsDoNotBacktrackExponentially() {
        let name = String(repeating: "a", count: 80)
        let pattern = String(repeating: "*a", count: 15) + "*b"
        var result = true
        let t = seconds { result = SshdGlob.matches(name, pattern: pattern) }
        XCTAssertFalse(result)
        XCTAssertLessThan(t, 2, "\(t) s")
        XCTAssertTrue(SshdGlob.matches(name + "b", pattern: pattern))
    }

    /// The matcher gives the answers of the recursive matcher it replaces, and of glibc's
    /// fnmatch (FNM_PERIOD, as glob(3) without GLOB_PERIOD treats a leading dot), on random
    /// patterns and names over a small alphabet. (glibc has a quirk with `*?` before a bracket
    /// that matches a non-leading `.`, e.g. `*?[!a]b` against `a.b`; the names compared with it
    /// have a dot only in front.)
    func testGlobMatchesLikeBeforeAndLikeFnmatch() {
        var rng = SystemRandomNumberGenerator()
        let nameChars: [Character] = ["a", "b", "-", "."]
        let patChars = ["a", "b", ".", "-", "*", "?", "[ab]", "[!a]", "[a-b]", "[.]", "\\*", "\\a", "*", "["]
        for _ in 0..<30_000 {
            let name = String((0..<Int.random(in: 0...6, using: &rng)).map { _ in nameChars.randomElement(using: &rng)! })
            let pattern = (0..<Int.random(in: 0...5, using: &rng)).map { _ in patChars.randomElement(using: &rng)! }.joined()
            let got = SshdGlob.matches(name, pattern: pattern)
            XCTAssertEqual(got, Self.recursiveMatch(name, pattern), "\(pattern) vs \(name)")
            if !name.dropFirst().contains("."), !pattern.contains("["), !pattern.contains("\\") {
                XCTAssertEqual(got, fnmatch(pattern, name, FNM_PERIOD) == 0, "fnmatch: \(pattern) vs \(name)")
            }
        }
    }

    /// The matcher before the fix (exponential in the number of stars), as the reference.
    static func recursiveMatch(_ name: String, _ pattern: String) -> Bool {
        let n = Array(name.utf8)
        let p = Array(pattern.utf8)
        if n.first == 0x2E, p.first != 0x2E { return false }
        func bracket(_ start: Int, _ ch: UInt8) -> (Bool, Int)? {
            var i = start
            var negate = false
            if i < p.count, p[i] == 0x21 || p[i] == 0x5E { negate = true; i += 1 }
            var matched = false
            var first = true
            while i < p.count {
                var lo = p[i]
                if lo == 0x5D, !first { return (matched != negate, i + 1) }
                first = false
                if lo == 0x5C, i + 1 < p.count { i += 1; lo = p[i] }
                var hi = lo
                if i + 2 < p.count, p[i + 1] == 0x2D, p[i + 2] != 0x5D {
                    hi = p[i + 2]
                    if hi == 0x5C, i + 3 < p.count { i += 1; hi = p[i + 2] }
                    i += 2
                }
                if lo <= ch && ch <= hi { matched = true }
                i += 1
            }
            return nil
        }
        func match(_ ni: Int, _ pi: Int) -> Bool {
            var ni = ni
            var pi = pi
            while pi < p.count {
                let c = p[pi]
                switch c {
                case 0x2A:
                    while pi < p.count, p[pi] == 0x2A { pi += 1 }
                    if pi == p.count { return true }
                    var k = ni
                    while k <= n.count {
                        if match(k, pi) { return true }
                        k += 1
                    }
                    return false
                case 0x3F:
                    guard ni < n.count else { return false }
                    ni += 1
                    pi += 1
                case 0x5B:
                    guard ni < n.count else { return false }
                    if let (ok, after) = bracket(pi + 1, n[ni]) {
                        guard ok else { return false }
                        ni += 1
                        pi = after
                    } else {
                        guard n[ni] == c else { return false }
                        ni += 1
                        pi += 1
                    }
                case 0x5C where pi + 1 < p.count:
                    guard ni < n.count, n[ni] == p[pi + 1] else { return false }
                    ni += 1
                    pi += 2
                default:
                    guard ni < n.count, n[ni] == c else { return false }
                    ni += 1
                    pi += 1
                }
            }
            return ni == n.count
        }
        return match(0, 0)
    }

    // MARK: 051 / 057: a dangling symlink matched by Include is an error naming the link

    func testDanglingIncludeMatchIsAnErrorNamingTheLinkNotItsTarget() throws {
        let outside = root.appendingPathComponent("outside")
        try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
        try "PermitRootLogin yes\n".write(to: outside.appendingPathComponent("secret.conf"), atomically: false, encoding: .utf8)
        try write("root/etc/ssh/sshd_config", "Include /etc/ssh/sshd_config.d/*.conf\nX11Forwarding yes\n")
        try write("root/etc/ssh/sshd_config.d/10-ok.conf", "MaxAuthTries 3\n")
        // absolute, to a file outside the root: re-rooted inside the root, it leads nowhere
        try symlink("root/etc/ssh/sshd_config.d/zz-outside.conf", to: outside.path + "/secret.conf")
        let host = try RootHost(root: root.appendingPathComponent("root").path)
        let watch = try OutsideWatch(outside.path)
        let loaded = SshdConfigLoader(host: host).load()
        XCTAssertEqual(watch.events(), 0, "nothing outside the root is opened")
        let message = try XCTUnwrap(loaded.error).description
        XCTAssertTrue(message.hasPrefix("/etc/ssh/sshd_config.d/zz-outside.conf: dangling symbolic link"), message)
        XCTAssertTrue(message.hasSuffix("(included at /etc/ssh/sshd_config:1)"), message)
        XCTAssertFalse(message.contains(outside.path) || message.contains("secret"), message)
        XCTAssertFalse(message.contains("\n"))
        // the planner turns it into errors and plans nothing
        let plan = SshdPlanner.plan(desired: [SshdDesired(keyword: "X11Forwarding", value: "no")], host: host)
        XCTAssertTrue(plan.edits.isEmpty)
        XCTAssertEqual(plan.observations.map(\.status), [.error(message)])

        // the same with a relative link to a missing name, and a literal Include of it
        try FileManager.default.removeItem(at: root.appendingPathComponent("root/etc/ssh/sshd_config.d/zz-outside.conf"))
        try symlink("root/etc/ssh/gone.conf", to: "missing.conf")
        try write("root/etc/ssh/sshd_config", "Include gone.conf\n")
        XCTAssertEqual(SshdConfigLoader(host: host).load().error?.description.hasPrefix("/etc/ssh/gone.conf: dangling symbolic link"), true)
        // a literal Include of a name that does not exist at all matches nothing (glob: no match)
        try write("root/etc/ssh/sshd_config", "Include absent.conf\nInclude /etc/ssh/sshd_config.d/*.conf\n")
        let fine = SshdConfigLoader(host: host).load()
        XCTAssertNil(fine.error)
        XCTAssertEqual(fine.readPaths, ["/etc/ssh/sshd_config", "/etc/ssh/sshd_config.d/10-ok.conf"])
        // a symlink to an existing file inside the root is read as that file
        try symlink("root/etc/ssh/sshd_config.d/20-link.conf", to: "/etc/ssh/sshd_config.d/10-ok.conf")
        XCTAssertNil(SshdConfigLoader(host: host).load().error)
    }

    // MARK: B8: /etc/sysctl.d is a regular file

    func testSysctlDirectoryThatIsAFileIsReportedAsNotADirectory() throws {
        try write("usr/lib/sysctl.d/50-default.conf", "net.ipv4.ip_forward = 1\n")
        try write("etc/sysctl.d", "not a directory\n")
        let host = try RootHost(root: root.path)
        let plan = SysctlPlanner.plan(desired: [SysctlDesired(key: "net.ipv4.ip_forward", value: "0")], host: host, runtime: nil)
        XCTAssertTrue(plan.edits.isEmpty)
        XCTAssertEqual(
            plan.observations.first?.status,
            .error("/etc/sysctl.d: not a directory; harden's drop-in /etc/sysctl.d/60-harden.conf cannot be created"))
        // a compliant key needs no drop-in: no error for it
        let ok = SysctlPlanner.plan(desired: [SysctlDesired(key: "net.ipv4.ip_forward", value: "1")], host: host, runtime: nil)
        XCTAssertEqual(ok.observations.first?.status, .compliant)
    }

    // MARK: B11: walking a deep tree

    /// A tree 3,000 levels deep (too deep to name by one path: harden resolves one component
    /// at a time): the walk is linear. It was quadratic, every path
    /// resolved from the root again: minutes here.
    func testRecursiveFileRuleOnA3000DeepTree() throws {
        try write("etc/passwd", "root:x:0:0::/root:/bin/sh\n")
        try write("etc/group", "root:x:0:\n")
        var fd = open(root.path, O_RDONLY | O_DIRECTORY)
        XCTAssertEqual(mkdirat(fd, "srv", 0o755), 0)
        var name = "srv"
        for _ in 0..<3000 {
            let next = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW)
            close(fd)
            fd = next
            guard fd >= 0, mkdirat(fd, "d", 0o755) == 0 else { return XCTFail("cannot make the tree: \(errno)") }
            name = "d"
        }
        let leafDir = openat(fd, "d", O_RDONLY | O_DIRECTORY)
        let leaf = openat(leafDir, "leaf", O_WRONLY | O_CREAT, 0o644)
        close(leaf)
        close(leafDir)
        close(fd)
        let host = try RootHost(root: root.path)
        var plan = KindPlan()
        let t = seconds {
            plan = FilePlanner.plan(desired: [FileDesired(key: "f", path: "/srv", mode: 0o750, recursive: true)], host: host)
        }
        XCTAssertLessThan(t, 15, "\(t) s")
        XCTAssertEqual(plan.observations.first?.status, .pending)
        XCTAssertEqual(plan.metadata.count, 3002, "/srv, 3,000 directories and the leaf")
        XCTAssertEqual(plan.metadata.last?.path, "/srv" + String(repeating: "/d", count: 3000) + "/leaf")
        XCTAssertEqual(plan.metadata.last?.modeAfter, 0o640)
    }

    /// The descriptor walk finds exactly what the one-path-at-a-time walk finds: order, types,
    /// symlinks listed but not followed, excluded subtrees pruned, directories deeper than the
    /// open-descriptor limit with pending siblings at every level.
    func testDescriptorWalkEqualsThePathWalk() throws {
        try write("t/a/file", "1")
        try write("t/a-b", "2")
        try write("t/a.c/x", "3")
        try write("t/z", "4")
        try symlink("t/link-dir", to: "/t/a")
        try symlink("t/link-out", to: "../../../../outside")
        try symlink("t/a/dangling", to: "nowhere")
        try write("t/skip/inner/file", "5")
        var comb = "t/comb"
        for i in 0..<(RootHost.openDirectoryLimit * 3) {
            comb += "/d"
            try write(comb + "/sibling\(i)", "s")
        }
        mkfifo(root.appendingPathComponent("t/fifo").path, 0o644)
        let host = try RootHost(root: root.path)
        let prune: (String) -> Bool = { $0 == "/t/skip" || $0.hasSuffix("/sibling7") }
        var fastListed: [String] = []
        var slowListed: [String] = []
        let fast = try host.walk("/t", prune: prune, limit: 100_000) { dir, _ in fastListed.append(dir) }
        let slow = try host.walkByPath("/t", prune: prune, limit: 100_000) { dir, _ in slowListed.append(dir) }
        XCTAssertEqual(fast.map(\.path), slow.map(\.path))
        XCTAssertEqual(fast, slow)
        XCTAssertEqual(fastListed, slowListed)
        XCTAssertTrue(fast.contains { $0.path == "/t/link-dir" && $0.stat.type == .symlink })
        XCTAssertFalse(fast.contains { $0.path.hasPrefix("/t/link-dir/") }, "a symlinked directory is not entered")
        XCTAssertFalse(fast.contains { $0.path.hasPrefix("/t/skip") })
        XCTAssertEqual(fast.filter { $0.path.hasPrefix("/t/comb") }.count, RootHost.openDirectoryLimit * 6)
        // the start itself: a file, a symlink, missing, the limit
        XCTAssertEqual(try host.walk("/t/z", prune: { _ in false }, limit: 10) { _, _ in }.map(\.path), ["/t/z"])
        XCTAssertEqual(try host.walk("/t/link-dir", prune: { _ in false }, limit: 10) { _, _ in }.map(\.stat.type), [.symlink])
        XCTAssertEqual(try host.walk("/t/missing", prune: { _ in false }, limit: 10) { _, _ in }, [])
        XCTAssertThrowsError(try host.walk("/t", prune: { _ in false }, limit: 5) { _, _ in }) {
            XCTAssertEqual($0 as? HostError, .io("/t", errno: E2BIG, message: "more than 5 entries below"))
        }
    }

    /// The plan-time overlay (content edits of other kinds) walks like its one-path walk:
    /// a new file appears among its siblings, a removed one is gone, an edited one has its new size.
    func testOverlayWalkSeesPendingEdits() throws {
        try write("etc/ssh/sshd_config.d/50-cloud-init.conf", "PasswordAuthentication yes\n")
        try write("etc/ssh/sshd_config.d/10-old.conf", "X\n")
        try write("etc/ssh/sshd_config", "Include /etc/ssh/sshd_config.d/*.conf\n")
        try write("etc/ssh/moduli", "m\n")
        let host = try RootHost(root: root.path)
        let edited = Array("Include /etc/ssh/sshd_config.d/*.conf\nX11Forwarding no\n".utf8)
        let overlay = OverlayHost(base: SnapshotHost(host), edits: [
            "/etc/ssh/sshd_config.d/00-harden.conf": Array("PermitRootLogin no\n".utf8),
            "/etc/ssh/sshd_config.d/10-old.conf": nil,
            "/etc/ssh/sshd_config": edited,
            "/etc/ssh/new-dir/file": Array("not listed: its directory does not exist\n".utf8),
        ])
        let fast = try overlay.walk("/etc/ssh", prune: { _ in false }, limit: 1000) { _, _ in }
        let slow = try overlay.walkByPath("/etc/ssh", prune: { _ in false }, limit: 1000) { _, _ in }
        XCTAssertEqual(fast, slow)
        XCTAssertEqual(fast.map(\.path), [
            "/etc/ssh", "/etc/ssh/moduli", "/etc/ssh/sshd_config", "/etc/ssh/sshd_config.d",
            "/etc/ssh/sshd_config.d/00-harden.conf", "/etc/ssh/sshd_config.d/50-cloud-init.conf",
        ])
        XCTAssertEqual(fast[2].stat.size, edited.count)
    }

    /// The plan's write checks give the same answers through the directory chain.
    func testUnwritableThroughTheChainMatchesThePathWay() throws {
        try write("etc/a/file", "x")
        try write("etc/plain", "x")
        try symlink("etc/link", to: "/etc/a")
        try FileManager.default.createDirectory(at: root.appendingPathComponent("etc/dir"), withIntermediateDirectories: true)
        mkfifo(root.appendingPathComponent("etc/fifo").path, 0o644)
        let host = try RootHost(root: root.path)
        let chain = DirectoryChain(host: host)
        let paths = [
            "/etc/a/file", "/etc/a/new", "/etc/link/file", "/etc/link", "/etc/plain/x", "/etc/plain", "/etc/dir",
            "/etc/fifo", "/etc/missing/x/y", "/etc/a/file", "/", "/etc/../etc/plain", "/etc/a/file/x",
        ]
        for file in [true, false] {
            for p in paths {
                XCTAssertEqual(
                    PlanEngine.unwritable(p, host: host, file: file, chain: chain),
                    PlanEngine.unwritable(p, host: host, file: file), "\(p) file: \(file)")
            }
        }
    }

    // MARK: debug-build speed on 10 MB lines (hostile cases 040, 073, 126)

    func testHugeLinesAreScannedNotWalkedCharacterByCharacter() {
        let big = [UInt8](repeating: 0x23, count: 24 << 20) + [0x0A]
        let before = Array("Port 22\n".utf8) + big + Array("X11Forwarding yes\n".utf8)
        let after = Array("Port 22\n".utf8) + big + Array("X11Forwarding no\n".utf8)
        var diff = ""
        let tDiff = seconds { diff = LineDiff.unified(before, after, path: "/etc/ssh/sshd_config") }
        XCTAssertTrue(diff.hasSuffix("-X11Forwarding yes\n+X11Forwarding no\n"))
        var file: SshdConfigFile?
        let tParse = seconds { file = SshdConfigFile(bytes: before) }
        XCTAssertEqual(file?.lines.map(\.kind), [.directive, .comment, .directive])
        let value = String(repeating: "1", count: 10 << 20)
        var same = false
        var differ = true
        let tValue = seconds {
            for _ in 0..<10 {
                same = SysctlValue.equal(value, value + " ")
                differ = SysctlValue.equal(value, "2")
            }
        }
        XCTAssertTrue(same)
        XCTAssertFalse(differ)
        // each took seconds in a debug build when done by Character or by generic per-byte loops
        XCTAssertLessThan(tDiff, 3, "diff \(tDiff) s")
        XCTAssertLessThan(tParse, 3, "parse \(tParse) s")
        XCTAssertLessThan(tValue, 3, "sysctl values \(tValue) s")
    }

    func testSysctlValueEqualityKeepsCharacterSemantics() {
        XCTAssertTrue(SysctlValue.equal("4096 87380  6291456", " 4096\t87380 6291456\r"))
        XCTAssertFalse(SysctlValue.equal("1 2", "1 2 3"))
        XCTAssertFalse(SysctlValue.equal("12", "1 2"))
        XCTAssertTrue(SysctlValue.equal("", "  "))
        // outside plain ASCII the Character comparison decides (canonical equivalence)
        XCTAssertTrue(SysctlValue.equal("caf\u{E9}", "cafe\u{301}"))
        XCTAssertEqual(SysctlValue.equal("a\r\nb", "a b"), SysctlValue.fields("a\r\nb") == SysctlValue.fields("a b"))
    }

    /// The preflight's look for Include lines works on CRLF files too (it split into Characters,
    /// where "\r\n" is one Character that is neither "\r" nor "\n": the whole file was one line).
    func testIncludeOutsideFoundInCRLFFiles() throws {
        let validator = SshdValidator(host: try RootHost(root: root.path), rootPath: root.path, live: false)
        func outside(_ text: String) -> String? {
            validator.includesOutside([
                PlanChange(kind: .file, action: .change, path: "/etc/ssh/sshd_config", resources: [], rules: [], after: Array(text.utf8))
            ])
        }
        XCTAssertEqual(outside("# c\r\nPort 22\r\n  include /opt/other.conf\r\n"), "/opt/other.conf")
        XCTAssertEqual(outside("Port 22\nInclude /etc/ssh/sshd_config.d/*.conf\nIncludeX /opt/y\n=Include\t\"/srv/z\"\n"), "/srv/z")
        XCTAssertNil(outside("Port 22\r\nInclude /etc/ssh/sshd_config.d/*.conf\r\n# Include /opt/x\r\n"))
        XCTAssertEqual(SshdValidator.includeLines(Array("a\rinclude x\r\n\ninclude".utf8)), ["include x", "include"])
    }
}
