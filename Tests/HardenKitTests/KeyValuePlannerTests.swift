import XCTest

@testable import HardenKit

final class KeyValuePlannerTests: XCTestCase {
    private func text(_ bytes: [UInt8]?) -> String { bytes.map { String(decoding: $0, as: UTF8.self) } ?? "<none>" }

    /// Replaces exactly one occurrence of `old` in `s` (fails the test otherwise).
    private func replacingOnce(_ s: String, _ old: String, _ new: String, line: UInt = #line) -> String {
        let parts = s.components(separatedBy: old)
        XCTAssertEqual(parts.count, 2, "expected exactly one \(old.debugDescription)", line: line)
        return parts.joined(separator: new)
    }

    /// Plans against `files`, checks the single edit of `path` is `expected`, then applies it
    /// and checks a second plan is all compliant with no edits.
    @discardableResult
    private func planAndCheck(
        _ desired: [KeyValueDesired], files: [String: [UInt8]], path: String, expected: String,
        line: UInt = #line
    ) -> KindPlan {
        let plan = KeyValuePlanner.plan(desired: desired, host: MemoryHost(bytes: files))
        XCTAssertEqual(plan.edits.count, 1, line: line)
        XCTAssertEqual(plan.edits.first?.path, path, line: line)
        XCTAssertEqual(plan.edits.first?.before, files[path], line: line)
        XCTAssertEqual(text(plan.edits.first?.after), expected, line: line)
        var after = files
        for edit in plan.edits { after[edit.path] = edit.after }
        let again = KeyValuePlanner.plan(desired: desired, host: MemoryHost(bytes: after))
        XCTAssertEqual(again.edits, [], line: line)
        XCTAssertEqual(again.observations.map(\.status), desired.map { _ in .compliant }, line: line)
        return plan
    }

    func testLoginDefsPassMaxDaysEditedInPlace() throws {
        let path = "/etc/login.defs"
        let original = try KeyValueFixtures.debian(path)
        let d = KeyValueDesired(path: path, key: "PASS_MAX_DAYS", value: "365", format: .whitespace)
        let plan = planAndCheck(
            [d], files: [path: original], path: path,
            expected: replacingOnce(text(original), "\nPASS_MAX_DAYS\t99999\n", "\nPASS_MAX_DAYS\t365\n"))
        XCTAssertEqual(plan.observations[0].key, "keyvalue:/etc/login.defs:PASS_MAX_DAYS")
        XCTAssertEqual(plan.observations[0].current, "99999")
        XCTAssertEqual(plan.observations[0].source, "/etc/login.defs:165")
        XCTAssertEqual(plan.observations[0].status, .pending)
        XCTAssertEqual(plan.edits[0].keys, ["keyvalue:/etc/login.defs:PASS_MAX_DAYS"])
    }

    func testPwqualityMinlenInsertedAfterCommentedDefault() throws {
        let path = "/etc/security/pwquality.conf"
        let original = try KeyValueFixtures.debian(path)
        let d = KeyValueDesired(path: path, key: "minlen", value: "14", format: .equals)
        let plan = planAndCheck(
            [d], files: [path: original], path: path,
            expected: replacingOnce(text(original), "\n# minlen = 8\n", "\n# minlen = 8\nminlen = 14\n"))
        XCTAssertNil(plan.observations[0].current)
    }

    func testFaillockDenyUnlockTimeAndEvenDenyRoot() throws {
        let path = "/etc/security/faillock.conf"
        let original = try KeyValueFixtures.debian(path)
        let desired = [
            KeyValueDesired(path: path, key: "deny", value: "5", format: .equals),
            KeyValueDesired(path: path, key: "unlock_time", value: "900", format: .equals),
            KeyValueDesired(path: path, key: "even_deny_root", value: .flag(true), format: .equals),
        ]
        var expected = replacingOnce(text(original), "\n# deny = 3\n", "\n# deny = 3\ndeny = 5\n")
        expected = replacingOnce(expected, "\n# unlock_time = 600\n", "\n# unlock_time = 600\nunlock_time = 900\n")
        expected = replacingOnce(expected, "\n# even_deny_root\n", "\n# even_deny_root\neven_deny_root\n")
        let plan = planAndCheck(desired, files: [path: original], path: path, expected: expected)
        XCTAssertEqual(plan.edits[0].keys, desired.map(\.resourceKey))
        XCTAssertEqual(plan.observations[2].desired, "present")
    }

