import Foundation
import XCTest

@testable import HardenKit

/// Fixture trees under Tests/Fixtures/pam (see README there).
enum PamFixtures {
    static var directory: URL {
        var url = URL(fileURLWithPath: #filePath)
        while url.lastPathComponent != "Tests" { url.deleteLastPathComponent() }
        return url.appendingPathComponent("Fixtures/pam")
    }

    /// Bytes of a fixture file (path relative to Fixtures/pam).
    static func bytes(_ relative: String) -> [UInt8] {
        let data = FileManager.default.contents(atPath: directory.appendingPathComponent(relative).path)
        precondition(data != nil, "missing fixture \(relative)")
        return Array(data!)
    }

    static func text(_ relative: String) -> String { String(decoding: bytes(relative), as: UTF8.self) }

    /// Every regular file of a fixture tree: absolute path inside the tree → bytes.
    static func tree(_ name: String) -> [String: [UInt8]] {
        let base = directory.appendingPathComponent(name).path
        var out: [String: [UInt8]] = [:]
        let e = FileManager.default.enumerator(atPath: base)
        while let rel = e?.nextObject() as? String {
            var isDir: ObjCBool = false
            let full = base + "/" + rel
            if FileManager.default.fileExists(atPath: full, isDirectory: &isDir), !isDir.boolValue {
                out["/" + rel] = Array(FileManager.default.contents(atPath: full) ?? Data())
            }
        }
        return out
    }

    /// Every fixture file of every tree, relative to Fixtures/pam (for round trips).
    static var allFiles: [String] {
        var out: [String] = []
        let e = FileManager.default.enumerator(atPath: directory.path)
        while let rel = e?.nextObject() as? String {
            var isDir: ObjCBool = false
            if FileManager.default.fileExists(atPath: directory.appendingPathComponent(rel).path, isDirectory: &isDir),
                !isDir.boolValue
            {
                out.append(rel)
            }
        }
        return out.sorted()
    }

    static let debianModuleDir = "/lib/x86_64-linux-gnu/security"
    static let rhelModuleDir = "/usr/lib64/security"
    /// Modules present in the test targets (empty stand-ins).
    static let modules = [
        "pam_unix.so", "pam_deny.so", "pam_permit.so", "pam_env.so", "pam_faildelay.so", "pam_faillock.so",
        "pam_pwquality.so", "pam_pwhistory.so", "pam_cap.so", "pam_systemd.so", "pam_sss.so", "pam_localuser.so",
        "pam_usertype.so", "pam_succeed_if.so", "pam_keyinit.so", "pam_limits.so", "pam_wheel.so", "pam_rootok.so",
        "pam_mkhomedir.so", "pam_access.so",
    ]

    /// A fixture tree plus module stand-ins in `moduleDir`, as a MemoryHost.
    static func host(_ name: String, moduleDir: String = debianModuleDir, extra: [String: String] = [:]) -> MemoryHost {
        var files = tree(name)
        for m in modules { files[moduleDir + "/" + m] = [] }
        for (p, t) in extra { files[p] = Array(t.utf8) }
        return MemoryHost(bytes: files)
    }
}

/// A fixture tree copied into a temporary directory, read through the real `RootHost`.
final class PamTempRoot {
    let path: String

    init(fixture: String?, moduleDir: String = PamFixtures.debianModuleDir, file: StaticString = #filePath, line: UInt = #line) throws {
        path = NSTemporaryDirectory() + "harden-pam-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        if let fixture {
            for (p, bytes) in PamFixtures.tree(fixture) { try write(p, bytes) }
        }
        for m in PamFixtures.modules { try write(moduleDir + "/" + m, []) }
    }

    deinit { try? FileManager.default.removeItem(atPath: path) }

    func host() throws -> RootHost { try RootHost(root: path) }

