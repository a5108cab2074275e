import XCTest

@testable import HardenKit

/// Edits that libpam would read differently from what was asked (the fuzz findings
/// pam-open-bracket-arg, pam-append-after-continuation, pam-rewrite-ends-in-backslash and
/// pam-remove-last-after-blank): each edit is either read back by libpam (and harden's parser,
/// which follows it) as intended, or refused before anything is written.
final class PamEditSafetyTests: XCTestCase {
    func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

    /// The rendered file parses back to the same entries.
    func assertReparses(_ f: PamFile, file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(PamFile(bytes: f.render()), f, "re-parse differs: \(PamAssert.text(f.render()).debugDescription)", file: file, line: line)
    }

    // MARK: - pam-open-bracket-arg

    func testNoArgumentCanFollowAnUnclosedBracketWord() throws {
        let line = PamLine(raw: bytes("password\trequisite\t\t\tpam_pwquality.so [minlen=8\n"))
        XCTAssertEqual(line.args, ["[minlen=8"])
        XCTAssertThrowsError(try line.replacingArgs(["[minlen=8", "retry=3"])) { error in
            XCTAssertEqual(
                (error as? PamProblem)?.message,
                "'[minlen=8' opens a '[' that no ']' closes: libpam reads the rest of the line as part of that word, so no word can follow it; close the bracket or remove the word"
            )
        }
        // an unclosed module word swallows any argument too
        let module = PamLine(raw: bytes("session required [pam_so\n"))
        XCTAssertEqual(module.module, "[pam_so")
        XCTAssertThrowsError(try module.replacingArgs(["a"]))
        XCTAssertEqual(try module.replacingArgs([]).raw, module.raw)
        // `\]` does not close it
        XCTAssertThrowsError(try PamLine(raw: bytes("auth required pam_x.so [a\\]\n")).replacingArgs(["[a\\]", "b"]))

        // the word can still go, or stay last
        let without = try line.replacingArgs(["retry=3"])
        XCTAssertEqual(PamAssert.text(without.raw), "password\trequisite\t\t\tpam_pwquality.so retry=3\n")
        let last = try line.replacingArgs(["retry=3", "[minlen=8"])
        XCTAssertEqual(PamAssert.text(last.raw), "password\trequisite\t\t\tpam_pwquality.so retry=3 [minlen=8\n")
        XCTAssertEqual(PamLine(raw: last.raw).args, ["retry=3", "[minlen=8"])
        // a closed bracket word takes arguments after it
        let closed = PamLine(raw: bytes("auth optional pam_mysql.so [query=select a, b]\n"))
        XCTAssertEqual(PamAssert.text(try closed.replacingArgs(["[query=select a, b]", "c"]).raw), "auth optional pam_mysql.so [query=select a, b] c\n")
    }

    func testSetArgsAfterAnUnclosedBracketIsRefusedNamingFileAndLine() {
        let host = PamFixtures.host("el7", moduleDir: PamFixtures.rhelModuleDir)
        let text = "#%PAM-1.0\npassword\trequisite\tpam_pwquality.so [minlen=8\npassword\trequired\tpam_deny.so\n"
        host.write("/etc/pam.d/passwd", text)
        let plan = PamPlanner.plan(
            desired: [PamDesired(service: "passwd", type: "password", module: "pam_pwquality.so", setArgs: [("retry", "3")])], host: host)
        XCTAssertEqual(
            PamAssert.error(plan.observations[0]),
            "/etc/pam.d/passwd:2: '[minlen=8' opens a '[' that no ']' closes: libpam reads the rest of the line as part of that word, so no word can follow it; close the bracket or remove the word"
        )
        XCTAssertEqual(plan.edits, [])
        XCTAssertEqual(PamAssert.text(host.pamText("/etc/pam.d/passwd")), text)
    }

    func testAWholeLineWithArgumentsAfterAnUnclosedBracketIsRefused() {
        let host = PamFixtures.host("el7", moduleDir: PamFixtures.rhelModuleDir)
        host.write("/etc/pam.d/passwd", "password\trequisite\tpam_pwquality.so [minlen=8\n")
        let plan = PamPlanner.plan(
            desired: [
                PamDesired(service: "passwd", type: "password", module: "pam_pwquality.so", control: "requisite", args: ["[minlen=8", "retry=3"])
            ], host: host)
        XCTAssertEqual(PamAssert.error(plan.observations[0])?.hasPrefix("/etc/pam.d/passwd:1: '[minlen=8' opens a '['"), true)
        XCTAssertEqual(plan.edits, [])
    }

