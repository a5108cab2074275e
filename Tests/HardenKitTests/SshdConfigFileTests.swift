import XCTest

@testable import HardenKit

/// Lossless parsing/rendering and line classification.
final class SshdConfigFileTests: XCTestCase {
    func testFixturesRoundTripByteForByte() throws {
        for name in SshdFixtures.allRoundTrip {
            let bytes = try SshdFixtures.bytes(name)
            XCTAssertEqual(SshdConfigFile(bytes: bytes).render(), bytes, name)
        }
    }

    func testEdgeBuffersRoundTrip() {
        let cases: [[UInt8]] = [
            [], [0x0A], [0x0A, 0x0A], [0x0D, 0x0A], [0x0D], Array("x".utf8), Array("x\n\n".utf8),
            Array("a\r\nb\nc\r".utf8), [0x00, 0x0A, 0x00], [0xFF, 0xFE, 0x0A, 0x80], Array("\t \t\n".utf8),
        ]
        for bytes in cases {
            XCTAssertEqual(SshdConfigFile(bytes: bytes).render(), bytes, "\(bytes)")
        }
    }

    func testRandomBuffersRoundTrip() {
        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        let alphabet: [UInt8] = Array("Pp =\"'#\\\t\r\nMatchIncludeyes".utf8) + [0x00, 0x80, 0xC3, 0xFF]
        for _ in 0..<300 {
            var bytes: [UInt8] = []
            seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
            for _ in 0..<Int(seed >> 58) * 3 {
                seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                bytes.append(alphabet[Int(seed >> 33) % alphabet.count])
            }
            XCTAssertEqual(SshdConfigFile(bytes: bytes).render(), bytes)
        }
    }

    func testLineSplittingKeepsTerminatorsAndCR() throws {
        let file = SshdConfigFile(bytes: try SshdFixtures.bytes("crlf_sshd_config"))
        XCTAssertEqual(file.lines.count, 7)
        XCTAssertTrue(file.usesCRLF)
        XCTAssertTrue(file.lines.allSatisfy { $0.hasNewline && $0.endsWithCR })
        // sshd strips the trailing "\r" (and spaces) before tokenising.
        XCTAssertEqual(file.lines[4].directive?.arguments, ["yes"])
        let noFinal = SshdConfigFile(bytes: try SshdFixtures.bytes("no_final_newline_sshd_config"))
        XCTAssertEqual(noFinal.lines.last?.hasNewline, false)
        XCTAssertEqual(noFinal.lines.last?.directive?.arguments, ["yes"])
    }

    func testDebian12Classification() throws {
        let file = SshdConfigFile(bytes: try SshdFixtures.bytes("debian12_sshd_config"))
        XCTAssertEqual(file.lines.count, 122)
        let active = file.lines.filter { $0.directive != nil }.map { $0.directive!.keyword }
        XCTAssertEqual(
            active, ["Include", "KbdInteractiveAuthentication", "UsePAM", "X11Forwarding", "PrintMotd", "AcceptEnv", "Subsystem"])
        XCTAssertEqual(file.lines[11].kind, .include)
        XCTAssertEqual(file.lines[11].directive?.arguments, ["/etc/ssh/sshd_config.d/*.conf"])
        XCTAssertEqual(file.lines[0].kind, .blank)
        XCTAssertEqual(file.lines[1].kind, .comment)
        let subsystem = file.lines.first { $0.directive?.keyword == "Subsystem" }
        XCTAssertEqual(subsystem?.directive?.arguments, ["sftp", "/usr/lib/openssh/sftp-server"])
        XCTAssertNil(file.firstMatchIndex, "the Match example is commented out")
    }

    func testInvalidUTF8LinesStillParse() throws {
        let file = SshdConfigFile(bytes: try SshdFixtures.bytes("invalid_utf8_sshd_config"))
        XCTAssertEqual(file.lines.map(\.kind), [.comment, .directive, .comment, .directive, .comment, .directive])
        XCTAssertEqual(file.lines[1].raw, Array("Banner /etc/issue.".utf8) + [0xE9])
        XCTAssertEqual(file.lines[5].directive?.arguments, ["6"])
    }