    func write(_ p: String, _ bytes: [UInt8]) throws {
        let full = path + p
        try FileManager.default.createDirectory(
            atPath: (full as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        if (try? FileManager.default.destinationOfSymbolicLink(atPath: full)) != nil {
            try FileManager.default.removeItem(atPath: full)
        }
        try Data(bytes).write(to: URL(fileURLWithPath: full))
    }

    func link(_ p: String, to target: String) throws {
        try? FileManager.default.removeItem(atPath: path + p)
        try FileManager.default.createSymbolicLink(atPath: path + p, withDestinationPath: target)
    }

    func read(_ p: String) -> [UInt8]? { FileManager.default.contents(atPath: path + p).map(Array.init) }

    func linkTarget(_ p: String) -> String? { try? FileManager.default.destinationOfSymbolicLink(atPath: path + p) }

    /// Writes the plan's edits the way apply will: the file at `edit.path` replaced (a symlink
    /// on the way is never replaced, since edits name the final target).
    func apply(_ plan: KindPlan) throws {
        for e in plan.edits {
            if let after = e.after { try write(e.path, after) } else { try? FileManager.default.removeItem(atPath: path + e.path) }
        }
    }
}

extension MemoryHost {
    /// Writes a plan's edits into the in-memory tree.
    func pamApply(_ plan: KindPlan) {
        for e in plan.edits {
            write(e.path, String(decoding: e.after ?? [], as: UTF8.self))
        }
    }
}

/// Assertions shared by the PAM tests.
enum PamAssert {
    /// Plans, applies, re-plans: the second plan must be compliant with no edits.
    @discardableResult
    static func idempotent(
        _ desired: [PamDesired], _ host: MemoryHost, file: StaticString = #filePath, line: UInt = #line
    ) -> KindPlan {
        let first = PamPlanner.plan(desired: desired, host: host)
        host.pamApply(first)
        let second = PamPlanner.plan(desired: desired, host: host)
        XCTAssertEqual(second.edits, [], "second plan has edits", file: file, line: line)
        for o in second.observations {
            XCTAssertEqual(o.status, .compliant, "\(o.key) not compliant after apply", file: file, line: line)
        }
        return first
    }

    static func text(_ bytes: [UInt8]?) -> String { String(decoding: bytes ?? [], as: UTF8.self) }

    /// The status' error message, or nil.
    static func error(_ o: Observation) -> String? {
        if case .error(let m) = o.status { return m }
        return nil
    }
}

/// Golden plans under Fixtures/pam/golden: `HARDEN_RECORD=1 swift test` rewrites them instead of
/// comparing; never edit one by hand.
enum PamGolden {
    static var recording: Bool { ProcessInfo.processInfo.environment["HARDEN_RECORD"] == "1" }

    /// A plan as text: observations, then every edit's path and full new bytes.
    static func render(_ plan: KindPlan) -> String {
        var out = ""
        for o in plan.observations {
            out += "\(o.key): \(o.status)\n  desired: \(o.desired)\n"
            if let c = o.current { out += "  current: \(c)\n" }
            if let s = o.source { out += "  source: \(s)\n" }
            for w in o.warnings { out += "  warning: \(w)\n" }
        }
        for e in plan.edits {
            out += "=== \(e.path) (\(e.before == nil ? "new" : e.after == nil ? "removed" : "changed"))\n"
            out += PamAssert.text(e.after)
        }
        return out
    }

    static func check(_ plan: KindPlan, _ name: String, file: StaticString = #filePath, line: UInt = #line) {
        let url = PamFixtures.directory.appendingPathComponent("golden/\(name).txt")
        let actual = render(plan)
        if recording {
            try? FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try! actual.write(to: url, atomically: true, encoding: .utf8)
            return
        }
        guard let expected = try? String(contentsOf: url, encoding: .utf8) else {
            return XCTFail("missing golden \(url.path); run with HARDEN_RECORD=1", file: file, line: line)
        }
        XCTAssertEqual(actual, expected, "differs from golden/\(name).txt", file: file, line: line)
    }
}

/// The fixtures are what the other PAM tests assume.
final class PamHarnessTests: XCTestCase {
    func testFixtureTreesAreComplete() {
        for name in ["debian12-stock", "debian12-pwquality", "debian12-sss"] {
            let tree = PamFixtures.tree(name)
            for t in PamAuthUpdateTree.types {
                XCTAssertNotNil(tree["/etc/pam.d/common-\(t)"], "\(name) common-\(t)")
                XCTAssertNotNil(tree["/var/lib/pam/\(t)"], "\(name) state \(t)")
                XCTAssertNotNil(tree["/usr/share/pam/common-\(t)"], "\(name) template \(t)")
            }
            XCTAssertNotNil(tree["/var/lib/pam/seen"])
        }
        XCTAssertNotNil(PamFixtures.tree("el7")["/etc/pam.d/system-auth-ac"])
        XCTAssertNotNil(PamFixtures.tree("rhel9")["/etc/authselect/authselect.conf"])
    }

    func testTempRootWritesAndLinks() throws {
        let root = try PamTempRoot(fixture: nil)
        try root.write("/etc/pam.d/a", Array("x\n".utf8))
        try root.link("/etc/pam.d/b", to: "a")
        XCTAssertEqual(root.read("/etc/pam.d/b"), Array("x\n".utf8))
        XCTAssertEqual(root.linkTarget("/etc/pam.d/b"), "a")
        XCTAssertEqual(try root.host().fileType(PamFixtures.debianModuleDir + "/pam_unix.so"), .regular)
    }
}
