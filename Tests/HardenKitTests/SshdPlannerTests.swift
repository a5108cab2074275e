import XCTest

@testable import HardenKit

/// Planner scenarios with exact after-bytes; every scenario is applied and re-planned to prove
/// idempotence (second plan: all compliant, no edits).
final class SshdPlannerTests: XCTestCase {
    private let main = "/etc/ssh/sshd_config"
    private let dir = "/etc/ssh/sshd_config.d"
    private var dropIn: String { "\(dir)/00-harden.conf" }
    private let header = "# Managed by harden. Local changes are overwritten.\n"

    private func debianTree(extraMain: String = "", cloudInit: String = "PasswordAuthentication yes\n") throws -> SshdTree {
        let anoncvs = "Match User anoncvs\n\tPasswordAuthentication yes\n\tX11Forwarding no\n"
        return SshdTree([
            main: try SshdFixtures.text("debian12_sshd_config") + extraMain + anoncvs,
            "\(dir)/50-cloud-init.conf": cloudInit,
        ])
    }

    func testDebian12LayoutUsesDropInAndNeutralisesCloudInit() throws {
        let tree = try debianTree()
        let mainBefore = tree.files[main]
        let want = [
            sshdDesired("PasswordAuthentication", "no"), sshdDesired("PermitRootLogin", "no"), sshdDesired("MaxAuthTries", "4"),
            sshdDesired("KbdInteractiveAuthentication", "no"),
        ]
        let plan = tree.planApplyReplan(want)

        XCTAssertEqual(plan.edits.map(\.path), ["\(dir)/50-cloud-init.conf", dropIn])
        XCTAssertNil(plan.edits[1].before)
        XCTAssertEqual(
            tree.text(dropIn), header + "PasswordAuthentication no\nPermitRootLogin no\nMaxAuthTries 4\n")
        XCTAssertEqual(tree.text("\(dir)/50-cloud-init.conf"), "# harden: PasswordAuthentication yes\n")
        XCTAssertEqual(tree.files[main], mainBefore, "main has no contradicting global line: untouched")
        XCTAssertEqual(plan.edits[0].keys, ["sshd:passwordauthentication"])
        XCTAssertEqual(
            plan.edits[1].keys, ["sshd:passwordauthentication", "sshd:permitrootlogin", "sshd:maxauthtries"])

        let password = plan.observations[0]
        XCTAssertEqual(password.key, "sshd:passwordauthentication")
        XCTAssertEqual(password.status, .pending)
        XCTAssertEqual(password.current, "yes")
        XCTAssertEqual(password.source, "\(dir)/50-cloud-init.conf:1")
        XCTAssertEqual(password.warnings, ["Match User anoncvs at /etc/ssh/sshd_config:123 overrides PasswordAuthentication (yes)"])
        XCTAssertEqual(plan.observations[1].current, nil)
        XCTAssertEqual(plan.observations[3].status, .compliant)
        XCTAssertEqual(plan.observations[3].source, "\(main):62")
        XCTAssertEqual(plan.readPaths, [main, "\(dir)/50-cloud-init.conf"])
    }

    func testDebian12ContradictingMainLineIsCommentedOut() throws {
        let tree = try debianTree()
        let mainBefore = try XCTUnwrap(tree.text(main))
        tree.planApplyReplan([sshdDesired("X11Forwarding", "no"), sshdDesired("AcceptEnv", "LANG")])
        XCTAssertEqual(tree.text(dropIn), header + "X11Forwarding no\nAcceptEnv LANG\n")
        let expected = mainBefore
            .replacingOccurrences(of: "\nX11Forwarding yes\n", with: "\n# harden: X11Forwarding yes\n")
            .replacingOccurrences(of: "\nAcceptEnv LANG LC_*\n", with: "\n# harden: AcceptEnv LANG LC_*\n")
        XCTAssertEqual(tree.text(main), expected)
        XCTAssertTrue(tree.text(main)!.hasSuffix("Match User anoncvs\n\tPasswordAuthentication yes\n\tX11Forwarding no\n"))
    }

