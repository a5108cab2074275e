import XCTest

@testable import HardenKit

final class PamFileTests: XCTestCase {
    func roundTrip(_ bytes: [UInt8], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(PamFile(bytes: bytes).render(), bytes, file: file, line: line)
    }

    func testEveryFixtureFileRoundTrips() {
        let files = PamFixtures.allFiles
        XCTAssertGreaterThan(files.count, 60)
        for f in files { roundTrip(PamFixtures.bytes(f)) }
    }

    func testOddInputsRoundTrip() {
        let cases: [String] = [
            "", "\n", "\n\n", "auth required pam_unix.so", "auth required pam_unix.so\r\n", "auth\r\nrequired\r\n",
            "auth required pam_unix.so \\\n  nullok\n", "auth required \\", "\\\n\\\n\\", "#\\\nauth required x.so\n",
            "auth [success=1 default=ignore pam_x.so\n", "auth required pam_mysql.so [query=select a, b]\n",
            "   \t  \n", "@include", "@include common-auth", "-session optional pam_systemd.so\n", "x\ny\r\nz",
        ]
        for c in cases { roundTrip(Array(c.utf8)) }
        roundTrip([0xFF, 0xFE, 0x0A, 0x61, 0x75, 0x74, 0x68, 0x20, 0xC3, 0x28, 0x0A, 0x80])
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("auth [=]\\#\n\r\t x-@".utf8) + [0xFF, 0xC3]
        for _ in 0..<500 {
            let n = Int.random(in: 0..<80, using: &generator)
            roundTrip((0..<n).map { _ in alphabet.randomElement(using: &generator)! })
        }
    }

    func testRuleFields() {
        let f = PamFile(bytes: Array("auth\t[success=1 default=ignore]\tpam_unix.so nullok  try_first_pass # note\n".utf8))
        XCTAssertEqual(f.lines.count, 1)
        let l = f.lines[0]
        XCTAssertEqual(l.kind, .rule)
        XCTAssertEqual(l.typeText, "auth")
        XCTAssertEqual(l.control, "[success=1 default=ignore]")
        XCTAssertEqual(l.module, "pam_unix.so")
        XCTAssertEqual(l.args, ["nullok", "try_first_pass"])
        XCTAssertEqual(PamControl.jumps(l.control), [1])
    }

    func testKinds() {
        let text = """
            #%PAM-1.0

            @include common-auth
            -session optional pam_systemd.so
            Auth Required /lib/security/pam_unix.so
            bogus line here
            auth required
              # indented comment
            account include system-auth

            """
        let kinds = PamFile(bytes: Array(text.utf8)).lines.map(\.kind)
        XCTAssertEqual(kinds, [.comment, .blank, .include, .rule, .rule, .invalid, .invalid, .comment, .rule])
        let f = PamFile(bytes: Array(text.utf8))
        XCTAssertTrue(f.lines[3].isSilent)
        XCTAssertEqual(f.lines[3].baseType, "session")
        XCTAssertEqual(f.lines[4].baseType, "auth")
        XCTAssertEqual(f.lines[4].moduleName, "pam_unix.so")
        XCTAssertEqual(f.lines[2].includedService, "common-auth")
        XCTAssertEqual(f.lines[8].includedService, "system-auth")
        XCTAssertEqual(f.lineNumber(of: 8), 9)
    }

    func testBracketArgumentsKeepTheirSpaces() {
        let l = PamLine(raw: Array("auth optional pam_mysql.so user=x [query=select a from b where c = ']'] next\n".utf8))
        XCTAssertEqual(l.args, ["user=x", "[query=select a from b where c = ']", "']", "next"])
        let escaped = PamLine(raw: Array("auth optional pam_x.so [a b\\] c]d e\n".utf8))
        XCTAssertEqual(escaped.args, ["[a b\\] c]", "d", "e"])
        XCTAssertEqual(escaped.tokens[3].value, "a b] c")
        XCTAssertTrue(escaped.tokens[3].bracketed)
    }

    func testContinuationLinesFormOneEntry() {
        let text = "auth required pam_env.so \\\n# a comment libpam skips\n\n    readenv=1 \\  \n    user_readenv=0\nauth required pam_deny.so\n"
        let f = PamFile(bytes: Array(text.utf8))
        XCTAssertEqual(f.lines.count, 2)
        XCTAssertEqual(f.lines[0].args, ["readenv=1", "user_readenv=0"])
        XCTAssertEqual(f.lines[0].physicalLineCount, 5)
        XCTAssertEqual(f.lineNumber(of: 1), 6)
        XCTAssertEqual(f.render(), Array(text.utf8))
        // a '#' ends the entry: no continuation after a comment
        let g = PamFile(bytes: Array("auth required pam_a.so # x \\\nauth required pam_b.so\n".utf8))
        XCTAssertEqual(g.lines.count, 2)
    }

