import Foundation
import XCTest

@testable import HardenKit

/// augenrules' file order and merge, checked against the real script and GNU `ls -v`.
final class AuditAugenrulesTests: XCTestCase {
    private func b(_ s: String) -> [UInt8]? { Array(s.utf8) }

    /// Odd names and odd contents: missing final newlines (joined with the next file),
    /// CRLF, indented comments and controls, `-D` with a trailing space, several `-e`/`-b`/`-f`,
    /// a `ss#` line (a comment to mawk), version-sorted names, a directory, hidden and
    /// non-`.rules` files.
    static let edgeCases: [String: [UInt8]?] = [
        "10-a.rules": Array("-w /etc/a -p wa -k a\n-e 1\n-b 100\n".utf8),
        "9-b.rules": Array("  # indented comment\n\t# tab comment\n-f 2\n-D \n  -e 2\n".utf8),
        "a.rules": Array("-w /etc/no-newline -p wa".utf8),
        "A.rules": Array("-b 320\r\n-D\r\n-w /etc/crlf -p wa -k crlf\r\n\r\n".utf8),
        "1.10.rules": Array("ss# mawk comment\n-r 50\n--backlog_wait_time 60000\n".utf8),
        "1.2.rules": Array("-D\n-D -k old\n   \n-e 2\n".utf8),
        "50-x.rules~": Array("-w /etc/backup-file -p wa\n".utf8),
        ".hidden.rules": Array("-w /etc/hidden -p wa\n".utf8),
        "dir.rules": nil,
        "z~.rules": Array("-f 1\n".utf8),
        "zz.rules": Array("".utf8),
        "99-finalize.rules": Array("## last\n-e 2".utf8),
        "0100-leading-zero.rules": Array("-w /etc/zero -p wa\n".utf8),
    ]