    func testWinnerReadBeforeDropInIsEditedInPlace() {
        let tree = SshdTree([
            main: "# site\n  PermitRootLogin yes # set by installer\nInclude sshd_config.d/*.conf\nPermitRootLogin yes\n",
            "\(dir)/00-early.conf": "MaxAuthTries\t10\n",
            "\(dir)/50-cloud-init.conf": "PermitRootLogin no\nMaxAuthTries 3\n",
        ])
        let plan = tree.planApplyReplan([sshdDesired("PermitRootLogin", "no"), sshdDesired("MaxAuthTries", "4")])
        XCTAssertEqual(
            tree.text(main), "# site\n  PermitRootLogin no # set by installer\nInclude sshd_config.d/*.conf\n# harden: PermitRootLogin yes\n")
        XCTAssertEqual(tree.text("\(dir)/00-early.conf"), "MaxAuthTries\t4\n")
        XCTAssertEqual(tree.text("\(dir)/50-cloud-init.conf"), "PermitRootLogin no\n# harden: MaxAuthTries 3\n", "agreeing line kept")
        XCTAssertNil(tree.files[dropIn], "nothing needed the drop-in")
        XCTAssertEqual(plan.observations.map(\.source), ["\(main):2", "\(dir)/00-early.conf:1"])
    }

    func testExistingDropInIsEditedInPlace() {
        let tree = SshdTree([
            main: "Include /etc/ssh/sshd_config.d/*.conf\nUsePAM yes\n",
            dropIn: header + "MaxAuthTries 6\nMatch User x\n\tMaxAuthTries 9\n",
        ])
        let plan = tree.planApplyReplan([sshdDesired("MaxAuthTries", "4"), sshdDesired("LoginGraceTime", "60")])
        XCTAssertEqual(tree.text(dropIn), header + "MaxAuthTries 4\nLoginGraceTime 60\nMatch User x\n\tMaxAuthTries 9\n")
        XCTAssertEqual(plan.observations[0].warnings, ["Match User x at \(dropIn):3 overrides MaxAuthTries (9)"])
    }

    func testRHEL7LayoutEditsInPlaceAndAppends() throws {
        let original = try SshdFixtures.text("rhel7_sshd_config")
        let tree = SshdTree([main: original])
        let plan = tree.planApplyReplan([
            sshdDesired("PasswordAuthentication", "no"), sshdDesired("PermitRootLogin", "no"), sshdDesired("MaxAuthTries", "4"),
            sshdDesired("X11Forwarding", "no"), sshdDesired("ChallengeResponseAuthentication", "no"),
            sshdDesired("ClientAliveInterval", "300"),
        ])
        let expected = original
            .replacingOccurrences(of: "\nPasswordAuthentication yes\n", with: "\nPasswordAuthentication no\n")
            .replacingOccurrences(of: "\nX11Forwarding yes\n", with: "\nX11Forwarding no\n")
            + "PermitRootLogin no\nMaxAuthTries 4\nClientAliveInterval 300\n"
        XCTAssertEqual(tree.text(main), expected)
        XCTAssertEqual(plan.edits.count, 1)
        XCTAssertEqual(plan.observations.map(\.status), [.pending, .pending, .pending, .pending, .compliant, .pending])
        XCTAssertEqual(plan.observations[0].source, "\(main):65")
    }

    func testRHEL7InsertsBeforeFirstMatch() throws {
        let original = try SshdFixtures.text("rhel7_sshd_config") + "Match User anoncvs\n\tPermitRootLogin yes\n"
        let tree = SshdTree([main: original])
        let plan = tree.planApplyReplan([sshdDesired("PermitRootLogin", "no"), sshdDesired("MaxAuthTries", "4")])
        let expected = original.replacingOccurrences(
            of: "/usr/libexec/openssh/sftp-server\n\n# Example",
            with: "/usr/libexec/openssh/sftp-server\n\nPermitRootLogin no\nMaxAuthTries 4\n# Example")
        XCTAssertEqual(tree.text(main), expected)
        XCTAssertEqual(plan.observations[0].warnings, ["Match User anoncvs at /etc/ssh/sshd_config:140 overrides PermitRootLogin (yes)"])
        XCTAssertTrue(tree.text(main)!.hasSuffix("Match User anoncvs\n\tPermitRootLogin yes\n"))
    }

