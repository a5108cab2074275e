import Foundation
import XCTest

/// The shipped profiles on the fixture roots: validate clean; apply; check passes every rule;
/// the tree passes the real `sshd -t`; a second apply changes nothing; rollback restores it.
final class ProfileAcceptanceTests: XCTestCase {
    let profiles = HardenRunner.repo.appendingPathComponent("profiles")

    func testEveryShippedProfileValidatesCleanAndLists() throws {
        var files = try FileManager.default.contentsOfDirectory(atPath: profiles.path).filter { $0.hasSuffix(".yaml") }.map { "profiles/" + $0 }
        files += try FileManager.default.contentsOfDirectory(atPath: profiles.appendingPathComponent("base").path).filter { $0.hasSuffix(".yaml") }.map { "profiles/base/" + $0 }
        XCTAssertGreaterThanOrEqual(files.count, 10)
        let r = HardenRunner.run(["validate", "--strict"] + files.sorted(), cwd: HardenRunner.repo)
        XCTAssertEqual(r.status, 0, r.stderr)
        XCTAssertEqual(r.stderr, "")
        for name in ["cis-debian12-l1", "cis-debian12-l2", "cis-ubuntu2204-l1", "cis-alinux2-l1", "cis-alinux3-l1", "cis-ack-node", "mlps3", "ack-node"] {
            let rules = HardenRunner.run(["rules", "--profile", name])
            XCTAssertEqual(rules.status, 0, "\(name): \(rules.stderr)")
            XCTAssertTrue(rules.stdout.split(separator: "\n").last?.contains(" rules (") == true, name)
        }
        // every rule carries refs, a title and a severity
        let json = HardenRunner.run(["rules", "--profile", "ack-node", "--format", "json"])
        let obj = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as! [String: Any]
        for rule in obj["rules"] as! [[String: Any]] {
            XCTAssertFalse((rule["refs"] as? [String: String] ?? [:]).isEmpty, "\(rule["id"]!) has no refs")
            XCTAssertNotNil(rule["title"], "\(rule["id"]!) has no title")
        }
    }

    /// `sshd -t` of the applied tree with this machine's sshd, in a private mount namespace.
    func sshdAccepts(_ root: RootFixture) -> (Bool, String) {
        let script = """
            set -e
            mount --bind "$1/etc/ssh" /etc/ssh
            mount -t tmpfs t /run && mkdir -p /run/sshd
            ssh-keygen -q -t ed25519 -N '' -f /run/k
            exec /usr/sbin/sshd -t -f /etc/ssh/sshd_config -o HostKey=/run/k
            """
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/unshare")
        p.arguments = ["--mount", "--propagation", "private", "--", "/bin/sh", "-c", script, "sh", root.path]
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        try? p.run()
        p.waitUntilExit()
        return (p.terminationStatus == 0, String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
    }

    func accept(_ profile: String, on name: String, file: StaticString = #filePath, line: UInt = #line) throws {
        let root = try RootFixture(name)
        let original = root.manifest()
        let first = HardenRunner.run(["apply", "--root", root.path, "--profile", profile, "--yes"])
        XCTAssertEqual(first.status, 0, "\(profile) on \(name): \(first.stdout.suffix(2000)) \(first.stderr)", file: file, line: line)
        XCTAssertTrue(first.stdout.contains("preflight: sshd -t passed"), first.stdout, file: file, line: line)
        let check = HardenRunner.run(["check", "--root", root.path, "--profile", profile])
        XCTAssertEqual(check.status, 0, "\(profile) on \(name): \(check.stdout)", file: file, line: line)
        XCTAssertTrue(check.stdout.contains(" 0 failed, ") && check.stdout.hasSuffix(" 0 errors\n"), check.stdout, file: file, line: line)
        let (ok, output) = sshdAccepts(root)
        XCTAssertTrue(ok, "sshd -t rejects the applied tree: \(output)", file: file, line: line)
        let applied = root.manifest(times: true)
        let second = HardenRunner.run(["apply", "--root", root.path, "--profile", profile, "--yes"])
        XCTAssertEqual(second.stdout, "no changes\n", second.stderr, file: file, line: line)
        XCTAssertEqual(root.manifest(times: true), applied, file: file, line: line)
        let back = HardenRunner.run(["rollback", "--root", root.path, "--yes"])
        XCTAssertEqual(back.status, 0, back.stderr, file: file, line: line)
        XCTAssertEqual(root.manifest(), original, Manifest.diff(original, root.manifest()), file: file, line: line)
    }

    func testCISDebian12L2OnDebian12() throws { try accept("cis-debian12-l2", on: "debian12") }
    func testCISDebian12L1OnTheCloudInitRoot() throws { try accept("cis-debian12-l1", on: "debian12-cloudinit") }
    func testCISUbuntu2204L1OnDebian12() throws { try accept("cis-ubuntu2204-l1", on: "debian12") }
    func testCISAlinux2L1OnAlinux2() throws { try accept("cis-alinux2-l1", on: "alinux2") }
    func testCISAlinux2L2OnAlinux2() throws { try accept("cis-alinux2-l2", on: "alinux2") }
    func testCISAlinux3L1OnAlinux3() throws { try accept("cis-alinux3-l1", on: "alinux3") }
    func testACKNodeOnAlinux3() throws { try accept("ack-node", on: "alinux3") }

    func testACKNodeSettlesKubernetesConflicts() throws {
        let root = try RootFixture("alinux3")
        _ = HardenRunner.run(["apply", "--root", root.path, "--profile", "ack-node", "--yes"])
        let plan = HardenRunner.run(["plan", "--root", root.path, "--profile", "ack-node", "--format", "json"])
        let obj = try JSONSerialization.jsonObject(with: Data(plan.stdout.utf8)) as! [String: Any]
        let obs = Dictionary((obj["observations"] as! [[String: Any]]).map { ($0["resource"] as! String, $0) }, uniquingKeysWith: { a, _ in a })
        XCTAssertEqual(obs["sysctl:net.ipv4.ip_forward"]?["desired"] as? String, "1")
        XCTAssertEqual(obs["sysctl:net.bridge.bridge-nf-call-iptables"]?["desired"] as? String, "1")
        XCTAssertEqual(obs["sysctl:vm.overcommit_memory"]?["desired"] as? String, "1")
        XCTAssertEqual(obs["sysctl:kernel.panic"]?["desired"] as? String, "10")
        let conf = root.read("/etc/audit/auditd.conf") ?? ""
        XCTAssertFalse(conf.contains("= halt") || conf.contains("= single") || conf.contains("=halt"), conf)
        XCTAssertEqual(obj["warnings"] as? [String], [], "no node-halting auditd action is left")
    }
}
