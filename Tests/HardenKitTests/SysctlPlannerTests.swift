import XCTest

@testable import HardenKit

final class SysctlPlannerTests: XCTestCase {
    private let header = "# Managed by harden. Local changes are overwritten.\n"
    private let debianAliases = ["/etc/sysctl.d/99-sysctl.conf": "/etc/sysctl.conf"]

    private func text(_ bytes: [UInt8]?) -> String? { bytes.map { String(decoding: $0, as: UTF8.self) } }

    private func status(_ plan: KindPlan, _ key: String) -> Observation.Status? {
        plan.observations.first { $0.key == key }?.status
    }

    /// Applies the plan's edits and plans again: everything compliant, nothing to edit.
    private func assertIdempotent(
        _ plan: KindPlan, _ files: [String: [UInt8]], _ desired: [SysctlDesired], aliases: [String: String] = [:],
        file: StaticString = #filePath, line: UInt = #line
    ) {
        var files = files
        SysctlFixtures.apply(plan.edits, to: &files, aliases: aliases)
        let again = SysctlPlanner.plan(desired: desired, host: MemoryHost(bytes: files), runtime: nil)
        XCTAssertEqual(again.edits, [], file: file, line: line)
        for d in desired {
            XCTAssertEqual(status(again, d.resourceKey), .compliant, d.key, file: file, line: line)
        }
    }

    func testDebian12FreshNodeGetsOneDropIn() throws {
        let files = try SysctlFixtures.tree("debian12")
        let desired = [
            SysctlDesired(key: "net.ipv4.ip_forward", value: "1"),
            SysctlDesired(key: "kernel.pid_max", value: "4194304"),  // already set by systemd
            SysctlDesired(key: "net/ipv4/conf/all/rp_filter", value: "1"),
        ]
        let plan = SysctlPlanner.plan(desired: desired, host: MemoryHost(bytes: files), runtime: nil)
        XCTAssertEqual(plan.edits.count, 1)
        XCTAssertEqual(plan.edits[0].path, "/etc/sysctl.d/60-harden.conf")
        XCTAssertNil(plan.edits[0].before)
        XCTAssertEqual(
            text(plan.edits[0].after), header + "net.ipv4.ip_forward = 1\nnet.ipv4.conf.all.rp_filter = 1\n")
        XCTAssertEqual(plan.edits[0].keys, ["sysctl:net.ipv4.ip_forward", "sysctl:net.ipv4.conf.all.rp_filter"])
        XCTAssertEqual(status(plan, "sysctl:kernel.pid_max"), .compliant)
        let pid = plan.observations.first { $0.key == "sysctl:kernel.pid_max" }
        XCTAssertEqual(pid?.current, "4194304")
        XCTAssertEqual(pid?.source, "/usr/lib/sysctl.d/50-pid-max.conf:16")
        XCTAssertEqual(pid?.warnings, ["runtime not probed (root is not /)"])
        XCTAssertEqual(status(plan, "sysctl:net.ipv4.ip_forward"), .pending)
        XCTAssertTrue(plan.readPaths.contains("/etc/sysctl.conf"))
        assertIdempotent(plan, files, desired, aliases: debianAliases)
    }

    func testSysctlConfOverrideIsEditedInPlaceThroughTheDebianSymlink() throws {
        var files = try SysctlFixtures.tree("debian12")
        let original = String(decoding: files["/etc/sysctl.conf"]!, as: UTF8.self)
        let withForward = original.replacingOccurrences(
            of: "#net.ipv4.ip_forward=1\n", with: "net.ipv4.ip_forward=0\n")
        XCTAssertNotEqual(withForward, original)
        files["/etc/sysctl.conf"] = Array(withForward.utf8)
        files["/etc/sysctl.d/99-sysctl.conf"] = files["/etc/sysctl.conf"]
        let desired = [SysctlDesired(key: "net.ipv4.ip_forward", value: "1")]
        let plan = SysctlPlanner.plan(desired: desired, host: MemoryHost(bytes: files), runtime: nil)
        XCTAssertEqual(plan.edits.map(\.path), ["/etc/sysctl.d/60-harden.conf", "/etc/sysctl.conf"])
        XCTAssertEqual(text(plan.edits[0].after), header + "net.ipv4.ip_forward = 1\n")
        XCTAssertEqual(text(plan.edits[1].before), withForward)
        XCTAssertEqual(
            text(plan.edits[1].after),
            original.replacingOccurrences(of: "#net.ipv4.ip_forward=1\n", with: "net.ipv4.ip_forward=1\n"))
        let obs = plan.observations[0]
        XCTAssertEqual(obs.current, "0")
        XCTAssertEqual(obs.source, "/etc/sysctl.conf:28")
        assertIdempotent(plan, files, desired, aliases: debianAliases)
    }

