import Foundation
import XCTest

/// Every malformed profile under Tests/Fixtures/bad-profiles ends in its expected diagnostic
/// and exit 1; none crashes, hangs or prints a backtrace.
final class BadProfileCorpusTests: XCTestCase {
    func testCorpus() throws {
        let dir = HardenRunner.fixtures.appendingPathComponent("bad-profiles")
        let cases = try FileManager.default.contentsOfDirectory(atPath: dir.path)
            .filter { $0.hasSuffix(".yaml") && !$0.hasPrefix("_") }.sorted()
        XCTAssertGreaterThanOrEqual(cases.count, 40, "the corpus holds at least 40 cases")
        for name in cases {
            let r = HardenRunner.run(["validate", "--no-color", name], cwd: dir, timeout: 10)
            XCTAssertEqual(r.status, 1, "\(name) must exit 1")
            XCTAssertFalse(r.stderr.contains("Fatal error") || r.stderr.contains("Stack dump") || r.stderr.contains("backtrace"), name)
            XCTAssertTrue(r.stderr.contains("error:"), "\(name): no error diagnostic")
            let expected = dir.appendingPathComponent(name.replacingOccurrences(of: ".yaml", with: ".expected"))
            HardenRunner.golden(r.stderr + "exit: \(r.status)\n", expected)
        }
    }
}
