import XCTest
@testable import HardenKit

final class LineDiffTests: XCTestCase {
    func d(_ a: String?, _ b: String?) -> String {
        LineDiff.unified(a.map { Array($0.utf8) }, b.map { Array($0.utf8) }, path: "/f", context: 1)
    }

    func testEditInTheMiddle() {
        XCTAssertEqual(d("a\nb\nc\nd\ne\n", "a\nb\nX\nd\ne\n"), "--- a/f\n+++ b/f\n@@ -2,3 +2,3 @@\n b\n-c\n+X\n d\n")
    }

    func testNewAndRemovedFile() {
        XCTAssertEqual(d(nil, "x\n"), "--- /dev/null\n+++ b/f\n@@ -0,0 +1,1 @@\n+x\n")
        XCTAssertEqual(d("x\n", nil), "--- a/f\n+++ /dev/null\n@@ -1,1 +0,0 @@\n-x\n")
    }

    func testTwoSeparateHunksAndMissingNewline() {
        let a = "1\n2\n3\n4\n5\n6\n7\n8\n9"
        let b = "1\nX\n3\n4\n5\n6\n7\n8\nY"
        XCTAssertEqual(d(a, b), """
            --- a/f
            +++ b/f
            @@ -1,3 +1,3 @@
             1
            -2
            +X
             3
            @@ -8,2 +8,2 @@
             8
            -9
            \\ No newline at end of file
            +Y
            \\ No newline at end of file

            """)
    }

    func testInsertionAtStartAndCRLFShown() {
        XCTAssertEqual(d("b\r\n", "a\r\nb\r\n"), "--- a/f\n+++ b/f\n@@ -1,1 +1,2 @@\n+a\\r\n b\\r\n")
    }
}
