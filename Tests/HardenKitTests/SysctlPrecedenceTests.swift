import XCTest

@testable import HardenKit

/// Each case's expected values are worked out by hand from the loaders' rules (see
/// `SysctlPrecedence` and `SysctlResolver`), then checked for both orders.
final class SysctlPrecedenceTests: XCTestCase {
    private func check(
        _ p: SysctlPrecedence, _ key: String, systemd: String?, procps: String?,
        file: StaticString = #filePath, line: UInt = #line
    ) {
        XCTAssertEqual(p.resolve(key, order: .systemd).value, systemd, "systemd \(key)", file: file, line: line)
        XCTAssertEqual(p.resolve(key, order: .procps).value, procps, "procps \(key)", file: file, line: line)
    }

    func testDebian12RealTree() throws {
        let p = SysctlPrecedence(host: MemoryHost(bytes: try SysctlFixtures.tree("debian12")))
        XCTAssertEqual(p.errors, [])
        XCTAssertEqual(
            p.systemdSources.map(\.path),
            ["/usr/lib/sysctl.d/50-pid-max.conf", "/usr/lib/sysctl.d/99-protect-links.conf", "/etc/sysctl.d/99-sysctl.conf"])
        XCTAssertEqual(p.procpsSources.map(\.path).last, "/etc/sysctl.conf")
        XCTAssertEqual(p.systemdSources[2].aliasOf, "/etc/sysctl.conf")
        check(p, "kernel.pid_max", systemd: "4194304", procps: "4194304")
        XCTAssertEqual(p.resolve("kernel.pid_max", order: .procps).location?.description, "/usr/lib/sysctl.d/50-pid-max.conf:16")
        check(p, "fs.protected_regular", systemd: "2", procps: "2")
        check(p, "net.ipv4.ip_forward", systemd: nil, procps: nil)
        XCTAssertNotNil(p.agreedValue("net.ipv4.ip_forward"))
    }

    func testMaskingBySymlinkToDevNull() throws {
        let base = MemoryHost(bytes: try SysctlFixtures.tree("debian12"))
        let host = SysctlSpecialHost(base, devNull: ["/etc/sysctl.d/50-pid-max.conf"])
        let p = SysctlPrecedence(host: host)
        XCTAssertEqual(p.errors, [])
        check(p, "kernel.pid_max", systemd: nil, procps: nil)
        XCTAssertEqual(p.systemdSources.first?.path, "/etc/sysctl.d/50-pid-max.conf")
    }

    func testMaskingByDanglingSymlinkAndByEmptyFile() {
        let files = ["/usr/lib/sysctl.d/10-a.conf": "a.b = 1\n", "/usr/lib/sysctl.d/20-b.conf": "c.d = 2\n",
                     "/etc/sysctl.d/20-b.conf": ""]
        let p = SysctlPrecedence(host: SysctlSpecialHost(MemoryHost(files), dangling: ["/run/sysctl.d/10-a.conf"]))
        XCTAssertEqual(p.errors, [])
        check(p, "a.b", systemd: nil, procps: nil)
        check(p, "c.d", systemd: nil, procps: nil)
    }

    func testEtcBeatsUsrLibForTheSameName() {
        let p = SysctlPrecedence(host: MemoryHost([
            "/usr/lib/sysctl.d/50-default.conf": "net.ipv4.conf.all.rp_filter = 2\nkernel.sysrq = 16\n",
            "/etc/sysctl.d/50-default.conf": "net.ipv4.conf.all.rp_filter = 1\n",
            "/run/sysctl.d/50-default.conf": "net.ipv4.conf.all.rp_filter = 0\n",
        ]))
        check(p, "net.ipv4.conf.all.rp_filter", systemd: "1", procps: "1")
        check(p, "kernel.sysrq", systemd: nil, procps: nil)  // the whole vendor file is masked
        XCTAssertEqual(p.resolve("net.ipv4.conf.all.rp_filter", order: .systemd).location?.path, "/etc/sysctl.d/50-default.conf")
    }

    func testRunBeatsUsrLibButNotEtc() {
        let p = SysctlPrecedence(host: MemoryHost([
            "/usr/lib/sysctl.d/40-x.conf": "k.a = usr\n", "/run/sysctl.d/40-x.conf": "k.a = run\n",
            "/usr/local/lib/sysctl.d/41-y.conf": "k.b = local\n", "/lib/sysctl.d/41-y.conf": "k.b = lib\n",
        ]))
        check(p, "k.a", systemd: "run", procps: "run")
        check(p, "k.b", systemd: "local", procps: "local")
    }