    func testLaterEtcDropInThatOverridesOursIsEditedInPlace() {
        let files: [String: [UInt8]] = [
            "/etc/sysctl.d/60-harden.conf": Array((header + "net.ipv4.ip_forward = 1\n").utf8),
            "/etc/sysctl.d/99-cis.conf": Array("# CIS 3.1.1\nnet.ipv4.ip_forward = 0\nkernel.randomize_va_space = 2\n".utf8),
        ]
        let desired = [SysctlDesired(key: "net.ipv4.ip_forward", value: "1")]
        let plan = SysctlPlanner.plan(desired: desired, host: MemoryHost(bytes: files), runtime: nil)
        XCTAssertEqual(plan.edits.map(\.path), ["/etc/sysctl.d/99-cis.conf"])  // our drop-in is already right
        XCTAssertEqual(text(plan.edits[0].after), "# CIS 3.1.1\nnet.ipv4.ip_forward = 1\nkernel.randomize_va_space = 2\n")
        XCTAssertEqual(plan.edits[0].keys, ["sysctl:net.ipv4.ip_forward"])
        XCTAssertEqual(plan.observations[0].source, "/etc/sysctl.d/99-cis.conf:2")
        assertIdempotent(plan, files, desired)
    }

    func testPackageOwnedLaterFileGetsTheOverrideDropIn() {
        let vendor = "# vendor\nnet.ipv4.conf.all.rp_filter = 2\n"
        let files: [String: [UInt8]] = [
            "/usr/lib/sysctl.d/99-cilium.conf": Array(vendor.utf8),
            "/etc/sysctl.d/10-admin.conf": Array("net.ipv4.conf.all.rp_filter=0\n".utf8),
        ]
        let desired = [
            SysctlDesired(key: "net.ipv4.conf.all.rp_filter", value: "1"),
            SysctlDesired(key: "kernel.dmesg_restrict", value: "1"),
        ]
        let plan = SysctlPlanner.plan(desired: desired, host: MemoryHost(bytes: files), runtime: nil)
        XCTAssertEqual(plan.edits.map(\.path), ["/etc/sysctl.d/60-harden.conf", "/etc/sysctl.d/99-zz-harden-override.conf"])
        XCTAssertEqual(text(plan.edits[0].after), header + "kernel.dmesg_restrict = 1\n")
        XCTAssertEqual(
            text(plan.edits[1].after),
            header + "# Sorts after package-owned sysctl.d files that override 60-harden.conf.\n"
                + "net.ipv4.conf.all.rp_filter = 1\n")
        XCTAssertEqual(plan.edits[1].keys, ["sysctl:net.ipv4.conf.all.rp_filter"])
        XCTAssertFalse(plan.edits.contains { $0.path.hasPrefix("/usr/") })  // package files untouched
        assertIdempotent(plan, files, desired)
    }

    func testVendorFileSortingAfterTheOverrideIsAnError() {
        let files: [String: [UInt8]] = ["/usr/lib/sysctl.d/zz-late.conf": Array("kernel.sysrq = 1\n".utf8)]
        let desired = [SysctlDesired(key: "kernel.sysrq", value: "0"), SysctlDesired(key: "vm.swappiness", value: "1")]
        let plan = SysctlPlanner.plan(desired: desired, host: MemoryHost(bytes: files), runtime: nil)
        guard case .error(let reason)? = status(plan, "sysctl:kernel.sysrq") else { return XCTFail("expected error") }
        XCTAssertTrue(reason.contains("/usr/lib/sysctl.d/zz-late.conf sorts after"), reason)
        XCTAssertEqual(plan.edits.map(\.path), ["/etc/sysctl.d/60-harden.conf"])
        XCTAssertEqual(text(plan.edits[0].after), header + "vm.swappiness = 1\n")
    }

