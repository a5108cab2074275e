import Foundation
import XCTest

@testable import HardenKit

/// Shared helpers for the sshd tests: fixtures, a mutable tree of files, applying a plan.
enum SshdFixtures {
    /// `Tests/Fixtures/sshd/<name>`, found from this source file so it works in any checkout.
    static func url(_ name: String) -> URL {
        var dir = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        while dir.lastPathComponent != "Tests", dir.path != "/" { dir.deleteLastPathComponent() }
        return dir.appendingPathComponent("Fixtures/sshd/\(name)")
    }

    static func bytes(_ name: String) throws -> [UInt8] {
        Array(try Data(contentsOf: url(name)))
    }

    static func text(_ name: String) throws -> String {
        String(decoding: try bytes(name), as: UTF8.self)
    }

    static let allRoundTrip = [
        "debian12_sshd_config", "rhel7_sshd_config", "crlf_sshd_config", "no_final_newline_sshd_config",
        "invalid_utf8_sshd_config", "tabs_and_equals_sshd_config",
    ]
}

/// A file tree that plans can be applied to, so a second plan can be checked.
final class SshdTree {
    private(set) var files: [String: [UInt8]]
    let directories: [String]

    init(_ files: [String: String], directories: [String] = []) {
        self.files = files.mapValues { Array($0.utf8) }
        self.directories = directories
    }

    init(bytes: [String: [UInt8]], directories: [String] = []) {
        self.files = bytes
        self.directories = directories
    }

    var host: MemoryHost { MemoryHost(bytes: files, directories: directories) }

    func text(_ path: String) -> String? { files[path].map { String(decoding: $0, as: UTF8.self) } }

    func plan(_ desired: [SshdDesired], main: String = "/etc/ssh/sshd_config") -> KindPlan {
        SshdPlanner.plan(desired: desired, host: host, mainConfig: main)
    }

    /// Write every edit's `after` (checking its `before` against the tree first).
    func apply(_ plan: KindPlan, file: StaticString = #filePath, line: UInt = #line) {
        for edit in plan.edits {
            XCTAssertEqual(files[edit.path], edit.before, "stale before for \(edit.path)", file: file, line: line)
            files[edit.path] = edit.after
        }
    }

    /// Plan, apply, plan again: the second plan must be all compliant with no edits.
    @discardableResult
    func planApplyReplan(
        _ desired: [SshdDesired], main: String = "/etc/ssh/sshd_config", file: StaticString = #filePath,
        line: UInt = #line
    ) -> KindPlan {
        let first = plan(desired, main: main)
        apply(first, file: file, line: line)
        let second = plan(desired, main: main)
        XCTAssertEqual(second.edits, [], "second plan must not edit", file: file, line: line)
        for observation in second.observations {
            XCTAssertEqual(observation.status, .compliant, "\(observation.key) after apply", file: file, line: line)
        }
        return first
    }
}

func sshdDesired(_ keyword: String, _ values: String...) -> SshdDesired {
    SshdDesired(keyword: keyword, values: values)
}

final class SshdHarnessTests: XCTestCase {
    func testFixturesAreFound() throws {
        for name in SshdFixtures.allRoundTrip {
            XCTAssertFalse(try SshdFixtures.bytes(name).isEmpty, name)
        }
    }

    func testOverlayHostShowsAddedFilesInListings() throws {
        let base = MemoryHost(["/etc/ssh/sshd_config.d/50-a.conf": "X yes\n"])
        let overlay = SshdOverlayHost(base: base, overrides: ["/etc/ssh/sshd_config.d/00-b.conf": Array("Y no\n".utf8)])
        XCTAssertEqual(Set(try overlay.listDirectory("/etc/ssh/sshd_config.d")), ["50-a.conf", "00-b.conf"])
        XCTAssertEqual(try overlay.fileType("/etc/ssh/sshd_config.d/00-b.conf"), .regular)
        XCTAssertEqual(try overlay.readFile("/etc/ssh/sshd_config.d/00-b.conf"), Array("Y no\n".utf8))
        XCTAssertEqual(try overlay.readFile("/etc/ssh/sshd_config.d/50-a.conf"), Array("X yes\n".utf8))
    }
}
