import Foundation
import XCTest

@testable import HardenKit

/// Runs the real pam-auth-update (Debian libpam-runtime) over harden's edits, in a private
/// mount namespace (Fixtures/pam/run-pam-auth-update.sh), and checks that it keeps them byte
/// for byte. Needs root, unshare(1), perl and debconf; skipped where they are missing.
final class PamRealPamAuthUpdateTests: XCTestCase {
    static let managed = PamAuthUpdateTree.types.flatMap { ["/etc/pam.d/common-\($0)", "/var/lib/pam/\($0)"] } + [
        "/var/lib/pam/seen"
    ]

    override func setUpWithError() throws {
        guard getuid() == 0 else { throw XCTSkip("needs root for a mount namespace") }
        for tool in ["/usr/sbin/pam-auth-update", "/usr/bin/unshare", "/usr/bin/mount", "/usr/bin/perl",
            "/usr/share/perl5/Debconf/Client/ConfModule.pm"]
        where !FileManager.default.fileExists(atPath: tool) {
            throw XCTSkip("\(tool) missing (apt-get install libpam-runtime debconf perl util-linux)")
        }
    }

    /// Runs the real tool on `root`; fails the test on a non-zero exit.
    @discardableResult
    func runReal(_ root: PamTempRoot, _ args: [String] = ["--package"], file: StaticString = #filePath, line: UInt = #line) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = [PamFixtures.directory.appendingPathComponent("run-pam-auth-update.sh").path, root.path] + args
        let err = Pipe()
        p.standardError = err
        p.standardOutput = err
        try p.run()
        let out = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        XCTAssertEqual(p.terminationStatus, 0, out, file: file, line: line)
        return out
    }

    func snapshot(_ root: PamTempRoot) -> [String: [UInt8]] {
        var out: [String: [UInt8]] = [:]
        for p in Self.managed { out[p] = root.read(p) }
        return out
    }