    func testVersionOrderMatchesLsV() throws {
        let ls = "/bin/ls"
        guard FileManager.default.isExecutableFile(atPath: ls) else { throw XCTSkip("no /bin/ls") }
        var names = Set(Self.edgeCases.keys).subtracting([".hidden.rules", "dir.rules"])
        var rng = SystemRandomNumberGenerator()
        let alphabet = Array("0123456789.-~_aBz")
        while names.count < 300 {
            let n = (0..<Int.random(in: 1...7, using: &rng)).map { _ in String(alphabet.randomElement(using: &rng)!) }
                .joined()
            if !n.hasPrefix(".") { names.insert(n + (Bool.random(using: &rng) ? ".rules" : "")) }
        }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("harden-ls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        for n in names { try Data().write(to: dir.appendingPathComponent(n)) }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: ls)
        p.arguments = ["-1v", dir.path]
        p.environment = ["LC_ALL": "C"]
        let out = Pipe()
        p.standardOutput = out
        try p.run()
        let listed = String(decoding: out.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self).split(
            separator: "\n"
        ).map(String.init)
        p.waitUntilExit()
        XCTAssertEqual(listed.count, names.count)
        let sorted = names.sorted { AugenrulesOrder.compare($0, $1) < 0 }
        XCTAssertEqual(sorted, listed)
        XCTAssertEqual(AugenrulesOrder.order(Array(names)), listed.filter { $0.hasSuffix(".rules") })
    }

    func testOrderBasics() {
        XCTAssertEqual(
            AugenrulesOrder.order([
                "audit.rules", "10-base.rules", "9-x.rules", "99-finalize.rules", ".h.rules", "a b.rules", "x.conf",
            ]),
            ["9-x.rules", "10-base.rules", "99-finalize.rules", "audit.rules"])
    }

    func testMawkAndGawkDifferOnIndentation() {
        let files = [("a.rules", Array("  # c\n  -e 2\n-D \n-w /x -p wa\n".utf8))]
        let mawk = String(decoding: AugenrulesMerge(files: files, awk: .mawk).render(), as: UTF8.self)
        let gawk = String(decoding: AugenrulesMerge(files: files, awk: .gawk).render(), as: UTF8.self)
        XCTAssertEqual(mawk, "\(AugenrulesMerge.header)\n\n\n\n  # c\n  -e 2\n-D \n-w /x -p wa\n\n")
        XCTAssertEqual(gawk, "\(AugenrulesMerge.header)\n-D \n\n\n-w /x -p wa\n  -e 2\n")
    }

    func testJoinsLastLineWithoutNewline() {
        let m = AugenrulesMerge(
            files: [("a.rules", Array("-w /a -p wa".utf8)), ("b.rules", Array(" -k joined\n".utf8))], awk: .mawk)
        XCTAssertEqual(m.rules.map { String(decoding: $0.bytes, as: UTF8.self) }, ["-w /a -p wa -k joined"])
        XCTAssertEqual(m.rules.first?.origin, AugenrulesMerge.Origin(file: "a.rules", line: 0))
    }

    private func compareWithReal(
        _ files: [String: [UInt8]?], awk: AugenrulesMerge.Awk, awkPath: String? = nil, _ name: String
    ) throws {
        let real = try AugenrulesRunner.run(files, awkPath: awkPath)
        let mine = AugenrulesRunner.emulate(files, awk: awk)
        XCTAssertEqual(String(decoding: mine, as: UTF8.self), String(decoding: real, as: UTF8.self), name)
        XCTAssertEqual(mine, real, name)
    }

    func testRealAugenrulesOnDebianFiles() throws {
        if let why = AugenrulesRunner.unavailable { throw XCTSkip(why) }
        let debian = try AuditFixtures.bytes("debian12/etc/audit/rules.d/audit.rules")
        try compareWithReal(["audit.rules": debian], awk: AugenrulesRunner.systemAwk, "Debian default")
        XCTAssertEqual(
            AugenrulesRunner.emulate(["audit.rules": debian], awk: .mawk),
            try AuditFixtures.bytes("debian12/etc/audit/audit.rules"))
        var all: [String: [UInt8]?] = ["audit.rules": debian]
        for (n, bytes) in try AuditFixtures.examples() { all[n] = bytes }
        try compareWithReal(all, awk: AugenrulesRunner.systemAwk, "Debian default and all 35 examples")
        try compareWithReal([:], awk: AugenrulesRunner.systemAwk, "empty rules.d")
    }

    func testRealAugenrulesOnEdgeCases() throws {
        if let why = AugenrulesRunner.unavailable { throw XCTSkip(why) }
        try compareWithReal(Self.edgeCases, awk: AugenrulesRunner.systemAwk, "edge cases, system awk")
    }

    /// The same under gawk (RHEL's awk): needs a gawk (`/usr/bin/gawk` or `$HARDEN_TEST_GAWK`).
    func testRealAugenrulesUnderGawk() throws {
        if let why = AugenrulesRunner.unavailable { throw XCTSkip(why) }
        guard let gawk = AugenrulesRunner.gawk else {
            throw XCTSkip("no gawk (apt-get install gawk, or set HARDEN_TEST_GAWK)")
        }
        try compareWithReal(Self.edgeCases, awk: .gawk, awkPath: gawk, "edge cases, gawk")
        var all: [String: [UInt8]?] = [:]
        for (n, bytes) in try AuditFixtures.examples() { all[n] = bytes }
        try compareWithReal(all, awk: .gawk, awkPath: gawk, "examples, gawk")
    }

    func testAwkDetection() {
        XCTAssertEqual(AugenrulesMerge.Awk.detect(host: MemoryHost(["/usr/bin/mawk": ""])), .mawk)
        XCTAssertEqual(AugenrulesMerge.Awk.detect(host: MemoryHost(["/usr/bin/mawk": "", "/usr/bin/gawk": ""])), .gawk)
        XCTAssertEqual(AugenrulesMerge.Awk.detect(host: MemoryHost([:])), .gawk)
    }
}

/// Runs the real `/usr/sbin/augenrules` (Debian package auditd) on a scratch copy of
/// `/etc/audit`: in a private mount namespace (`unshare -m`) the copy is bind-mounted over
/// `/etc/audit`, so the script reads and writes only the copy. Without `--load` it only merges;
/// it never talks to the kernel. The machine's own `/etc/audit` is never written.
enum AugenrulesRunner {
    static let script = "/usr/sbin/augenrules"

