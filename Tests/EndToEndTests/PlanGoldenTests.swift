import Foundation
import XCTest

/// Golden plans (text and JSON) for each fixture root with the test profile; the hostile root
/// ends in per-resource errors, never a crash, and reads nothing outside.
final class PlanGoldenTests: XCTestCase {
    let dir = HardenRunner.fixtures.appendingPathComponent("plans")
    let profile = ApplyRollbackTests.profiles.appendingPathComponent("full.yaml").path

    func normalized(_ s: String, _ root: RootFixture) -> String {
        s.replacingOccurrences(of: root.path, with: "ROOT").replacingOccurrences(of: HardenRunner.repo.path + "/", with: "")
    }

    func testGoldenPlansForEachRoot() throws {
        for name in ["debian12", "debian12-cloudinit", "alinux2", "alinux3"] {
            let root = try RootFixture(name)
            let text = HardenRunner.run(["plan", "--root", root.path, "--profile", profile])
            XCTAssertEqual(text.status, 2, "\(name): \(text.stderr)")
            HardenRunner.golden(normalized(text.stdout, root), dir.appendingPathComponent("\(name).txt"))
            let json = HardenRunner.run(["plan", "--root", root.path, "--profile", profile, "--format", "json"])
            XCTAssertEqual(json.status, 2)
            let obj = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as! [String: Any]
            XCTAssertEqual(obj["version"] as? Int, 1)
            for change in obj["changes"] as! [[String: Any]] {
                for key in ["resource", "rules", "action", "path", "before", "after"] {
                    XCTAssertNotNil(change[key], "\(name): change lacks \(key)")
                }
            }
            HardenRunner.golden(normalized(json.stdout, root), dir.appendingPathComponent("\(name).json"))
        }
    }

    func testCloudInitDropInAndMatchBlock() throws {
        let root = try RootFixture("debian12-cloudinit")
        let r = HardenRunner.run(["plan", "--root", root.path, "--profile", ApplyRollbackTests.profiles.appendingPathComponent("sshd.yaml").path])
        XCTAssertTrue(r.stdout.contains("+ /etc/ssh/sshd_config.d/00-harden.conf (create)"), r.stdout)
        XCTAssertTrue(r.stdout.contains("-PasswordAuthentication yes\n    +# harden: PasswordAuthentication yes"), r.stdout)
        XCTAssertTrue(r.stdout.contains("warning: sshd:passwordauthentication"), r.stdout)
        XCTAssertTrue(r.stdout.contains("Match User deploy"), "the Match override is reported: \(r.stdout)")
    }

    func testHostileRootEndsInClearErrorsAndReadsNothingOutside() throws {
        let outside = "/tmp/harden-hostile-outside"
        try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
        try "OUTSIDE\n".write(toFile: outside + "/secret", atomically: false, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: outside) }
        let hostile = HardenRunner.fixtures.appendingPathComponent("roots/hostile").path
        let p = ApplyRollbackTests.profiles.appendingPathComponent("hostile.yaml").path
        let start = Date()
        let r = HardenRunner.run(["plan", "--root", hostile, "--profile", p], timeout: 10)
        XCTAssertLessThan(Date().timeIntervalSince(start), 5)
        XCTAssertEqual(r.status, 1)
        XCTAssertFalse(r.stdout.contains("OUTSIDE"))
        HardenRunner.golden(r.stdout.replacingOccurrences(of: hostile, with: "ROOT"), dir.appendingPathComponent("hostile.txt"))
        XCTAssertEqual(HardenRunner.run(["check", "--root", hostile, "--profile", p]).status, 1)
    }

    func testCheckFormats() throws {
        let root = try RootFixture("debian12")
        let text = HardenRunner.run(["check", "--root", root.path, "--profile", profile])
        XCTAssertEqual(text.status, 2)
        XCTAssertTrue(text.stdout.hasSuffix("3 passed, 17 failed, 0 skipped, 0 errors\n"), text.stdout)
        let junit = HardenRunner.run(["check", "--root", root.path, "--profile", profile, "--format", "junit"])
        XCTAssertTrue(junit.stdout.hasPrefix("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"harden\" tests=\"20\" failures=\"17\""), junit.stdout)
        XCTAssertEqual(junit.stdout.components(separatedBy: "<testcase ").count - 1, 20)
        let json = HardenRunner.run(["check", "--root", root.path, "--profile", profile, "--format", "json"])
        let obj = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as! [String: Any]
        XCTAssertEqual((obj["summary"] as? [String: Int])?["fail"], 17)
        _ = HardenRunner.run(["apply", "--root", root.path, "--profile", profile, "--yes"])
        let after = HardenRunner.run(["check", "--root", root.path, "--profile", profile])
        XCTAssertEqual(after.status, 0)
        XCTAssertTrue(after.stdout.hasSuffix("20 passed, 0 failed, 0 skipped, 0 errors\n"), after.stdout)
    }
}
