import Foundation
import XCTest

@testable import HardenKit

/// The CIS Aliyun Linux 2 (Variant A) rule set planned on a Debian 12 node: golden after-bytes,
/// idempotence, and the compiled audit.rules checked against the real augenrules.
/// Re-record the golden files with `HARDEN_RECORD=1 swift test --filter AuditGoldenPlanTests`.
final class AuditGoldenPlanTests: XCTestCase {
    static var recording: Bool { ProcessInfo.processInfo.environment["HARDEN_RECORD"] == "1" }

    private func golden(_ name: String, _ actual: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let url = AuditFixtures.root.appendingPathComponent("golden/cis-variant-a").appendingPathComponent(name)
        if Self.recording {
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(actual.utf8).write(to: url)
            return
        }
        let expected = try String(decoding: Data(contentsOf: url), as: UTF8.self)
        XCTAssertEqual(actual, expected, "golden \(name) (re-record with HARDEN_RECORD=1)", file: file, line: line)
    }

    /// The desired rules: every rule line of the research file's Variant A.
    private func variantA() throws -> [AuditDesired] {
        auditDesired(try AuditFixtures.ruleLines("cis-aliyun2-variant-a.rules"))
    }

    func testCISVariantAOnDebian() throws {
        var tree = try AuditTestTree.debian()
        let desired = try variantA()
        XCTAssertEqual(desired.count, 45)
        let plan = tree.plan(desired)
        XCTAssertEqual(plan.observations.count, 45)
        XCTAssertTrue(
            plan.observations.allSatisfy { $0.status == .pending },
            "\(plan.observations.filter { $0.status != .pending })")
        let summary = plan.observations.map { o in "\(o.status) \(o.key)" }.joined(separator: "\n") + "\n"
        try golden("observations.txt", summary)
        XCTAssertEqual(
            plan.edits.map(\.path),
            ["/etc/audit/rules.d/50-harden.rules", "/etc/audit/rules.d/99-finalize.rules", "/etc/audit/audit.rules"])
        for e in plan.edits {
            try golden(URL(fileURLWithPath: e.path).lastPathComponent, String(decoding: e.after ?? [], as: UTF8.self))
        }
        XCTAssertEqual(plan.edits[2].before, try AuditFixtures.bytes("debian12/etc/audit/audit.rules"))

        tree.apply(plan)
        let again = tree.plan(desired)
        XCTAssertEqual(again.edits, [], "second plan must change nothing")
        XCTAssertTrue(again.observations.allSatisfy { $0.status == .compliant })
        XCTAssertEqual(again.observations.last?.source, "/etc/audit/rules.d/99-finalize.rules:2")

        // The compiled audit.rules is what the real augenrules makes of the edited rules.d.
        if AugenrulesRunner.unavailable == nil && AugenrulesRunner.systemAwk == .mawk {
            var rulesD: [String: [UInt8]?] = [:]
            for (path, bytes) in tree.files where path.hasPrefix("/etc/audit/rules.d/") {
                rulesD[String(path.dropFirst("/etc/audit/rules.d/".count))] = bytes
            }
            XCTAssertEqual(try AugenrulesRunner.run(rulesD), tree.files["/etc/audit/audit.rules"])
        }
    }

    /// The same rule set already loaded in other spellings (combined -S lists, -F key=, numeric
    /// forms, reordered fields) in a file harden does not own: nothing to do.
    func testCISVariantARespelledIsCompliant() throws {
        var tree = try AuditTestTree.debian()
        let respelled = try AuditFixtures.ruleLines("cis-aliyun2-variant-a.rules").map { line -> String in
            guard case .success(let r) = AuditRule.parse(line) else { return line }
            return r.control != nil
                ? line
                : r.resolvingWatch(
                    isDirectory: line.hasSuffix("/ -p wa -k MAC-policy") || line.contains("/etc/sudoers.d/")
                ).canonicalText
        }
        XCTAssertNotEqual(respelled, try AuditFixtures.ruleLines("cis-aliyun2-variant-a.rules"))
        tree["/etc/audit/rules.d/99-finalize.rules"] = respelled.filter { $0 == "-e 2" }.joined(separator: "\n") + "\n"
        tree["/etc/audit/rules.d/30-cis.rules"] = respelled.filter { $0 != "-e 2" }.joined(separator: "\n") + "\n"
        let plan = tree.plan(try variantA())
        XCTAssertEqual(plan.edits.filter { $0.path.contains("rules.d") }, [])
        XCTAssertEqual(plan.observations.filter { $0.status != .compliant }.map(\.key), [])
    }

    /// Real example files: every rule of the STIG, privileged and base-config examples, desired
    /// against a tree that already holds those files, is compliant; against the plain Debian
    /// tree the plan is applied once and then changes nothing.
    func testDebianExamplesIdempotent() throws {
        let names = ["10-base-config.rules", "30-stig.rules", "31-privileged.rules", "43-module-load.rules"]
        var lines: [String] = []
        var loaded = try AuditTestTree.debian()
        loaded.files["/etc/audit/rules.d/audit.rules"] = nil
        for n in names {
            let bytes = try AuditFixtures.bytes("debian12/examples/" + n)
            loaded.files["/etc/audit/rules.d/" + n] = bytes
            lines += try AuditFixtures.ruleLines("debian12/examples/" + n)
        }
        let desired = auditDesired(lines)
        let present = loaded.plan(desired)
        XCTAssertEqual(present.edits.filter { $0.path.contains("rules.d") }, [])
        XCTAssertEqual(present.observations.filter { $0.status != .compliant }.map(\.key), [])

        var fresh = try AuditTestTree.debian()
        let first = fresh.plan(desired)
        XCTAssertFalse(first.edits.isEmpty)
        fresh.apply(first)
        XCTAssertEqual(fresh.plan(desired).edits, [])
    }
}
