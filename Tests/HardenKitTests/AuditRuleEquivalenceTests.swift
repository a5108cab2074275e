import XCTest

@testable import HardenKit

/// Semantic comparison of audit rules (`AuditRule ==`), each pair compared both ways.
final class AuditRuleEquivalenceTests: XCTestCase {
    private func rule(_ text: String, directory: Bool = false, file: StaticString = #filePath, line: UInt = #line)
        -> AuditRule?
    {
        switch AuditRule.parse(text) {
        case .success(let r): return r.resolvingWatch(isDirectory: directory)
        case .failure(let p):
            XCTFail("\(text): \(p)", file: file, line: line)
            return nil
        }
    }

    /// Pairs written differently that mean the same thing to the kernel.
    static let equal: [(String, String)] = [
        (
            "-a always,exit -F arch=b64 -S adjtimex -S settimeofday -k time-change",
            "-a always,exit -F arch=b64 -S adjtimex,settimeofday -k time-change"
        ),
        (
            "-a always,exit -F arch=b64 -S settimeofday,adjtimex -k time-change",
            "-a always,exit -F arch=b64 -S adjtimex -S settimeofday -k time-change"
        ),
        ("-w /etc/group -p wa -k identity", "-w /etc/group -p wa -F key=identity"),
        (
            "-a always,exit -F arch=b64 -S mount -F auid>=1000 -F auid!=4294967295 -k mounts",
            "-a always,exit -F arch=b64 -S mount -F auid!=4294967295 -F auid>=1000 -k mounts"
        ),
        ("-a always,exit -F arch=b64 -S mount -k mounts", "-a exit,always -F arch=b64 -S mount -k mounts"),
        (
            "-a always,exit -F arch=b64 -S mount -F auid!=-1 -k mounts",
            "-a always,exit -F arch=b64 -S mount -F auid!=4294967295 -k mounts"
        ),
        (
            "-a always,exit -F arch=b64 -S mount -F auid!=unset -k mounts",
            "-a always,exit -F arch=b64 -S mount -F auid!=4294967295 -k mounts"
        ),
        ("-w /etc/passwd -p wa -k identity", "-w /etc/passwd -p aw -k identity"),
        ("-w /etc/passwd -p wa -k identity", "-a always,exit -F path=/etc/passwd -F perm=wa -F key=identity"),
        ("-w /etc/passwd -k x", "-a always,exit -F path=/etc/passwd -F perm=rwxa -k x"),
        (
            "-a always,exit -F arch=b64 -S open -F loginuid>=1000 -k k",
            "-a always,exit -F arch=b64 -S open -F auid>=1000 -k k"
        ),
        ("-a always,exit -F arch=b64 -S open -k k", "-a always,exit -F arch=x86_64 -S open -k k"),
        ("-a always,exit -F arch=b32 -S stime -k k", "-a always,exit -F arch=i686 -S stime -k k"),
        ("-a always,exit -F arch=b64 -S 2 -k k", "-a always,exit -F arch=b64 -S open -k k"),
        (
            "-a always,exit -F arch=b64 -S open -F exit=-EACCES -k access",
            "-a always,exit -F arch=b64 -S open -F exit=-13 -k access"
        ),
        (
            "-a always,exit -F arch=b64 -S clock_settime -F a0=0x0 -k time-change",
            "-a always,exit -F arch=b64 -S clock_settime -F a0=0 -k time-change"
        ),
        (
            "-a always,exit -F arch=b64 -C euid!=uid -F auid!=unset -S execve -k user_emulation",
            "-a always,exit -F arch=b64 -S execve -C uid!=euid -F auid!=-1 -k user_emulation"
        ),
        (
            "-a always,exit -F path=/usr/bin/passwd -F perm=x -k privileged",
            "-a always,exit -S all -F path=/usr/bin/passwd -F perm=x -k privileged"
        ),
        ("-A always,exit -F arch=b64 -S mount -k mounts", "-a always,exit -F arch=b64 -S mount -k mounts"),
        ("-a always,exit -F path=/etc/x -F perm=wa -k k", "-a always,exit -F path=/etc/x -p wa -k k"),
        ("-e 2", "  -e 2  "),
        ("-b 8192", "-b 0x2000"),
        ("--backlog_wait_time 60000", "--backlog_wait_time=60000"),
        ("-a always,exit -F arch=b64 -Sopen -k k", "-a always,exit -F arch=b64 -S open -k k"),
        (
            "-a always,exit -F arch=b64 -S open -F auid>=1000 -k k",
            "-a always,exit -F arch=b64 -S open -F auid>=0x3e8 -k k"
        ),
        (
            "-a always,exit -F arch=b64 -S execve -C auid!=obj_uid -k k",
            "-a always,exit -F arch=b64 -S execve -C obj_uid!=auid -k k"
        ),
        ("-w /etc/selinux/ -p wa -k MAC-policy", "-w /etc/selinux -p wa -k MAC-policy"),
        ("-w /etc/x -p wa -k a -k b", "-w /etc/x -p wa -F key=a -k b"),
        (
            "-a always,exit -F dir=/etc/sudoers.d/ -F perm=wa -k scope",
            "-a always,exit -F dir=/etc/sudoers.d -F perm=wa -k scope"
        ),
        ("-a always,exit -F arch=b64 -S all -k k", "-a always,exit -F arch=b64 -S open,all -k k"),
    ]

    /// Pairs that differ in exactly one detail.
    static let different: [(String, String)] = [
        (
            "-a always,exit -F arch=b64 -S adjtimex,settimeofday -k time-change",
            "-a always,exit -F arch=b64 -S adjtimex -k time-change"
        ),
        ("-a always,exit -F arch=b64 -S mount -k mounts", "-a always,exit -F arch=b32 -S mount -k mounts"),
        ("-w /etc/passwd -p wa -k identity", "-w /etc/passwd -p wa -k identities"),
        ("-w /etc/passwd -p wa -k identity", "-w /etc/passwd -p w -k identity"),
        (
            "-a always,exit -F arch=b64 -S mount -F auid>=1000 -k m",
            "-a always,exit -F arch=b64 -S mount -F auid>1000 -k m"
        ),
        (
            "-a always,exit -F arch=b64 -S mount -F auid!=unset -k m",
            "-a always,exit -F arch=b64 -S mount -F auid!=0 -k m"
        ),
        ("-a always,exit -F arch=b64 -S mount -k m", "-a never,exit -F arch=b64 -S mount -k m"),
        ("-w /etc/passwd -p wa -k identity", "-a always,exit -F arch=b64 -F path=/etc/passwd -F perm=wa -k identity"),
        ("-w /etc/passwd -k identity", "-a always,exit -F path=/etc/passwd -k identity"),
        ("-w /etc/x -p wa -k a -k b", "-w /etc/x -p wa -k b -k a"),
        ("-e 1", "-e 2"),
        (
            "-a always,exit -F arch=b64 -S execve -C euid!=uid -k k",
            "-a always,exit -F arch=b64 -S execve -C euid=uid -k k"
        ),
        (
            "-a always,exit -F arch=b64 -S open -F exit=-EACCES -k access",
            "-a always,exit -F arch=b64 -S open -F exit=-EPERM -k access"
        ),
        ("-a always,exit -S open -k k", "-a always,exit -F arch=b64 -S open -k k"),
        (
            "-a always,exit -F arch=b64 -S open -F auid>=1000 -k k",
            "-a always,exit -F arch=b64 -S open -F uid>=1000 -k k"
        ),
        ("-b 8192", "-b 8191"),
    ]

    func testEqualInMeaningBothWays() {
        XCTAssertGreaterThanOrEqual(Self.equal.count, 20)
        for (a, b) in Self.equal {
            guard let x = rule(a), let y = rule(b) else { continue }
            XCTAssertEqual(x, y, "\(a)  ==  \(b)")
            XCTAssertEqual(y, x, "\(b)  ==  \(a)")
            XCTAssertEqual(x.canonicalText, y.canonicalText)
        }
    }

    func testDifferentInOneDetailBothWays() {
        XCTAssertGreaterThanOrEqual(Self.different.count, 10)
        for (a, b) in Self.different {
            guard let x = rule(a), let y = rule(b) else { continue }
            XCTAssertNotEqual(x, y, "\(a)  !=  \(b)")
            XCTAssertNotEqual(y, x, "\(b)  !=  \(a)")
            XCTAssertNotEqual(x.canonicalText, y.canonicalText)
        }
    }

    /// A watch on a directory is `dir=` once resolved; on anything else it is `path=`.
    func testWatchResolution() {
        let watch = "-w /etc/sudoers.d/ -p wa -k scope"
        let dir = "-a always,exit -F dir=/etc/sudoers.d -F perm=wa -k scope"
        let path = "-a always,exit -F path=/etc/sudoers.d -F perm=wa -k scope"
        guard let wDir = rule(watch, directory: true), let wFile = rule(watch, directory: false),
            let d = rule(dir, directory: true), let p = rule(path, directory: true)
        else { return }
        XCTAssertEqual(wDir, d)
        XCTAssertEqual(d, wDir)
        XCTAssertNotEqual(wDir, p)
        XCTAssertEqual(wFile, p)
        XCTAssertNotEqual(wFile, d)
        XCTAssertEqual(wDir.canonicalText, "-a always,exit -F dir=/etc/sudoers.d -F perm=wa -k scope")
    }

    func testCanonicalText() {
        let r = rule(
            "-a exit,always -F auid!=-1 -F arch=b64 -S settimeofday -F auid>=1000 -S adjtimex -F key=time-change")
        XCTAssertEqual(
            r?.canonicalText,
            "-a always,exit -F arch=b64 -S adjtimex,settimeofday -F auid!=unset -F auid>=1000 -k time-change")
        XCTAssertEqual(rule("-b 0x2000")?.canonicalText, "-b 8192")
        XCTAssertEqual(
            rule("-a always,exit -F arch=b64 -S open -F exit=-13 -k a")?.canonicalText,
            "-a always,exit -F arch=b64 -S open -F exit=-EACCES -k a")
        XCTAssertEqual(rule("-D -k x")?.canonicalText, "-D -k x")
    }
}