    func testCommentCutsTheRule() {
        let l = PamLine(raw: Array("auth required pam_deny.so # Smartcard authentication is required\n".utf8))
        XCTAssertEqual(l.args, [])
        XCTAssertEqual(l.text, "auth required pam_deny.so")
    }

    func testCRLFAndNoFinalNewline() {
        var f = PamFile(bytes: Array("auth required pam_env.so\r\nauth required pam_deny.so".utf8))
        XCTAssertEqual(f.lines[0].args, [])
        XCTAssertEqual(f.lines[1].module, "pam_deny.so")
        XCTAssertEqual(f.terminator, [0x0D, 0x0A])
        f.insert(PamLine(raw: Array("auth required pam_permit.so".utf8)), at: 2)
        XCTAssertEqual(PamAssert.text(f.render()), "auth required pam_env.so\r\nauth required pam_deny.so\r\nauth required pam_permit.so\r\n")
        f.remove(at: 2)
        XCTAssertEqual(PamAssert.text(f.render()), "auth required pam_env.so\r\nauth required pam_deny.so\r\n")
        var g = PamFile(bytes: Array("a\nauth required pam_x.so".utf8))
        g.remove(at: 1)
        XCTAssertEqual(PamAssert.text(g.render()), "a")
    }

    func testReplacingArgsKeepsSeparatorsAndComment() throws {
        let l = PamLine(raw: Array("password    requisite     pam_pwquality.so try_first_pass  local_users_only retry=3 # c\n".utf8))
        XCTAssertEqual(
            PamAssert.text(try l.replacingArgs(["try_first_pass", "local_users_only", "retry=5", "minlen=14"]).raw),
            "password    requisite     pam_pwquality.so try_first_pass  local_users_only retry=5 minlen=14 # c\n")
        XCTAssertEqual(PamAssert.text(try l.replacingArgs([]).raw), "password    requisite     pam_pwquality.so # c\n")
        let bare = PamLine(raw: Array("auth\trequired\tpam_x.so\n".utf8))
        XCTAssertEqual(PamAssert.text(try bare.replacingArgs(["a"]).raw), "auth\trequired\tpam_x.so a\n")
        let continued = PamLine(raw: Array("  auth required pam_x.so a \\\n b\n".utf8))
        XCTAssertEqual(PamAssert.text(try continued.replacingArgs(["a", "c"]).raw), "  auth required pam_x.so a c\n")
    }

    func testControlRewriting() {
        XCTAssertEqual(PamControl.jumps("[success=2 new_authtok_reqd=done default=ignore]"), [2])
        XCTAssertEqual(PamControl.jumps("[default=1 ignore=ignore success=ok]"), [1])
        XCTAssertEqual(PamControl.jumps("required"), [])
        XCTAssertEqual(PamControl.rewritingJumps("[success=2  default=1]") { $0 + 1 }, "[success=3  default=2]")
        XCTAssertEqual(PamControl.rewritingJumps("[success=1 default=ignore]") { $0 - 1 }, "[success=ok default=ignore]")
        XCTAssertEqual(PamControl.normalized("[Success=1   default=ignore]"), "[success=1 default=ignore]")
        XCTAssertEqual(PamControl.normalized("Required"), "required")
    }

    func testLayoutOfNewLines() {
        let deb = PamLineLayout(of: PamLine(raw: Array("auth\trequisite\t\t\tpam_deny.so\n".utf8)))!
        XCTAssertEqual(deb.render(type: "auth", control: "[default=die]", module: "pam_faillock.so", args: ["authfail"]),
            "auth\t[default=die]\t\t\tpam_faillock.so authfail")
        let el = PamLineLayout(of: PamLine(raw: Array("auth        required      pam_env.so\n".utf8)))!
        XCTAssertEqual(el.render(type: "auth", control: "required", module: "pam_faillock.so", args: ["preauth"]),
            "auth        required      pam_faillock.so preauth")
        XCTAssertEqual(el.render(type: "auth", control: "[default=die]", module: "pam_faillock.so", args: []),
            "auth        [default=die] pam_faillock.so")
    }
}
