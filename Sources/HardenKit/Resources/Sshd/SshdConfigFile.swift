/// A lossless model of one sshd_config file: a list of lines, each keeping its raw bytes.
///
/// `SshdConfigFile(bytes:).render()` returns the input byte for byte, whatever it holds:
/// comments, blank lines, indentation, keyword case, tabs, trailing spaces, CRLF endings (the
/// `\r` stays in the line), a missing final newline, even invalid UTF-8. Lines are split on `\n`
/// only, as sshd does, so line numbers agree with sshd's messages.
public struct SshdConfigFile: Sendable, Equatable {
    /// The lines in file order; line number N is `lines[N - 1]`.
    public var lines: [SshdLine]

    /// Parse raw file bytes.
    public init(bytes: [UInt8]) {
        var lines: [SshdLine] = []
        let ranges = bytes.lineRanges()
        lines.reserveCapacity(ranges.count)
        for r in ranges {
            let hasNewline = bytes[r.upperBound - 1] == 0x0A
            lines.append(SshdLine(raw: Array(bytes[r.lowerBound..<(hasNewline ? r.upperBound - 1 : r.upperBound)]), hasNewline: hasNewline))
        }
        self.lines = lines
    }

    /// Parse UTF-8 text.
    public init(text: String) {
        self.init(bytes: Array(text.utf8))
    }

    /// Build from lines.
    public init(lines: [SshdLine]) {
        self.lines = lines
    }

    /// The file's bytes.
    public func render() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(lines.reduce(0) { $0 + $1.raw.count + 1 })
        for line in lines {
            out += line.raw
            if line.hasNewline { out.append(0x0A) }
        }
        return out
    }

    /// True when most newline-terminated lines end in CRLF: new lines should then be written
    /// with `\r\n` too.
    public var usesCRLF: Bool {
        var crlf = 0
        var lf = 0
        for line in lines where line.hasNewline {
            if line.endsWithCR { crlf += 1 } else { lf += 1 }
        }
        return crlf > lf
    }

    /// Index of the first `Match` line, if any.
    public var firstMatchIndex: Int? {
        lines.firstIndex { $0.kind == .match }
    }

    /// Where a new global line should go: before the first `Match` line (moving up over the
    /// comment lines directly above it, which usually describe that block), else at the end.
    public var globalInsertionIndex: Int {
        guard var index = firstMatchIndex else { return lines.count }
        while index > 0, lines[index - 1].kind == .comment { index -= 1 }
        return index
    }

    /// A new line with the given text, ending like the file's other lines.
    public func makeLine(_ text: String) -> SshdLine {
        var raw = Array(text.utf8)
        if usesCRLF { raw.append(0x0D) }
        return SshdLine(raw: raw, hasNewline: true)
    }
}
