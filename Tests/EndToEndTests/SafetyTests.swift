import Foundation
import XCTest

/// Stale plans, drift, concurrency, validation and the lockout guard.
final class SafetyTests: XCTestCase {
    func profile(_ name: String) -> String { ApplyRollbackTests.profiles.appendingPathComponent(name + ".yaml").path }

    func testSavedPlanAppliesAndAStalePlanIsRefused() throws {
        let root = try RootFixture("debian12")
        let planFile = root.url.deletingLastPathComponent().appendingPathComponent("plan.json").path
        let p = HardenRunner.run(["plan", "--root", root.path, "--profile", profile("full"), "--out", planFile])
        XCTAssertEqual(p.status, 2)
        XCTAssertEqual(((try FileManager.default.attributesOfItem(atPath: planFile))[.posixPermissions] as? Int), 0o600)
        try root.write("/etc/login.defs", (root.read("/etc/login.defs") ?? "") + "# edited after the plan\n")
        let original = root.manifest()
        let stale = HardenRunner.run(["apply", planFile, "--root", root.path, "--yes"])
        XCTAssertEqual(stale.status, 1)
        XCTAssertEqual(stale.stderr, "error: the saved plan is stale: changed since it was made: /etc/login.defs; run plan again\n")
        XCTAssertEqual(root.manifest(), original, "nothing written")
        // a fresh saved plan applies
        _ = HardenRunner.run(["plan", "--root", root.path, "--profile", profile("full"), "--out", planFile])
        let ok = HardenRunner.run(["apply", planFile, "--root", root.path, "--yes"])
        XCTAssertEqual(ok.status, 0, ok.stderr)
        XCTAssertEqual(HardenRunner.run(["plan", "--root", root.path, "--profile", profile("full")]).status, 0)
        XCTAssertEqual(HardenRunner.run(["rollback", "--root", root.path, "--yes"]).status, 0)
        XCTAssertEqual(root.manifest(), original)
    }

    func testDriftIsRefusedOnRollbackUnlessForced() throws {
        let root = try RootFixture("debian12")
        let original = root.manifest()
        XCTAssertEqual(HardenRunner.run(["apply", "--root", root.path, "--profile", profile("keyvalue"), "--yes"]).status, 0)
        try root.write("/etc/login.defs", "# someone edited this by hand\n")
        let refused = HardenRunner.run(["rollback", "--root", root.path, "--yes"])
        XCTAssertEqual(refused.status, 1)
        XCTAssertTrue(refused.stderr.contains("/etc/login.defs: content changed since the transaction"), refused.stderr)
        XCTAssertEqual(root.read("/etc/login.defs"), "# someone edited this by hand\n", "nothing restored")
        let forced = HardenRunner.run(["rollback", "--root", root.path, "--yes", "--force"])
        XCTAssertEqual(forced.status, 0, forced.stderr)
        XCTAssertEqual(root.manifest(), original)
    }

    func testASecondHardenWaitsThenFailsNamingTheHolder() throws {
        let root = try RootFixture("debian12")
        // hold the lock (a flock on the root directory) from this process
        let fd = open(root.path, O_RDONLY | O_DIRECTORY)
        XCTAssertEqual(flock(fd, LOCK_EX | LOCK_NB), 0)
        let original = root.manifest()
        let start = Date()
        let r = HardenRunner.run(["apply", "--root", root.path, "--profile", profile("full"), "--yes"])
        XCTAssertEqual(r.status, 1)
        XCTAssertEqual(r.stderr, "error: \(root.path): another harden is running on this root (pid \(getpid()))\n")
        XCTAssertGreaterThan(Date().timeIntervalSince(start), 2, "it waits briefly first")
        XCTAssertEqual(root.manifest(), original)
        close(fd)
    }

