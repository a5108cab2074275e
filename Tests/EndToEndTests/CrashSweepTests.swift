import Foundation
import XCTest

/// Die at every step of a full apply (like kill -9), recover, compare; ENOSPC at every step;
/// real kill -9 at random moments.
final class CrashSweepTests: XCTestCase {
    let profile = ApplyRollbackTests.profiles.appendingPathComponent("full.yaml").path

    func stepCount() throws -> Int {
        let root = try RootFixture("debian12")
        let r = HardenRunner.run(["apply", "--root", root.path, "--profile", profile, "--yes"])
        guard let line = r.stdout.split(separator: "\n").first(where: { $0.hasPrefix("applied ") }) else {
            XCTFail("the full apply failed: \(r.stdout.suffix(800)) \(r.stderr)")
            return 0
        }
        return Int(line.split(separator: " ")[1]) ?? 0
    }

    func testDieAtEveryStepThenRecover() throws {
        let n = try stepCount()
        XCTAssertGreaterThanOrEqual(n, 8)
        guard n > 0 else { return }
        var exact = 0
        for step in 1...n {
            let root = try RootFixture("debian12")
            let original = root.manifest()
            let r = HardenRunner.run(["apply", "--root", root.path, "--profile", profile, "--yes"], env: ["HARDEN_FAULT": "die:\(step)"])
            XCTAssertNotEqual(r.status, 0, "step \(step): the process must have died")
            XCTAssertFalse(r.stdout.contains("applied "), "step \(step)")
            let rec = HardenRunner.run(["recover", "--root", root.path])
            XCTAssertEqual(rec.status, 0, rec.stderr)
            XCTAssertTrue(rec.stdout.contains("recovered: rolled back open transaction"), rec.stdout)
            let after = root.manifest()
            XCTAssertEqual(after, original, "step \(step):\n\(Manifest.diff(original, after))")
            if after == original { exact += 1 }
            // and the next apply works normally
            XCTAssertEqual(HardenRunner.run(["apply", "--root", root.path, "--profile", profile, "--yes"]).status, 0)
        }
        print("crash sweep: \(exact) of \(n) steps recovered exactly")
    }

    func testENOSPCAtEveryStepRollsBack() throws {
        let n = try stepCount()
        guard n > 0 else { return }
        for step in 1...n {
            let root = try RootFixture("debian12")
            let original = root.manifest()
            let r = HardenRunner.run(["apply", "--root", root.path, "--profile", profile, "--yes"], env: ["HARDEN_FAULT": "enospc:\(step)"])
            XCTAssertEqual(r.status, 1, "step \(step)")
            XCTAssertTrue(r.stderr.contains("failed: ") && r.stderr.contains("No space left on device"), r.stderr)
            XCTAssertTrue(r.stderr.contains("the host is as it was"), r.stderr)
            XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, "one line: \(r.stderr)")
            XCTAssertEqual(root.manifest(), original, "step \(step)")
        }
    }

    func testRealKill9AtRandomMoments() throws {
        let applied: [String: String] = try {
            let r = try RootFixture("debian12")
            _ = HardenRunner.run(["apply", "--root", r.path, "--profile", profile, "--yes"])
            return r.manifest()
        }()
        var outcomes: [String: Int] = [:]
        for i in 0..<16 {
            let root = try RootFixture("debian12")
            let original = root.manifest()
            let p = Process()
            p.executableURL = HardenRunner.binary
            p.arguments = ["apply", "--root", root.path, "--profile", profile, "--yes"]
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            usleep(UInt32(1_000 * (i * 97 % 1500)))
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
            XCTAssertEqual(HardenRunner.run(["recover", "--root", root.path]).status, 0)
            let m = root.manifest()
            if m == original {
                outcomes["original", default: 0] += 1
            } else if m == applied {
                outcomes["applied", default: 0] += 1
            } else {
                XCTFail("kill at \(i): neither original nor applied:\n\(Manifest.diff(original, m))")
            }
        }
        print("kill -9 outcomes: \(outcomes)")
    }
}
