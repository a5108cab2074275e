import Foundation
import XCTest

/// Golden-file comparison: `HARDEN_RECORD=1 swift test` rewrites the golden files instead of
/// comparing; never edit a golden file by hand.
enum Golden {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures")

    static var recording: Bool { ProcessInfo.processInfo.environment["HARDEN_RECORD"] == "1" }

    static func check(_ actual: String, _ golden: URL, file: StaticString = #filePath, line: UInt = #line) {
        if recording {
            try? FileManager.default.createDirectory(at: golden.deletingLastPathComponent(), withIntermediateDirectories: true)
            try! actual.write(to: golden, atomically: true, encoding: .utf8)
            return
        }
        guard let expected = try? String(contentsOf: golden, encoding: .utf8) else {
            XCTFail("missing golden file \(golden.path); run with HARDEN_RECORD=1", file: file, line: line)
            return
        }
        XCTAssertEqual(actual, expected, "differs from \(golden.lastPathComponent)", file: file, line: line)
    }
}