    func testHostKeyLinesAreReplacedAsAList() throws {
        let original = try SshdFixtures.text("rhel7_sshd_config")
        let tree = SshdTree([main: original])
        tree.planApplyReplan([SshdDesired(keyword: "HostKey", values: ["/etc/ssh/ssh_host_ed25519_key", "/etc/ssh/ssh_host_rsa_key"])])
        let expected = original.replacingOccurrences(
            of: """
                HostKey /etc/ssh/ssh_host_rsa_key
                #HostKey /etc/ssh/ssh_host_dsa_key
                HostKey /etc/ssh/ssh_host_ecdsa_key
                HostKey /etc/ssh/ssh_host_ed25519_key

                """,
            with: """
                HostKey /etc/ssh/ssh_host_ed25519_key
                HostKey /etc/ssh/ssh_host_rsa_key
                #HostKey /etc/ssh/ssh_host_dsa_key
                # harden: HostKey /etc/ssh/ssh_host_ecdsa_key
                # harden: HostKey /etc/ssh/ssh_host_ed25519_key

                """)
        XCTAssertEqual(tree.text(main), expected)
    }

    func testAllowUsersReplacesAllGlobalLines() {
        let tree = SshdTree([
            main: "Include /etc/ssh/sshd_config.d/*.conf\nAllowUsers carol\nMatch Group admins\n\tAllowUsers root\n",
            "\(dir)/50-users.conf": "AllowUsers alice\n",
        ])
        let plan = tree.planApplyReplan([sshdDesired("AllowUsers", "alice", "bob")])
        XCTAssertEqual(tree.text(dropIn), header + "AllowUsers alice bob\n")
        XCTAssertEqual(tree.text("\(dir)/50-users.conf"), "# harden: AllowUsers alice\n")
        XCTAssertEqual(
            tree.text(main), "Include /etc/ssh/sshd_config.d/*.conf\n# harden: AllowUsers carol\nMatch Group admins\n\tAllowUsers root\n")
        XCTAssertEqual(plan.observations[0].current, "alice carol")
        XCTAssertEqual(plan.observations[0].warnings, ["Match Group admins at \(main):3 overrides AllowUsers (root)"])
        // Set semantics: order and split across lines do not matter.
        let same = SshdTree([main: "AllowUsers bob\nAllowUsers alice\n"]).plan([sshdDesired("AllowUsers", "alice", "bob")])
        XCTAssertEqual(same.observations[0].status, .compliant)
        XCTAssertEqual(same.edits, [])
    }

    func testEmptyAccumulatingListRemovesLines() {
        let tree = SshdTree([main: "DenyUsers guest\nUsePAM yes\nDenyUsers nobody\n"])
        tree.planApplyReplan([SshdDesired(keyword: "DenyUsers", values: [])])
        XCTAssertEqual(tree.text(main), "# harden: DenyUsers guest\nUsePAM yes\n# harden: DenyUsers nobody\n")
    }

    func testAlreadyCompliantTouchesNothing() {
        let tree = SshdTree([
            main: "Include /etc/ssh/sshd_config.d/*.conf\nPermitRootLogin No\nPasswordAuthentication yes\n",
            "\(dir)/10-a.conf": "passwordauthentication=no\nMaxAuthTries 04\nLoginGraceTime 1m\nCiphers aes256-ctr,aes128-ctr\n",
        ])
        let before = tree.files
        let plan = tree.plan([
            sshdDesired("PermitRootLogin", "no"), sshdDesired("PasswordAuthentication", "no"), sshdDesired("MaxAuthTries", "4"),
            sshdDesired("LoginGraceTime", "60"), sshdDesired("Ciphers", "aes256-ctr,aes128-ctr"),
        ])
        XCTAssertEqual(plan.edits, [])
        XCTAssertEqual(plan.observations.map(\.status), Array(repeating: .compliant, count: 5))
        XCTAssertEqual(plan.observations[1].source, "\(dir)/10-a.conf:1")
        XCTAssertEqual(tree.files, before)
        XCTAssertEqual(plan.readPaths, [main, "\(dir)/10-a.conf"])
    }

    func testComparisonRules() {
        let tree = SshdTree([main: "PermitRootLogin without-password\nCiphers aes128-ctr,aes256-ctr\nBanner /etc/Issue\n"])
        let plan = tree.plan([
            sshdDesired("PermitRootLogin", "prohibit-password"), sshdDesired("Ciphers", "aes256-ctr,aes128-ctr"),
            sshdDesired("Banner", "/etc/issue"),
        ])
        XCTAssertEqual(plan.observations.map(\.status), [.compliant, .pending, .pending], "lists ordered, paths exact")
        tree.planApplyReplan([sshdDesired("Ciphers", "aes256-ctr,aes128-ctr"), sshdDesired("Banner", "/etc/issue")])
        XCTAssertEqual(tree.text(main), "PermitRootLogin without-password\nCiphers aes256-ctr,aes128-ctr\nBanner /etc/issue\n")
    }

