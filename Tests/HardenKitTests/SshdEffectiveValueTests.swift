import XCTest

@testable import HardenKit

/// Effective global values, each worked out by hand from sshd_config(5) / servconf.c. The cases
/// marked "sshd -T" were also run through Debian 12's sshd 9.2p1 (`sshd -T -f`) while writing.
final class SshdEffectiveValueTests: XCTestCase {
    private let main = "/etc/ssh/sshd_config"
    private let dropIns = "/etc/ssh/sshd_config.d"

    private func config(_ files: [String: String], directories: [String] = []) -> SshdEffectiveConfig {
        SshdEffectiveConfig(host: MemoryHost(files, directories: directories))
    }

    private func assertValue(
        _ effective: SshdEffectiveConfig, _ keyword: String, _ values: [String]?, from source: String? = nil,
        file: StaticString = #filePath, line: UInt = #line
    ) {
        XCTAssertNil(effective.error, file: file, line: line)
        let value = effective.value(for: keyword)
        XCTAssertEqual(value?.values, values, keyword, file: file, line: line)
        if let source { XCTAssertEqual(value?.source, source, file: file, line: line) }
    }

    // 1. sshd_config(5): "the first obtained value will be used"; Include is processed where it
    //    stands, so a drop-in included at the top is obtained before the main file's line.
    func testDropInIncludedFirstWins() {
        let c = config([
            main: "Include /etc/ssh/sshd_config.d/*.conf\nPasswordAuthentication yes\n",
            "\(dropIns)/50-cloud-init.conf": "PasswordAuthentication no\n",
        ])
        assertValue(c, "PasswordAuthentication", ["no"], from: "\(dropIns)/50-cloud-init.conf:1")
    }

    // 2. Include: "Files ... will be ... processed in lexical order" (glob sorts bytewise in the
    //    C locale): 10-a < 50-b, "10-" < "9-" (not numeric), "Z" < "a". Hidden files are not
    //    matched by '*'. (sshd -T)
    func testDropInsAreReadInLexicalByteOrder() {
        let c = config([
            main: "Include /etc/ssh/sshd_config.d/*.conf\n",
            "\(dropIns)/50-b.conf": "MaxAuthTries 5\nMaxSessions 50\n",
            "\(dropIns)/10-a.conf": "MaxAuthTries 3\n",
            "\(dropIns)/9-x.conf": "MaxAuthTries 1\nMaxSessions 9\n",
            "\(dropIns)/Z.conf": "LoginGraceTime 20\n",
            "\(dropIns)/a.conf": "LoginGraceTime 30\n",
            "\(dropIns)/.hidden.conf": "PermitRootLogin yes\n",
            "\(dropIns)/README": "PermitRootLogin yes\n",
        ])
        assertValue(c, "MaxAuthTries", ["3"], from: "\(dropIns)/10-a.conf:1")
        assertValue(c, "MaxSessions", ["50"], from: "\(dropIns)/50-b.conf:2")
        assertValue(c, "LoginGraceTime", ["20"], from: "\(dropIns)/Z.conf:1")
        assertValue(c, "PermitRootLogin", nil)
        XCTAssertEqual(
            c.loaded.expansions.first?.files.map(\.path),
            ["10-a.conf", "50-b.conf", "9-x.conf", "Z.conf", "a.conf"].map { "\(dropIns)/\($0)" })
    }

    // 3. A line in the main file *above* the Include is obtained first and beats the drop-in.
    func testMainLineBeforeIncludeBeatsDropIn() {
        let c = config([
            main: "PermitRootLogin no\nInclude /etc/ssh/sshd_config.d/*.conf\n",
            "\(dropIns)/50-cloud-init.conf": "PermitRootLogin yes\n",
        ])
        assertValue(c, "PermitRootLogin", ["no"], from: "\(main):1")
    }

    // 4. "Keywords are case-insensitive and arguments are case-sensitive."
    func testKeywordsAreCaseInsensitive() {
        let c = config([main: "passwordauthentication no\nPASSWORDAUTHENTICATION yes\nPasswordAuthentication yes\n"])
        assertValue(c, "PasswordAuthentication", ["no"], from: "\(main):1")
        XCTAssertEqual(c.value(for: "PASSWORDauthentication")?.source, "\(main):1")
    }

    // 5. sshd_config(5): "Arguments may optionally be enclosed in double quotes"; strdelim() lets
    //    one '=' separate keyword and argument ("key=value", "key = value"). (sshd -T)
    func testKeyEqualsValueForms() {
        let c = config([main: "MaxAuthTries=3\nMaxSessions = 4\nLoginGraceTime =5\nClientAliveInterval= 6\n"])
        assertValue(c, "MaxAuthTries", ["3"])
        assertValue(c, "MaxSessions", ["4"])
        assertValue(c, "LoginGraceTime", ["5"])
        assertValue(c, "ClientAliveInterval", ["6"])
    }