    func testLaterNameWinsWhateverTheDirectory() {
        let p = SysctlPrecedence(host: MemoryHost([
            "/etc/sysctl.d/10-admin.conf": "vm.swappiness = 10\n",
            "/usr/lib/sysctl.d/90-vendor.conf": "vm.swappiness = 60\n",
            "/run/sysctl.d/50-mid.conf": "vm.swappiness = 30\nvm.swappiness = 31\n",
        ]))
        check(p, "vm.swappiness", systemd: "60", procps: "60")
        XCTAssertEqual(p.systemdSources.map(\.name), ["10-admin.conf", "50-mid.conf", "90-vendor.conf"])
    }

    func testSysctlConfIsLastForProcpsOnly() throws {
        var files = try SysctlFixtures.tree("debian12")
        files["/etc/sysctl.conf"] = Array("net.ipv4.ip_forward = 0\n".utf8)
        files["/etc/sysctl.d/99-sysctl.conf"] = files["/etc/sysctl.conf"]  // the symlink
        files["/etc/sysctl.d/99-zz-k8s.conf"] = Array("net.ipv4.ip_forward = 1\n".utf8)
        let p = SysctlPrecedence(host: MemoryHost(bytes: files))
        // systemd: 99-sysctl.conf (0) then 99-zz-k8s.conf (1); procps: ... then sysctl.conf (0) last.
        check(p, "net.ipv4.ip_forward", systemd: "1", procps: "0")
        XCTAssertNil(p.agreedValue("net.ipv4.ip_forward"))
        XCTAssertEqual(p.resolve("net.ipv4.ip_forward", order: .procps).location?.description, "/etc/sysctl.conf:1")
    }

    func testCentOS7LayoutWithoutSymlink() throws {
        let p = SysctlPrecedence(host: MemoryHost(bytes: try SysctlFixtures.tree("centos7")))
        // systemd never opens /etc/sysctl.conf here; procps applies it last.
        check(p, "net.ipv4.conf.all.rp_filter", systemd: "1", procps: "0")
        check(p, "kernel.sysrq", systemd: "16", procps: "1")
        check(p, "net.bridge.bridge-nf-call-iptables", systemd: "0", procps: "0")
        check(p, "vm.swappiness", systemd: nil, procps: "0")
    }

    func testDashPrefixIsStillAnAssignment() {
        let p = SysctlPrecedence(host: MemoryHost([
            "/etc/sysctl.d/10-a.conf": "net.ipv4.ping_group_range = 1 1\n",
            "/usr/lib/sysctl.d/50-default.conf": "-net.ipv4.ping_group_range = 0 2147483647\n",
        ]))
        check(p, "net.ipv4.ping_group_range", systemd: "0 2147483647", procps: "0 2147483647")
    }

    func testSlashAndDotSpellingsAreOneKey() {
        let p = SysctlPrecedence(host: MemoryHost([
            "/etc/sysctl.d/10-a.conf": "net/ipv4/ip_forward = 1\nnet/ipv4/conf/eth0.100/rp_filter = 2\n",
            "/etc/sysctl.d/20-b.conf": "net.ipv4.ip_forward=0\n",
        ]))
        check(p, "net.ipv4.ip_forward", systemd: "0", procps: "0")
        check(p, "net/ipv4/ip_forward", systemd: "0", procps: "0")
        check(p, "net.ipv4.conf.eth0/100.rp_filter", systemd: "2", procps: "2")
        check(p, "net.ipv4.conf.eth0.100.rp_filter", systemd: nil, procps: nil)
    }

    func testExplicitBeatsGlobWhereverItStands() {
        let p = SysctlPrecedence(host: MemoryHost([
            "/etc/sysctl.d/10-a.conf": "net.ipv4.conf.all.rp_filter = 1\n",
            "/usr/lib/sysctl.d/50-default.conf": "net.ipv4.conf.default.rp_filter = 2\nnet.ipv4.conf.*.rp_filter = 2\n",
        ]))
        check(p, "net.ipv4.conf.all.rp_filter", systemd: "1", procps: "1")
        check(p, "net.ipv4.conf.eth0.rp_filter", systemd: "2", procps: "2")
        XCTAssertTrue(p.resolve("net.ipv4.conf.eth0.rp_filter", order: .systemd).fromGlob)
    }