    /// Why the real script cannot run here, or nil.
    static var unavailable: String? {
        let fm = FileManager.default
        if !fm.isExecutableFile(atPath: script) { return "\(script) missing (apt-get install auditd)" }
        if !fm.isExecutableFile(atPath: "/usr/bin/unshare") { return "unshare missing (util-linux)" }
        if getuid() != 0 { return "needs root for unshare -m" }
        var isDir: ObjCBool = false
        if !fm.fileExists(atPath: "/etc/audit", isDirectory: &isDir) || !isDir.boolValue { return "/etc/audit missing" }
        return nil
    }

    /// The awk the script will run: mawk when `/usr/bin/awk` resolves to mawk, else gawk.
    static var systemAwk: AugenrulesMerge.Awk {
        let target = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/usr/bin/awk")) ?? ""
        let resolved = URL(fileURLWithPath: "/usr/bin/awk").resolvingSymlinksInPath().path
        return (target + resolved).contains("mawk") ? .mawk : .gawk
    }

    /// A gawk to run the script with instead of the system awk: `$HARDEN_TEST_GAWK`, else
    /// `/usr/bin/gawk`; nil when neither exists.
    static var gawk: String? {
        if let p = ProcessInfo.processInfo.environment["HARDEN_TEST_GAWK"],
            FileManager.default.isExecutableFile(atPath: p)
        {
            return p
        }
        return FileManager.default.isExecutableFile(atPath: "/usr/bin/gawk") ? "/usr/bin/gawk" : nil
    }

    /// Writes `files` (name → bytes; nil bytes make a directory) into a scratch rules.d, runs the
    /// real augenrules there (with `awk` on PATH replaced by `awkPath` when given), and returns
    /// the audit.rules it wrote.
    static func run(_ files: [String: [UInt8]?], awkPath: String? = nil) throws -> [UInt8] {
        let fm = FileManager.default
        let scratch = fm.temporaryDirectory.appendingPathComponent("harden-augenrules-\(UUID().uuidString)")
        defer { try? fm.removeItem(at: scratch) }
        let audit = scratch.appendingPathComponent("etc/audit")
        let rulesD = audit.appendingPathComponent("rules.d")
        try fm.createDirectory(at: rulesD, withIntermediateDirectories: true)
        for (name, bytes) in files {
            let url = rulesD.appendingPathComponent(name)
            if let bytes {
                try Data(bytes).write(to: url)
            } else {
                try fm.createDirectory(at: url, withIntermediateDirectories: true)
            }
        }
        var path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/sbin:/usr/bin:/sbin:/bin"
        if let awkPath {
            let bin = scratch.appendingPathComponent("bin")
            try fm.createDirectory(at: bin, withIntermediateDirectories: true)
            let wrapper = bin.appendingPathComponent("awk")
            try Data("#!/bin/sh\nexec '\(awkPath)' \"$@\"\n".utf8).write(to: wrapper)
            try fm.setAttributes([.posixPermissions: 0o755], ofItemAtPath: wrapper.path)
            path = bin.path + ":" + path
        }
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/unshare")
        p.arguments = [
            "-m", "/bin/sh", "-c",
            "mount --make-rprivate / && mount --bind '\(audit.path)' /etc/audit && exec \(script)",
        ]
        p.environment = ["PATH": path, "LC_ALL": "C"]
        let err = Pipe()
        p.standardError = err
        p.standardOutput = Pipe()
        try p.run()
        p.waitUntilExit()
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        guard p.terminationStatus == 0 else {
            throw XCTSkip("augenrules in a mount namespace failed (\(p.terminationStatus)): \(stderr)")
        }
        return [UInt8](try Data(contentsOf: audit.appendingPathComponent("audit.rules")))
    }

    /// What harden computes for the same files.
    static func emulate(_ files: [String: [UInt8]?], awk: AugenrulesMerge.Awk) -> [UInt8] {
        let readable = AugenrulesOrder.order(Array(files.keys)).compactMap { n in files[n]!.map { (n, $0) } }
        return AugenrulesMerge(files: readable, awk: awk).render()
    }
}
