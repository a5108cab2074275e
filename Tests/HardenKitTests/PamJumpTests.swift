import XCTest

@testable import HardenKit

/// Jump counts stay right when lines are inserted or removed (`PamJumps` through `PamStackEditor`).
final class PamJumpTests: XCTestCase {
    /// For every jumping rule of `type` (named by module and arguments): the rule each of its
    /// jumps lands on, or `END`.
    func landings(_ file: PamFile, _ type: String) -> [String: [String]] {
        let stack = file.ruleIndices(type: type)
        func name(_ i: Int) -> String { ([file.lines[i].moduleName] + file.lines[i].args).joined(separator: " ") }
        var out: [String: [String]] = [:]
        for (k, i) in stack.enumerated() {
            let jumps = PamControl.jumps(file.lines[i].control)
            if jumps.isEmpty { continue }
            out[name(i)] = jumps.map { k + $0 + 1 < stack.count ? name(stack[k + $0 + 1]) : "END" }
        }
        return out
    }

    let guardAll = PamModuleGuard(host: PamFixtures.host("debian12-sss"))

    func edit(_ fixture: String, _ d: PamDesired) throws -> (PamFile, PamFile) {
        let before = PamFile(bytes: PamFixtures.bytes(fixture))
        var after = before
        _ = try PamStackEditor.apply(d, to: &after, guard: guardAll)
        return (before, after)
    }

    static let sssAuth = "debian12-sss/etc/pam.d/common-auth"
    static let pwPassword = "debian12-pwquality/etc/pam.d/common-password"

    func testInsertAfterUnixKeepsEveryJumpOnItsModule() throws {
        let (before, after) = try edit(
            Self.sssAuth,
            PamDesired(service: "common-auth", type: "auth", module: "pam_faillock.so", control: "[default=die]", args: ["authfail"], position: .after("pam_unix.so")))
        XCTAssertEqual(landings(before, "auth"), ["pam_unix.so nullok": ["pam_permit.so"], "pam_sss.so use_first_pass": ["pam_permit.so"]])
        XCTAssertEqual(landings(after, "auth"), landings(before, "auth"))
        XCTAssertTrue(PamAssert.text(after.render()).contains("auth\t[success=3 default=ignore]\tpam_unix.so nullok\n"))
        XCTAssertTrue(PamAssert.text(after.render()).contains("auth\t[success=1 default=ignore]\tpam_sss.so use_first_pass\n"))
    }

    func testInsertBeforeDenyLengthensBothJumps() throws {
        let (before, after) = try edit(
            Self.sssAuth,
            PamDesired(service: "common-auth", type: "auth", module: "pam_faildelay.so", control: "optional", position: .before("pam_deny.so")))
        XCTAssertEqual(landings(after, "auth"), landings(before, "auth"))
        XCTAssertEqual(after.lines.filter(\.isRule).map { PamControl.jumps($0.control) }.prefix(2), [[3], [2]])
    }

    func testBeforeTheLandingModuleTakesOverTheJump() throws {
        // `before pam_permit.so`: every path that reached pam_permit now passes the new line first
        let (_, after) = try edit(
            Self.sssAuth,
            PamDesired(service: "common-auth", type: "auth", module: "pam_faillock.so", control: "sufficient", args: ["authsucc"], position: .before("pam_permit.so")))
        XCTAssertEqual(landings(after, "auth"), [
            "pam_unix.so nullok": ["pam_faillock.so authsucc"], "pam_sss.so use_first_pass": ["pam_faillock.so authsucc"],
        ])
    }

    func testAfterTheSkippedLineKeepsLandingOnTheOldModule() throws {
        let (before, after) = try edit(
            Self.sssAuth,
            PamDesired(service: "common-auth", type: "auth", module: "pam_faillock.so", control: "sufficient", args: ["authsucc"], position: .after("pam_deny.so")))
        XCTAssertEqual(landings(after, "auth"), landings(before, "auth"))
    }

