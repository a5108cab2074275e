import Foundation
import XCTest

@testable import HardenKit

/// Syscall tables, arch checks and the both-arches expansion.
final class AuditSyscallsTests: XCTestCase {
    func testTablesAreLoaded() {
        XCTAssertEqual(AuditSyscalls.number("read", on: .x86_64), 0)
        XCTAssertEqual(AuditSyscalls.number("open", on: .x86_64), 2)
        XCTAssertEqual(AuditSyscalls.number("exit", on: .i386), 1)
        XCTAssertEqual(AuditSyscalls.number("io_setup", on: .aarch64), 0)
        XCTAssertEqual(AuditSyscalls.number("stime", on: .arm), 25)
        XCTAssertNil(AuditSyscalls.number("open", on: .aarch64), "aarch64 has only openat")
        XCTAssertEqual(AuditSyscalls.name(2, on: .x86_64), "open")
        for m in AuditMachine.allCases { XCTAssertGreaterThan(AuditSyscalls.names(on: m).count, 290, m.rawValue) }
        XCTAssertEqual(AuditSyscalls.errno("EACCES"), 13)
        XCTAssertEqual(AuditSyscalls.errnoName(1), "EPERM")
    }

    /// The generated tables match `ausyscall --dump` of the installed auditd, when it is there.
    func testTablesMatchAusyscall() throws {
        let ausyscall = ["/usr/bin/ausyscall", "/usr/sbin/ausyscall"].first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
        guard let ausyscall else { throw XCTSkip("ausyscall not installed (apt-get install auditd)") }
        for m in AuditMachine.allCases {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: ausyscall)
            p.arguments = [m.rawValue, "--dump"]
            let out = Pipe()
            p.standardOutput = out
            p.standardError = Pipe()
            try p.run()
            let data = out.fileHandleForReading.readDataToEndOfFile()
            p.waitUntilExit()
            let pairs = String(decoding: data, as: UTF8.self).split(separator: "\n").dropFirst().compactMap {
                line -> (String, Int)? in
                let f = line.split(separator: "\t")
                return f.count == 2 ? (String(f[1]), Int(f[0])!) : nil
            }
            XCTAssertEqual(pairs.count, AuditSyscalls.names(on: m).count, m.rawValue)
            for (name, n) in pairs { XCTAssertEqual(AuditSyscalls.number(name, on: m), n, "\(m) \(name)") }
        }
    }

    func testUnknownSyscallForArchIsAnError() {
        let b64 = "-a always,exit -F arch=b64 -S adjtimex -S settimeofday -S stime -k time-change"
        XCTAssertEqual(
            AuditSyscalls.problem(line: b64, arch: .x86_64), "syscall 'stime' is unknown on x86_64 (arch=b64)")
        XCTAssertNil(
            AuditSyscalls.problem(
                line: "-a always,exit -F arch=b32 -S adjtimex -S settimeofday -S stime -k time-change", arch: .x86_64))
        // No arch: the host's table.
        XCTAssertNotNil(AuditSyscalls.problem(line: "-a always,exit -S stime -k t", arch: .x86_64))
        XCTAssertNil(AuditSyscalls.problem(line: "-a always,exit -S stime -k t", arch: .i386))
        // aarch64: no open(2), and b32 means arm.
        XCTAssertEqual(
            AuditSyscalls.problem(line: "-a always,exit -F arch=b64 -S open -k a", arch: .aarch64),
            "syscall 'open' is unknown on aarch64 (arch=b64)")
        XCTAssertNil(AuditSyscalls.problem(line: "-a always,exit -F arch=b32 -S open -k a", arch: .aarch64))
        XCTAssertNotNil(
            AuditSyscalls.problem(line: "-a always,exit -F arch=b64 -S open -k a", arch: .i386), "b64 on a 32-bit host")
        // arch= after -S is refused by auditctl.
        XCTAssertEqual(
            AuditSyscalls.problem(line: "-a always,exit -S open -F arch=b64 -k a", arch: .x86_64),
            "-F arch=b64: arch= must come before -S")
        XCTAssertNil(AuditSyscalls.problem(line: "-w /etc/passwd -p wa -k identity", arch: .x86_64))
        XCTAssertEqual(
            AuditSyscalls.problem(
                line: "-a always,exit -F arch=b64 -S mount -F auid>=1000 -F auid!=unset -k m -Q", arch: .x86_64),
            "unknown option '-Q'")
    }

    func testBothArchesExpansion() throws {
        let line = "-a always,exit -S chmod,fchmod,fchmodat -F auid>=1000 -F auid!=unset -k perm_mod"
        XCTAssertEqual(
            try AuditRule.expandArches(line, machine: .x86_64).get(),
            [
                "-a always,exit -F arch=b32 -S chmod,fchmod,fchmodat -F auid>=1000 -F auid!=unset -k perm_mod",
                "-a always,exit -F arch=b64 -S chmod,fchmod,fchmodat -F auid>=1000 -F auid!=unset -k perm_mod",
            ])
        // Unknown on one ABI: an error naming it.
        guard case .failure(let p) = AuditRule.expandArches("-a always,exit -S stime -k t", machine: .x86_64) else {
            return XCTFail("stime is not on b64")
        }
        XCTAssertEqual(p.message, "syscall 'stime' is unknown on x86_64 (arch=b64)")
        XCTAssertEqual(
            AuditSyscalls.problem(line: "-a always,exit -S stime -k t", arch: .x86_64, bothArches: true),
            "syscall 'stime' is unknown on x86_64 (arch=b64)")
        // Lines that stand for themselves.
        for own in [
            "-w /etc/passwd -p wa -k identity", "-a always,exit -F arch=b64 -S mount -k m", "-e 2",
            "-a always,exit -F path=/usr/bin/passwd -F perm=x -k privileged",
        ] {
            XCTAssertEqual(try AuditRule.expandArches(own, machine: .x86_64).get(), [own])
        }
        XCTAssertEqual(
            try AuditRule.expandArches("-a always,exit -S openat -k o", machine: .aarch64).get(),
            ["-a always,exit -F arch=b32 -S openat -k o", "-a always,exit -F arch=b64 -S openat -k o"])
    }

    func testParserRefusesWhatAuditctlRefuses() {
        let bad: [(String, String)] = [
            ("-a always,exit -F auid>=1000 -k k", "-k needs a watch or syscall given before it"),
            ("-F auid>=1000 -a always,exit", "-F auid>=1000: the list (-a) must be given before fields"),
            ("-a always,task -S open", "-S cannot be used with the task list"),
            (
                "-a sometimes,exit -S open",
                "-a 'sometimes,exit' must be always|never and exit|task|user|exclude|filesystem|io_uring"
            ),
            (
                "-a always,exit -F arch=b64 -S open -F path=relative -k k",
                "-F path=relative: path must be an absolute path"
            ),
            (
                "-a always,exit -F arch=b64 -S open -F exit=-ENOPE -k k",
                "-F exit=-ENOPE: '-ENOPE' is not an errno name or number"
            ),
            (
                "-a always,exit -F arch=b64 -S open -F auid&1000 -k k",
                "-F auid&1000: bit operators work only on a0..a3, pers and devminor"
            ),
            ("-a always,exit -F arch=b64 -S open -F bogus=1 -k k", "-F bogus=1: field 'bogus' is unknown"),
            ("-w etc/passwd", "-w 'etc/passwd': the path must start with '/'"),
            ("-w /etc/passwd -p rwxq", "-p 'rwxq': up to four of r, w, x, a"),
            ("-e 3", "-e takes 0, 1 or 2, not '3'"),
            ("-b lots", "-b takes a number, not 'lots'"),
            ("-e 2 -b 100", "one control option per line"),
            ("-a always,exit -F arch=b64 -S open -C uid!=gid -k k", "-C uid!=gid: incompatible comparison"),
            ("-w /etc/passwd -a always,exit", "more than one -a/-A/-d/-w in one rule"),
            (
                "-a always,exit -F arch=b64 -S open -F msgtype=EXECVE -k k",
                "-F msgtype=EXECVE: msgtype can only be used with the exclude or user filter"
            ),
        ]
        for (line, why) in bad {
            switch AuditRule.parse(line) {
            case .success: XCTFail("accepted: \(line)")
            case .failure(let p): XCTAssertEqual(p.message, why, line)
            }
        }
    }

    func testMachineDetection() {
        XCTAssertEqual(AuditMachine.detect(host: MemoryHost(["/lib/ld-linux-aarch64.so.1": ""])), .aarch64)
        XCTAssertEqual(AuditMachine.detect(host: MemoryHost(["/lib64/ld-linux-x86-64.so.2": ""])), .x86_64)
        XCTAssertEqual(try AuditMachine.resolve(arch: "0xc000003e", host: .aarch64).get(), .x86_64)
        XCTAssertEqual(try AuditMachine.resolve(arch: "B32", host: .aarch64).get(), .arm)
    }
}
