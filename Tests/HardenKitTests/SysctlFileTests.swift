import XCTest

@testable import HardenKit

final class SysctlFileTests: XCTestCase {
    private func roundTrip(_ bytes: [UInt8], file: StaticString = #filePath, line: UInt = #line) {
        XCTAssertEqual(SysctlFile(bytes: bytes).render(), bytes, file: file, line: line)
    }

    func testRoundTripOddInputs() {
        let cases: [String] = [
            "", "\n", "\n\n\n", "\r\n", "a=b", "a = b\n", "  # comment\n; other comment\n\n",
            "net.ipv4.ip_forward=1\r\nkernel.sysrq = 0\r\n", "no final newline = 1",
            "\tkey\t=\tvalue with spaces\t\n", "-ignored.key = 1\n-excluded.key\n", "garbage line\n",
            "lone\rcarriage = 1\n", "x = 1\n\n\n# trailing\n\n",
        ]
        for text in cases { roundTrip(Array(text.utf8)) }
        roundTrip([0xFF, 0xFE, 0x3D, 0x31, 0x0A, 0x6B, 0x3D, 0xC3, 0x28])  // invalid UTF-8
        roundTrip(Array("k = v".utf8) + [0x00] + Array(" tail\n".utf8))  // NUL byte
    }

    func testEntries() {
        let file = SysctlFile(
            "# c\n; c\n\nnet.ipv4.ip_forward = 1\n- kernel.sysrq=0\n-net.ipv4.conf.lo.rp_filter\nbogus\n"
                + "net/ipv4/conf/eth0.100/rp_filter = 2\nnet.ipv4.conf.*.rp_filter = 2\nk = 0 # not a comment\n")
        XCTAssertEqual(file.lines[0].entry, .comment)
        XCTAssertEqual(file.lines[1].entry, .comment)
        XCTAssertEqual(file.lines[2].entry, .blank)
        XCTAssertEqual(file.lines[3].assignment?.key, "net.ipv4.ip_forward")
        XCTAssertEqual(file.lines[3].assignment?.value, "1")
        XCTAssertEqual(file.lines[3].assignment?.ignoreFailure, false)
        XCTAssertEqual(file.lines[4].assignment?.key, "kernel.sysrq")
        XCTAssertEqual(file.lines[4].assignment?.ignoreFailure, true)
        XCTAssertEqual(file.lines[5].entry, .exclusion(key: "net.ipv4.conf.lo.rp_filter"))
        XCTAssertEqual(file.lines[6].entry, .invalid)
        XCTAssertEqual(file.lines[7].assignment?.key, "net.ipv4.conf.eth0/100.rp_filter")
        XCTAssertEqual(file.lines[7].assignment?.rawKey, "net/ipv4/conf/eth0.100/rp_filter")
        XCTAssertEqual(file.lines[8].assignment?.isGlob, true)
        // Neither loader has inline comments: the value runs to the end of the line.
        XCTAssertEqual(file.lines[9].assignment?.value, "0 # not a comment")
    }

    func testCRLFValueExcludesCarriageReturn() {
        let file = SysctlFile("net.ipv4.ip_forward = 1\r\n")
        XCTAssertEqual(file.lines[0].assignment?.value, "1")
        XCTAssertEqual(file.newline, [0x0D, 0x0A])
    }

    func testSetValueKeepsSpellingAndSpacing() {
        var file = SysctlFile("  -net/ipv4/ip_forward\t=  0   \r\nother=1")
        file.setValue("1", atLine: 0)
        XCTAssertEqual(file.render(), Array("  -net/ipv4/ip_forward\t=  1   \r\nother=1".utf8))
        file.setValue("4096 87380 6291456", atLine: 1)
        XCTAssertEqual(file.render(), Array("  -net/ipv4/ip_forward\t=  1   \r\nother=4096 87380 6291456".utf8))
    }

    func testSetEmptyValue() {
        var a = SysctlFile("k =\n")
        a.setValue("1", atLine: 0)
        XCTAssertEqual(a.render(), Array("k = 1\n".utf8))
        var b = SysctlFile("k=\n")
        b.setValue("1", atLine: 0)
        XCTAssertEqual(b.render(), Array("k=1\n".utf8))
    }

