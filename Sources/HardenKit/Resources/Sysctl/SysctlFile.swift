/// A lossless model of one sysctl.conf / sysctl.d file.
///
/// `SysctlFile(bytes:).render() == bytes` for every input: comments (`#`, `;`), blank lines,
/// spacing around `=`, CRLF line ends, a missing final newline and invalid UTF-8 all survive,
/// because each line keeps its raw bytes and only edited lines change.
public struct SysctlFile: Sendable, Equatable {
    /// The lines, in file order.
    public var lines: [SysctlLine]

    /// Parses `bytes`, splitting lines at `\n` only (a `\r` stays in the line's content).
    public init(bytes: [UInt8]) {
        var lines: [SysctlLine] = []
        var start = 0
        for i in bytes.indices where bytes[i] == 0x0A {
            lines.append(SysctlLine(content: Array(bytes[start..<i]), terminator: [0x0A]))
            start = i + 1
        }
        if start < bytes.count {
            lines.append(SysctlLine(content: Array(bytes[start...]), terminator: []))
        }
        self.lines = lines
    }

    /// Parses UTF-8 text.
    public init(_ text: String) {
        self.init(bytes: Array(text.utf8))
    }

    /// The file's bytes.
    public func render() -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(lines.reduce(0) { $0 + $1.content.count + 1 })
        for line in lines { out += line.bytes }
        return out
    }

    /// Every assignment with its 0-based line index, in file order.
    public var assignments: [(index: Int, assignment: SysctlAssignment)] {
        lines.indices.compactMap { i in lines[i].assignment.map { (i, $0) } }
    }

    /// The line terminator new lines should use: CRLF when the file's first terminated
    /// line ends in `\r\n`, else LF.
    public var newline: [UInt8] {
        guard let first = lines.first(where: { !$0.terminator.isEmpty }) else { return [0x0A] }
        return first.content.last == 0x0D ? [0x0D, 0x0A] : [0x0A]
    }

    /// Sets the value of the assignment on line `index` in place.
    public mutating func setValue(_ value: String, atLine index: Int) {
        lines[index].setValue(value)
    }

    /// Comments out line `index` by prefixing `marker`.
    public mutating func commentOut(line index: Int, marker: String = SysctlFile.commentMarker) {
        lines[index].commentOut(marker: marker)
    }

    /// Appends `key = value` as a new last line, first terminating an unterminated last line.
    public mutating func append(key: String, value: String) {
        let nl = newline
        if let last = lines.indices.last, lines[last].terminator.isEmpty {
            lines[last].terminator = [0x0A]
            if nl.count == 2 && lines[last].content.last != 0x0D { lines[last].content.append(0x0D) }
        }
        var content = Array("\(key) = \(value)".utf8)
        if nl.count == 2 { content.append(0x0D) }
        lines.append(SysctlLine(content: content, terminator: [0x0A]))
    }

    /// The prefix harden puts before a line it disables.
    public static let commentMarker = "# harden: "
}

/// Comparison of sysctl values the way the kernel reads them: whitespace-separated fields
/// (`4096 87380 6291456` equals `4096\t87380  6291456`).
public enum SysctlValue {
    /// True when `a` and `b` have the same whitespace-separated fields.
    public static func equal(_ a: String, _ b: String) -> Bool {
        fields(a) == fields(b)
    }

    /// The whitespace-separated fields of `value`.
    public static func fields(_ value: String) -> [Substring] {
        value.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" })
    }
}