    func testCRLFAndMissingFinalNewline() throws {
        let crlf = SshdTree(bytes: [main: try SshdFixtures.bytes("crlf_sshd_config")])
        crlf.planApplyReplan([sshdDesired("PasswordAuthentication", "no"), sshdDesired("MaxAuthTries", "4")])
        XCTAssertEqual(
            crlf.text(main),
            "# Edited on Windows\r\nPort 22\r\nPermitRootLogin yes\r\n\r\n  PasswordAuthentication   no  \r\nMaxAuthTries 4\r\nMatch User backup\r\n\tPasswordAuthentication no\r\n")
        let open = SshdTree(bytes: [main: try SshdFixtures.bytes("no_final_newline_sshd_config")])
        open.planApplyReplan([sshdDesired("MaxAuthTries", "4")])
        XCTAssertEqual(open.text(main), "# no final newline\nPermitRootLogin prohibit-password\nPasswordAuthentication yes\nMaxAuthTries 4\n")
        let inPlace = SshdTree(bytes: [main: try SshdFixtures.bytes("no_final_newline_sshd_config")])
        inPlace.planApplyReplan([sshdDesired("PasswordAuthentication", "no")])
        XCTAssertEqual(inPlace.text(main), "# no final newline\nPermitRootLogin prohibit-password\nPasswordAuthentication no")
    }

    func testInvalidUTF8FileIsEditedWithoutTouchingOtherBytes() throws {
        let bytes = try SshdFixtures.bytes("invalid_utf8_sshd_config")
        let tree = SshdTree(bytes: [main: bytes])
        tree.planApplyReplan([sshdDesired("PasswordAuthentication", "no")])
        let expected = String(decoding: bytes, as: UTF8.self)  // only to locate; compare bytes below
        XCTAssertTrue(expected.contains("PasswordAuthentication yes"))
        var want = bytes
        let range = try XCTUnwrap(want.firstRange(of: Array("PasswordAuthentication yes".utf8)))
        want.replaceSubrange(range, with: Array("PasswordAuthentication no".utf8))
        XCTAssertEqual(tree.files[main], want)
    }

    func testFallsBackToMainFileWhenGlobCannotHoldTheDropIn() {
        for include in ["Include /etc/ssh/sshd_config.d/*.cfg", "Include /etc/ssh/missing.d/*.conf"] {
            let tree = SshdTree([main: "\(include)\nUsePAM yes\nMatch User x\n\tX11Forwarding yes\n", "\(dir)/a.cfg": "UsePAM yes\n"])
            tree.planApplyReplan([sshdDesired("MaxAuthTries", "4")])
            XCTAssertEqual(tree.text(main), "\(include)\nUsePAM yes\nMaxAuthTries 4\nMatch User x\n\tX11Forwarding yes\n")
        }
    }

    func testDropInNameTakenByADirectoryFallsBack() {
        let tree = SshdTree(
            [main: "Include /etc/ssh/sshd_config.d/*.conf\n", "\(dropIn)/x": "not a config\n"], directories: [dir])
        tree.planApplyReplan([sshdDesired("MaxAuthTries", "4")])
        XCTAssertEqual(tree.text(main), "Include /etc/ssh/sshd_config.d/*.conf\nMaxAuthTries 4\n")
    }

    func testDropInInEmptyDirectory() {
        let tree = SshdTree([main: "Include /etc/ssh/sshd_config.d/*.conf\n"], directories: [dir])
        tree.planApplyReplan([sshdDesired("MaxAuthTries", "4")])
        XCTAssertEqual(tree.text(dropIn), header + "MaxAuthTries 4\n")
        XCTAssertEqual(tree.text(main), "Include /etc/ssh/sshd_config.d/*.conf\n")
    }