    func testCommentOutAndAppend() {
        var file = SysctlFile("-net.ipv4.ip_forward\nlast = 1")
        file.commentOut(line: 0)
        file.append(key: "a.b", value: "2")
        XCTAssertEqual(file.render(), Array("# harden: -net.ipv4.ip_forward\nlast = 1\na.b = 2\n".utf8))
        XCTAssertEqual(file.lines[0].entry, .comment)
        var crlf = SysctlFile("x = 1\r\ny = 2")
        crlf.append(key: "z", value: "3")
        XCTAssertEqual(crlf.render(), Array("x = 1\r\ny = 2\r\nz = 3\r\n".utf8))
    }

    func testKeyNormalization() {
        XCTAssertEqual(SysctlKey.normalize("net/ipv4/ip_forward"), "net.ipv4.ip_forward")
        XCTAssertEqual(SysctlKey.normalize("net.ipv4.ip_forward"), "net.ipv4.ip_forward")
        XCTAssertEqual(SysctlKey.normalize("net/ipv4/conf/eth0.100/rp_filter"), "net.ipv4.conf.eth0/100.rp_filter")
        XCTAssertEqual(SysctlKey.normalize("net.ipv4.conf.eth0/100.rp_filter"), "net.ipv4.conf.eth0/100.rp_filter")
        XCTAssertEqual(SysctlKey.normalize("/net//ipv4/ip_forward/"), "net.ipv4.ip_forward")
        XCTAssertEqual(SysctlKey.normalize("kernel"), "kernel")
        XCTAssertEqual(SysctlKey.procPath("net.ipv4.conf.eth0/100.rp_filter"), "net/ipv4/conf/eth0.100/rp_filter")
    }

    func testGlobMatching() {
        XCTAssertTrue(SysctlKey.glob("net.ipv4.conf.*.rp_filter", matches: "net.ipv4.conf.all.rp_filter"))
        XCTAssertTrue(SysctlKey.glob("net.ipv4.conf.*.rp_filter", matches: "net/ipv4/conf/default/rp_filter"))
        // `eth0.100` is one path component, so `*` matches it.
        XCTAssertTrue(SysctlKey.glob("net.ipv4.conf.*.rp_filter", matches: "net.ipv4.conf.eth0/100.rp_filter"))
        XCTAssertFalse(SysctlKey.glob("net.ipv4.conf.*.rp_filter", matches: "net.ipv4.conf.all.x.rp_filter"))
        XCTAssertTrue(SysctlKey.glob("net.ipv4.conf.*", matches: "net.ipv4.conf.all.x.rp_filter", crossSlash: true))
        XCTAssertTrue(SysctlKey.glob("net.ipv?.conf.all.rp_filter", matches: "net.ipv6.conf.all.rp_filter"))
        XCTAssertTrue(SysctlKey.glob("net.ipv4.conf.[ad]*.rp_filter", matches: "net.ipv4.conf.all.rp_filter"))
        XCTAssertFalse(SysctlKey.glob("net.ipv4.conf.[!ad]*.rp_filter", matches: "net.ipv4.conf.all.rp_filter"))
        XCTAssertTrue(SysctlKey.glob("net.ipv4.conf.eth[0-3].rp_filter", matches: "net.ipv4.conf.eth2.rp_filter"))
        XCTAssertFalse(SysctlKey.glob("net.ipv4.conf.eth[0-3].rp_filter", matches: "net.ipv4.conf.eth7.rp_filter"))
        XCTAssertTrue(SysctlKey.glob("a.[b", matches: "a.[b"))
        XCTAssertTrue(SysctlKey.isGlob("a.*"))
        XCTAssertFalse(SysctlKey.isGlob("a.b"))
    }

    func testValueComparisonIsWhitespaceNormalized() {
        XCTAssertTrue(SysctlValue.equal("4096 87380 6291456", "4096\t87380   6291456"))
        XCTAssertTrue(SysctlValue.equal(" 1 ", "1"))
        XCTAssertFalse(SysctlValue.equal("1", "01"))
        XCTAssertFalse(SysctlValue.equal("4096 87380", "4096 87380 6291456"))
    }
}
