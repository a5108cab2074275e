import XCTest

@testable import HardenKit

/// `-e 2` placement and the other control lines.
final class AuditControlPlanTests: XCTestCase {
    private func text(_ plan: KindPlan, _ suffix: String) -> String? {
        plan.edits.first { $0.path.hasSuffix(suffix) }?.after.map { String(decoding: $0, as: UTF8.self) }
    }

    /// `-e 2` elsewhere is disabled and moved to 99-finalize.rules; a second plan is empty.
    func testEnableMovesToFinalize() throws {
        var tree = try AuditTestTree.debian()
        tree["/etc/audit/rules.d/10-site.rules"] = "-w /etc/hosts -p wa -k system-locale\n-e 2\n-w /etc/issue -p wa\n"
        tree["/etc/audit/rules.d/20-old.rules"] = "  -e 1\n"
        let desired = auditDesired(["-e 2", "-w /etc/passwd -p wa -k identity"])
        let plan = tree.plan(desired)
        XCTAssertEqual(plan.observations.map(\.status), [.pending, .pending])
        // mawk leaves the indented `-e 1` in place; the `-e 2` moved to the end runs last.
        XCTAssertEqual(plan.observations[0].current, "-e 2")
        XCTAssertEqual(plan.observations[0].source, "/etc/audit/rules.d/10-site.rules:2")
        XCTAssertEqual(
            plan.edits.map(\.path),
            [
                "/etc/audit/rules.d/10-site.rules", "/etc/audit/rules.d/20-old.rules",
                "/etc/audit/rules.d/50-harden.rules",
                "/etc/audit/rules.d/99-finalize.rules", "/etc/audit/audit.rules",
            ])
        XCTAssertEqual(
            text(plan, "10-site.rules"), "-w /etc/hosts -p wa -k system-locale\n# harden: -e 2\n-w /etc/issue -p wa\n")
        XCTAssertEqual(text(plan, "20-old.rules"), "# harden:   -e 1\n")
        XCTAssertEqual(text(plan, "99-finalize.rules"), "\(AuditRulesFile.ownedHeader)\n-e 2\n")
        XCTAssertTrue(text(plan, "/audit.rules")?.hasSuffix("--backlog_wait_time 60000\n-e 2\n") ?? false)
        tree.apply(plan)
        let again = tree.plan(desired)
        XCTAssertEqual(again.edits, [])
        XCTAssertEqual(again.observations.map(\.status), [.compliant, .compliant])
        XCTAssertEqual(again.observations[0].source, "/etc/audit/rules.d/99-finalize.rules:2")
    }

    /// Debian's example 99-finalize.rules (`#-e 2`, not owned) gets `-e 2` appended; a file read
    /// after it is reported.
    func testEnableInForeignFinalizeFile() throws {
        var tree = try AuditTestTree.debian()
        tree.files["/etc/audit/rules.d/99-finalize.rules"] = try AuditFixtures.bytes(
            "debian12/examples/99-finalize.rules")
        tree["/etc/audit/rules.d/zz-late.rules"] = "-w /etc/late -p wa\n"
        let plan = tree.plan(auditDesired(["-e 2"]))
        let before = try AuditFixtures.text("debian12/examples/99-finalize.rules")
        XCTAssertEqual(text(plan, "99-finalize.rules"), before + "-e 2\n")
        XCTAssertTrue(
            plan.observations[0].warnings.contains(
                "zz-late.rules is read after 99-finalize.rules; augenrules still moves -e to the end of audit.rules"))
        tree.apply(plan)
        XCTAssertEqual(tree.plan(auditDesired(["-e 2"])).edits, [])
    }