    /// Alibaba Cloud Linux 2 / CentOS 7: /etc/sysctl.conf plus two vendor files, no symlink.
    func testCentOS7Layout() throws {
        let files = try SysctlFixtures.tree("centos7")
        let desired = [
            SysctlDesired(key: "net.ipv4.conf.all.rp_filter", value: "1"),  // systemd 1, procps 0
            SysctlDesired(key: "net.ipv4.conf.default.rp_filter", value: "1"),
            SysctlDesired(key: "kernel.sysrq", value: "0"),  // systemd 16, procps 1
            SysctlDesired(key: "net.ipv4.ip_forward", value: "1"),  // unset
            SysctlDesired(key: "net.ipv4.tcp_syncookies", value: "1"),  // procps only, already 1
            SysctlDesired(key: "fs.protected_symlinks", value: "1"),  // both read 50-default: compliant
        ]
        let plan = SysctlPlanner.plan(desired: desired, host: MemoryHost(bytes: files), runtime: nil)
        XCTAssertEqual(plan.edits.map(\.path), ["/etc/sysctl.d/60-harden.conf", "/etc/sysctl.conf"])
        XCTAssertEqual(
            text(plan.edits[0].after),
            header + "net.ipv4.conf.all.rp_filter = 1\nnet.ipv4.conf.default.rp_filter = 1\nkernel.sysrq = 0\n"
                + "net.ipv4.ip_forward = 1\nnet.ipv4.tcp_syncookies = 1\n")
        let before = String(decoding: files["/etc/sysctl.conf"]!, as: UTF8.self)
        let expected = before.replacingOccurrences(of: "kernel.sysrq = 1\n", with: "kernel.sysrq = 0\n")
            .replacingOccurrences(of: "net.ipv4.conf.all.rp_filter = 0\n", with: "net.ipv4.conf.all.rp_filter = 1\n")
            .replacingOccurrences(of: "net.ipv4.conf.default.rp_filter = 0\n", with: "net.ipv4.conf.default.rp_filter = 1\n")
        XCTAssertEqual(text(plan.edits[1].after), expected)
        XCTAssertEqual(
            plan.edits[1].keys,
            ["sysctl:net.ipv4.conf.all.rp_filter", "sysctl:net.ipv4.conf.default.rp_filter", "sysctl:kernel.sysrq"])
        let rp = plan.observations.first { $0.key == "sysctl:net.ipv4.conf.all.rp_filter" }!
        // the loaders disagree; this tree has no systemd-sysctl binary, so `current` is what
        // `sysctl --system` applies at boot (SysctlBootOrderTests covers the systemd case)
        XCTAssertEqual(rp.current, "0")
        XCTAssertEqual(rp.warnings.first?.contains("systemd-sysctl ends with 1"), true)
        XCTAssertEqual(status(plan, "sysctl:fs.protected_symlinks"), .compliant)
        XCTAssertEqual(status(plan, "sysctl:net.ipv4.tcp_syncookies"), .pending)  // systemd leaves it unset
        assertIdempotent(plan, files, desired)
    }

    func testAlreadyCompliantWritesNothing() {
        let files: [String: [UInt8]] = [
            "/etc/sysctl.d/60-harden.conf": Array((header + "net.ipv4.ip_forward = 1\n").utf8),
            "/etc/sysctl.conf": Array("vm.swappiness=10\n".utf8),
        ]
        let desired = [
            SysctlDesired(key: "net.ipv4.ip_forward", value: "1"), SysctlDesired(key: "vm.swappiness", value: "10"),
        ]
        // vm.swappiness is compliant for procps only, so it is pending; ip_forward is compliant.
        let plan = SysctlPlanner.plan(desired: desired, host: MemoryHost(bytes: files), runtime: nil)
        XCTAssertEqual(status(plan, "sysctl:net.ipv4.ip_forward"), .compliant)
        XCTAssertEqual(text(plan.edits.first?.after), header + "net.ipv4.ip_forward = 1\nvm.swappiness = 10\n")
        assertIdempotent(plan, files, desired)
        let one = SysctlPlanner.plan(desired: [desired[0]], host: MemoryHost(bytes: files), runtime: nil)
        XCTAssertEqual(one.edits, [])
    }

    func testWhitespaceNormalizedValuesAreCompliant() {
        let files: [String: [UInt8]] = ["/etc/sysctl.d/50-tcp.conf": Array("net.ipv4.tcp_rmem = 4096\t87380   6291456\n".utf8)]
        let desired = [SysctlDesired(key: "net.ipv4.tcp_rmem", value: "4096 87380 6291456")]
        let plan = SysctlPlanner.plan(desired: desired, host: MemoryHost(bytes: files), runtime: nil)
        XCTAssertEqual(plan.edits, [])
        XCTAssertEqual(plan.observations[0].status, .compliant)
    }

