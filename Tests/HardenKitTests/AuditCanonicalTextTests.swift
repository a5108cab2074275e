import XCTest

@testable import HardenKit

/// `AuditRule.canonicalText` is a line auditctl loads as the same rule (the fuzz findings
/// audit-canonical-key-without-syscall and audit-canonical-watch-path-operator): it parses back
/// to an equal rule with the same canonical text.
final class AuditCanonicalTextTests: XCTestCase {
    /// The canonical text of `text`, after checking that it parses back to an equal rule with
    /// the same canonical text.
    private func canonical(_ text: String, machine: AuditMachine = .x86_64, file: StaticString = #filePath, line: UInt = #line)
        -> String?
    {
        guard case .success(let r) = AuditRule.parse(text, machine: machine) else {
            XCTFail("\(text) is refused", file: file, line: line)
            return nil
        }
        switch AuditRule.parse(r.canonicalText, machine: machine) {
        case .success(let again):
            XCTAssertEqual(again, r, "\(r.canonicalText) reads as another rule", file: file, line: line)
            XCTAssertEqual(again.canonicalText, r.canonicalText, file: file, line: line)
        case .failure(let p):
            XCTFail("canonical text \(r.canonicalText) of \(text) is refused: \(p)", file: file, line: line)
        }
        return r.canonicalText
    }

    func testAKeyWithoutOtherAnchorKeepsSyscallAll() {
        // audit's own 21-no32bit.rules, and its `always` form
        XCTAssertEqual(
            canonical("-a never,exit -F arch=b32 -S all -F key=32bit-abi"), "-a never,exit -F arch=b32 -S all -k 32bit-abi")
        XCTAssertEqual(
            canonical("-a always,exit -F arch=b32 -S all -F key=32bit-abi"), "-a always,exit -F arch=b32 -S all -k 32bit-abi")
        XCTAssertEqual(canonical("-a always,exit -F arch=b32 -S all -k 32bit-abi", machine: .aarch64),
            "-a always,exit -F arch=b32 -S all -k 32bit-abi")
        XCTAssertEqual(canonical("-a exit,always -S open -S all -F auid>=1000 -k k"), "-a always,exit -S all -F auid>=1000 -k k")
        XCTAssertEqual(canonical("-d always,exit -S all -k k"), "-d always,exit -S all -k k")
        XCTAssertEqual(canonical("-a always,io_uring -S all -k k"), "-a always,io_uring -S all -k k")
        // a syscall given before a list that ignores it still carries the key
        XCTAssertEqual(canonical("-S open -a always,user -k k"), "-S all -a always,user -k k")
        // `-S all` and no -S are one rule with one spelling
        XCTAssertEqual(canonical("-a always,exit -F arch=b64 -S all"), "-a always,exit -F arch=b64")
        // a path, dir, perm, exe or fstype carries the key by itself: no `-S all`
        XCTAssertEqual(canonical("-w /etc/shadow -p wa -k identity"), "-a always,exit -F path=/etc/shadow -F perm=wa -k identity")
        XCTAssertEqual(canonical("-a always,exit -S all -F exe=/usr/bin/su -k su"), "-a always,exit -F exe=/usr/bin/su -k su")
        XCTAssertEqual(canonical("-a always,exit -S all -F perm=x -k x"), "-a always,exit -F perm=x -k x")
        XCTAssertEqual(
            canonical("-a always,filesystem -F fstype=tmpfs -k tmp"), "-a always,filesystem -F fstype=tmpfs -k tmp")
    }

    func testAWatchOnAPathHoldingAnOperatorStaysAWatch() {
        XCTAssertEqual(canonical("-w /etc/x!=1 -k k"), "-w /etc/x!=1 -p rwxa -k k")
        if case .success(let r) = AuditRule.parse("-w /etc/x!=1 -p rwxa -k k") {
            XCTAssertEqual(r.watchPath, "/etc/x!=1")
            XCTAssertEqual(r.filter?.value(of: "path"), .text("/etc/x!=1"))
        }
        XCTAssertEqual(canonical("-w /etc/a>=b -p wa"), "-w /etc/a>=b -p wa")
        XCTAssertEqual(canonical("-w /etc/a<=b/ -p r -k k"), "-w /etc/a<=b -p r -k k")
        XCTAssertEqual(canonical("-W /etc/x&=y -p x"), "-W /etc/x&=y -p x")
        XCTAssertEqual(canonical("-w /etc/x!=1 -p wa -F auid>=1000 -F key=k"), "-w /etc/x!=1 -p wa -F auid>=1000 -k k")
        // `-w //` keeps both slashes, which `-F path=` refuses
        XCTAssertEqual(canonical("-w // -p wa"), "-w // -p wa")
        XCTAssertEqual(canonical("-w //"), "-w // -p rwxa")
        // one-character operators after the first `=` do not split `path=`: the -F form stays
        XCTAssertEqual(canonical("-w /etc/a=b>c&d<e -p wa -k k"), "-a always,exit -F path=/etc/a=b>c&d<e -F perm=wa -k k")
        // spelled either way, a watch on the same path is one rule
        guard case .success(let w) = AuditRule.parse("-w /etc/x!=1 -p rwxa"),
            case .success(let v) = AuditRule.parse("-W /etc/x!=1 -p rwxa")
        else { return XCTFail("refused") }
        XCTAssertNotEqual(w, v)
        XCTAssertNotEqual(w.canonicalText, v.canonicalText)
        // resolved to a directory it is `dir=`, which no auditctl line names on such a path
        let dir = w.resolvingWatch(isDirectory: true)
        XCTAssertNotEqual(dir, w)
        XCTAssertEqual(dir.canonicalText, "-a always,exit -F dir=/etc/x!=1 -F perm=rwxa")
    }
}
