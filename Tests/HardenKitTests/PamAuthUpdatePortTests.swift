import XCTest

@testable import HardenKit

/// The Swift port of pam-auth-update against trees the real one wrote.
final class PamAuthUpdatePortTests: XCTestCase {
    static let scenarios = ["debian12-stock", "debian12-pwquality", "debian12-sss"]

    func tree(_ name: String) throws -> PamAuthUpdateTree {
        var read: [String] = []
        return try PamAuthUpdateTree.read(PamFixtures.host(name), readPaths: &read)
    }

    func testRerunOnARealTreeChangesNothing() throws {
        for name in Self.scenarios {
            let t = try tree(name)
            guard case .updated(let out, let enabled) = PamAuthUpdate.run(t) else {
                return XCTFail("\(name): refused")
            }
            XCTAssertEqual(out, t, name)
            XCTAssertFalse(enabled.isEmpty)
        }
    }

    func testEnabledOrderIsPriorityThenNameDescending() throws {
        guard case .updated(_, let enabled) = PamAuthUpdate.run(try tree("debian12-sss")) else { return XCTFail() }
        XCTAssertEqual(enabled, ["pwquality", "unix", "sss", "systemd"])
    }

    func testMD5MatchesKnownDigests() {
        XCTAssertEqual(PamMD5.hex([]), "d41d8cd98f00b204e9800998ecf8427e")
        XCTAssertEqual(PamMD5.hex(Array("The quick brown fox jumps over the lazy dog".utf8)), "9e107d9d372bb6826bd81d3542a419d6")
        XCTAssertEqual(PamMD5.hex(Array(String(repeating: "a", count: 1000).utf8)), "cabe45dcc9ae5b66ba86600cca6b8ba8")
    }

    func testStockBoilerplateIsRecognised() throws {
        // every fixture's common-* boilerplate is one of pam-auth-update's stock digests
        for name in Self.scenarios {
            let t = try tree(name)
            for type in PamAuthUpdateTree.types {
                let digest = PamMD5.hex(PamAuthUpdateTemplate.boilerplate(t.conf[type]!))
                XCTAssertTrue(PamAuthUpdate.md5sums[type]!.contains(digest), "\(name) \(type) \(digest)")
            }
        }
    }

    func testLocalLineInsideTheBlockIsALocalModification() throws {
        var t = try tree("debian12-stock")
        var text = PamAssert.text(t.conf["auth"])
        text = text.replacingOccurrences(
            of: "auth\t[success=1 default=ignore]\tpam_unix.so nullok\n",
            with: "auth\trequired\tpam_env.so\nauth\t[success=1 default=ignore]\tpam_unix.so nullok\n")
        t.conf["auth"] = Array(text.utf8)
        XCTAssertNil(PamAuthUpdateDiff.compute(t))
        guard case .refused(let why) = PamAuthUpdate.run(t) else { return XCTFail() }
        XCTAssertTrue(why.contains("Local modifications"))
    }

    func testLocalArgumentChangesAreKeptSortedAfterTheProfileOnes() throws {
        var t = try tree("debian12-stock")
        var text = PamAssert.text(t.conf["auth"])
        text = text.replacingOccurrences(of: "pam_unix.so nullok\n", with: "pam_unix.so zz aa\n")
        t.conf["auth"] = Array(text.utf8)
        guard case .updated(let out, _) = PamAuthUpdate.run(t) else { return XCTFail() }
        XCTAssertTrue(PamAssert.text(out.conf["auth"]).contains("auth\t[success=1 default=ignore]\tpam_unix.so aa zz\n"))
        // and a second run keeps it as it is
        guard case .updated(let again, _) = PamAuthUpdate.run(out) else { return XCTFail() }
        XCTAssertEqual(again, out)
    }

    func testProfileParsing() {
        let p = PamConfigProfile(
            name: "x",
            bytes: Array(
                "Name: Thing  \nDefault: yes\nPriority: 12abc\nConflicts: a, b\nAuth-Type: Primary\nAuth-Final:\n\t[success=end default=ignore]\tpam_x.so a\n   \n\trequired pam_y.so\nSession:\n\toptional pam_z.so\n"
                    .utf8))
        XCTAssertEqual(p.fields["Name"], "Thing  ")
        XCTAssertEqual(p.priority, 12)
        XCTAssertEqual(p.conflicts, ["a", "b"])
        XCTAssertEqual(p.fields["Auth"], "[success=end default=ignore]\tpam_x.so a\nrequired pam_y.so")
        XCTAssertEqual(p.fields["Session-noninteractive"], "optional pam_z.so")
        XCTAssertFalse(p.disabled)
        XCTAssertTrue(PamConfigProfile(name: "t", bytes: Array("Auth:\n\trequired pam_tally2.so\n".utf8)).disabled)
    }

    func testPerlSubstitutions() {
        XCTAssertEqual(PamPerl.stripJumpNumber("[success=12 default=1]\tpam_x.so 3"), "[success= default=1]\tpam_x.so 3")
        XCTAssertEqual(PamPerl.stripJumpNumber("required\tpam_x.so [a=1]"), "required\tpam_x.so [a=]")
        XCTAssertEqual(PamPerl.stripJumpNumber("required pam_x.so"), "required pam_x.so")
        XCTAssertEqual(PamPerl.stripEnd("[success=end default=ignore]\tpam_unix.so"), "[success= default=ignore]\tpam_unix.so")
        XCTAssertEqual(PamPerl.stripEnd("required\tpam_end.so"), "required\tpam_end.so")
        XCTAssertEqual(PamPerl.splitSpace(" a  b "), ["", "a", "b"])
        XCTAssertEqual(PamPerl.splitSpace(""), [])
    }
}
