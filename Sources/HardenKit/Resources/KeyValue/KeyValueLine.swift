/// One line of a key/value file: its raw bytes and what they mean under a `KeyValueSyntax`.
///
/// The bytes are kept exactly; `kind` is derived. A `\r` before the `\n` stays in `content`
/// and is treated as trailing whitespace, so CRLF files round-trip.
public struct KeyValueLine: Sendable, Equatable {
    /// What a line says.
    public enum Kind: Sendable, Equatable {
        case blank
        /// A comment; `commented` is the entry it would be without its leading `#`s when it
        /// looks like a disabled setting (`# minlen = 8`, `#PASS_MAX_DAYS 99999`, `# audit`).
        case comment(commented: KeyValueEntry?)
        case entry(KeyValueEntry)
        /// Not a setting the format recognises (e.g. no `=` in a shell file).
        case other
    }

    /// The line's bytes without its terminator.
    public var content: [UInt8]
    /// `\n`, or empty for a last line without a newline.
    public var terminator: [UInt8]
    /// The parsed meaning of `content`.
    public private(set) var kind: Kind

    /// Parses one line (without its terminator).
    public init(content: [UInt8], terminator: [UInt8], syntax: KeyValueSyntax) {
        self.content = content
        self.terminator = terminator
        self.kind = .other
        reparse(syntax)
    }

    /// The active entry on this line, if any.
    public var entry: KeyValueEntry? {
        if case .entry(let e) = kind { return e }
        return nil
    }

    /// Bytes of the line including its terminator.
    public var bytes: [UInt8] { content + terminator }

    /// Replaces the value in place (keeping key spelling, separator and any trailing comment);
    /// a bare key gets `separator` and the value appended.
    mutating func setValue(_ value: String, separator: String, syntax: KeyValueSyntax) {
        guard let e = entry else { return }
        if let range = e.valueRange {
            content.replaceSubrange(range, with: Array(value.utf8))
        } else {
            content.insert(contentsOf: Array((separator + value).utf8), at: e.keyRange.upperBound)
        }
        reparse(syntax)
    }

    /// Prefixes `marker` (e.g. `# harden: `), which turns the line into a comment.
    mutating func commentOut(marker: String, syntax: KeyValueSyntax) {
        content.insert(contentsOf: Array(marker.utf8), at: 0)
        reparse(syntax)
    }

    private mutating func reparse(_ syntax: KeyValueSyntax) {
        var i = 0
        while i < content.count && Self.isBlank(content[i]) { i += 1 }
        var end = content.count
        while end > i && Self.isBlank(content[end - 1]) { end -= 1 }
        if i == end {
            kind = .blank
        } else if content[i] == UInt8(ascii: "#") {
            var j = i
            while j < end && content[j] == UInt8(ascii: "#") { j += 1 }
            while j < end && Self.isBlank(content[j]) { j += 1 }
            let candidate = Self.parseEntry(content, from: j, to: end, syntax: syntax)
            kind = .comment(commented: candidate.flatMap { Self.looksLikeSetting($0, syntax) ? $0 : nil })
        } else if let e = Self.parseEntry(content, from: i, to: end, syntax: syntax) {
            kind = .entry(e)
        } else {
            kind = .other
        }
    }

    static func isBlank(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0D || b == 0x0B || b == 0x0C }

    /// A commented line counts as a disabled setting only in the setting's own shape, so prose
    /// such as `#\tPASS_MAX_DAYS\tMaximum number of days…` is not mistaken for one.
    private static func looksLikeSetting(_ e: KeyValueEntry, _ syntax: KeyValueSyntax) -> Bool {
        switch syntax.format {
        case .whitespace:
            return e.value.map { !$0.contains(" ") && !$0.contains("\t") } ?? true
        case .equals:
            return e.value == nil || e.separator.contains("=")
        case .shell:
            return e.value != nil
        }
    }

    private static func parseEntry(
        _ c: [UInt8], from start: Int, to lineEnd: Int, syntax: KeyValueSyntax
    ) -> KeyValueEntry? {
        var end = lineEnd
        if syntax.inlineComments, let hash = c[start..<end].firstIndex(of: UInt8(ascii: "#")) {
            end = hash
            while end > start && isBlank(c[end - 1]) { end -= 1 }
        }
        guard start < end else { return nil }
        var k = start
        switch syntax.format {
        case .whitespace:
            while k < end && !isBlank(c[k]) { k += 1 }
        case .equals:
            while k < end && !isBlank(c[k]) && c[k] != UInt8(ascii: "=") { k += 1 }
        case .shell:
            guard let eq = c[start..<end].firstIndex(of: UInt8(ascii: "=")) else { return nil }
            k = eq
        }
        guard k > start else { return nil }
        let key = String(decoding: c[start..<k], as: UTF8.self)
        var v = k
        switch syntax.format {
        case .whitespace:
            while v < end && isBlank(c[v]) { v += 1 }
        case .equals:
            // As libpwquality/pam_faillock: blanks, at most one `=`, blanks.
            var sawEquals = false
            while v < end && (isBlank(c[v]) || (!sawEquals && c[v] == UInt8(ascii: "="))) {
                if c[v] == UInt8(ascii: "=") { sawEquals = true }
                v += 1
            }
        case .shell:
            v += 1
        }
        let separator = String(decoding: c[k..<v], as: UTF8.self)
        let hasValue = v < end || syntax.format == .shell || separator.contains("=")
        return KeyValueEntry(
            key: key, keyRange: start..<k,
            value: hasValue ? String(decoding: c[v..<end], as: UTF8.self) : nil,
            valueRange: hasValue ? v..<end : nil, separator: separator)
    }
}

/// A `key value` / `key = value` / `KEY=value` setting, or a bare `key` (a flag).
public struct KeyValueEntry: Sendable, Equatable {
    /// The key as written.
    public var key: String
    /// Byte range of the key in the line.
    public var keyRange: Range<Int>
    /// The value as written (without trailing blanks or an inline comment); nil for a bare key.
    public var value: String?
    /// Byte range of `value` in the line.
    public var valueRange: Range<Int>?
    /// The bytes between key and value (`\t`, ` = `, `=`), reused for new lines.
    public var separator: String
}