    // 6. Duplicates in one file: the first obtained value wins (`*intptr == -1` guard).
    func testDuplicateFirstWins() {
        let c = config([main: "X11Forwarding no\nUsePAM yes\nX11Forwarding yes\n"])
        assertValue(c, "X11Forwarding", ["no"], from: "\(main):1")
    }

    // 7. "If all of the criteria on the Match line are satisfied, the keywords on the following
    //    lines override those set in the global section": a Match block never sets the global
    //    value; it is reported as an override.
    func testMatchBlockDoesNotSetGlobal() {
        let c = config([main: "UsePAM yes\nMatch User anoncvs\n\tPasswordAuthentication yes\n"])
        assertValue(c, "PasswordAuthentication", nil)
        let overrides = c.matchOverrides(for: "passwordauthentication")
        XCTAssertEqual(overrides.count, 1)
        XCTAssertEqual(
            overrides.first?.warning(keyword: "PasswordAuthentication"),
            "Match User anoncvs at /etc/ssh/sshd_config:2 overrides PasswordAuthentication (yes)")
    }

    // 8. A Match block lasts "until either another Match line or the end of the file": a
    //    setting appended after a trailing Match is not global (ComplianceAsCode#13278).
    func testSettingAfterMatchIsNotGlobal() {
        let c = config([main: "PermitRootLogin yes\nMatch Address 10.0.0.0/8\nX11Forwarding no\nPermitRootLogin no\n"])
        assertValue(c, "PermitRootLogin", ["yes"], from: "\(main):1")
        assertValue(c, "X11Forwarding", nil)
    }

    // 9. AllowUsers: "multiple AllowUsers lines are concatenated" — every line's patterns are
    //    appended (opt_array_append), across files, in processing order. (sshd -T)
    func testAllowUsersAccumulatesAcrossLinesAndFiles() {
        let c = config([
            main: "Include /etc/ssh/sshd_config.d/*.conf\nAllowUsers bob carol\nAllowUsers dave\n",
            "\(dropIns)/20-users.conf": "AllowUsers alice\n",
        ])
        assertValue(c, "AllowUsers", ["alice", "bob", "carol", "dave"], from: "\(dropIns)/20-users.conf:1")
        XCTAssertEqual(c.value(for: "allowusers")?.sources.map(\.location), ["\(dropIns)/20-users.conf:1", "\(main):2", "\(main):3"])
    }

    // 10. Double (and single) quotes group an argument with spaces; quotes are removed.
    func testQuotedArguments() {
        let c = config([main: "Banner \"/etc/ssh/my banner\"\nAuthorizedKeysFile '.ssh/authorized keys' .ssh/k2\n"])
        assertValue(c, "Banner", ["/etc/ssh/my banner"])
        assertValue(c, "AuthorizedKeysFile", [".ssh/authorized keys", ".ssh/k2"])
    }

    // 11. Include: "Files without absolute paths are assumed to be in /etc/ssh". (sshd -T)
    func testRelativeIncludeIsRelativeToEtcSsh() {
        let c = config([main: "Include sshd_config.d/*.conf\n", "\(dropIns)/x.conf": "MaxAuthTries 3\n"])
        assertValue(c, "MaxAuthTries", ["3"], from: "\(dropIns)/x.conf:1")
        XCTAssertEqual(c.loaded.expansions.first?.absolutePattern, "/etc/ssh/sshd_config.d/*.conf")
    }

    // 12. Nested Include: the inner file is processed at the inner Include line, before the
    //     rest of the outer included file.
    func testNestedInclude() {
        let c = config([
            main: "Include /etc/ssh/outer.conf\nMaxAuthTries 9\n",
            "/etc/ssh/outer.conf": "Include inner.conf\nMaxAuthTries 5\n",
            "/etc/ssh/inner.conf": "MaxAuthTries 2\n",
        ])
        assertValue(c, "MaxAuthTries", ["2"], from: "/etc/ssh/inner.conf:1")
        XCTAssertEqual(c.loaded.entries.first { $0.path == "/etc/ssh/inner.conf" }?.depth, 2)
    }

    // 13. A glob matching nothing and a plain path that does not exist are silently skipped
    //     (GLOB_NOMATCH is not an error). (sshd -T)
    func testMissingIncludesAreFine() {
        let c = config([main: "Include /etc/ssh/nothere/*.conf /etc/ssh/missing.conf sshd_config.d/*.conf\nMaxAuthTries 3\n"])
        assertValue(c, "MaxAuthTries", ["3"], from: "\(main):2")
        XCTAssertEqual(c.loaded.expansions.count, 3)
    }