    func testErrorsBecomeObservations() {
        let loop = SshdTree([main: "Include /etc/ssh/sshd_config\n"]).plan([sshdDesired("MaxAuthTries", "4")])
        XCTAssertEqual(loop.edits, [])
        XCTAssertEqual(
            loop.observations.first?.status,
            .error("Include loop at /etc/ssh/sshd_config:1: /etc/ssh/sshd_config -> /etc/ssh/sshd_config"))
        let missing = SshdTree([:]).plan([sshdDesired("MaxAuthTries", "4")])
        XCTAssertEqual(missing.observations.first?.status, .error("/etc/ssh/sshd_config: no such file or directory"))

        let tree = SshdTree([main: "Banner \"/etc/issue\nPubkeyAcceptedKeyTypes ssh-ed25519\n"])
        let plan = tree.plan([
            sshdDesired("Banner", "/etc/issue.net"), sshdDesired("Match", "all"), sshdDesired("PubkeyAcceptedAlgorithms", "ssh-ed25519"),
            sshdDesired("PubkeyAcceptedKeyTypes", "rsa-sha2-512"), sshdDesired("MaxAuthTries", "\"4"), sshdDesired("MaxSessions", "4"),
        ])
        XCTAssertEqual(
            plan.observations.map(\.status),
            [
                .error("/etc/ssh/sshd_config:1: invalid quotes"), .error("Match cannot be managed as a value"), .compliant,
                .error("PubkeyAcceptedKeyTypes is the same sshd option as sshd:pubkeyacceptedalgorithms"),
                .error("desired value \"4 has an unterminated quote"), .pending,
            ])
        XCTAssertEqual(plan.edits.count, 1, "the valid key is still planned")
        XCTAssertEqual(plan.edits.first?.keys, ["sshd:maxsessions"])
    }

    func testUnsafeInputIsRefused() {
        let tree = SshdTree([main: "PasswordAuthentication yes\n"])
        let plan = tree.plan([
            sshdDesired("PasswordAuthentication", "no\nPermitRootLogin yes"), sshdDesired("Permit RootLogin", "no"),
            sshdDesired("#PermitRootLogin", "no"),
        ])
        XCTAssertEqual(
            plan.observations.map(\.status),
            [
                .error("desired value for PasswordAuthentication contains a line break"),
                .error("\"Permit RootLogin\" is not an sshd_config keyword"),
                .error("\"#PermitRootLogin\" is not an sshd_config keyword"),
            ])
        XCTAssertEqual(plan.edits, [])
    }

    /// The planned files are probed again; an edit that sshd would read differently is refused.
    func testPlannedEditIsVerified() {
        // sshd's strdelim() eats one '=' after the keyword, so "PasswordAuthentication =no"
        // reads back as "no", not "=no": the plan must not claim it fixes the key.
        let tree = SshdTree([main: "PasswordAuthentication yes\nUsePAM yes\n"])
        let plan = tree.plan([sshdDesired("PasswordAuthentication", "=no"), sshdDesired("MaxAuthTries", "4")])
        XCTAssertEqual(
            plan.observations[0].status,
            .error("planned edit would not take effect (no from /etc/ssh/sshd_config:1)"))
        XCTAssertEqual(plan.observations[1].status, .pending)
        XCTAssertEqual(plan.edits.count, 1)
        XCTAssertEqual(plan.edits.first?.after, Array("PasswordAuthentication yes\nUsePAM yes\nMaxAuthTries 4\n".utf8))
    }

    func testPlanIsFast() throws {
        let tree = try debianTree()
        let profile = [
            sshdDesired("PasswordAuthentication", "no"), sshdDesired("PermitRootLogin", "no"), sshdDesired("MaxAuthTries", "4"),
            sshdDesired("X11Forwarding", "no"), sshdDesired("LoginGraceTime", "60"), sshdDesired("ClientAliveInterval", "300"),
            sshdDesired("ClientAliveCountMax", "3"), sshdDesired("IgnoreRhosts", "yes"), sshdDesired("HostbasedAuthentication", "no"),
            sshdDesired("PermitEmptyPasswords", "no"), sshdDesired("PermitUserEnvironment", "no"), sshdDesired("LogLevel", "INFO"),
            sshdDesired("MaxStartups", "10:30:60"), sshdDesired("MaxSessions", "10"), sshdDesired("Banner", "/etc/issue.net"),
            sshdDesired("Ciphers", "aes256-gcm@openssh.com,aes128-gcm@openssh.com,aes256-ctr"),
            sshdDesired("MACs", "hmac-sha2-512-etm@openssh.com,hmac-sha2-256-etm@openssh.com"),
            sshdDesired("KexAlgorithms", "curve25519-sha256,diffie-hellman-group16-sha512"), sshdDesired("UsePAM", "yes"),
            sshdDesired("AllowTcpForwarding", "no"),
        ]
        _ = tree.plan(profile)  // warm up
        let start = Date()
        let plan = tree.plan(profile)
        let elapsed = Date().timeIntervalSince(start)
        XCTAssertEqual(plan.observations.count, 20)
        XCTAssertLessThan(elapsed, 0.030, "plan took \(elapsed * 1000) ms")
    }
}