    func testAuditdMaxLogFileActionEditedInPlace() throws {
        let path = "/etc/audit/auditd.conf"
        let original = try KeyValueFixtures.debian(path)
        let d = KeyValueDesired(path: path, key: "max_log_file_action", value: "keep_logs", format: .equals)
        planAndCheck(
            [d], files: [path: original], path: path,
            expected: replacingOnce(
                text(original), "\nmax_log_file_action = ROTATE\n", "\nmax_log_file_action = keep_logs\n"))
    }

    func testUseraddInactiveInsertedAfterCommentedDefault() throws {
        let path = "/etc/default/useradd"
        let original = try KeyValueFixtures.debian(path)
        let d = KeyValueDesired(path: path, key: "INACTIVE", value: "30", format: .shell)
        planAndCheck(
            [d], files: [path: original], path: path,
            expected: replacingOnce(text(original), "\n# INACTIVE=-1\n", "\n# INACTIVE=-1\nINACTIVE=30\n"))
    }

    func testAlreadyCompliantRealFilesWriteNothing() throws {
        let files = [
            "/etc/login.defs": try KeyValueFixtures.debian("/etc/login.defs"),
            "/etc/audit/auditd.conf": try KeyValueFixtures.debian("/etc/audit/auditd.conf"),
        ]
        let desired = [
            KeyValueDesired(path: "/etc/login.defs", key: "PASS_WARN_AGE", value: "7", format: .whitespace),
            KeyValueDesired(path: "/etc/login.defs", key: "UMASK", value: "0022", format: .whitespace),  // file: 022
            KeyValueDesired(path: "/etc/audit/auditd.conf", key: "NUM_LOGS", value: "5", format: .equals),
            KeyValueDesired(path: "/etc/audit/auditd.conf", key: "tcp_listen_port", value: .flag(false), format: .equals),
        ]
        let plan = KeyValuePlanner.plan(desired: desired, host: MemoryHost(bytes: files))
        XCTAssertEqual(plan.edits, [])
        XCTAssertEqual(plan.observations.map(\.status), [.compliant, .compliant, .compliant, .compliant])
        XCTAssertEqual(plan.readPaths, ["/etc/login.defs", "/etc/audit/auditd.conf"])
    }

    func testDuplicatesLastWinsAndContradictionsAreCommentedOut() {
        let path = "/etc/login.defs"
        let files = [path: Array("PASS_MAX_DAYS 99999\nPASS_MIN_DAYS 1\nPASS_MAX_DAYS 400\nPASS_MAX_DAYS 365\n".utf8)]
        let d = KeyValueDesired(path: path, key: "PASS_MAX_DAYS", value: "365", format: .whitespace)
        let plan = planAndCheck(
            [d], files: files, path: path,
            expected: "# harden: PASS_MAX_DAYS 99999\nPASS_MIN_DAYS 1\n# harden: PASS_MAX_DAYS 400\nPASS_MAX_DAYS 365\n")
        XCTAssertEqual(plan.observations[0].current, "365")  // shadow's getdef: the last one
        XCTAssertEqual(plan.observations[0].source, "/etc/login.defs:4")
        XCTAssertEqual(plan.observations[0].warnings, ["other active lines set PASS_MAX_DAYS: /etc/login.defs:1, /etc/login.defs:3"])
    }

    func testFirstWinsIsConfigurable() {
        let path = "/etc/custom.conf"
        let files = [path: Array("key = 1\nkey = 2\n".utf8)]
        let d = KeyValueDesired(path: path, key: "key", value: .string("3"), format: .equals, winner: .firstWins)
        let plan = planAndCheck([d], files: files, path: path, expected: "key = 3\n# harden: key = 2\n")
        XCTAssertEqual(plan.observations[0].current, "1")
    }

    func testCaseRulesPerFile() {
        let pwq = "/etc/security/pwquality.conf"
        let defs = "/etc/login.defs"
        let files = [pwq: Array("MINLEN = 14\n".utf8), defs: Array("pass_max_days 365\n#PASS_MAX_DAYS 99999\n".utf8)]
        let desired = [
            KeyValueDesired(path: pwq, key: "minlen", value: "14", format: .equals),
            KeyValueDesired(path: defs, key: "PASS_MAX_DAYS", value: "365", format: .whitespace),
        ]
        let plan = KeyValuePlanner.plan(desired: desired, host: MemoryHost(bytes: files))
        XCTAssertEqual(plan.observations.map(\.status), [.compliant, .pending])
        XCTAssertEqual(text(plan.edits.first?.after), "pass_max_days 365\n#PASS_MAX_DAYS 99999\nPASS_MAX_DAYS 365\n")
    }

