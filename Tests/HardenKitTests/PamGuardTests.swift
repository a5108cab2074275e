import XCTest

@testable import HardenKit

/// The lockout guard: no line for a module the target lacks; no pam_tally2 on Linux-PAM 1.5+.
final class PamGuardTests: XCTestCase {
    func testMissingModuleIsAnErrorAndNothingOfItIsApplied() {
        let host = PamFixtures.host("el7", moduleDir: PamFixtures.rhelModuleDir)
        let plan = PamPlanner.plan(
            desired: [
                PamDesired(service: "su", type: "auth", module: "pam_google_authenticator.so", control: "required", position: .after("pam_rootok.so")),
                PamDesired(service: "su", type: "auth", module: "pam_wheel.so", control: "required", args: ["use_uid"], position: .after("pam_rootok.so")),
            ], host: host)
        let why = PamAssert.error(plan.observations[0]) ?? ""
        XCTAssertTrue(why.contains("module pam_google_authenticator.so is not installed"), why)
        XCTAssertTrue(why.contains("/usr/lib64/security"), why)
        XCTAssertEqual(plan.observations[1].status, .pending)
        XCTAssertEqual(plan.edits.count, 1)
        let after = PamAssert.text(plan.edits[0].after)
        XCTAssertFalse(after.contains("google"))
        XCTAssertTrue(after.contains("auth\t\tsufficient\tpam_rootok.so\nauth\t\trequired\tpam_wheel.so use_uid\n"), after)
    }

    func testMissingModuleOnDebianShipsNoProfile() {
        let plan = PamPlanner.plan(
            desired: [PamDesired(service: "common-auth", type: "auth", module: "pam_u2f.so", control: "sufficient", position: .first)],
            host: PamFixtures.host("debian12-stock"))
        XCTAssertEqual(plan.edits, [])
        XCTAssertTrue(PamAssert.error(plan.observations[0])?.contains("would lock users out") == true)
    }

    func testAbsoluteModulePaths() {
        let host = PamFixtures.host("el7", moduleDir: PamFixtures.rhelModuleDir, extra: ["/opt/pam/pam_custom.so": ""])
        let plan = PamPlanner.plan(
            desired: [
                PamDesired(service: "su", type: "auth", module: "/opt/pam/pam_custom.so", control: "optional", position: .last),
                PamDesired(service: "su", type: "auth", module: "/opt/pam/pam_gone.so", control: "optional", position: .last),
            ], host: host)
        XCTAssertEqual(plan.observations[0].status, .pending)
        XCTAssertTrue(PamAssert.error(plan.observations[1])?.contains("module /opt/pam/pam_gone.so is not installed in the target (looked in /opt/pam/pam_gone.so)") == true)
    }

    func testTally2IsRefusedOnPam15() {
        let host = PamFixtures.host("debian12-stock", extra: [PamFixtures.debianModuleDir + "/pam_tally2.so": ""])
        let plan = PamPlanner.plan(
            desired: [PamDesired(service: "login", type: "auth", module: "pam_tally2.so", control: "required", args: ["deny=5"], position: .first)],
            host: host)
        let why = PamAssert.error(plan.observations[0]) ?? ""
        XCTAssertTrue(why.contains("removed in Linux-PAM 1.5 and the target has Linux-PAM 1.5.2 (/var/lib/dpkg/status libpam-modules 1.5.2-6+deb12u1)"), why)
        XCTAssertTrue(why.contains("pam_faillock.so"), why)
        XCTAssertTrue(plan.readPaths.contains("/var/lib/dpkg/status"))
        XCTAssertEqual(plan.edits, [])
    }

    func testTally2OnOldPamNeedsTheModule() {
        let d = PamDesired(service: "system-auth-ac", type: "auth", module: "pam_tally2.so", control: "required", args: ["deny=5"], position: .first)
        let without = PamPlanner.plan(desired: [d], host: PamFixtures.host("el7", moduleDir: PamFixtures.rhelModuleDir))
        XCTAssertTrue(PamAssert.error(without.observations[0])?.contains("pam_tally2.so is not installed in the target (it no longer exists in Linux-PAM 1.5") == true)
        let with = PamPlanner.plan(
            desired: [d], host: PamFixtures.host("el7", moduleDir: PamFixtures.rhelModuleDir, extra: ["/usr/lib64/security/pam_tally2.so": ""]))
        XCTAssertEqual(with.observations[0].status, .pending)
        XCTAssertTrue(with.readPaths.contains("/etc/os-release"))
    }

    func testVersionProbes() {
        let guard9 = PamModuleGuard(host: PamFixtures.host("rhel9", moduleDir: PamFixtures.rhelModuleDir))
        XCTAssertEqual(guard9.version()?.text, "1.5.1")
        XCTAssertEqual(guard9.version()?.source, "/etc/os-release rhel 9.3")
        let guard7 = PamModuleGuard(host: PamFixtures.host("el7", moduleDir: PamFixtures.rhelModuleDir))
        XCTAssertEqual(guard7.version()?.version, [1, 1, 8])
        let doc = PamModuleGuard(host: MemoryHost([:], directories: ["/usr/share/doc/pam-1.1.8", "/usr/share/doc/bash"]))
        XCTAssertEqual(doc.version()?.text, "1.1.8")
        XCTAssertNil(PamModuleGuard(host: MemoryHost([:])).version())
        XCTAssertEqual(PamModuleGuard.upstream("1:1.5.2-6+deb12u1"), "1.5.2")
        XCTAssertEqual(PamModuleGuard.numbers("1.5.3"), [1, 5, 3])
        XCTAssertNil(PamModuleGuard.dpkgVersion("Package: libpam-modules\nStatus: deinstall ok config-files\nVersion: 1.4.0-9\n", package: "libpam-modules"))
    }

    func testRemovalAndArgumentEditsNeedNoModule() {
        // removing a line of a module that is gone is what one wants; editing arguments adds no module
        let host = PamFixtures.host("el7", moduleDir: PamFixtures.rhelModuleDir)
        host.write("/etc/pam.d/su", PamFixtures.text("el7/etc/pam.d/su") + "auth required pam_gone.so a=1\n")
        let plan = PamAssert.idempotent(
            [
                PamDesired(service: "su", type: "auth", module: "pam_gone.so", setArgs: [("a", "2")]),
                PamDesired(service: "su", type: "session", module: "pam_xauth.so", state: .absent),
            ], host)
        XCTAssertEqual(plan.observations.map(\.status), [.pending, .pending])
    }
}
