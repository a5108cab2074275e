/// One line of a sysctl.conf / sysctl.d file: its raw bytes and what they mean.
///
/// The bytes are kept exactly (including invalid UTF-8 and a trailing `\r`); only `entry`
/// is derived from them. Parsing follows systemd-sysctl's `parse_file` and procps'
/// `parse_setting_line`, which agree on everything modelled here:
/// - leading and trailing whitespace is ignored; an empty line is blank;
/// - a line whose first non-blank byte is `#` or `;` is a comment;
/// - `key = value` is an assignment; whitespace around key and value is dropped;
/// - `-key = value` is an assignment whose write errors are ignored;
/// - `-key` (no `=`) excludes `key` from glob assignments;
/// - any other line is invalid and ignored by both tools (they log a warning).
public struct SysctlLine: Sendable, Equatable {
    /// What a line says.
    public enum Entry: Sendable, Equatable {
        case blank
        case comment
        case assignment(SysctlAssignment)
        /// `-key` without `=`: keeps glob assignments away from `key` (normalized, dotted).
        case exclusion(key: String)
        case invalid
    }

    /// The line's bytes without its terminator.
    public var content: [UInt8]
    /// `\n`, or empty for a last line without a newline. A `\r` before the `\n` stays in
    /// `content`, so CRLF files round-trip untouched.
    public var terminator: [UInt8]
    /// The parsed meaning of `content`.
    public private(set) var entry: Entry

    /// Parses one line (without its terminator).
    public init(content: [UInt8], terminator: [UInt8]) {
        self.content = content
        self.terminator = terminator
        self.entry = SysctlLine.parse(content)
    }

    /// The assignment on this line, if it is one.
    public var assignment: SysctlAssignment? {
        if case .assignment(let a) = entry { return a }
        return nil
    }

    /// Replaces the value of an assignment line in place, keeping the key spelling, the `-`
    /// prefix, the spacing and any trailing bytes. Does nothing on other lines.
    public mutating func setValue(_ value: String) {
        guard let a = assignment else { return }
        var replacement = Array(value.utf8)
        if a.valueRange.isEmpty, a.valueRange.lowerBound > 0,
            content[a.valueRange.lowerBound - 1] == UInt8(ascii: "=")
        {
            // `key =` with an empty value: keep a space after `=` when there was one before.
            let beforeEquals = a.valueRange.lowerBound >= 2 ? content[a.valueRange.lowerBound - 2] : 0
            if beforeEquals == 0x20 || beforeEquals == 0x09 { replacement.insert(0x20, at: 0) }
        }
        content.replaceSubrange(a.valueRange, with: replacement)
        entry = SysctlLine.parse(content)
    }

    /// Turns the line into a comment by prefixing `marker` (e.g. `# harden: `).
    public mutating func commentOut(marker: String) {
        content.insert(contentsOf: Array(marker.utf8), at: 0)
        entry = SysctlLine.parse(content)
    }

    /// Bytes of the line including its terminator.
    public var bytes: [UInt8] { content + terminator }

    static func isSpace(_ b: UInt8) -> Bool {
        b == 0x20 || b == 0x09 || b == 0x0A || b == 0x0D || b == 0x0B || b == 0x0C
    }

    private static func parse(_ c: [UInt8]) -> Entry {
        var start = 0
        var end = c.count
        while start < end && isSpace(c[start]) { start += 1 }
        while end > start && isSpace(c[end - 1]) { end -= 1 }
        if start == end { return .blank }
        if c[start] == UInt8(ascii: "#") || c[start] == UInt8(ascii: ";") { return .comment }
        var keyStart = start
        let ignoreFailure = c[start] == UInt8(ascii: "-")
        if ignoreFailure { keyStart += 1 }
        guard let eq = c[start..<end].firstIndex(of: UInt8(ascii: "=")) else {
            guard ignoreFailure else { return .invalid }
            let raw = text(c[keyStart..<end])
            return raw.isEmpty ? .invalid : .exclusion(key: SysctlKey.normalize(raw))
        }
        let raw = text(c[keyStart..<eq])
        if raw.isEmpty { return .invalid }
        var valueStart = eq + 1
        while valueStart < end && isSpace(c[valueStart]) { valueStart += 1 }
        let value = String(decoding: c[valueStart..<end], as: UTF8.self)
        return .assignment(
            SysctlAssignment(
                rawKey: raw, key: SysctlKey.normalize(raw), value: value,
                ignoreFailure: ignoreFailure, valueRange: valueStart..<end))
    }

    private static func text(_ bytes: ArraySlice<UInt8>) -> String {
        var s = bytes.startIndex
        var e = bytes.endIndex
        while s < e && isSpace(bytes[s]) { s += 1 }
        while e > s && isSpace(bytes[e - 1]) { e -= 1 }
        return String(decoding: bytes[s..<e], as: UTF8.self)
    }
}

/// A `key = value` line of a sysctl file.
public struct SysctlAssignment: Sendable, Equatable {
    /// The key as written (trimmed, without the `-` prefix).
    public var rawKey: String
    /// The key in canonical dotted form (see `SysctlKey.normalize`); may be a glob.
    public var key: String
    /// The value as written, trimmed.
    public var value: String
    /// Written with a leading `-`: a failure to write the key is not an error.
    public var ignoreFailure: Bool
    /// Byte range of the value inside the line's `content` (empty when the value is empty).
    public var valueRange: Range<Int>

    /// True when the key is a glob pattern.
    public var isGlob: Bool { SysctlKey.isGlob(key) }
}
