import XCTest

@testable import HardenKit

/// Debian `common-*` under pam-auth-update: owned profiles, regenerated files, refusals.
final class PamDebianPlannerTests: XCTestCase {
    func testFaillockBecomesOwnedProfilesGolden() {
        let host = PamFixtures.host("debian12-stock")
        let plan = PamAssert.idempotent(PamRealPamAuthUpdateTests.faillock, host)
        XCTAssertEqual(plan.observations.map(\.status), [.pending, .pending, .pending])
        XCTAssertEqual(
            Set(plan.edits.map(\.path)),
            [
                "/etc/pam.d/common-auth", "/etc/pam.d/common-account", "/var/lib/pam/auth", "/var/lib/pam/account",
                "/var/lib/pam/seen", "/usr/share/pam-configs/harden-faillock-auth-preauth",
                "/usr/share/pam-configs/harden-faillock-auth-authfail", "/usr/share/pam-configs/harden-faillock-account",
            ])
        XCTAssertTrue(plan.readPaths.contains("/var/lib/pam/seen"))
        XCTAssertTrue(plan.readPaths.contains("/usr/share/pam-configs/unix"))
        PamGolden.check(plan, "debian12-faillock")
    }

    func testArgumentEditsGolden() {
        let host = PamFixtures.host("debian12-pwquality")
        let plan = PamAssert.idempotent(
            [
                PamDesired(service: "common-password", type: "password", module: "pam_pwquality.so", setArgs: [("minlen", "14"), ("retry", "5")], addArgs: ["enforce_for_root"]),
                PamDesired(service: "common-auth", type: "auth", module: "pam_unix.so", removeArgs: ["nullok"]),
            ], host)
        XCTAssertEqual(Set(plan.edits.map(\.path)), ["/etc/pam.d/common-password", "/etc/pam.d/common-auth"])
        PamGolden.check(plan, "debian12-args")
    }

    func testAlreadyRightPlansNothing() {
        let host = PamFixtures.host("debian12-pwquality")
        let plan = PamPlanner.plan(
            desired: [
                PamDesired(service: "common-auth", type: "auth", module: "pam_unix.so", control: "[success=1 default=ignore]", args: ["nullok"], position: .before("pam_deny.so")),
                PamDesired(service: "common-password", type: "password", module: "pam_pwquality.so", control: "requisite", args: ["retry=3"], position: .first),
                PamDesired(service: "common-password", type: "password", module: "pam_pwquality.so", setArgs: [("retry", "3")]),
                PamDesired(service: "common-auth", type: "auth", module: "pam_faillock.so", state: .absent),
            ], host: host)
        XCTAssertEqual(plan.edits, [])
        XCTAssertEqual(plan.observations.map(\.status), [.compliant, .compliant, .compliant, .compliant])
        XCTAssertEqual(plan.observations[0].current, "auth [success=1 default=ignore] pam_unix.so nullok")
        XCTAssertEqual(plan.observations[0].source, "/etc/pam.d/common-auth:17")
    }

    func testPackageArgumentsCompareAsASet() {
        // pam-auth-update decides the order of a package line's arguments
        let host = PamFixtures.host("debian12-pwquality")
        let d = PamDesired(service: "common-password", type: "password", module: "pam_unix.so", control: "[success=1 default=ignore]", args: ["yescrypt", "obscure", "sha512"])
        let plan = PamAssert.idempotent([d], host)
        XCTAssertTrue(PamAssert.text(host.pamText("/etc/pam.d/common-password")).contains("pam_unix.so obscure yescrypt sha512\n"))
        XCTAssertEqual(plan.observations[0].status, .pending)
    }

    func testDisablingAPackageProfileWhoseLinesAreAllUnwanted() {
        let host = PamFixtures.host("debian12-pwquality")
        let plan = PamAssert.idempotent([PamDesired(service: "common-auth", type: "auth", module: "pam_cap.so", state: .absent)], host)
        XCTAssertEqual(Set(plan.edits.map(\.path)), ["/etc/pam.d/common-auth", "/var/lib/pam/auth"])
        XCTAssertFalse(PamAssert.text(host.pamText("/etc/pam.d/common-auth")).contains("pam_cap"))
    }

    func testRemovingOneLineOfAMultiLineProfileIsRefused() {
        let host = PamFixtures.host("debian12-stock")
        let plan = PamPlanner.plan(desired: [PamDesired(service: "common-session", type: "session", module: "pam_unix.so", state: .absent)], host: host)
        XCTAssertEqual(plan.edits, [])
        let why = PamAssert.error(plan.observations[0]) ?? ""
        XCTAssertTrue(why.contains("profile 'unix'"), why)
        XCTAssertTrue(why.contains("common-auth: auth [success=1 default=ignore] pam_unix.so nullok"), why)
    }