    func testTwoConcurrentAppliesNeverBothWrite() throws {
        let root = try RootFixture("debian12")
        // two processes started together; their output goes to files
        let dir = root.url.deletingLastPathComponent()
        var procs: [(Process, URL, URL)] = []
        for i in 0..<2 {
            let out = dir.appendingPathComponent("out\(i)")
            let err = dir.appendingPathComponent("err\(i)")
            FileManager.default.createFile(atPath: out.path, contents: nil)
            FileManager.default.createFile(atPath: err.path, contents: nil)
            let p = Process()
            p.executableURL = HardenRunner.binary
            p.arguments = ["apply", "--root", root.path, "--profile", profile("full"), "--yes"]
            p.standardOutput = try FileHandle(forWritingTo: out)
            p.standardError = try FileHandle(forWritingTo: err)
            procs.append((p, out, err))
        }
        for (p, _, _) in procs { try p.run() }
        var results: [HardenRunner.Result] = []
        for (p, out, err) in procs {
            p.waitUntilExit()
            results.append(HardenRunner.Result(
                status: p.terminationStatus, stdout: (try? String(contentsOf: out, encoding: .utf8)) ?? "",
                stderr: (try? String(contentsOf: err, encoding: .utf8)) ?? ""))
        }
        let applied = results.filter { $0.stdout.contains("\napplied ") }
        XCTAssertEqual(applied.count, 1, results.map { $0.stdout + $0.stderr }.joined(separator: "\n---\n"))
        let other = results.first { !$0.stdout.contains("\napplied ") }!
        XCTAssertTrue(other.stdout.hasSuffix("no changes\n") || other.stderr.contains("another harden is running"), other.stdout + other.stderr)
        let history = HardenRunner.run(["history", "--root", root.path])
        XCTAssertEqual(history.stdout.split(separator: "\n").count, 1, history.stdout)
    }

    func testSshdRejectingTheCandidateWritesNothing() throws {
        XCTAssertTrue(FileManager.default.isExecutableFile(atPath: "/usr/sbin/sshd"), "make test installs openssh-server")
        let root = try RootFixture("debian12")
        let dir = root.url.deletingLastPathComponent()
        let bad = dir.appendingPathComponent("bad.yaml").path
        try "profile: bad\nrules:\n  - {id: bad-tries, sshd: {MaxAuthTries: lots}}\n".write(toFile: bad, atomically: true, encoding: .utf8)
        let original = root.manifest()
        let r = HardenRunner.run(["apply", "--root", root.path, "--profile", bad, "--yes"])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("error: preflight sshd-validate: sshd -t rejects the candidate configuration: /etc/ssh/sshd_config.d/00-harden.conf line 2: MaxAuthTries integer value invalid."), r.stderr)
        XCTAssertTrue(r.stderr.hasSuffix("nothing was changed\n"))
        XCTAssertEqual(root.manifest(), original)
        XCTAssertFalse(FileManager.default.fileExists(atPath: root.file("/var/lib/harden/journal/x")))
        // a valid candidate passes the same check
        let good = HardenRunner.run(["apply", "--root", root.path, "--profile", profile("sshd"), "--yes"])
        XCTAssertEqual(good.status, 0, good.stderr)
        XCTAssertTrue(good.stdout.contains("preflight: sshd -t passed (this machine's sshd)"), good.stdout)
    }

    func testLockoutGuard() throws {
        // no user has a key: disabling password authentication is refused
        let root = try RootFixture("debian12")
        try FileManager.default.removeItem(atPath: root.file("/home/admin/.ssh/authorized_keys"))
        let original = root.manifest()
        let r = HardenRunner.run(["apply", "--root", root.path, "--profile", profile("sshd"), "--yes"])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("error: preflight lockout: PermitRootLogin no and PasswordAuthentication no would lock everyone out"), r.stderr)
        XCTAssertEqual(root.manifest(), original)
        // an expert can pass that one check by name
        let forced = HardenRunner.run(["apply", "--root", root.path, "--profile", profile("sshd"), "--yes", "--force-risk", "lockout"])
        XCTAssertEqual(forced.status, 0, forced.stderr)
        // with a user key it passes without forcing
        let withKey = try RootFixture("debian12")
        let ok = HardenRunner.run(["apply", "--root", withKey.path, "--profile", profile("sshd"), "--yes"])
        XCTAssertEqual(ok.status, 0, ok.stderr)
    }

    func testAnImmutableFileStopsTheApplyAndRollsBack() throws {
        let root = try RootFixture("debian12")
        let original = root.manifest()
        func chattr(_ flag: String) {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: "/usr/bin/chattr")
            p.arguments = [flag, root.file("/etc/security/pwquality.conf")]
            try? p.run()
            p.waitUntilExit()
            XCTAssertEqual(p.terminationStatus, 0, "chattr \(flag) (e2fsprogs, ext4)")
        }
        chattr("+i")
        defer { chattr("-i") }
        let r = HardenRunner.run(["apply", "--root", root.path, "--profile", profile("keyvalue"), "--yes"])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("/etc/security/pwquality.conf") && r.stderr.contains("Operation not permitted") && r.stderr.contains("the host is as it was"), r.stderr)
        XCTAssertEqual(r.stderr.split(separator: "\n").count, 1, r.stderr)
        XCTAssertEqual(root.manifest(), original)
    }

    func testApplyOffATerminalNeedsYes() throws {
        let root = try RootFixture("debian12")
        let original = root.manifest()
        let r = HardenRunner.run(["apply", "--root", root.path, "--profile", profile("full")])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.hasSuffix("error: not on a terminal: pass --yes to confirm; nothing was changed\n"), r.stderr)
        XCTAssertEqual(root.manifest(), original)
    }
}