    func testANewLineMustReadBackAsItsWords() {
        let host = PamFixtures.host("el7", moduleDir: PamFixtures.rhelModuleDir)
        host.write("/etc/pam.d/login", "auth required pam_env.so\n")
        let plan = PamPlanner.plan(
            desired: [PamDesired(service: "login", type: "auth", module: "pam_faildelay.so", control: "optional", args: ["[delay=1", "x"])],
            host: host)
        XCTAssertEqual(PamAssert.error(plan.observations[0])?.hasPrefix("/etc/pam.d/login: the new line 'auth"), true)
        XCTAssertEqual(plan.edits, [])
    }

    // MARK: - pam-rewrite-ends-in-backslash

    func testAWordEndingInABackslashLeftLastEndsItsLine() throws {
        var f = PamFile(bytes: bytes("auth\trequired\tpam_x.so\\ retry=3\nauth\trequired\tpam_deny.so\n"))
        XCTAssertEqual(f.lines[0].module, "pam_x.so\\")
        let rewritten = try f.lines[0].replacingArgs([])
        XCTAssertEqual(PamAssert.text(rewritten.raw), "auth\trequired\tpam_x.so\\ #\n")
        f.replace(at: 0, with: rewritten)
        assertReparses(f)
        let again = PamFile(bytes: f.render())
        XCTAssertEqual(again.lines.count, 2)
        XCTAssertEqual(again.lines[0].module, "pam_x.so\\")
        XCTAssertEqual(again.lines[0].args, [])
        XCTAssertEqual(again.lines[1].module, "pam_deny.so")

        // a kept argument ending in `\`, and a continued rule written back as one line
        let arg = PamLine(raw: bytes("auth required pam_x.so a\\ b\n"))
        XCTAssertEqual(PamAssert.text(try arg.replacingArgs(["a\\"]).raw), "auth required pam_x.so a\\ #\n")
        let continued = PamLine(raw: bytes("auth required pam_x.so\\ \\\n  a\n"))
        XCTAssertEqual(continued.module, "pam_x.so\\")
        XCTAssertEqual(continued.args, ["a"])
        XCTAssertEqual(PamAssert.text(try continued.replacingArgs([]).raw), "auth required pam_x.so\\ #\n")
        // more arguments later go before the comment
        let more = try PamLine(raw: bytes("auth\trequired\tpam_x.so\\ #\n")).replacingArgs(["a"])
        XCTAssertEqual(PamAssert.text(more.raw), "auth\trequired\tpam_x.so\\ a #\n")
        XCTAssertEqual(more.args, ["a"])
    }

    func testRemovingArgumentsAfterABackslashWordConverges() {
        let host = PamFixtures.host("el7", moduleDir: PamFixtures.rhelModuleDir)
        host.write("/etc/pam.d/login", "auth required pam_env.so\\ debug\nauth required pam_deny.so\n")
        PamAssert.idempotent([PamDesired(service: "login", type: "auth", module: "pam_env.so\\", removeArgs: ["debug"])], host)
        XCTAssertEqual(PamAssert.text(host.pamText("/etc/pam.d/login")), "auth required pam_env.so\\ #\nauth required pam_deny.so\n")
    }

    // MARK: - pam-append-after-continuation

    func testAppendingAfterAContinuationOpenAtTheEndOfTheFile() {
        var f = PamFile(bytes: bytes("account required pam_nologin.so\nsession optional pam_motd.so motd=/run/motd.dynamic \\"))
        XCTAssertTrue(f.endsInsideContinuation)
        f.insert(PamLine(raw: bytes("session required pam_limits.so")), at: f.lines.count)
        XCTAssertEqual(
            PamAssert.text(f.render()),
            "account required pam_nologin.so\nsession optional pam_motd.so motd=/run/motd.dynamic\nsession required pam_limits.so\n")
        assertReparses(f)
        XCTAssertFalse(f.endsInsideContinuation)
        XCTAssertEqual(f.lines.map(\.module), ["pam_nologin.so", "pam_motd.so", "pam_limits.so"])
        XCTAssertEqual(f.lines[1].args, ["motd=/run/motd.dynamic"])

        // comment lines and a backslash-only line after the last words: the continuation ends
        // at the last line with words, the rest become entries of their own
        var g = PamFile(bytes: bytes("auth required pam_env.so \\\n  readenv=1 \\\n# note\n  \\"))
        XCTAssertEqual(g.lines.count, 1)
        XCTAssertEqual(g.lines[0].args, ["readenv=1"])
        XCTAssertTrue(g.endsInsideContinuation)
        g.insert(PamLine(raw: bytes("auth required pam_faillock.so preauth")), at: 1)
        XCTAssertEqual(
            PamAssert.text(g.render()),
            "auth required pam_env.so \\\n  readenv=1\n# note\n  \nauth required pam_faillock.so preauth\n")
        assertReparses(g)
        XCTAssertEqual(g.lines.map(\.kind), [.rule, .comment, .blank, .rule])
        XCTAssertEqual(g.lines[0].args, ["readenv=1"])
        XCTAssertEqual(g.lines[3].args, ["preauth"])

        // a last word that ends in its own `\`: an empty comment ends the line instead
        var w = PamFile(bytes: bytes("auth required pam_x.so a\\ \\"))
        XCTAssertEqual(w.lines[0].args, ["a\\"])
        w.insert(PamLine(raw: bytes("auth required pam_faillock.so preauth")), at: 1)
        XCTAssertEqual(PamAssert.text(w.render()), "auth required pam_x.so a\\ #\nauth required pam_faillock.so preauth\n")
        assertReparses(w)
        XCTAssertEqual(w.lines[0].args, ["a\\"])

        // inserting anywhere else leaves the open continuation alone
        var h = PamFile(bytes: bytes("auth required pam_env.so \\"))
        h.insert(PamLine(raw: bytes("auth required pam_faillock.so preauth")), at: 0)
        XCTAssertEqual(PamAssert.text(h.render()), "auth required pam_faillock.so preauth\nauth required pam_env.so \\")
        assertReparses(h)
    }

