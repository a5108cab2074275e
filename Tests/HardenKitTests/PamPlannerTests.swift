import XCTest

@testable import HardenKit

/// Line edits of plain service files (`PamStackEditor` through `PamPlanner`).
final class PamPlannerTests: XCTestCase {
    func el7() -> MemoryHost { PamFixtures.host("el7", moduleDir: PamFixtures.rhelModuleDir) }

    func testArgumentEdits() {
        let host = el7()
        let plan = PamAssert.idempotent(
            [
                PamDesired(service: "system-auth-ac", type: "password", module: "pam_unix.so", setArgs: [("remember", "5")], addArgs: ["use_authtok"], removeArgs: ["nullok", "md5"]),
                PamDesired(service: "system-auth-ac", type: "password", module: "pam_pwquality.so", setArgs: [("retry", "3"), ("minlen", "14")], removeArgs: ["authtok_type"]),
            ], host)
        let after = PamAssert.text(plan.edits[0].after)
        XCTAssertTrue(after.contains("password    sufficient    pam_unix.so sha512 shadow try_first_pass use_authtok remember=5\n"), after)
        XCTAssertTrue(after.contains("password    requisite     pam_pwquality.so try_first_pass local_users_only retry=3 minlen=14\n"), after)
        XCTAssertEqual(plan.edits[0].keys, ["pam:system-auth-ac:password:pam_unix.so", "pam:system-auth-ac:password:pam_pwquality.so"])
        XCTAssertEqual(plan.observations[0].current, "password sufficient pam_unix.so sha512 shadow nullok try_first_pass use_authtok")
        XCTAssertEqual(plan.observations[0].source, "/etc/pam.d/system-auth-ac:16")
    }

    func testArgumentEditsReachEveryLineOfTheModule() {
        let host = el7()
        PamAssert.idempotent(PamOwnershipTests.el7Faillock.filter { $0.service == "system-auth" }.map {
            var d = $0
            d.service = "system-auth-ac"
            return d
        }, host)
        PamAssert.idempotent([PamDesired(service: "system-auth-ac", type: "auth", module: "pam_faillock.so", setArgs: [("deny", "3")])], host)
        let text = PamAssert.text(host.pamText("/etc/pam.d/system-auth-ac"))
        XCTAssertTrue(text.contains("pam_faillock.so preauth silent audit deny=3 unlock_time=900\n"), text)
        XCTAssertTrue(text.contains("pam_faillock.so authfail audit deny=3 unlock_time=900\n"), text)
    }

    func testMissingLineForArgumentsIsAnError() {
        let plan = PamPlanner.plan(
            desired: [
                PamDesired(service: "su", type: "auth", module: "pam_wheel.so", setArgs: [("group", "wheel")]),
                PamDesired(service: "su", type: "auth", module: "pam_wheel.so", removeArgs: ["trust"]),
            ], host: el7())
        XCTAssertTrue(PamAssert.error(plan.observations[0])?.contains("no pam_wheel.so line in the auth stack") == true)
        XCTAssertEqual(plan.observations[1].status, .compliant)
    }

    func testMisplacedLineIsMovedAndRewrittenLineKeepsItsPlace() {
        let host = el7()
        host.write("/etc/pam.d/login", "auth required pam_env.so\nauth sufficient pam_unix.so\nauth required pam_faillock.so preauth\nauth required pam_deny.so\n")
        PamAssert.idempotent(
            [PamDesired(service: "login", type: "auth", module: "pam_faillock.so", control: "required", args: ["preauth", "silent"], position: .before("pam_unix.so"))], host)
        XCTAssertEqual(
            PamAssert.text(host.pamText("/etc/pam.d/login")),
            "auth required pam_env.so\nauth required pam_faillock.so preauth silent\nauth sufficient pam_unix.so\nauth required pam_deny.so\n")
    }

    func testSilentTypeIsRewritten() {
        let host = el7()
        PamAssert.idempotent([PamDesired(service: "system-auth-ac", type: "session", module: "pam_systemd.so", control: "optional", position: .last)], host)
        XCTAssertTrue(PamAssert.text(host.pamText("/etc/pam.d/system-auth-ac")).contains("\nsession     optional      pam_systemd.so\n"))
    }

    func testAmbiguousLinesNeedASelector() {
        let host = el7()
        host.write("/etc/pam.d/login", "auth optional pam_exec.so /bin/a\nauth optional pam_exec.so /bin/b\n")
        let plan = PamPlanner.plan(
            desired: [PamDesired(service: "login", type: "auth", module: "pam_exec.so", control: "optional", args: ["/bin/c"])],
            host: host)
        XCTAssertTrue(PamAssert.error(plan.observations[0])?.contains("2 pam_exec.so lines in the auth stack (lines 1, 2); give a selector") == true)
        let chosen = PamPlanner.plan(
            desired: [PamDesired(service: "login", type: "auth", module: "pam_exec.so", control: "optional", args: ["/bin/c"], selector: ["/bin/b"])],
            host: host)
        XCTAssertEqual(chosen.observations[0].key, "pam:login:auth:pam_exec.so#/bin/b")
    }