/// Saved plans: errors refused, owner/mode drift and new files in scanned directories make a
/// plan stale, the diff shown is the real one, and the convergence check still runs.
final class SavedPlanTests: XCTestCase {
    func profile(_ name: String) -> String { ApplyRollbackTests.profiles.appendingPathComponent(name + ".yaml").path }

    func save(_ root: RootFixture, _ profile: String) -> String {
        let planFile = root.url.deletingLastPathComponent().appendingPathComponent("plan-\(UUID().uuidString).json").path
        _ = HardenRunner.run(["plan", "--root", root.path, "--profile", profile, "--out", planFile])
        return planFile
    }

    func testOwnerOrModeChangedSinceMakesThePlanStale() throws {
        let root = try RootFixture("debian12")
        let planFile = save(root, profile("file"))
        chmod(root.file("/etc/crontab"), 0o400)
        let r = HardenRunner.run(["apply", planFile, "--root", root.path, "--yes"])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("the saved plan is stale") && r.stderr.contains("/etc/crontab (owner or mode)"), r.stderr)
        XCTAssertEqual(((try FileManager.default.attributesOfItem(atPath: root.file("/etc/crontab")))[.posixPermissions] as? Int), 0o400)
    }

    func testANewFileInAScannedDirectoryMakesThePlanStale() throws {
        let root = try RootFixture("debian12")
        let planFile = save(root, profile("sysctl"))
        try root.write("/etc/sysctl.d/70-k8s.conf", "net.ipv4.ip_forward = 1\n")
        let r = HardenRunner.run(["apply", planFile, "--root", root.path, "--yes"])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.contains("/etc/sysctl.d/ (entries added or removed)"), r.stderr)
    }

    func testAPlanWithErrorsIsRefused() throws {
        let root = try RootFixture("debian12")
        try FileManager.default.removeItem(atPath: root.file("/etc/login.defs"))
        let planFile = save(root, profile("keyvalue"))
        let original = root.manifest()
        let r = HardenRunner.run(["apply", planFile, "--root", root.path, "--yes"])
        XCTAssertEqual(r.status, 1)
        XCTAssertTrue(r.stderr.hasSuffix("error: the saved plan has errors; nothing was changed\n"), r.stderr)
        XCTAssertEqual(root.manifest(), original)
    }

    func testTheSavedPlanShowsTheSameDiffAndConverges() throws {
        let root = try RootFixture("debian12")
        let planFile = save(root, profile("full"))
        let planned = HardenRunner.run(["plan", "--root", root.path, "--profile", profile("full")]).stdout
        let r = HardenRunner.run(["apply", planFile, "--root", root.path, "--yes"])
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertTrue(r.stdout.hasPrefix(planned), "apply PLANFILE shows what plan showed:\n\(r.stdout.prefix(1500))")
        XCTAssertFalse(r.stdout.contains("convergence check after applying is skipped"))
        XCTAssertEqual(HardenRunner.run(["plan", "--root", root.path, "--profile", profile("full")]).status, 0)
    }

    func testUnreadablePlanFileIsOneLine() {
        let r = HardenRunner.run(["apply", "/nonexistent/plan.json", "--root", "/tmp", "--yes"])
        XCTAssertEqual(r.status, 1)
        XCTAssertEqual(r.stderr, "error: /nonexistent/plan.json: cannot read: No such file or directory\n")
    }
}