    /// A single `-e 2` in the file read last is compliant even when it is not 99-finalize.rules.
    func testEnableInLastFileIsCompliant() throws {
        var tree = try AuditTestTree.debian()
        tree["/etc/audit/rules.d/zz-final.rules"] = "-e 2\n"
        XCTAssertEqual(tree.plan(auditDesired(["-e 2"])).observations[0].status, .compliant)
        // Version order puts "-" after letters: zz-final.rules is read after zzzz.rules.
        tree["/etc/audit/rules.d/zzzz.rules"] = "-w /etc/x -p wa\n"
        XCTAssertEqual(tree.plan(auditDesired(["-e 2"])).observations[0].status, .compliant)
        tree["/etc/audit/rules.d/zz-last.rules"] = "-w /etc/x -p wa\n"
        XCTAssertEqual(tree.plan(auditDesired(["-e 2"])).observations[0].status, .pending)
    }

    /// `-b` is compliant when the value loaded last is right; lines that override it are disabled.
    func testBacklogOverride() throws {
        var tree = try AuditTestTree.debian()
        XCTAssertEqual(tree.plan(auditDesired(["-b 8192"])).observations[0].status, .compliant)
        XCTAssertEqual(tree.plan(auditDesired(["-b 0x2000"])).edits, [])
        let desired = auditDesired(["-b 16384", "--backlog_wait_time 60000", "-f 1", "--loginuid-immutable"])
        let plan = tree.plan(desired)
        XCTAssertEqual(plan.observations.map(\.status), [.pending, .compliant, .compliant, .pending])
        XCTAssertEqual(plan.observations[0].current, "-b 8192")
        XCTAssertEqual(plan.observations[0].source, "/etc/audit/rules.d/audit.rules:6")
        XCTAssertEqual(
            text(plan, "10-harden-config.rules"), "\(AuditRulesFile.ownedHeader)\n-b 16384\n--loginuid-immutable\n")
        XCTAssertTrue(text(plan, "rules.d/audit.rules")?.contains("\n# harden: -b 8192\n") ?? false)
        XCTAssertTrue(
            text(plan, "/etc/audit/audit.rules")?.hasPrefix("\(AugenrulesMerge.header)\n-D\n-b 16384\n-f 1\n") ?? false)
        tree.apply(plan)
        let again = tree.plan(desired)
        XCTAssertEqual(again.edits, [])
        XCTAssertEqual(again.observations.map(\.status), [.compliant, .compliant, .compliant, .compliant])
    }

    /// `-e` ignores the file its profile rule names: it belongs in the file read last.
    func testEnableIgnoresNamedFile() throws {
        let tree = try AuditTestTree.debian()
        let plan = tree.plan(auditDesired(["-e 2", "-w /etc/passwd -p wa"], file: "50-cis.rules"))
        XCTAssertEqual(
            plan.edits.map(\.path),
            ["/etc/audit/rules.d/50-cis.rules", "/etc/audit/rules.d/99-finalize.rules", "/etc/audit/audit.rules"])
    }

    func testControlFileDefaults() {
        XCTAssertEqual(AuditPlanner.defaultFile(for: "-e 2"), "99-finalize.rules")
        XCTAssertEqual(AuditPlanner.defaultFile(for: "-b 8192"), "10-harden-config.rules")
        XCTAssertEqual(AuditPlanner.defaultFile(for: "-w /etc/passwd -p wa"), "50-harden.rules")
    }

    func testAuditdConfWarnings() throws {
        XCTAssertEqual(AuditdConfWarnings.check(bytes: try AuditFixtures.bytes("debian12/etc/audit/auditd.conf")), [])
        let conf = Array(
            "# x\nadmin_space_left_action = HALT\r\ndisk_full_action=single\n#disk_full_action = halt\ndisk_error_action = halt\nspace_left_action = email\n"
                .utf8)
        let w = AuditdConfWarnings.check(bytes: conf)
        XCTAssertEqual(w.count, 2)
        XCTAssertTrue(w[0].hasPrefix("auditd.conf:2: admin_space_left_action = halt takes the node down"), w[0])
        XCTAssertTrue(w[1].hasPrefix("auditd.conf:3: disk_full_action = single"), w[1])
    }
}
