import Foundation
import XCTest
@testable import YAMLSyntax

/// Every refused input ends in a diagnostic with `path:line:col: error:`, the source line and a
/// caret, compared with a golden file; none crashes.
final class YAMLErrorTests: XCTestCase {
    let dir = Golden.fixtures.appendingPathComponent("yaml")

    /// Load `name` from the fixture folder with a short path so goldens do not hold machine paths.
    func diagnostic(_ name: String) -> Diagnostic? {
        let bytes = Array(try! Data(contentsOf: dir.appendingPathComponent(name)))
        do {
            _ = try YAMLLoader.load(bytes: bytes, path: name)
            return nil
        } catch {
            return error
        }
    }

    func checkGolden(_ name: String, file: StaticString = #filePath, line: UInt = #line) {
        guard let d = diagnostic(name) else {
            XCTFail("\(name) was accepted", file: file, line: line)
            return
        }
        XCTAssertEqual(d.severity, .error, file: file, line: line)
        Golden.check(d.rendered + "\n", dir.appendingPathComponent(name + ".golden"), file: file, line: line)
    }

    func testDuplicateTopLevelKey() {
        checkGolden("duplicate-top.yaml")
        XCTAssertEqual(diagnostic("duplicate-top.yaml")?.header, "duplicate-top.yaml:3:1: error: duplicate key 'profile' in mapping")
    }

    func testDuplicateNestedKey() {
        checkGolden("duplicate-nested.yaml")
        XCTAssertEqual(diagnostic("duplicate-nested.yaml")?.mark?.line, 5)
        XCTAssertEqual(diagnostic("duplicate-nested.yaml")?.notes.first?.mark?.line, 4)
    }

    func testBillionLaughsRefusedQuicklyInBoundedMemory() {
        let start = Date()
        checkGolden("billion-laughs.yaml")
        // 9^9 expansions would be 387 million nodes; the bound stops at 100,000.
        XCTAssertTrue(diagnostic("billion-laughs.yaml")!.message.contains("more than 100000 nodes"))
        XCTAssertLessThan(Date().timeIntervalSince(start), 5, "must be refused without expanding")
    }

    func testDeepFlowNesting() {
        checkGolden("deep-nesting.yaml")
        XCTAssertEqual(diagnostic("deep-nesting.yaml")?.message, "nesting deeper than 64 levels")
    }

    func testDeepBlockNesting() {
        checkGolden("deep-block.yaml")
    }

    func testInvalidUTF8() {
        checkGolden("invalid-utf8.yaml")
        let d = diagnostic("invalid-utf8.yaml")!
        XCTAssertEqual(d.mark?.line, 2)
        XCTAssertEqual(d.mark?.column, 12, "column of the bad lead byte 0xC3 after `title: \"caf`")
    }

    func testNULByte() {
        checkGolden("nul-byte.yaml")
        XCTAssertEqual(diagnostic("nul-byte.yaml")?.header, "nul-byte.yaml:2:9: error: NUL byte in input; a profile is text")
    }

    func testEmptyFile() {
        checkGolden("empty.yaml")
        checkGolden("only-comments.yaml")
    }

    func testMoreThanOneDocument() {
        checkGolden("two-documents.yaml")
        XCTAssertEqual(diagnostic("two-documents.yaml")?.mark?.line, 2)
    }

    func testSyntaxErrors() {
        checkGolden("unclosed-flow.yaml")
        checkGolden("tab-indent.yaml")
        checkGolden("unclosed-quote.yaml")
    }

    func testUnknownAlias() {
        checkGolden("unknown-alias.yaml")
    }

    func testComplexKeyRefused() {
        checkGolden("complex-key.yaml")
    }

    func testUnreadableFiles() throws {
        // a directory, a missing file and a FIFO (root can read mode-000 files, so those are the
        // unreadable inputs that exist for root)
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("yaml-unreadable-\(getpid())")
        try FileManager.default.createDirectory(at: tmp, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: tmp) }
        let fifo = tmp.appendingPathComponent("fifo.yaml").path
        XCTAssertEqual(mkfifo(fifo, 0o600), 0)
        for (path, reason) in [
            (tmp.path, "cannot read: is a directory"),
            (tmp.path + "/missing.yaml", "cannot read: No such file or directory"),
            (fifo, "cannot read: not a regular file"),
        ] {
            do {
                _ = try YAMLLoader.load(file: path)
                XCTFail("\(path) accepted")
            } catch {
                XCTAssertEqual(error.header, "\(path): error: \(reason)")
            }
        }
    }

    func testEveryRefusalIsADiagnosticNeverACrash() throws {
        // every prefix of every fixture: truncated documents must fail cleanly too
        let names = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasSuffix(".yaml") }
        XCTAssertGreaterThanOrEqual(names.count, 15)
        for name in names {
            let bytes = Array(try Data(contentsOf: dir.appendingPathComponent(name)))
            for cut in stride(from: 0, through: bytes.count, by: max(1, bytes.count / 40)) {
                do {
                    _ = try YAMLLoader.load(bytes: Array(bytes[0..<cut]), path: name)
                } catch {
                    XCTAssertTrue(error.header.hasPrefix(name), error.header)
                }
            }
        }
    }
}