    /// Ending a continuation that runs over many backslash-only lines is linear, not one pass
    /// per line.
    func testEndingALongContinuationIsLinear() {
        let n = 100_000
        var f = PamFile(bytes: bytes("auth required pam_x.so \\\n" + String(repeating: "  \\\n", count: n)))
        XCTAssertEqual(f.lines.count, 1)
        let start = Date()
        f.insert(PamLine(raw: bytes("auth required pam_faillock.so preauth")), at: 1)
        XCTAssertLessThan(Date().timeIntervalSince(start), 10)
        XCTAssertEqual(f.lines.count, n + 2)
        XCTAssertEqual(PamAssert.text(f.lines[0].raw), "auth required pam_x.so\n")
        XCTAssertEqual(f.lines[n].raw, bytes("  \n"))
        XCTAssertEqual(f.lines[n + 1].module, "pam_faillock.so")
        XCTAssertEqual(PamFile(bytes: f.render()).lines.count, n + 2)
    }

    func testPositionLastAfterAContinuationOpenAtTheEndOfTheFileIsRefused() {
        // libpam refuses the whole file; ending the continuation would make the rules before it
        // take effect, which is for a person to decide: nothing is planned or written
        let host = PamFixtures.host("el7", moduleDir: PamFixtures.rhelModuleDir)
        let text = "account required pam_nologin.so\nsession optional pam_motd.so motd=/run/motd.dynamic \\"
        host.write("/etc/pam.d/sshd", text)
        let plan = PamPlanner.plan(
            desired: [PamDesired(service: "sshd", type: "session", module: "pam_limits.so", control: "required", position: .last)],
            host: host)
        XCTAssertEqual(
            PamAssert.error(plan.observations[0]),
            "/etc/pam.d/sshd:2: the file ends inside a line continued with '\\' (libpam refuses the whole file: incomplete line); end or remove the continuation first, harden does not append after it"
        )
        XCTAssertEqual(plan.edits, [])
        XCTAssertEqual(PamAssert.text(host.pamText("/etc/pam.d/sshd")), text)
    }

    // MARK: - pam-remove-last-after-blank

    func testRemovingAnUnterminatedLastEntryKeepsABlankLineBeforeIt() {
        var f = PamFile(bytes: bytes("auth\trequired\tpam_unix.so\n\nauth\trequired\tpam_deny.so"))
        f.remove(at: 2)
        XCTAssertEqual(PamAssert.text(f.render()), "auth\trequired\tpam_unix.so\n\n")
        XCTAssertEqual(f.lines.map(\.kind), [.rule, .blank])
        assertReparses(f)
        XCTAssertEqual(f.lineNumber(of: 1), 2)

        // a blank line with spaces, or a comment, still loses its terminator
        var g = PamFile(bytes: bytes("a\n  \nauth required pam_x.so"))
        g.remove(at: 2)
        XCTAssertEqual(PamAssert.text(g.render()), "a\n  ")
        assertReparses(g)
        var c = PamFile(bytes: bytes("# c\nauth required pam_x.so"))
        c.remove(at: 1)
        XCTAssertEqual(PamAssert.text(c.render()), "# c")

        // a `\` before `\r\n` would start a continuation without its terminator
        var crlf = PamFile(bytes: bytes("auth required pam_x.so \\\r\nauth required pam_y.so"))
        XCTAssertEqual(crlf.lines[0].args, ["\\"])
        crlf.remove(at: 1)
        XCTAssertEqual(PamAssert.text(crlf.render()), "auth required pam_x.so \\\r\n")
        assertReparses(crlf)
        XCTAssertEqual(crlf.lines[0].args, ["\\"])
    }
}