    func testLaterNegativeMatchIsCommentedOut() {
        let files: [String: [UInt8]] = ["/etc/sysctl.d/70-x.conf": Array("-net.ipv4.ip_forward\r\n".utf8)]
        let desired = [SysctlDesired(key: "net.ipv4.ip_forward", value: "1")]
        let plan = SysctlPlanner.plan(desired: desired, host: MemoryHost(bytes: files), runtime: nil)
        XCTAssertEqual(plan.edits.map(\.path), ["/etc/sysctl.d/60-harden.conf", "/etc/sysctl.d/70-x.conf"])
        XCTAssertEqual(text(plan.edits[1].after), "# harden: -net.ipv4.ip_forward\r\n")
        assertIdempotent(plan, files, desired)
    }

    func testGlobAssignmentsAfterOurDropInDoNotNeedEdits() {
        let files: [String: [UInt8]] = [
            "/usr/lib/sysctl.d/99-glob.conf": Array("net.ipv4.conf.*.rp_filter = 2\n".utf8)
        ]
        let desired = [SysctlDesired(key: "net.ipv4.conf.all.rp_filter", value: "1")]
        let plan = SysctlPlanner.plan(desired: desired, host: MemoryHost(bytes: files), runtime: nil)
        XCTAssertEqual(plan.observations[0].current, "2")
        XCTAssertEqual(plan.edits.map(\.path), ["/etc/sysctl.d/60-harden.conf"])
        assertIdempotent(plan, files, desired)
    }

    func testCRLFFileKeepsItsLineEnds() {
        let files: [String: [UInt8]] = [
            "/etc/sysctl.conf": Array("# tuned\r\nkernel.sysrq = 1\r\nvm.swappiness = 0".utf8)
        ]
        let desired = [SysctlDesired(key: "kernel.sysrq", value: "0")]
        let plan = SysctlPlanner.plan(desired: desired, host: MemoryHost(bytes: files), runtime: nil)
        XCTAssertEqual(text(plan.edits.last?.after), "# tuned\r\nkernel.sysrq = 0\r\nvm.swappiness = 0")
        assertIdempotent(plan, files, desired)
    }

    func testRewrittenDropInKeepsKnownKeysAndDropsForeignLines() {
        let files: [String: [UInt8]] = [
            "/etc/sysctl.d/60-harden.conf": Array((header + "old.key = 1\nvm.swappiness = 10\n").utf8)
        ]
        let desired = [
            SysctlDesired(key: "kernel.sysrq", value: "0"), SysctlDesired(key: "vm.swappiness", value: "10"),
        ]
        let plan = SysctlPlanner.plan(desired: desired, host: MemoryHost(bytes: files), runtime: nil)
        XCTAssertEqual(text(plan.edits[0].after), header + "kernel.sysrq = 0\nvm.swappiness = 10\n")
        XCTAssertEqual(plan.edits[0].keys, ["sysctl:kernel.sysrq"])
        assertIdempotent(plan, files, desired)
    }

    func testRuntimeObservations() {
        let files: [String: [UInt8]] = [
            "/etc/sysctl.d/60-harden.conf": Array((header + "a.b = 1\nc.d = 1 2\ne.f = 1\n").utf8)
        ]
        let desired = [
            SysctlDesired(key: "a.b", value: "1"), SysctlDesired(key: "c.d", value: "1 2"),
            SysctlDesired(key: "e.f", value: "1"),
        ]
        let runtime = SysctlTableRuntime(values: ["a.b": "1\n", "c.d": "1\t3\n"])
        let plan = SysctlPlanner.plan(desired: desired, host: MemoryHost(bytes: files), runtime: runtime)
        XCTAssertEqual(plan.edits, [])
        XCTAssertEqual(plan.observations.map(\.key), [
            "sysctl:a.b", "sysctl-runtime:a.b", "sysctl:c.d", "sysctl-runtime:c.d", "sysctl:e.f", "sysctl-runtime:e.f",
        ])
        XCTAssertEqual(status(plan, "sysctl-runtime:a.b"), .compliant)
        XCTAssertEqual(status(plan, "sysctl-runtime:c.d"), .pending)
        XCTAssertEqual(plan.observations[3].current, "1 3")
        XCTAssertEqual(plan.observations[3].source, "/proc/sys/c/d")
        guard case .error? = status(plan, "sysctl-runtime:e.f") else { return XCTFail("missing key is an error") }
        XCTAssertTrue(plan.observations.allSatisfy { $0.warnings.isEmpty })
    }