    func testNegativeMatchExcludesFromGlob() {
        // systemd's upstream 50-default.conf of v245–v250 shape.
        let p = SysctlPrecedence(host: MemoryHost([
            "/usr/lib/sysctl.d/50-default.conf":
                "net.ipv4.conf.default.rp_filter = 2\nnet.ipv4.conf.*.rp_filter = 2\n-net.ipv4.conf.all.rp_filter\n"
        ]))
        check(p, "net.ipv4.conf.all.rp_filter", systemd: nil, procps: nil)
        check(p, "net.ipv4.conf.lo.rp_filter", systemd: "2", procps: "2")
    }

    func testLaterNegativeMatchErasesExplicitValueInSystemdOnly() {
        let p = SysctlPrecedence(host: MemoryHost([
            "/etc/sysctl.d/60-harden.conf": "net.ipv4.ip_forward = 1\n",
            "/etc/sysctl.d/70-x.conf": "-net.ipv4.ip_forward\n",
        ]))
        check(p, "net.ipv4.ip_forward", systemd: nil, procps: "1")
    }

    func testGlobOrderDiffersBetweenLoaders() {
        // systemd keeps the first `*` entry in place when it is repeated with the same value,
        // so `a*` stays the last glob in its map; procps simply applies lines in order.
        let p = SysctlPrecedence(host: MemoryHost([
            "/etc/sysctl.d/10-a.conf": "net.ipv4.conf.*.rp_filter = 1\n",
            "/etc/sysctl.d/20-b.conf": "net.ipv4.conf.a*.rp_filter = 2\n",
            "/etc/sysctl.d/30-c.conf": "net.ipv4.conf.*.rp_filter = 1\n",
        ]))
        check(p, "net.ipv4.conf.all.rp_filter", systemd: "2", procps: "1")
        check(p, "net.ipv4.conf.lo.rp_filter", systemd: "1", procps: "1")
    }

    func testCRLFFiles() {
        let p = SysctlPrecedence(host: MemoryHost([
            "/etc/sysctl.d/10-a.conf": "# windows\r\nnet.ipv4.ip_forward = 1\r\nvm.swappiness=10\r\n"
        ]))
        check(p, "net.ipv4.ip_forward", systemd: "1", procps: "1")
        check(p, "vm.swappiness", systemd: "10", procps: "10")
    }

    func testHiddenFilesAreReadByProcpsOnly() {
        let p = SysctlPrecedence(host: MemoryHost(["/etc/sysctl.d/.hidden.conf": "k.x = 9\n"]))
        check(p, "k.x", systemd: nil, procps: "9")
    }

    func testNonConfNamesAreIgnored() {
        let p = SysctlPrecedence(host: MemoryHost([
            "/etc/sysctl.d/README.sysctl": "k.x = 1\n", "/etc/sysctl.d/k.conf.bak": "k.x = 2\n",
            "/etc/sysctl.d/.conf": "k.y = 3\n",
        ]))
        check(p, "k.x", systemd: nil, procps: nil)
        check(p, "k.y", systemd: nil, procps: "3")
    }

    func testDirectoryAndUnreadableConfAreErrors() {
        let dir = SysctlPrecedence(host: MemoryHost(["/etc/sysctl.d/x.conf/inner": "k = 1\n"]))
        XCTAssertEqual(dir.errors, ["/etc/sysctl.d/x.conf: is a directory"])
        let host = SysctlSpecialHost(MemoryHost(["/usr/lib/sysctl.d/y.conf": "k = 1\n"]), unreadable: ["/usr/lib/sysctl.d/y.conf"])
        XCTAssertEqual(SysctlPrecedence(host: host).errors, ["/usr/lib/sysctl.d/y.conf: permission denied"])
        // Masked by /etc, the unreadable vendor file is never opened.
        let masked = SysctlSpecialHost(
            MemoryHost(["/usr/lib/sysctl.d/y.conf": "k = 1\n", "/etc/sysctl.d/y.conf": ""]),
            unreadable: ["/usr/lib/sysctl.d/y.conf"])
        XCTAssertEqual(SysctlPrecedence(host: masked).errors, [])
    }

    func testMissingDirectoriesAreFine() {
        let p = SysctlPrecedence(host: MemoryHost([:]))
        XCTAssertEqual(p.errors, [])
        XCTAssertTrue(p.systemdSources.isEmpty && p.procpsSources.isEmpty)
        check(p, "anything", systemd: nil, procps: nil)
    }
}
