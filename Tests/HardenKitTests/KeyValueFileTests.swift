import Foundation
import XCTest

@testable import HardenKit

/// Fixture access for the keyvalue tests.
enum KeyValueFixtures {
    /// `Tests/Fixtures/keyvalue`, found from this file's location.
    static var root: URL {
        var url = URL(fileURLWithPath: #filePath)
        while url.lastPathComponent != "Tests" && url.path != "/" { url.deleteLastPathComponent() }
        return url.appendingPathComponent("Fixtures").appendingPathComponent("keyvalue")
    }

    /// Bytes of the Debian 12 copy of `path` (`/etc/login.defs`).
    static func debian(_ path: String) throws -> [UInt8] {
        [UInt8](try Data(contentsOf: root.appendingPathComponent("debian12" + path)))
    }

    static let formats: [(path: String, format: KeyValueFormat)] = [
        ("/etc/login.defs", .whitespace), ("/etc/security/pwquality.conf", .equals),
        ("/etc/security/faillock.conf", .equals), ("/etc/audit/auditd.conf", .equals),
        ("/etc/default/useradd", .shell),
    ]
}

final class KeyValueFileTests: XCTestCase {
    private func file(_ text: String, _ path: String = "/x", _ format: KeyValueFormat) -> KeyValueFile {
        KeyValueFile(bytes: Array(text.utf8), syntax: .defaults(for: path, format: format))
    }

    func testRealDebianFilesRoundTrip() throws {
        for (path, format) in KeyValueFixtures.formats {
            let bytes = try KeyValueFixtures.debian(path)
            XCTAssertGreaterThan(bytes.count, 500, path)
            XCTAssertEqual(KeyValueFile(bytes: bytes, syntax: .defaults(for: path, format: format)).render(), bytes, path)
        }
    }

    func testOddInputsRoundTripInEveryFormat() {
        let inputs: [[UInt8]] = [
            [], Array("\n".utf8), Array("A 1\r\nB 2\r\n".utf8), Array("no newline = 3".utf8),
            Array("  # indented comment\n\t\n".utf8), [0xFF, 0x20, 0xFE, 0x0A, 0x3D, 0x3D, 0x0A, 0xC3],
            Array("k=v=w # x\n=\n==\n#\n##x = 1\nKEY\n".utf8),
        ]
        for format in [KeyValueFormat.whitespace, .equals, .shell] {
            for bytes in inputs {
                XCTAssertEqual(KeyValueFile(bytes: bytes, syntax: KeyValueSyntax(format: format)).render(), bytes)
            }
        }
    }

    func testLoginDefsEntries() throws {
        let f = KeyValueFile(bytes: try KeyValueFixtures.debian("/etc/login.defs"), syntax: .defaults(for: "/etc/login.defs", format: .whitespace))
        let max = f.entries(for: "PASS_MAX_DAYS")
        XCTAssertEqual(max.map(\.index), [164])
        XCTAssertEqual(max.first?.entry.value, "99999")
        XCTAssertEqual(max.first?.entry.separator, "\t")
        XCTAssertEqual(f.entries(for: "pass_max_days").count, 0)  // shadow compares with strcmp
        // The prose line `#\tPASS_MAX_DAYS\tMaximum number of days…` is not a commented default.
        XCTAssertNil(f.commentedDefault(for: "PASS_MAX_DAYS"))
        XCTAssertEqual(f.commentedDefault(for: "PASS_CHANGE_TRIES"), 373)
        XCTAssertEqual(f.entries(for: "ENV_PATH").first?.entry.value, "PATH=/usr/local/bin:/usr/bin:/bin:/usr/local/games:/usr/games")
    }

    func testEqualsEntriesAndFlags() throws {
        let f = KeyValueFile(
            bytes: try KeyValueFixtures.debian("/etc/security/faillock.conf"),
            syntax: .defaults(for: "/etc/security/faillock.conf", format: .equals))
        XCTAssertTrue(f.lines.allSatisfy { $0.entry == nil })  // everything is commented in Debian
        XCTAssertEqual(f.commentedDefault(for: "deny"), 31)
        XCTAssertEqual(f.commentedDefault(for: "even_deny_root"), 48)
        XCTAssertEqual(f.commentedDefault(for: "admin_group"), 61)
        let g = file("deny=3 # three\neven_deny_root\ndir   /var/log/faillock\n", "/etc/security/faillock.conf", .equals)
        XCTAssertEqual(g.entries(for: "deny").first?.entry.value, "3")
        XCTAssertEqual(g.entries(for: "even_deny_root").first?.entry.value, nil)
        XCTAssertEqual(g.entries(for: "dir").first?.entry.value, "/var/log/faillock")
    }

    func testAuditdHasNoInlineCommentsAndCaseInsensitiveKeys() {
        let f = file("Max_Log_File_Action = ROTATE # x\n##name = mydomain\n", "/etc/audit/auditd.conf", .equals)
        XCTAssertEqual(f.entries(for: "max_log_file_action").first?.entry.value, "ROTATE # x")
        XCTAssertEqual(f.commentedDefault(for: "name"), 1)
    }

