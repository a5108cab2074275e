/// The text of one input file, kept so diagnostics can quote the offending line.
public final class SourceFile: Sendable, Hashable {
    /// The path as the user named it (used verbatim in `path:line:col`).
    public let path: String
    /// The raw bytes.
    public let bytes: [UInt8]
    /// Byte offset where each line starts (line 1 at index 0).
    private let lineStarts: [Int]

    public init(path: String, bytes: [UInt8]) {
        self.path = path
        self.bytes = bytes
        var starts = [0]
        for (i, b) in bytes.enumerated() where b == UInt8(ascii: "\n") { starts.append(i + 1) }
        self.lineStarts = starts
    }

    /// The text of 1-based `line` without its line terminator; invalid UTF-8 is replaced.
    public func lineText(_ line: Int) -> String {
        guard line >= 1, line <= lineStarts.count else { return "" }
        let start = lineStarts[line - 1]
        var end = line < lineStarts.count ? lineStarts[line] - 1 : bytes.count
        if end > start, bytes[end - 1] == UInt8(ascii: "\r") { end -= 1 }
        if end - start > 100_000 { end = start + 100_000 }  // Diagnostic shows a window of it
        // control characters would garble a terminal; show them as '?' (one column each)
        let shown = bytes[start..<max(start, end)].map { $0 < 0x20 && $0 != 0x09 || $0 == 0x7F ? UInt8(ascii: "?") : $0 }
        return String(decoding: shown, as: UTF8.self)
    }

    /// 1-based line and character column of a byte offset.
    public func position(ofByte offset: Int) -> (line: Int, column: Int) {
        var lo = 0
        var hi = lineStarts.count - 1
        while lo < hi {
            let mid = (lo + hi + 1) / 2
            if lineStarts[mid] <= offset { lo = mid } else { hi = mid - 1 }
        }
        let start = lineStarts[lo]
        var column = 1
        var i = start
        while i < offset && i < bytes.count {
            // count characters: skip UTF-8 continuation bytes
            if bytes[i] & 0xC0 != 0x80 { column += 1 }
            i += 1
        }
        return (lo + 1, column)
    }

    public static func == (a: SourceFile, b: SourceFile) -> Bool { a === b }
    public func hash(into h: inout Hasher) { h.combine(ObjectIdentifier(self)) }
}

/// A 1-based position in a source file.
public struct Mark: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let file: SourceFile
    public let line: Int
    public let column: Int

    public init(file: SourceFile, line: Int, column: Int) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// `path:line:col`
    public var description: String { "\(file.path):\(line):\(column)" }
    /// `path:line`
    public var fileLine: String { "\(file.path):\(line)" }

    public static func == (a: Mark, b: Mark) -> Bool {
        a.file.path == b.file.path && a.line == b.line && a.column == b.column
    }
    public func hash(into h: inout Hasher) {
        h.combine(file.path)
        h.combine(line)
        h.combine(column)
    }
    public static func < (a: Mark, b: Mark) -> Bool {
        (a.file.path, a.line, a.column) < (b.file.path, b.line, b.column)
    }
}