    // 14. An Include loop recurses until SERVCONF_MAX_DEPTH: sshd dies with "Too many recursive
    //     configuration includes" (sshd -T). We report it as a loop.
    func testIncludeLoopIsAnError() {
        let direct = config([main: "Include /etc/ssh/sshd_config\n"])
        XCTAssertEqual(
            direct.error, .includeLoop(chain: [main, main], at: "\(main):1"))
        let indirect = config([
            main: "Include /etc/ssh/a.conf\n", "/etc/ssh/a.conf": "Include b.conf\n", "/etc/ssh/b.conf": "Include a.conf\n",
        ])
        XCTAssertEqual(
            indirect.error,
            .includeLoop(chain: [main, "/etc/ssh/a.conf", "/etc/ssh/b.conf", "/etc/ssh/a.conf"], at: "/etc/ssh/b.conf:1"))
        XCTAssertTrue(indirect.error?.description.contains("Include loop") ?? false)
    }

    // 15. Depth: main is depth 0 and `depth > 16` is fatal: 16 nested files load, 17 do not.
    //     (sshd -T with chains of 16 and 17)
    func testIncludeDepthLimit() {
        func chain(_ n: Int) -> [String: String] {
            var files = [main: "Include /etc/ssh/f1\n"]
            for i in 1..<n { files["/etc/ssh/f\(i)"] = "Include /etc/ssh/f\(i + 1)\n" }
            files["/etc/ssh/f\(n)"] = "MaxAuthTries 3\n"
            return files
        }
        assertValue(config(chain(16)), "MaxAuthTries", ["3"], from: "/etc/ssh/f16:1")
        XCTAssertEqual(config(chain(17)).error, .tooDeep(path: "/etc/ssh/f17", at: "/etc/ssh/f16:1", limit: 16))
    }

    // 16. CRLF: sshd splits on "\n" and strips trailing whitespace including "\r".
    func testCRLFLineEndings() {
        let c = config([main: "PasswordAuthentication no\r\nMaxAuthTries 4 \r\n"])
        assertValue(c, "PasswordAuthentication", ["no"], from: "\(main):1")
        assertValue(c, "MaxAuthTries", ["4"])
    }

    // 17. Comments: '#' starts a comment only at the start of a token (argv_split with
    //     terminate_on_comment): "no # x" is "no"; "no#x" is one token (sshd -T rejects it:
    //     'unsupported option "no#x"'). A leading '#' comments out the whole line.
    func testCommentAfterValue() {
        let c = config([main: "#PermitRootLogin yes\nPermitRootLogin no # CIS 5.2.10\nPasswordAuthentication no#x\n"])
        assertValue(c, "PermitRootLogin", ["no"], from: "\(main):2")
        assertValue(c, "PasswordAuthentication", ["no#x"])
    }

    // 18. servconf.c restores the includer's Match state after each included file
    //     ("Don't let included files clobber the containing file's Match state"): a Match at
    //     the end of a drop-in does not swallow the main file's later lines. (sshd -T)
    func testMatchInIncludedFileEndsWithThatFile() {
        let c = config([
            main: "Include /etc/ssh/sshd_config.d/*.conf\nPasswordAuthentication no\n",
            "\(dropIns)/10-m.conf": "Match User x\nPasswordAuthentication yes\n",
            "\(dropIns)/20-n.conf": "MaxAuthTries 3\n",
        ])
        assertValue(c, "PasswordAuthentication", ["no"], from: "\(main):2")
        assertValue(c, "MaxAuthTries", ["3"], from: "\(dropIns)/20-n.conf:1")
        XCTAssertEqual(c.matchOverrides(for: "PasswordAuthentication").first?.block.description, "Match User x at \(dropIns)/10-m.conf:1")
    }

    // 19. An Include inside a Match block includes into that block (the included file runs with
    //     the includer's Match state). (sshd -T: global "yes" default, "-C user=x" gives "no")
    func testIncludeInsideMatchBelongsToTheBlock() {
        let c = config([main: "Match User x\nInclude /etc/ssh/m.conf\n", "/etc/ssh/m.conf": "PasswordAuthentication no\nMatch all\nMaxAuthTries 2\n"])
        assertValue(c, "PasswordAuthentication", nil)
        assertValue(c, "MaxAuthTries", nil, from: nil)  // "Match all" cannot escape an outer Match
        XCTAssertEqual(c.matchOverrides(for: "PasswordAuthentication").first?.block.description, "Match User x at \(main):1")
    }