    func testRemovalShortensJumpsOverTheLine() throws {
        let (before, after) = try edit(Self.sssAuth, PamDesired(service: "common-auth", type: "auth", module: "pam_sss.so", state: .absent))
        XCTAssertEqual(landings(after, "auth"), ["pam_unix.so nullok": ["pam_permit.so"]])
        XCTAssertEqual(landings(before, "auth")["pam_unix.so nullok"], ["pam_permit.so"])
        XCTAssertTrue(PamAssert.text(after.render()).contains("auth\t[success=1 default=ignore]\tpam_unix.so nullok\n"))
    }

    func testCommonPasswordInsertions() throws {
        let before = PamFile(bytes: PamFixtures.bytes(Self.pwPassword))
        for position in [PamDesired.Position.first, .before("pam_unix.so"), .after("pam_unix.so"), .before("pam_deny.so"), .last] {
            var after = before
            _ = try PamStackEditor.apply(
                PamDesired(service: "common-password", type: "password", module: "pam_pwhistory.so", control: "requisite", args: ["remember=5"], position: position),
                to: &after, guard: guardAll)
            XCTAssertEqual(landings(after, "password"), landings(before, "password"), "\(position)")
            XCTAssertEqual(after.ruleIndices(type: "password").count, 5)
        }
    }

    func testRemovingTheOnlySkippedLineTurnsTheJumpIntoOk() throws {
        var f = PamFile(bytes: Array("auth [success=1 default=ignore] pam_a.so\nauth requisite pam_deny.so\nauth required pam_permit.so\n".utf8))
        _ = try PamStackEditor.apply(PamDesired(service: "x", type: "auth", module: "pam_deny.so", state: .absent), to: &f, guard: guardAll)
        XCTAssertEqual(PamAssert.text(f.render()), "auth [success=ok default=ignore] pam_a.so\nauth required pam_permit.so\n")
    }

    func testJumpAcrossAnIncludeIsRefused() {
        var f = PamFile(bytes: Array("auth [success=2 default=ignore] pam_a.so\n@include common-auth\nauth required pam_b.so\nauth required pam_c.so\n".utf8))
        let original = f
        XCTAssertThrowsError(
            try PamStackEditor.apply(
                PamDesired(service: "x", type: "auth", module: "pam_unix.so", control: "required", position: .after("pam_b.so")), to: &f, guard: guardAll))
        XCTAssertEqual(f, original)
        var h = PamFile(bytes: Array("auth [success=2 default=ignore] pam_a.so\nauth substack system-auth\nauth required pam_b.so\n".utf8))
        XCTAssertThrowsError(
            try PamStackEditor.apply(
                PamDesired(service: "x", type: "auth", module: "pam_unix.so", control: "required", position: .before("pam_b.so")), to: &h, guard: guardAll))
        // a jump that ends before the include is fine
        var g = PamFile(bytes: Array("auth [success=1 default=ignore] pam_a.so\nauth required pam_b.so\n@include common-auth\nauth required pam_c.so\n".utf8))
        XCTAssertNoThrow(
            try PamStackEditor.apply(
                PamDesired(service: "x", type: "auth", module: "pam_unix.so", control: "required", position: .after("pam_c.so")), to: &g, guard: guardAll))
    }

    func testRHELDefaultJumpsMatchWhatAuthselectGeneratesWithFaillock() throws {
        var f = PamFile(bytes: PamFixtures.bytes("rhel9/etc/authselect/system-auth"))
        let guardRHEL = PamModuleGuard(host: PamFixtures.host("rhel9", moduleDir: PamFixtures.rhelModuleDir))
        for d in [
            PamDesired(service: "system-auth", type: "auth", module: "pam_faillock.so", control: "required", args: ["preauth", "silent"], position: .after("pam_faildelay.so")),
            PamDesired(service: "system-auth", type: "auth", module: "pam_faillock.so", control: "required", args: ["authfail"], position: .before("pam_deny.so")),
            PamDesired(service: "system-auth", type: "account", module: "pam_faillock.so", control: "required", position: .first),
        ] {
            _ = try PamStackEditor.apply(d, to: &f, guard: guardRHEL)
        }
        func body(_ s: String) -> String { s.split(separator: "\n", omittingEmptySubsequences: false).dropFirst(1).joined(separator: "\n") }
        XCTAssertEqual(body(PamAssert.text(f.render())), body(PamFixtures.text("rhel9/etc/authselect/system-auth-with-faillock")))
    }
}