    func testUnknowableStateIsAnErrorForEveryKey() {
        let host = MemoryHost(["/etc/sysctl.d/broken.conf/x": "", "/etc/sysctl.conf": "a.b = 0\n"])
        let desired = [SysctlDesired(key: "a.b", value: "1"), SysctlDesired(key: "c.d", value: "1")]
        let plan = SysctlPlanner.plan(desired: desired, host: host, runtime: SysctlTableRuntime(values: ["a.b": "1"]))
        XCTAssertEqual(plan.edits, [])
        XCTAssertEqual(
            status(plan, "sysctl:a.b"),
            .error("cannot determine the persisted value: /etc/sysctl.d/broken.conf: is a directory"))
        guard case .error? = status(plan, "sysctl:c.d") else { return XCTFail() }
        XCTAssertEqual(status(plan, "sysctl-runtime:a.b"), .compliant)
    }

    func testConflictingDesiredValuesAreAnError() {
        let desired = [SysctlDesired(key: "a.b", value: "1"), SysctlDesired(key: "a/b", value: "0")]
        let plan = SysctlPlanner.plan(desired: desired, host: MemoryHost([:]), runtime: nil)
        XCTAssertEqual(plan.edits, [])
        XCTAssertEqual(plan.observations.count, 1)
        guard case .error = plan.observations[0].status else { return XCTFail() }
    }

    func testMaskedDropInIsAnError() {
        let host = SysctlSpecialHost(MemoryHost([:]), devNull: ["/etc/sysctl.d/60-harden.conf"])
        let plan = SysctlPlanner.plan(desired: [SysctlDesired(key: "a.b", value: "1")], host: host, runtime: nil)
        XCTAssertEqual(plan.edits, [])
        guard case .error(let reason) = plan.observations[0].status else { return XCTFail() }
        XCTAssertTrue(reason.contains("not a regular file"), reason)
    }
}

final class SysctlGlobDesiredTests: XCTestCase {
    func testDesiredGlobIsPersistedAndWarnsAboutExplicitOverrides() {
        let files: [String: [UInt8]] = [
            "/usr/lib/sysctl.d/50-default.conf": Array("net.ipv4.conf.all.rp_filter = 2\n".utf8)
        ]
        let desired = [SysctlDesired(key: "net.ipv4.conf.*.rp_filter", value: "1")]
        let plan = SysctlPlanner.plan(
            desired: desired, host: MemoryHost(bytes: files), runtime: SysctlTableRuntime(values: [:]))
        XCTAssertEqual(plan.edits.map(\.path), ["/etc/sysctl.d/60-harden.conf"])
        XCTAssertEqual(
            String(decoding: plan.edits[0].after!, as: UTF8.self),
            "# Managed by harden. Local changes are overwritten.\nnet.ipv4.conf.*.rp_filter = 1\n")
        XCTAssertEqual(
            plan.observations[0].warnings,
            ["explicit assignments override this glob: net.ipv4.conf.all.rp_filter = 2 (/usr/lib/sysctl.d/50-default.conf:1)"])
        guard case .error = plan.observations[1].status else { return XCTFail("runtime of a glob") }
    }
}

/// When systemd-sysctl and `sysctl --system` disagree, `current` is what the root's boot applies.
final class SysctlBootOrderTests: XCTestCase {
    func testCurrentFollowsTheRootsBootLoader() {
        let files = ["/etc/sysctl.conf": "net.ipv4.ip_forward=1\n"]
        let desired = [SysctlDesired(key: "net.ipv4.ip_forward", value: "0")]
        let procps = SysctlPlanner.plan(desired: desired, host: MemoryHost(files), runtime: nil)
        let o = procps.observations.first { $0.key == "sysctl:net.ipv4.ip_forward" }!
        XCTAssertEqual(o.current, "1", "no systemd in the root: sysctl --system at boot reads /etc/sysctl.conf")
        XCTAssertEqual(o.source, "/etc/sysctl.conf:1")
        XCTAssertTrue(o.warnings.contains { $0.hasPrefix("systemd-sysctl ends with") })
        var withSystemd = files
        withSystemd["/lib/systemd/systemd-sysctl"] = ""
        let systemd = SysctlPlanner.plan(desired: desired, host: MemoryHost(withSystemd), runtime: nil)
        XCTAssertNil(systemd.observations.first { $0.key == "sysctl:net.ipv4.ip_forward" }!.current,
                     "systemd-sysctl never reads /etc/sysctl.conf without the 99-sysctl.conf link")
    }
}