    func testLoginDefsLeadingZeroIsOctal() {
        let path = "/etc/login.defs"
        let d = KeyValueDesired(path: path, key: "PASS_MAX_DAYS", value: "365", format: .whitespace)
        let plan = planAndCheck([d], files: [path: Array("PASS_MAX_DAYS 0365\n".utf8)], path: path, expected: "PASS_MAX_DAYS 365\n")
        XCTAssertEqual(plan.observations[0].current, "0365")
    }

    func testFlagFalseCommentsOutEveryOccurrence() {
        let path = "/etc/security/faillock.conf"
        let files = [path: Array("even_deny_root\ndeny = 3\neven_deny_root = yes # still sets it\n".utf8)]
        let d = KeyValueDesired(path: path, key: "even_deny_root", value: .flag(false), format: .equals)
        planAndCheck(
            [d], files: files, path: path,
            expected: "# harden: even_deny_root\ndeny = 3\n# harden: even_deny_root = yes # still sets it\n")
    }

    func testInlineCommentIsKeptWhenValueChanges() {
        let path = "/etc/security/faillock.conf"
        let d = KeyValueDesired(path: path, key: "deny", value: "5", format: .equals)
        planAndCheck([d], files: [path: Array("deny = 3 # three\n".utf8)], path: path, expected: "deny = 5 # three\n")
    }

    func testAppendAtEndOfCRLFFileWithoutFinalNewline() {
        let path = "/etc/audit/auditd.conf"
        let d = KeyValueDesired(path: path, key: "admin_space_left_action", value: "single", format: .equals)
        planAndCheck(
            [d], files: [path: Array("log_file=/var/log/audit/audit.log\r\nnum_logs = 5".utf8)], path: path,
            expected: "log_file=/var/log/audit/audit.log\r\nnum_logs = 5\r\nadmin_space_left_action = single\r\n")
    }

    func testMissingFile() {
        let path = "/etc/security/pwquality.conf"
        let strict = KeyValueDesired(path: path, key: "minlen", value: "14", format: .equals)
        let plan = KeyValuePlanner.plan(desired: [strict], host: MemoryHost([:]))
        XCTAssertEqual(plan.edits, [])
        XCTAssertEqual(plan.observations[0].status, .error("/etc/security/pwquality.conf: file missing"))
        let create = [
            KeyValueDesired(path: path, key: "minlen", value: "14", format: .equals, create: true),
            KeyValueDesired(path: path, key: "enforce_for_root", value: .flag(true), format: .equals, create: true),
            KeyValueDesired(path: path, key: "local_users_only", value: .flag(false), format: .equals),
        ]
        let created = KeyValuePlanner.plan(desired: create, host: MemoryHost([:]))
        XCTAssertEqual(created.edits, [
            FileEdit(
                path: path, before: nil, after: Array("minlen = 14\nenforce_for_root\n".utf8),
                keys: [create[0].resourceKey, create[1].resourceKey])
        ])
        XCTAssertEqual(created.observations.map(\.status), [.pending, .pending, .compliant])
        let again = KeyValuePlanner.plan(desired: create, host: MemoryHost(bytes: [path: created.edits[0].after!]))
        XCTAssertEqual(again.edits, [])
    }

    func testUnreadablePathAndConflictsAreErrors() {
        let host = MemoryHost(["/etc/login.defs/oops": "x"])
        let plan = KeyValuePlanner.plan(
            desired: [KeyValueDesired(path: "/etc/login.defs", key: "UMASK", value: "027", format: .whitespace)],
            host: host)
        XCTAssertEqual(plan.observations[0].status, .error("/etc/login.defs: not a regular file"))
        let path = "/etc/login.defs"
        let conflicting = [
            KeyValueDesired(path: path, key: "UMASK", value: "027", format: .whitespace),
            KeyValueDesired(path: path, key: "UMASK", value: "077", format: .whitespace),
        ]
        let c = KeyValuePlanner.plan(desired: conflicting, host: MemoryHost([path: "UMASK 022\n"]))
        XCTAssertEqual(c.edits, [])
        XCTAssertTrue(c.observations.allSatisfy { if case .error = $0.status { true } else { false } })
    }

    func testBareKeyWithoutValueIsReplaced() {
        let path = "/etc/login.defs"
        let d = KeyValueDesired(path: path, key: "UMASK", value: "027", format: .whitespace)
        planAndCheck([d], files: [path: Array("UMASK\n".utf8)], path: path, expected: "# harden: UMASK\nUMASK 027\n")
    }
}
