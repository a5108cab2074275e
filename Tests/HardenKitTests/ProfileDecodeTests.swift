import XCTest
import YAMLSyntax
@testable import HardenKit

/// Decoding of every key of format v1 and the checks on values.
final class ProfileDecodeTests: XCTestCase {
    func testEveryKeyDecodes() throws {
        let d = ProfileDir()
        d.write("full.yaml", """
            profile: full
            title: Full example
            description: |
              Every key.
            params:
              tries: 4
            rules:
              - id: sshd-max-auth-tries
                title: Limit SSH authentication attempts
                description: Brute force protection.
                refs: {cis-debian12: "5.1.16", mlps3: identity-authentication}
                severity: high
                tags: [ssh, auth]
                sshd: {MaxAuthTries: "${tries}", AllowUsers: [alice, bob]}
              - id: fwd
                sysctl: {net/ipv4/ip_forward: 0, "kernel.randomize_va_space": "2"}
              - id: shadow
                file: {path: /etc/shadow, owner: root, group: [root, shadow], mode: "0640", exact_mode: true}
              - id: cron
                file: {path: /etc/cron.d, mode: "0700", recursive: true, type: directory, create: true, exclude: [/etc/cron.d/keep]}
              - id: ld
                keyvalue: {path: /etc/login.defs, set: {PASS_MAX_DAYS: 365}}
              - id: fl
                keyvalue: {path: /etc/security/faillock.conf, set: {deny: 5, even_deny_root: true}, create: true}
              - id: custom
                keyvalue: {path: /etc/custom.conf, format: shell, set: {A: b}}
              - id: faillock-preauth
                pam: {service: common-auth, type: auth, control: required, module: pam_faillock.so, args: [preauth], position: {before: pam_unix.so}}
              - id: unix-nullok
                pam: {service: common-auth, type: auth, module: pam_unix.so, remove_args: [nullok], set_args: {rounds: "5000"}, add_args: [try_first_pass]}
              - id: identity
                audit: {rules: ["-w /etc/passwd -p wa -k identity", "-a always,exit -F arch=b64 -S adjtimex,settimeofday -k time-change"], file: 50-identity.rules}
            skip:
              - {id: cron, reason: site has its own cron policy, expires: 2999-12-31}
            """)
        let set = d.load(["full.yaml"])
        XCTAssertEqual(set.errors(relativeTo: d), [])
        XCTAssertEqual(set.rules.count, 10)
        let p = set.profiles[0]
        XCTAssertEqual(p.name, "full")
        XCTAssertEqual(p.title, "Full example")
        XCTAssertEqual(p.description, "Every key.\n")
        let r = set.rule("sshd-max-auth-tries")!.rule
        XCTAssertEqual(r.severity, .high)
        XCTAssertEqual(r.tags, ["ssh", "auth"])
        XCTAssertEqual(r.refs.map { "\($0.benchmark)=\($0.item)" }, ["cis-debian12=5.1.16", "mlps3=identity-authentication"])
        guard case .sshd(let s) = r.body else { return XCTFail() }
        XCTAssertEqual(s.map(\.keyword), ["MaxAuthTries", "AllowUsers"])
        XCTAssertEqual(s[0].values.map(\.text), ["4"], "${tries} expanded")
        XCTAssertEqual(s[1].values.map(\.text), ["alice", "bob"])
        guard case .sysctl(let sy) = set.rule("fwd")!.rule.body else { return XCTFail() }
        XCTAssertEqual(sy.map(\.key), ["net.ipv4.ip_forward", "kernel.randomize_va_space"], "slash form normalized")
        guard case .file(let f) = set.rule("shadow")!.rule.body else { return XCTFail() }
        XCTAssertEqual(f.group.map(\.text), ["root", "shadow"])
        XCTAssertTrue(f.exactMode)
        guard case .file(let c) = set.rule("cron")!.rule.body else { return XCTFail() }
        XCTAssertTrue(c.recursive && c.create)
        XCTAssertEqual(c.type, .directory)
        XCTAssertEqual(set.rule("cron")?.skip?.reason, "site has its own cron policy")
        guard case .keyvalue(let kv) = set.rule("ld")!.rule.body else { return XCTFail() }
        XCTAssertEqual(kv.format, .whitespace, "login.defs format inferred")
        guard case .keyvalue(let fl) = set.rule("fl")!.rule.body else { return XCTFail() }
        XCTAssertEqual(fl.format, .equals)
        XCTAssertEqual(fl.settings[1].value.bool, true)
        XCTAssertTrue(fl.create)
        guard case .pam(let pam) = set.rule("faillock-preauth")!.rule.body else { return XCTFail() }
        XCTAssertEqual(pam.position, .before("pam_unix.so"))
        XCTAssertEqual(pam.control?.text, "required")
        guard case .pam(let args) = set.rule("unix-nullok")!.rule.body else { return XCTFail() }
        XCTAssertEqual(args.removeArgs.map(\.text), ["nullok"])
        XCTAssertEqual(args.setArgs.map(\.key), ["rounds"])
        guard case .audit(let au) = set.rule("identity")!.rule.body else { return XCTFail() }
        XCTAssertEqual(au.rules.count, 2)
        XCTAssertEqual(au.file?.text, "50-identity.rules")
    }

