import Foundation
import XCTest
@testable import HardenKit

/// The `file` kind on a real temporary tree: ceilings, exact modes, groups, globs, recursion,
/// symlinks, creation, names from the target's passwd/group.
final class FilePlannerTests: XCTestCase {
    var root: URL!
    var host: RootHost!

    override func setUpWithError() throws {
        root = FileManager.default.temporaryDirectory.appendingPathComponent("fileplan-\(UUID().uuidString)")
        for d in ["etc/cron.d", "etc/cron.daily", "var/lib/containerd/x", "etc/ssh"] {
            try FileManager.default.createDirectory(at: root.appendingPathComponent(d), withIntermediateDirectories: true)
        }
        try write("etc/passwd", "root:x:0:0::/root:/bin/bash\nadmin:x:1000:1000::/home/admin:/bin/bash\n", 0o644)
        try write("etc/group", "root:x:0:\nshadow:x:42:\nssh_keys:x:998:\nadmin:x:1000:\n", 0o644)
        try write("etc/shadow", "root:*:1::::::\n", 0o644)
        try write("etc/gshadow", "root:*::\n", 0o600)
        try write("etc/crontab", "# m h dom mon dow user command\n", 0o644)
        try write("etc/cron.d/a", "", 0o644)
        try write("etc/cron.d/b", "", 0o755)
        try write("etc/cron.daily/job", "", 0o755)
        try write("etc/ssh/ssh_host_ed25519_key", "k", 0o640)
        try write("etc/ssh/ssh_host_rsa_key", "k", 0o644)
        try write("var/lib/containerd/x/layer", "", 0o777)
        XCTAssertEqual(chown(root.appendingPathComponent("etc/ssh/ssh_host_ed25519_key").path, 0, 998), 0)
        XCTAssertEqual(chown(root.appendingPathComponent("etc/crontab").path, 1000, 1000), 0)
        try FileManager.default.createSymbolicLink(atPath: root.appendingPathComponent("etc/cron.d/link").path, withDestinationPath: "/etc/shadow")
        host = try RootHost(root: root.path)
    }

    override func tearDown() { try? FileManager.default.removeItem(at: root) }

    func write(_ rel: String, _ text: String, _ mode: mode_t) throws {
        let p = root.appendingPathComponent(rel).path
        try text.write(toFile: p, atomically: false, encoding: .utf8)
        chmod(p, mode)
    }

    func plan(_ d: FileDesired) -> (Observation, [MetadataChange]) {
        let p = FilePlanner.plan(desired: [d], host: host)
        return (p.observations[0], p.metadata)
    }

    func testModeIsACeilingNeverAddingBits() {
        // 0644 under a 0640 ceiling becomes 0640; 0600 is already stricter and stays
        let (o, c) = plan(FileDesired(key: "file:/etc/shadow", path: "/etc/shadow", owner: "root", groups: ["root", "shadow"], mode: 0o640))
        XCTAssertEqual(o.status, .pending)
        XCTAssertEqual(c.map(\.modeAfter), [0o640])
        XCTAssertEqual(c.first?.displayBefore, "root:root 0644")
        XCTAssertEqual(c.first?.displayAfter, "root:root 0640")
        let (o2, c2) = plan(FileDesired(key: "file:/etc/gshadow", path: "/etc/gshadow", mode: 0o640))
        XCTAssertEqual(o2.status, .compliant)
        XCTAssertTrue(c2.isEmpty)
    }

    func testExactModeCanLoosen() {
        let (_, c) = plan(FileDesired(key: "k", path: "/etc/gshadow", mode: 0o640, exactMode: true))
        XCTAssertEqual(c.first?.modeAfter, 0o640)
        XCTAssertEqual(c.first?.modeBefore, 0o600)
    }

    func testGroupListAcceptsAnyAndSetsTheFirst() {
        // ed25519 key is root:ssh_keys 0640, acceptable for [root, ssh_keys]; rsa key is root:root 0644
        let d = FileDesired(key: "k", path: "/etc/ssh/ssh_host_*_key", owner: "root", groups: ["root", "ssh_keys"], mode: 0o640)
        let (o, c) = plan(d)
        XCTAssertEqual(o.status, .pending)
        XCTAssertEqual(c.map(\.path), ["/etc/ssh/ssh_host_rsa_key"])
        XCTAssertNil(c[0].gidAfter, "root is acceptable, so the group is left")
        let (_, c2) = plan(FileDesired(key: "k", path: "/etc/crontab", owner: "root", groups: ["root"]))
        XCTAssertEqual(c2.first?.uidAfter, 0)
        XCTAssertEqual(c2.first?.gidAfter, 0)
        XCTAssertEqual(c2.first?.displayBefore, "admin:admin 0644")
    }

    func testRecursiveWithTypeFilterAndExclude() {
        let d = FileDesired(key: "k", path: "/etc/cron.d", mode: 0o700, recursive: true, type: .file)
        let (_, c) = plan(d)
        XCTAssertEqual(c.map(\.path), ["/etc/cron.d/a", "/etc/cron.d/b"], "files only; the symlink is never followed")
        XCTAssertEqual(c.map(\.modeAfter), [0o600, 0o700])
        let excluded = FileDesired(key: "k", path: "/var/lib", mode: 0o755, recursive: true, exclude: ["/var/lib/containerd"])
        XCTAssertTrue(plan(excluded).1.isEmpty, "container storage excluded")
    }

    func testSymlinkIsNotFollowed() {
        let (o, c) = plan(FileDesired(key: "k", path: "/etc/cron.d/link", mode: 0o600))
        XCTAssertTrue(c.isEmpty)
        XCTAssertEqual(o.warnings, ["/etc/cron.d/link is a symlink; harden never follows symlinks for chmod/chown"])
    }

    func testMissingPathReportedOrCreated() {
        let (o, c) = plan(FileDesired(key: "k", path: "/etc/cron.allow", owner: "root", groups: ["root"], mode: 0o640))
        XCTAssertEqual(o.status, .compliant)
        XCTAssertTrue(c.isEmpty)
        XCTAssertEqual(o.warnings, ["/etc/cron.allow does not exist; nothing to enforce (the rule does not create it)"])
        let (o2, c2) = plan(FileDesired(key: "k", path: "/etc/cron.allow", owner: "root", groups: ["root"], mode: 0o640, create: true))
        XCTAssertEqual(o2.status, .pending)
        XCTAssertEqual(c2.first?.create, .file)
        XCTAssertEqual(c2.first?.modeAfter, 0o640)
    }

    func testUnknownNamesAreErrorsFromTheTargetsFiles() {
        let (o, _) = plan(FileDesired(key: "k", path: "/etc/shadow", owner: "nobody-here"))
        XCTAssertEqual(o.status, .error("user 'nobody-here' does not exist in the target's /etc/passwd"))
        let (o2, _) = plan(FileDesired(key: "k", path: "/etc/shadow", groups: ["nogroup1", "nogroup2"]))
        XCTAssertEqual(o2.status, .error("none of the groups nogroup1, nogroup2 exists in the target's /etc/group"))
    }

    func testGlobMatchingNothing() {
        let (o, c) = plan(FileDesired(key: "k", path: "/etc/nothing/*.conf", mode: 0o600))
        XCTAssertEqual(o.status, .compliant)
        XCTAssertTrue(c.isEmpty)
        XCTAssertEqual(o.warnings, ["/etc/nothing/*.conf matches nothing"])
    }
}