    /// Plans on a copy of `fixture`, applies, runs the real tool, and checks nothing changed.
    @discardableResult
    func survives(_ fixture: String, _ desired: [PamDesired], file: StaticString = #filePath, line: UInt = #line) throws
        -> PamTempRoot
    {
        let root = try PamTempRoot(fixture: fixture)
        let plan = PamPlanner.plan(desired: desired, host: try root.host())
        for o in plan.observations { XCTAssertEqual(o.status, .pending, "\(o.key) \(o.status)", file: file, line: line) }
        try root.apply(plan)
        let planned = snapshot(root)
        let output = try runReal(root, file: file, line: line)
        XCTAssertFalse(output.contains("Local modifications"), output, file: file, line: line)
        for p in Self.managed {
            XCTAssertEqual(PamAssert.text(root.read(p)), PamAssert.text(planned[p]), "real pam-auth-update changed \(p)", file: file, line: line)
        }
        let again = PamPlanner.plan(desired: desired, host: try root.host())
        XCTAssertEqual(again.edits, [], file: file, line: line)
        return root
    }

    static let faillock = [
        PamDesired(service: "common-auth", type: "auth", module: "pam_faillock.so", control: "requisite", args: ["preauth"], position: .first),
        PamDesired(
            service: "common-auth", type: "auth", module: "pam_faillock.so", control: "[default=die]", args: ["authfail"],
            position: .after("pam_unix.so")),
        PamDesired(service: "common-account", type: "account", module: "pam_faillock.so", control: "required", position: .first),
    ]

    func testFaillockProfilesSurviveARealRun() throws {
        let root = try survives("debian12-stock", Self.faillock)
        let auth = PamAssert.text(root.read("/etc/pam.d/common-auth"))
        XCTAssertTrue(auth.contains("auth\trequisite\tpam_faillock.so preauth\n"), auth)
        XCTAssertTrue(auth.contains("auth\t[success=2 default=ignore]\tpam_unix.so nullok try_first_pass\n"), auth)
        XCTAssertTrue(auth.contains("auth\t[default=die]\tpam_faillock.so authfail\n"), auth)
        XCTAssertNotNil(root.read("/usr/share/pam-configs/harden-faillock-auth-preauth"))
    }

    func testHardenLinesSurviveANewPackageProfileAndThePortPredictsTheRealRun() throws {
        let root = try survives("debian12-stock", Self.faillock)
        // a package upgrade brings a new profile, then runs pam-auth-update --package
        try root.write("/usr/share/pam-configs/capability", PamFixtures.bytes("debian12-pwquality/usr/share/pam-configs/capability"))
        try root.write("/usr/share/pam-configs/sss", PamFixtures.bytes("debian12-sss/usr/share/pam-configs/sss"))
        var read: [String] = []
        let before = try PamAuthUpdateTree.read(try root.host(), readPaths: &read)
        guard case .updated(let predicted, _) = PamAuthUpdate.run(before) else { return XCTFail("port refused") }
        try runReal(root)
        for p in Self.managed {
            XCTAssertEqual(PamAssert.text(root.read(p)), PamAssert.text(predicted.files[p] ?? nil), "port differs from the real run on \(p)")
        }
        let auth = PamAssert.text(root.read("/etc/pam.d/common-auth"))
        XCTAssertTrue(auth.contains("pam_faillock.so preauth"), auth)
        XCTAssertTrue(auth.contains("pam_faillock.so authfail"), auth)
        XCTAssertTrue(auth.contains("pam_cap.so"), auth)
        // the plan still holds after the package's run
        XCTAssertEqual(PamPlanner.plan(desired: Self.faillock, host: try root.host()).edits, [])
    }

    func testArgumentEditsSurviveARealRun() throws {
        let root = try survives(
            "debian12-pwquality",
            [
                PamDesired(service: "common-password", type: "password", module: "pam_pwquality.so", setArgs: [("minlen", "14"), ("retry", "5")]),
                PamDesired(service: "common-auth", type: "auth", module: "pam_unix.so", removeArgs: ["nullok"]),
            ])
        let password = PamAssert.text(root.read("/etc/pam.d/common-password"))
        XCTAssertTrue(password.contains("password\trequisite\t\t\tpam_pwquality.so minlen=14 retry=5\n"), password)
        XCTAssertFalse(PamAssert.text(root.read("/etc/pam.d/common-auth")).contains("nullok"))
    }

    func testPwhistoryBeforeUnixSurvivesARealRun() throws {
        let root = try survives(
            "debian12-pwquality",
            [
                PamDesired(
                    service: "common-password", type: "password", module: "pam_pwhistory.so", control: "requisite",
                    args: ["remember=24", "enforce_for_root", "use_authtok"], position: .before("pam_unix.so"))
            ])
        let lines = PamAssert.text(root.read("/etc/pam.d/common-password")).split(separator: "\n").filter { $0.hasPrefix("password") }
        XCTAssertEqual(lines.map { PamLine.baseName(String($0.split(separator: "\t").last!.split(separator: " ")[0])) }.prefix(3), [
            "pam_pwquality.so", "pam_pwhistory.so", "pam_unix.so",
        ])
    }

    func testDisabledProfileStaysDisabledAfterARealRun() throws {
        let root = try survives(
            "debian12-pwquality", [PamDesired(service: "common-auth", type: "auth", module: "pam_cap.so", state: .absent)])
        XCTAssertFalse(PamAssert.text(root.read("/etc/pam.d/common-auth")).contains("pam_cap.so"))
    }

    func testBoilerplateLineSurvivesARealRun() throws {
        let root = try survives(
            "debian12-sss",
            [
                PamDesired(
                    service: "common-auth", type: "auth", module: "pam_faillock.so", control: "sufficient", args: ["authsucc"],
                    position: .before("pam_permit.so"))
            ])
        let auth = PamAssert.text(root.read("/etc/pam.d/common-auth"))
        XCTAssertTrue(auth.contains("auth\trequisite\t\t\tpam_deny.so\nauth\tsufficient\t\t\tpam_faillock.so authsucc\n# prime the stack"), auth)
    }

    func testSessionProfilesSurviveARealRun() throws {
        let root = try survives(
            "debian12-stock",
            [
                PamDesired(service: "common-session", type: "session", module: "pam_limits.so", control: "required", position: .after("pam_unix.so")),
                PamDesired(service: "common-session-noninteractive", type: "session", module: "pam_env.so", control: "optional", position: .last),
            ])
        XCTAssertFalse(PamAssert.text(root.read("/etc/pam.d/common-session")).contains("pam_env.so"))
        XCTAssertTrue(PamAssert.text(root.read("/etc/pam.d/common-session-noninteractive")).contains("session\toptional\tpam_env.so \n"))
    }

    func testRemovingHardensProfileSurvivesARealRun() throws {
        let root = try survives("debian12-sss", Self.faillock)
        let gone = [PamDesired(service: "common-auth", type: "auth", module: "pam_faillock.so", state: .absent, selector: ["preauth"])]
        let plan = PamPlanner.plan(desired: gone, host: try root.host())
        try root.apply(plan)
        let planned = snapshot(root)
        try runReal(root)
        for p in Self.managed { XCTAssertEqual(PamAssert.text(root.read(p)), PamAssert.text(planned[p]), p) }
        XCTAssertFalse(PamAssert.text(root.read("/etc/pam.d/common-auth")).contains("preauth"))
    }
}
