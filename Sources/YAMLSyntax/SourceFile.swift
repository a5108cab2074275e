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
        // line breaks as libyaml counts them: LF, CR, CR LF, and NEL, LS, PS in UTF-8
        var starts = [0]
        var i = 0
        let n = bytes.count
        while i < n {
            let b = bytes[i]
            if b == 0x0A {
                starts.append(i + 1)
            } else if b == 0x0D {
                if i + 1 < n && bytes[i + 1] == 0x0A { i += 1 }
                starts.append(i + 1)
            } else if b == 0xC2, i + 1 < n, bytes[i + 1] == 0x85 {
                i += 1
                starts.append(i + 1)
            } else if b == 0xE2, i + 2 < n, bytes[i + 1] == 0x80, bytes[i + 2] == 0xA8 || bytes[i + 2] == 0xA9 {
                i += 2
                starts.append(i + 1)
            }
            i += 1
        }
        self.lineStarts = starts
    }

    /// The text of 1-based `line` without its line terminator; invalid UTF-8 is replaced.
    public func lineText(_ line: Int) -> String {
        guard line >= 1, line <= lineStarts.count else { return "" }
        let start = lineStarts[line - 1]
        var end = line < lineStarts.count ? lineStarts[line] : bytes.count
        // drop the line break itself (LF, CR LF, CR, NEL, LS, PS)
        if end > start, line < lineStarts.count {
            if bytes[end - 1] == 0x0A || bytes[end - 1] == 0x0D {
                end -= 1
                if end > start, bytes[end] == 0x0A, bytes[end - 1] == 0x0D { end -= 1 }
            } else if end - start >= 2, bytes[end - 2] == 0xC2, bytes[end - 1] == 0x85 {
                end -= 2
            } else if end - start >= 3, bytes[end - 3] == 0xE2 {
                end -= 3
            }
        }
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