    func testMissingServiceFile() {
        let plan = PamPlanner.plan(
            desired: [
                PamDesired(service: "vsftpd", type: "auth", module: "pam_unix.so", control: "required"),
                PamDesired(service: "vsftpd", type: "auth", module: "pam_unix.so", state: .absent),
            ], host: el7())
        XCTAssertTrue(PamAssert.error(plan.observations[0])?.contains("/etc/pam.d/vsftpd does not exist (PAM would use /etc/pam.d/other)") == true)
        XCTAssertEqual(plan.observations[1].status, .compliant)
        XCTAssertEqual(plan.edits, [])
    }

    func testServiceMustBeAFileName() {
        let plan = PamPlanner.plan(desired: [PamDesired(service: "../shadow", type: "auth", module: "pam_unix.so", state: .absent)], host: el7())
        XCTAssertTrue(PamAssert.error(plan.observations[0])?.contains("must be a file name in /etc/pam.d") == true)
        XCTAssertEqual(plan.readPaths, [])
    }

    func testMissingAnchor() {
        let plan = PamPlanner.plan(
            desired: [PamDesired(service: "su", type: "auth", module: "pam_wheel.so", control: "required", position: .after("pam_nothere.so"))],
            host: el7())
        XCTAssertTrue(PamAssert.error(plan.observations[0])?.contains("no pam_nothere.so line in the auth stack") == true)
    }

    func testCRLFNoFinalNewlineAndInvalidUTF8Survive() {
        let host = el7()
        var bytes = Array("# caf\u{E9} ".utf8) + [0xFF, 0xFE] + Array("\r\nauth required pam_env.so\r\nauth sufficient pam_rootok.so".utf8)
        let host2 = MemoryHost(bytes: ["/etc/pam.d/x": bytes, "/usr/lib64/security/pam_wheel.so": []])
        let plan = PamPlanner.plan(
            desired: [PamDesired(service: "x", type: "auth", module: "pam_wheel.so", control: "required", args: ["use_uid"], position: .last)], host: host2)
        bytes += Array("\r\nauth required   pam_wheel.so use_uid\r\n".utf8)
        XCTAssertEqual(plan.edits[0].after, bytes)
        _ = host
    }

    func testFirstGoesBeforeIncludes() {
        let host = PamFixtures.host("debian12-stock")
        let plan = PamAssert.idempotent(
            [PamDesired(service: "su", type: "auth", module: "pam_wheel.so", control: "required", args: ["use_uid", "group=sudo"], position: .first)], host)
        let after = PamAssert.text(plan.edits[0].after)
        XCTAssertTrue(after.hasPrefix("#\n# The PAM configuration file for the Shadow `su' service\n#\n\nauth       required   pam_wheel.so use_uid group=sudo\n# This allows root to su without passwords (normal operation)\nauth       sufficient pam_rootok.so\n"), after)
    }

    func testEntriesOfOneFileShareOneEdit() {
        let host = el7()
        let plan = PamAssert.idempotent(PamOwnershipTests.el7Faillock.filter { $0.service == "system-auth" }.map {
            var d = $0
            d.service = "system-auth-ac"
            return d
        }, host)
        XCTAssertEqual(plan.edits.count, 1)
        XCTAssertEqual(plan.edits[0].keys.count, 3)
        XCTAssertEqual(Set(plan.edits[0].keys).count, 3)
    }

    func testDesiredKeysAndSummary() {
        let d = PamDesired(service: "common-auth", type: "auth", module: "pam_faillock.so", control: "[default=die]", args: ["authfail", "deny=5"], position: .after("pam_unix.so"))
        XCTAssertEqual(d.resourceKey, "pam:common-auth:auth:pam_faillock.so#authfail")
        XCTAssertEqual(d.summary, "auth [default=die] pam_faillock.so authfail deny=5 (after pam_unix.so)")
        let a = PamDesired(service: "common-auth", type: "auth", module: "pam_unix.so", setArgs: [("rounds", "5")], addArgs: ["x"], removeArgs: ["nullok"])
        XCTAssertEqual(a.resourceKey, "pam:common-auth:auth:pam_unix.so")
        XCTAssertEqual(a.summary, "args rounds=5 +x -nullok")
        XCTAssertEqual(PamDesired(service: "s", type: "auth", module: "pam_x.so", state: .absent).summary, "absent")
    }
}