    // 20. "Match all" matches every connection; in the initial (global) parse match_cfg_line()
    //     returns 1 for it, so later lines are global again. (sshd -T)
    func testMatchAllReturnsToGlobal() {
        let c = config([main: "Match User x\nX11Forwarding yes\nMatch all\nPasswordAuthentication no\n"])
        assertValue(c, "PasswordAuthentication", ["no"], from: "\(main):4")
        assertValue(c, "X11Forwarding", nil)
    }

    // 21. Accumulation per keyword (servconf.c): HostKey, HostCertificate, Port, ListenAddress,
    //     Subsystem add one entry per line; SetEnv, AuthorizedKeysFile, PermitOpen, PermitListen,
    //     LogVerbose and ChannelTimeout take several values on their *first* line only
    //     (`uvalue != 0` / `found` guards). (sshd -T for every keyword here)
    func testPerKeywordAccumulation() {
        let c = config([
            main: """
                SetEnv A=1 B=2
                SetEnv C=3
                HostKey /etc/ssh/k1
                HostKey /etc/ssh/k2
                Subsystem sftp internal-sftp
                Subsystem foo /bin/foo
                PermitOpen host1:22 host3:22
                PermitOpen host2:22
                LogVerbose kex.c:*
                LogVerbose packet.c:*
                AuthorizedKeysFile .ssh/a .ssh/b
                AuthorizedKeysFile .ssh/c
                ChannelTimeout session=5m
                ChannelTimeout global=10m
                ListenAddress 127.0.0.1
                ListenAddress 127.0.0.2
                Port 22
                Port 2222

                """
        ])
        assertValue(c, "SetEnv", ["A=1", "B=2"])
        assertValue(c, "HostKey", ["/etc/ssh/k1", "/etc/ssh/k2"])
        XCTAssertEqual(c.value(for: "HostKey")?.display, "/etc/ssh/k1, /etc/ssh/k2")
        assertValue(c, "Subsystem", ["sftp internal-sftp", "foo /bin/foo"])
        assertValue(c, "PermitOpen", ["host1:22", "host3:22"])
        assertValue(c, "LogVerbose", ["kex.c:*"])
        assertValue(c, "AuthorizedKeysFile", [".ssh/a", ".ssh/b"])
        assertValue(c, "ChannelTimeout", ["session=5m"])
        assertValue(c, "ListenAddress", ["127.0.0.1", "127.0.0.2"])
        assertValue(c, "Port", ["22", "2222"])
    }

    // 22. Obsolete spellings name the same option (keywords[] table): PubkeyAcceptedKeyTypes is
    //     PubkeyAcceptedAlgorithms.
    func testAliasesFoldToOneOption() {
        let c = config([main: "PubkeyAcceptedKeyTypes ssh-ed25519\nPubkeyAcceptedAlgorithms rsa-sha2-512\n"])
        assertValue(c, "PubkeyAcceptedAlgorithms", ["ssh-ed25519"], from: "\(main):1")
    }

    // 23. The real Debian 12 config: Include at the top, KbdInteractiveAuthentication set,
    //     PasswordAuthentication left to the default.
    func testDebian12DefaultConfig() throws {
        let c = config([main: try SshdFixtures.text("debian12_sshd_config")], directories: [dropIns])
        assertValue(c, "KbdInteractiveAuthentication", ["no"], from: "\(main):62")
        assertValue(c, "AcceptEnv", ["LANG", "LC_*"])
        assertValue(c, "PasswordAuthentication", nil)
    }

    // 24. Unreadable files make the whole configuration unknown (sshd would exit too).
    func testUnreadableIncludedFileIsAnError() {
        final class Denying: HostReader, @unchecked Sendable {
            let base = MemoryHost(["/etc/ssh/sshd_config": "Include /etc/ssh/secret.conf\n", "/etc/ssh/secret.conf": "X yes\n"])
            func readFile(_ path: String) throws(HostError) -> [UInt8] {
                if path.hasSuffix("secret.conf") { throw .permissionDenied(path) }
                return try base.readFile(path)
            }
            func listDirectory(_ path: String) throws(HostError) -> [String] { try base.listDirectory(path) }
            func fileType(_ path: String) throws(HostError) -> HostFileType? { try base.fileType(path) }
        }
        let c = SshdEffectiveConfig(host: Denying())
        XCTAssertEqual(c.error, .unreadable(.permissionDenied("/etc/ssh/secret.conf"), includedAt: "\(main):1"))
        XCTAssertEqual(SshdEffectiveConfig(host: MemoryHost([:])).error, .unreadable(.notFound(main), includedAt: nil))
    }
}