    func testQuotedNoIsTextAndPlainBoolIsBool() {
        let d = ProfileDir()
        d.write("p.yaml", """
            profile: p
            rules:
              - id: a
                override: yes
                sshd: {PermitRootLogin: no}
            """)
        let set = d.load(["p.yaml"])
        // plain `yes` is a bool for `override`; with nothing to override that is an error
        XCTAssertEqual(set.errors(relativeTo: d), ["p.yaml:3:5: error: rule 'a' says 'override: true' but no profile it extends defines 'a'"])
        guard case .sshd(let s) = set.rule("a")!.rule.body else { return XCTFail() }
        XCTAssertEqual(s[0].values[0].text, "no", "plain no is the sshd word 'no', not a bool")
    }

    func testValueChecksReportEachMistakeWithItsColumn() {
        let d = ProfileDir()
        d.write("p.yaml", """
            profile: p
            rules:
              - id: a
                file: {path: etc/shadow, mode: "0999", owner: "Bad Name"}
              - id: b
                sysctl: {"net..ipv4": 1, "net.ipv4 x": 2}
              - id: c
                audit: {rules: ["-a always,exit -F arch=b64 -S", "-w /etc/x -p z"]}
              - id: d
                pam: {service: ../x, type: login, module: /lib/../x.so, control: mandatory}
              - id: e
                sshd: {PasswordAuthentication: [no, yes]}
            """)
        let errors = d.load(["p.yaml"]).errors(relativeTo: d)
        XCTAssertEqual(errors, [
            "p.yaml:4:18: error: path 'etc/shadow' must be absolute",
            "p.yaml:4:36: error: mode '0999' must be an octal string like \"0640\"",
            "p.yaml:4:51: error: owner 'Bad Name' is not a user name or uid",
            "p.yaml:6:14: error: sysctl key 'net..ipv4' must not contain '..'",
            "p.yaml:6:30: error: sysctl key 'net.ipv4 x' may only hold letters, digits and _ . - / *",
            "p.yaml:8:21: error: audit rule: -S needs a syscall name",
            "p.yaml:8:54: error: audit rule: -p needs permissions from r, w, x, a",
            "p.yaml:10:20: error: service '../x' must be a file name in /etc/pam.d (no '/', no leading '.')",
            "p.yaml:10:32: error: PAM type 'login' must be one of auth, account, password, session",
            "p.yaml:10:47: error: module '/lib/../x.so' must be a .so file name (or an absolute path without '..')",
            "p.yaml:10:70: error: control 'mandatory' must be required, requisite, sufficient, optional, include, substack or [value=action ...]",
            "p.yaml:12:36: error: 'PasswordAuthentication' takes one value, not a list (only accumulating keywords such as AllowUsers take lists)",
        ])
    }

    func testModesAcceptedAsOctalStrings() {
        for (mode, ok) in [("0640", true), ("640", true), ("1777", true), ("0999", false), ("rw-r--r--", false), ("12345", false), ("64", false), ("064", true)] {
            XCTAssertEqual(Validate.mode(mode) != nil, ok, mode)
        }
        XCTAssertEqual(Validate.mode("0640"), 0o640)
    }

    func testSshdKeywordsCaseInsensitiveAgainstOpenSSHList() {
        XCTAssertEqual(SshdKeywords.canonical("permitrootlogin"), "PermitRootLogin")
        XCTAssertEqual(SshdKeywords.canonical("MACS"), "MACs")
        XCTAssertNil(SshdKeywords.canonical("PermitRootLogn"))
        XCTAssertTrue(SshdKeywords.isAccumulating("allowusers"))
        XCTAssertFalse(SshdKeywords.isAccumulating("PermitRootLogin"))
    }

    func testAuditSyntax() {
        let good = [
            "-w /etc/passwd -p wa -k identity",
            "-a always,exit -F arch=b64 -S adjtimex -S settimeofday -k time-change",
            "-a exit,always -F arch=b32 -S clock_settime -F a0=0x0 -F key=time-change",
            "-a always,exit -F path=/usr/bin/sudo -F perm=x -F auid>=1000 -F auid!=unset -k privileged",
            "-e 2", "-b 8192", "-f 1", "-r 100", "--backlog_wait_time 60000", "--loginuid-immutable", "-D", "-i",
            "-a always,exit -F arch=b64 -C uid!=euid -F euid=0 -S execve -k user_emulation",
            "-a never,exclude -F msgtype=CWD",
        ]
        for g in good { XCTAssertNil(AuditSyntax.problem(g), g) }
        let bad: [(String, String)] = [
            ("-w etc/passwd", "-w needs an absolute path"),
            ("-S open", "-S needs -a action,list"),
            ("-a always,sometimes", "-a 'always,sometimes' must be action,list (always|never and exit|task|user|exclude|filesystem|io_uring)"),
            ("-e 3", "-e takes 0, 1 or 2"),
            ("-a always,exit -F bogus=1", "-F field 'bogus' is unknown"),
            ("-a always,exit -F auid", "-F 'auid' needs an operator (=, !=, <, >, <=, >=, &, &=)"),
            ("-x", "unknown option '-x'"),
            ("-w /etc/x -a always,exit", "-w and -a cannot be mixed in one rule"),
            ("-w \"/etc/x", "unterminated quote"),
        ]
        for (line, reason) in bad { XCTAssertEqual(AuditSyntax.problem(line), reason, line) }
    }
}