    func testSeparatorsAndCase() throws {
        let file = SshdConfigFile(bytes: try SshdFixtures.bytes("tabs_and_equals_sshd_config"))
        func args(_ keyword: String) -> [String]? {
            file.lines.first { $0.directive?.keyword == keyword }?.directive?.arguments
        }
        XCTAssertEqual(args("passwordauthentication"), ["no"])  // key=value, keyword case kept
        XCTAssertEqual(args("PermitRootLogin"), ["no"])  // key = value, trailing spaces
        XCTAssertEqual(args("MaxAuthTries"), ["4"])  // key =value
        XCTAssertEqual(args("ClientAliveInterval"), ["300"])  // key= value
        XCTAssertEqual(args("X11Forwarding"), ["no"])  // tabs around
        XCTAssertEqual(args("Banner"), ["/etc/ssh/my banner"])  // double quotes group
        XCTAssertEqual(args("AllowUsers"), ["alice", "bob"])  // '#' starting a token ends the line
        XCTAssertEqual(args("Subsystem"), ["sftp", "internal-sftp", "-l", "INFO"])
        XCTAssertEqual(file.lines[0].kind, .comment)
        XCTAssertEqual(file.lines[8].kind, .blank)
        XCTAssertEqual(file.lines[11].kind, .match)
    }

    func testTokenizerMirrorsArgvSplit() {
        func parse(_ s: String) -> SshdDirective? { SshdTokenizer.parseLine(Array(s.utf8)) }
        XCTAssertEqual(parse("PermitRootLogin no # CIS 5.2.10")?.arguments, ["no"])
        XCTAssertEqual(parse("PermitRootLogin no#x")?.arguments, ["no#x"], "# inside a token is literal")
        XCTAssertEqual(parse("Banner '/etc/my banner'")?.arguments, ["/etc/my banner"])
        XCTAssertEqual(parse("AllowUsers \"a b\"\\ c")?.arguments, ["a b c"], "checked with sshd -T 9.2p1")
        XCTAssertEqual(parse("Banner \"say \\\"hi\\\"\"")?.arguments, ["say \"hi\""])
        XCTAssertEqual(parse("\"MaxAuthTries\" 3")?.keyword, "MaxAuthTries", "strdelim unquotes the keyword")
        XCTAssertEqual(parse("MaxAuthTries==3")?.arguments, ["=3"], "only one '=' is a separator")
        XCTAssertEqual(parse("  \tUsePAM yes")?.keyword, "UsePAM")
        XCTAssertNil(parse("   # indented comment"))
        XCTAssertNil(parse("#PasswordAuthentication yes"))
        XCTAssertNil(parse(" \t \r"))
        XCTAssertNil(parse("\"PasswordAuthentication no"), "strdelim() finds no closing quote: sshd ignores the line")
        XCTAssertEqual(parse("Banner \"open")?.problem, "invalid quotes")
        XCTAssertEqual(parse("PasswordAuthentication")?.problem, "no argument after keyword \"PasswordAuthentication\"")
        XCTAssertEqual(parse("PasswordAuthentication # nothing")?.problem, "no argument after keyword \"PasswordAuthentication\"")
        XCTAssertEqual(SshdTokenizer.splitArguments("af21 cs1"), ["af21", "cs1"])
        XCTAssertNil(SshdTokenizer.splitArguments("\"open"))
    }

    func testReplacingArgumentsKeepsEverythingElse() {
        let cases: [(String, String, String)] = [
            ("PasswordAuthentication yes", "no", "PasswordAuthentication no"),
            ("\t passwordauthentication=yes  # cloud\r", "no", "\t passwordauthentication=no  # cloud\r"),
            ("PermitRootLogin = \"yes\"", "no", "PermitRootLogin = no"),
            ("AllowUsers a  b\tc", "x y", "AllowUsers x y"),
        ]
        for (before, args, after) in cases {
            let line = SshdLine(raw: Array(before.utf8), hasNewline: true)
            XCTAssertEqual(line.replacingArguments(with: args)?.text, after)
            XCTAssertEqual(line.replacingArguments(with: args)?.hasNewline, true)
        }
        let commented = SshdLine(raw: Array("  PasswordAuthentication yes\r".utf8), hasNewline: false)
            .commentedOut(marker: "# harden: ")
        XCTAssertEqual(commented.text, "  # harden: PasswordAuthentication yes\r")
        XCTAssertEqual(commented.kind, .comment)
        XCTAssertFalse(commented.hasNewline)
    }

    func testInsertionPointSkipsCommentsAboveFirstMatch() {
        let file = SshdConfigFile(text: "A 1\n\n# per-user\n# block\nMatch User x\nB 2\nMatch all\n")
        XCTAssertEqual(file.firstMatchIndex, 4)
        XCTAssertEqual(file.globalInsertionIndex, 2)
        XCTAssertEqual(SshdConfigFile(text: "A 1\n").globalInsertionIndex, 1)
    }
}