    func testShellAssignNeedsEquals() {
        let f = file("SHELL=/bin/sh\nINACTIVE\n# INACTIVE=-1\nEXPIRE=\n", "/etc/default/useradd", .shell)
        XCTAssertEqual(f.entries(for: "SHELL").first?.entry.value, "/bin/sh")
        XCTAssertEqual(f.entries(for: "INACTIVE").count, 0)
        XCTAssertEqual(f.lines[1].kind, .other)
        XCTAssertEqual(f.commentedDefault(for: "INACTIVE"), 2)
        XCTAssertEqual(f.entries(for: "EXPIRE").first?.entry.value, "")
    }

    func testQuotedLoginDefsValue() {
        let f = file("MAIL_DIR \"/var/mail\"\n", "/etc/login.defs", .whitespace)
        XCTAssertEqual(f.effectiveValue(f.entries(for: "MAIL_DIR")[0].entry), "/var/mail")
    }

    func testValueComparison() {
        let defs = KeyValueSyntax.defaults(for: "/etc/login.defs", format: .whitespace)
        XCTAssertTrue(defs.valuesEqual("027", "0027"))
        XCTAssertFalse(defs.valuesEqual("0365", "365"))  // strtol base 0: octal 245
        XCTAssertTrue(defs.valuesEqual("0x10", "16"))
        XCTAssertTrue(defs.valuesEqual(" 365 ", "365"))
        let pwq = KeyValueSyntax.defaults(for: "/etc/security/pwquality.conf", format: .equals)
        XCTAssertTrue(pwq.valuesEqual("014", "14"))  // strtol base 10
        XCTAssertTrue(pwq.valuesEqual("-1", "-01"))
        XCTAssertFalse(pwq.valuesEqual("yes", "YES"))
        XCTAssertFalse(pwq.valuesEqual("1a", "1"))
    }

    func testEditsKeepEverythingElse() {
        var f = file("  deny =  3   # keep me\r\nunlock_time\r\n", "/etc/security/faillock.conf", .equals)
        f.setValue("5", atLine: 0)
        f.setValue("900", atLine: 1)
        f.commentOut(line: 1)
        f.append("even_deny_root")
        XCTAssertEqual(
            String(decoding: f.render(), as: UTF8.self),
            "  deny =  5   # keep me\r\n# harden: unlock_time =  900\r\neven_deny_root\r\n")  // separator copied from `deny`
        var g = file("A 1", "/etc/login.defs", .whitespace)
        g.insert("B 2", after: 0)
        XCTAssertEqual(String(decoding: g.render(), as: UTF8.self), "A 1\nB 2\n")
    }

    func testSeparatorStyle() {
        XCTAssertEqual(file("# minlen = 8\n", "/etc/security/pwquality.conf", .equals).separator(for: "minlen"), " = ")
        XCTAssertEqual(file("a=1\n", "/etc/security/pwquality.conf", .equals).separator(for: "minlen"), "=")
        XCTAssertEqual(file("a=1\n", "/etc/audit/auditd.conf", .equals).separator(for: "x"), " = ")
        XCTAssertEqual(file("#UMASK\t\t022\n", "/etc/login.defs", .whitespace).separator(for: "UMASK"), "\t\t")
        XCTAssertEqual(file("", "/etc/default/useradd", .shell).separator(for: "INACTIVE"), "=")
    }
}

final class KeyValueSyntaxTests: XCTestCase {
    func testProfileTextBecomesFlagOnlyForKnownFlags() {
        let faillock = "/etc/security/faillock.conf"
        XCTAssertEqual(KeyValueDesired(path: faillock, key: "even_deny_root", text: "true", format: .equals).value, .flag(true))
        XCTAssertEqual(KeyValueDesired(path: faillock, key: "audit", text: "false", format: .equals).value, .flag(false))
        XCTAssertEqual(KeyValueDesired(path: faillock, key: "deny", text: "true", format: .equals).value, .string("true"))
        XCTAssertEqual(KeyValueDesired(path: faillock, key: "even_deny_root", text: "yes", format: .equals).value, .string("yes"))
        let pwq = KeyValueDesired(path: "/etc/security/pwquality.conf", key: "ENFORCE_FOR_ROOT", text: "true", format: .equals)
        XCTAssertEqual(pwq.value, .flag(true))
        XCTAssertEqual(pwq.resourceKey, "keyvalue:/etc/security/pwquality.conf:ENFORCE_FOR_ROOT")
    }

    func testReaderRulesTable() {
        XCTAssertEqual(KeyValueSyntax.defaults(for: "/etc/security/pwhistory.conf", format: .equals).winner, .firstWins)
        XCTAssertEqual(KeyValueSyntax.defaults(for: "/etc/login.defs", format: .whitespace).winner, .lastWins)
        XCTAssertTrue(KeyValueSyntax.defaults(for: "/etc/audit/auditd.conf", format: .equals).keysMatch("NUM_LOGS", "num_logs"))
        XCTAssertFalse(KeyValueSyntax.defaults(for: "/etc/security/faillock.conf", format: .equals).keysMatch("Deny", "deny"))
        XCTAssertTrue(KeyValueSyntax.defaults(for: "/etc/security/pwquality.conf.d/50-x.conf", format: .equals).inlineComments)
    }
}
