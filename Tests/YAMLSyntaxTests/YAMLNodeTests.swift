import XCTest
@testable import YAMLSyntax

/// What a successfully parsed document looks like: styles, marks, aliases.
final class YAMLNodeTests: XCTestCase {
    func load(_ text: String) throws -> Node {
        try YAMLLoader.load(bytes: Array(text.utf8), path: "t.yaml")
    }

    func value(_ node: Node, _ key: String) -> Node? {
        node.mapping?.first { $0.key.scalar == key }?.value
    }

    func testScalarStylesAreKept() throws {
        let root = try load("a: no\nb: \"no\"\nc: 'no'\nd: |\n  x\ne: >\n  y\n")
        XCTAssertEqual(value(root, "a")?.style, .plain)
        XCTAssertEqual(value(root, "b")?.style, .doubleQuoted)
        XCTAssertEqual(value(root, "c")?.style, .singleQuoted)
        XCTAssertEqual(value(root, "d")?.style, .literal)
        XCTAssertEqual(value(root, "d")?.scalar, "x\n")
        XCTAssertEqual(value(root, "e")?.style, .folded)
        XCTAssertEqual(value(root, "a")?.scalar, "no")
        XCTAssertEqual(value(root, "b")?.scalar, "no")
    }

    func testNumbersStayAsWritten() throws {
        let root = try load("mode: 0640\nitem: 5.10\n")
        XCTAssertEqual(value(root, "mode")?.scalar, "0640")
        XCTAssertEqual(value(root, "item")?.scalar, "5.10")
    }

    func testMarksAreOneBasedLineAndColumn() throws {
        let root = try load("top:\n  - id: x\n    key: [a, b]\n")
        XCTAssertEqual(root.mark.line, 1)
        XCTAssertEqual(root.mark.column, 1)
        let item = value(root, "top")!.sequence![0]
        XCTAssertEqual(item.mark.line, 2)
        XCTAssertEqual(item.mark.column, 5)
        let b = value(item, "key")!.sequence![1]
        XCTAssertEqual(b.mark.description, "t.yaml:3:14")
    }

    func testColumnsCountCharactersNotBytes() throws {
        let root = try load("title: \"é—x\"\nbad: 1\n")
        XCTAssertEqual(value(root, "bad")?.mark.column, 6)
        let src = SourceFile(path: "t", bytes: Array("aé—b".utf8))
        XCTAssertEqual(src.position(ofByte: 6).column, 4)
    }

    func testAnchorsAndAliasesResolve() throws {
        let root = try load("base: &b {x: 1, y: [2, 3]}\ncopy: *b\n")
        let copy = value(root, "copy")!
        XCTAssertEqual(value(copy, "x")?.scalar, "1")
        XCTAssertEqual(value(copy, "y")?.sequence?.count, 2)
        XCTAssertEqual(copy.mark.line, 2, "an alias is marked where it is used")
    }

    func testNullForms() throws {
        let root = try load("a:\nb: ~\nc: null\nd: \"\"\n")
        XCTAssertTrue(value(root, "a")!.isNull)
        XCTAssertTrue(value(root, "b")!.isNull)
        XCTAssertTrue(value(root, "c")!.isNull)
        XCTAssertFalse(value(root, "d")!.isNull, "a quoted empty string is a string")
    }

    func testDocumentMarkersAllowedForOneDocument() throws {
        let root = try load("---\na: 1\n...\n")
        XCTAssertEqual(value(root, "a")?.scalar, "1")
    }

    func testBOMAndCRLF() throws {
        let root = try YAMLLoader.load(bytes: [0xEF, 0xBB, 0xBF] + Array("a: 1\r\nb: 2\r\n".utf8), path: "t")
        XCTAssertEqual(value(root, "b")?.scalar, "2")
        XCTAssertEqual(value(root, "b")?.mark.line, 2)
    }

    func testLoneCRAndUnicodeLineBreaksCountAsLibyamlDoes() throws {
        for (text, third) in [("a: 1\rb: 2\rbad: [\r", "bad: ["), ("a: 1\u{2028}b: 2\u{85}bad: [", "bad: [")] {
            do {
                _ = try YAMLLoader.load(bytes: Array(text.utf8), path: "t")
                XCTFail("accepted")
            } catch {
                XCTAssertGreaterThanOrEqual(error.mark?.line ?? 0, 3, error.rendered)
            }
            let src = SourceFile(path: "t", bytes: Array(text.utf8))
            XCTAssertEqual(src.lineText(3), third)
            XCTAssertEqual(src.lineText(1), "a: 1")
        }
    }

    func testCaretUnderTabsAndWideText() {
        let d = Diagnostic.error("x", at: Mark(file: SourceFile(path: "f", bytes: Array("\tab: c".utf8)), line: 1, column: 5))
        XCTAssertEqual(d.rendered, "f:1:5: error: x\n\tab: c\n\t   ^")
    }
}
