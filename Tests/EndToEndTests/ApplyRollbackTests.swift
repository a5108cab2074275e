import Foundation
import XCTest

/// The three steps for every resource kind on the fixture roots: apply changes; a second apply
/// changes nothing (mtimes and inodes unchanged); rollback gives back the original manifest.
final class ApplyRollbackTests: XCTestCase {
    static let profiles = HardenRunner.fixtures.appendingPathComponent("profiles")

    func profile(_ name: String) -> String { Self.profiles.appendingPathComponent(name + ".yaml").path }

    func threeSteps(_ kind: String, root name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let root = try RootFixture(name)
        let original = root.manifest()
        let first = HardenRunner.run(["apply", "--root", root.path, "--profile", profile(kind), "--yes"])
        XCTAssertEqual(first.status, 0, "\(kind) on \(name): \(first.stderr)", file: file, line: line)
        XCTAssertTrue(first.stdout.contains("applied "), first.stdout, file: file, line: line)
        let applied = root.manifest(times: true)
        XCTAssertNotEqual(root.manifest(), original, "\(kind) on \(name): the first apply changed nothing", file: file, line: line)
        // the plan is now empty and check passes
        XCTAssertEqual(HardenRunner.run(["plan", "--root", root.path, "--profile", profile(kind)]).status, 0, file: file, line: line)
        XCTAssertEqual(HardenRunner.run(["check", "--root", root.path, "--profile", profile(kind)]).status, 0, file: file, line: line)
        let second = HardenRunner.run(["apply", "--root", root.path, "--profile", profile(kind), "--yes"])
        XCTAssertEqual(second.status, 0, second.stderr, file: file, line: line)
        XCTAssertEqual(second.stdout, "no changes\n", file: file, line: line)
        XCTAssertEqual(root.manifest(times: true), applied, "the second apply rewrote something:\n\(Manifest.diff(applied, root.manifest(times: true)))", file: file, line: line)
        let back = HardenRunner.run(["rollback", "--root", root.path, "--yes"])
        XCTAssertEqual(back.status, 0, back.stderr, file: file, line: line)
        let after = root.manifest()
        XCTAssertEqual(after, original, "rollback differs:\n\(Manifest.diff(original, after))", file: file, line: line)
    }

    func testSshdThreeSteps() throws {
        for root in ["debian12", "debian12-cloudinit", "alinux2", "alinux3"] { try threeSteps("sshd", root: root) }
    }

    func testSysctlThreeSteps() throws {
        for root in ["debian12", "alinux2", "alinux3"] { try threeSteps("sysctl", root: root) }
    }

    func testKeyValueThreeSteps() throws {
        for root in ["debian12", "alinux2", "alinux3"] { try threeSteps("keyvalue", root: root) }
    }

    func testFileThreeSteps() throws {
        for root in ["debian12", "alinux2", "alinux3"] { try threeSteps("file", root: root) }
    }

    func testAuditThreeSteps() throws {
        for root in ["debian12", "alinux2", "alinux3"] { try threeSteps("audit", root: root) }
    }

    func testJournalLayoutAndModes() throws {
        let root = try RootFixture("debian12")
        let r = HardenRunner.run(["apply", "--root", root.path, "--profile", profile("full"), "--yes"])
        XCTAssertEqual(r.status, 0, r.stderr)
        func mode(_ p: String) -> Int { ((try? FileManager.default.attributesOfItem(atPath: p))?[.posixPermissions] as? Int) ?? -1 }
        XCTAssertEqual(mode(root.file("/var/lib/harden")), 0o700)
        XCTAssertEqual(mode(root.file("/var/lib/harden/journal")), 0o700)
        let txs = try FileManager.default.contentsOfDirectory(atPath: root.file("/var/lib/harden/journal"))
        XCTAssertEqual(txs.count, 1)
        let tx = root.file("/var/lib/harden/journal/" + txs[0])
        for f in ["meta.json", "plan.json", "steps.jsonl"] { XCTAssertEqual(mode(tx + "/" + f), 0o600, f) }
        let backups = try FileManager.default.contentsOfDirectory(atPath: tx + "/backups")
        XCTAssertFalse(backups.isEmpty)
        for b in backups { XCTAssertEqual(mode(tx + "/backups/" + b), 0o600) }
        let meta = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: tx + "/meta.json"))) as! [String: Any]
        XCTAssertEqual(meta["state"] as? String, "committed")
        let history = HardenRunner.run(["history", "--root", root.path, "--format", "json"])
        let h = try JSONSerialization.jsonObject(with: Data(history.stdout.utf8)) as! [String: Any]
        XCTAssertEqual((h["transactions"] as? [[String: Any]])?.first?["id"] as? String, txs[0])
        // steps are journaled begin-before-done, each begin with the original state
        let steps = try String(contentsOfFile: tx + "/steps.jsonl", encoding: .utf8).split(separator: "\n")
        XCTAssertEqual(steps.count % 2, 0)
        XCTAssertTrue(steps[0].contains("\"phase\":\"begin\""))
        XCTAssertTrue(steps[1].contains("\"phase\":\"done\""))
    }

    func testCompliantHostWritesNothingAtAll() throws {
        let root = try RootFixture("debian12")
        _ = HardenRunner.run(["apply", "--root", root.path, "--profile", profile("full"), "--yes"])
        let journal = Manifest.of(root.file("/var/lib/harden"), times: true, excluding: ["/lock"])
        let before = root.manifest(times: true)
        let again = HardenRunner.run(["apply", "--root", root.path, "--profile", profile("full"), "--yes"])
        XCTAssertEqual(again.stdout, "no changes\n")
        XCTAssertEqual(root.manifest(times: true), before)
        XCTAssertEqual(Manifest.of(root.file("/var/lib/harden"), times: true, excluding: ["/lock"]), journal, "no empty transaction")
    }
}