    func testPackageLineControlAndDashCannotChange() {
        let host = PamFixtures.host("debian12-stock")
        let plan = PamPlanner.plan(
            desired: [
                PamDesired(service: "common-auth", type: "auth", module: "pam_unix.so", control: "required", args: ["nullok"]),
                PamDesired(service: "common-auth", type: "-auth", module: "pam_env.so", control: "required", position: .first),
            ], host: host)
        XCTAssertEqual(plan.edits, [])
        XCTAssertTrue(PamAssert.error(plan.observations[0])?.contains("profile 'unix'; its control cannot be changed") == true)
        XCTAssertTrue(PamAssert.error(plan.observations[1])?.contains("writes no '-auth' lines") == true)
    }

    func testAnEditPamAuthUpdateWouldUndoIsRefused() {
        // after pam_deny.so, the unix jump would have to grow; pam-auth-update recomputes it
        let plan = PamPlanner.plan(
            desired: [PamDesired(service: "common-auth", type: "auth", module: "pam_env.so", control: "required", position: .after("pam_deny.so"))],
            host: PamFixtures.host("debian12-stock"))
        XCTAssertEqual(plan.edits, [])
        XCTAssertTrue(PamAssert.error(plan.observations[0])?.contains("pam-auth-update would rewrite this edit") == true)
    }

    func testBoilerplateLineIsEditedInPlace() {
        let host = PamFixtures.host("debian12-stock")
        let plan = PamAssert.idempotent(
            [PamDesired(service: "common-auth", type: "auth", module: "pam_faillock.so", control: "sufficient", args: ["authsucc"], position: .before("pam_permit.so"))], host)
        XCTAssertEqual(plan.edits.map(\.path), ["/etc/pam.d/common-auth"])
    }

    func testSessionProfilesTargetOneFile() {
        let host = PamFixtures.host("debian12-stock")
        let plan = PamAssert.idempotent(
            [
                PamDesired(service: "common-session", type: "session", module: "pam_limits.so", control: "required", position: .after("pam_unix.so")),
                PamDesired(service: "common-session-noninteractive", type: "session", module: "pam_env.so", control: "optional", position: .last),
            ], host)
        let paths = Set(plan.edits.map(\.path))
        XCTAssertTrue(paths.contains("/usr/share/pam-configs/harden-limits-session"))
        XCTAssertTrue(paths.contains("/usr/share/pam-configs/harden-env-session-noninteractive"))
        let session = PamAssert.text(host.pamText("/etc/pam.d/common-session"))
        let nonint = PamAssert.text(host.pamText("/etc/pam.d/common-session-noninteractive"))
        XCTAssertTrue(session.contains("pam_limits.so") && !session.contains("pam_env.so"), session)
        XCTAssertTrue(nonint.contains("pam_env.so") && !nonint.contains("pam_limits.so"), nonint)
        PamGolden.check(plan, "debian12-session")
    }

    func testChangedDesireRewritesHardensOwnProfile() {
        let host = PamFixtures.host("debian12-stock")
        PamAssert.idempotent(PamRealPamAuthUpdateTests.faillock, host)
        var changed = PamRealPamAuthUpdateTests.faillock
        changed[1].args = ["authfail", "deny=5"]
        let plan = PamAssert.idempotent(changed, host)
        XCTAssertEqual(plan.observations.map(\.status), [.compliant, .pending, .compliant])
        XCTAssertTrue(PamAssert.text(host.pamText("/etc/pam.d/common-auth")).contains("auth\t[default=die]\tpam_faillock.so authfail deny=5\n"))
        XCTAssertTrue(PamAssert.text(host.pamText("/usr/share/pam-configs/harden-faillock-auth-authfail")).contains("authfail deny=5"))
    }

    func testAbsentRemovesHardensOwnProfile() throws {
        let root = try PamTempRoot(fixture: "debian12-stock")
        try root.apply(PamPlanner.plan(desired: PamRealPamAuthUpdateTests.faillock, host: try root.host()))
        let gone = PamDesired(service: "common-auth", type: "auth", module: "pam_faillock.so", state: .absent, selector: ["authfail"])
        let plan = PamPlanner.plan(desired: [gone], host: try root.host())
        XCTAssertEqual(plan.observations[0].status, .pending)
        XCTAssertTrue(plan.edits.contains { $0.path == "/usr/share/pam-configs/harden-faillock-auth-authfail" && $0.after == nil })
        try root.apply(plan)
        let auth = PamAssert.text(root.read("/etc/pam.d/common-auth"))
        XCTAssertFalse(auth.contains("authfail"))
        XCTAssertTrue(auth.contains("auth\t[success=1 default=ignore]\tpam_unix.so nullok try_first_pass\n"), auth)
        XCTAssertEqual(PamPlanner.plan(desired: [gone], host: try root.host()).edits, [])
    }

