import CHardenSys
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

    /// Paths with other owners, setuid bits, a file capability (which a chown drops) and a user
    /// attribute: a batch that chowns and chmods them (and single owner/mode steps on such
    /// files) is undone exactly by rollback, by recovery after a crash before or in the middle of
    /// every step, and after a failure half-way.
    func testBatchedApplyIsUndoneExactlyAtEveryStep() throws {
        let rules = """
            profile: batch
            rules:
              - {id: k1, keyvalue: {path: /etc/login.defs, set: {PASS_MAX_DAYS: "365"}}}
              - {id: b1, file: {path: "/srv/batch/*", owner: root, group: root, mode: "0640"}}
              - {id: b2, file: {path: "/srv/other/*", mode: "0600"}}
              - {id: s1, file: {path: /srv/single-chown, owner: root, mode: "0750"}}
              - {id: s2, file: {path: /srv/single-chmod, mode: "0700"}}

            """
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("batch-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let p = dir.appendingPathComponent("batch.yaml").path
        try rules.write(toFile: p, atomically: false, encoding: .utf8)
        func prepare() throws -> RootFixture {
            let root = try RootFixture("debian12")
            for (i, (uid, gid, mode)) in [(1000, 1000, 0o4755), (0, 0, 0o644), (1000, 0, 0o2775), (0, 1000, 0o666)].enumerated() {
                let f = root.file("/srv/batch/f\(i)")
                try root.write("/srv/batch/f\(i)", "file \(i)\n")
                XCTAssertEqual(chown(f, uid_t(uid), gid_t(gid)), 0)
                XCTAssertEqual(chmod(f, mode_t(mode)), 0)
            }
            try FileManager.default.createDirectory(atPath: root.file("/srv/batch/dir"), withIntermediateDirectories: true)
            XCTAssertEqual(chown(root.file("/srv/batch/dir"), 1000, 1000), 0)
            // v2 file capability: cap_net_bind_service, effective
            let cap: [UInt8] = [1, 0, 0, 2, 0, 4, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
            try root.write("/srv/single-chown", "c\n")
            try root.write("/srv/single-chmod", "m\n")
            XCTAssertEqual(chown(root.file("/srv/single-chown"), 1000, 1000), 0)
            for (rel, mode) in [("/srv/batch/f0", 0o4755), ("/srv/single-chown", 0o4755), ("/srv/single-chmod", 0o755)] {
                let fd = open(root.file(rel), O_RDONLY)
                if fd >= 0 {
                    _ = cap.withUnsafeBytes { harden_fsetxattr(fd, "security.capability", $0.baseAddress, UInt($0.count)) }
                    _ = "kept".withCString { harden_fsetxattr(fd, "user.note", $0, 4) }
                    close(fd)
                }
                XCTAssertEqual(chmod(root.file(rel), mode_t(mode)), 0)
                XCTAssertTrue(root.manifest()[rel]?.contains("xattr:security.capability=") ?? false, "no file capabilities here")
            }
            for i in 0..<3 { try root.write("/srv/other/o\(i)", "o\n") }
            return root
        }
        // the steps: login.defs, the b1 batch, the b2 batch, one meta step each for s1 and s2
        let root = try prepare()
        let original = root.manifest()
        let apply = HardenRunner.run(["apply", "--yes", "--root", root.path, "--profile", p])
        XCTAssertEqual(apply.status, 0, apply.stderr)
        XCTAssertTrue(apply.stdout.contains("[2/5] chown+chmod 0640 5 paths (/srv/batch/dir ... /srv/batch/f3)\n"), apply.stdout)
        XCTAssertTrue(apply.stdout.contains("[3/5] chmod 0600 3 paths"), apply.stdout)
        XCTAssertTrue(apply.stdout.contains("/5] chown+chmod 0750 /srv/single-chown\n"), apply.stdout)
        XCTAssertNotEqual(root.manifest(), original)
        let back = HardenRunner.run(["rollback", "--yes", "--root", root.path])
        XCTAssertEqual(back.status, 0, back.stderr)
        XCTAssertEqual(root.manifest(), original, Manifest.diff(original, root.manifest()))

        // rollback refuses a path changed since, by name, unless --force
        let again = try prepare()
        let againOriginal = again.manifest()
        XCTAssertEqual(HardenRunner.run(["apply", "--yes", "--root", again.path, "--profile", p]).status, 0)
        XCTAssertEqual(chmod(again.file("/srv/batch/f2"), 0o600), 0)
        let refused = HardenRunner.run(["rollback", "--yes", "--root", again.path])
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.stderr.contains("/srv/batch/f2: mode changed since the transaction"), refused.stderr)
        XCTAssertEqual(HardenRunner.run(["rollback", "--yes", "--force", "--root", again.path]).status, 0)
        XCTAssertEqual(again.manifest(), againOriginal, Manifest.diff(againOriginal, again.manifest()))

        for fault in (1...5).flatMap({ ["die:\($0)", "diemid:\($0)"] }) {
            let root = try prepare()
            let original = root.manifest()
            let r = HardenRunner.run(["apply", "--yes", "--root", root.path, "--profile", p], env: ["HARDEN_FAULT": fault])
            XCTAssertNotEqual(r.status, 0, fault)
            let rec = HardenRunner.run(["recover", "--root", root.path])
            XCTAssertEqual(rec.status, 0, rec.stderr)
            XCTAssertEqual(root.manifest(), original, "\(fault):\n" + Manifest.diff(original, root.manifest()))
        }
        for fault in (1...5).map({ "enospc:\($0)" }) {
            let root = try prepare()
            let original = root.manifest()
            let r = HardenRunner.run(["apply", "--yes", "--root", root.path, "--profile", p], env: ["HARDEN_FAULT": fault])
            XCTAssertEqual(r.status, 1, fault)
            XCTAssertTrue(r.stderr.contains("No space left on device") && r.stderr.contains("the host is as it was"), r.stderr)
            XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr)
            XCTAssertEqual(root.manifest(), original, "\(fault):\n" + Manifest.diff(original, root.manifest()))
        }
    }
}