    func testLocalModificationsAreEditedInPlaceWithAWarning() {
        let host = PamFixtures.host("debian12-stock")
        let auth = PamAssert.text(host.pamText("/etc/pam.d/common-auth"))
        host.write("/etc/pam.d/common-auth", auth.replacingOccurrences(of: "auth\t[success=1", with: "# local note\nauth\t[success=1"))
        let plan = PamAssert.idempotent(
            [PamDesired(service: "common-auth", type: "auth", module: "pam_faillock.so", control: "[default=die]", args: ["authfail"], position: .after("pam_unix.so"))], host)
        XCTAssertEqual(plan.edits.map(\.path), ["/etc/pam.d/common-auth"])
        XCTAssertTrue(plan.observations[0].warnings.contains(PamPlanner.notRegenerating("Local modifications to /etc/pam.d/common-*, not updating")))
        XCTAssertTrue(PamAssert.text(host.pamText("/etc/pam.d/common-auth")).contains("[success=2 default=ignore]\tpam_unix.so nullok\nauth\t[default=die]\t\t\tpam_faillock.so authfail\n"))
    }

    func testPendingPackageChangesComeAlongOnlyWithAChange() {
        let host = PamFixtures.host("debian12-stock", extra: ["/usr/share/pam-configs/capability": PamFixtures.text("debian12-pwquality/usr/share/pam-configs/capability")])
        let quiet = PamPlanner.plan(desired: [PamDesired(service: "common-auth", type: "auth", module: "pam_tally.so", state: .absent)], host: host)
        XCTAssertEqual(quiet.edits, [])
        let plan = PamPlanner.plan(desired: [PamRealPamAuthUpdateTests.faillock[0]], host: host)
        XCTAssertTrue(plan.observations[0].warnings.first?.contains("pam-auth-update --package would change anyway") == true)
        XCTAssertTrue(PamAssert.text(plan.edits.first { $0.path == "/etc/pam.d/common-auth" }?.after).contains("pam_cap.so"))
    }

    func testPriorityChoice() throws {
        func profile(_ name: String, _ prio: Int) -> PamConfigProfile {
            PamConfigProfile(name: name, bytes: Array("Priority: \(prio)\n".utf8))
        }
        XCTAssertEqual(try PamDebianPlanner.priority(for: "harden-x", upper: profile("unix", 256), lower: nil), 0)
        XCTAssertEqual(try PamDebianPlanner.priority(for: "harden-x", upper: nil, lower: profile("unix", 256)), 1024)
        XCTAssertEqual(try PamDebianPlanner.priority(for: "harden-x", upper: nil, lower: profile("pwquality", 1024)), 1025)
        XCTAssertEqual(try PamDebianPlanner.priority(for: "harden-x", upper: profile("pwquality", 1024), lower: profile("unix", 256)), 640)
        XCTAssertEqual(try PamDebianPlanner.priority(for: "harden-x", upper: profile("unix", 256), lower: profile("sss", 255)), 256)
        XCTAssertEqual(try PamDebianPlanner.priority(for: "harden-x", upper: profile("zz", 0), lower: profile("aa", 0)), 0)
        XCTAssertThrowsError(try PamDebianPlanner.priority(for: "harden-x", upper: profile("aa", 0), lower: profile("zz", 0)))
    }
}

extension MemoryHost {
    func pamText(_ path: String) -> [UInt8]? { (try? readIfPresent(path)) ?? nil }
}

/// One failing entry leaves the others of the same files planned.
final class PamDebianMixedTests: XCTestCase {
    func testAFailingEntryDoesNotStopTheOthers() {
        let host = PamFixtures.host("debian12-stock")
        let desired = [
            PamDesired(service: "common-auth", type: "auth", module: "pam_u2f.so", control: "sufficient", position: .first),
            PamRealPamAuthUpdateTests.faillock[1],
        ]
        let plan = PamPlanner.plan(desired: desired, host: host)
        XCTAssertNotNil(PamAssert.error(plan.observations[0]))
        XCTAssertEqual(plan.observations[1].status, .pending)
        XCTAssertFalse(plan.edits.contains { $0.path.contains("u2f") })
        XCTAssertTrue(plan.edits.allSatisfy { $0.keys == [desired[1].resourceKey] })
        host.pamApply(plan)
        let again = PamPlanner.plan(desired: desired, host: host)
        XCTAssertEqual(again.observations[1].status, .compliant)
        XCTAssertEqual(again.edits, [])
    }
}
