/// A lossless model of a simple key/value configuration file (login.defs, pwquality.conf,
/// faillock.conf, auditd.conf, /etc/default/useradd, …).
///
/// `KeyValueFile(bytes:syntax:).render() == bytes` for every input: comments, blank lines,
/// spacing, CRLF, a missing final newline and invalid UTF-8 survive, because every line keeps
/// its raw bytes and only edited lines change.
public struct KeyValueFile: Sendable, Equatable {
    /// The reading rules the lines were parsed with.
    public let syntax: KeyValueSyntax
    /// The lines, in file order.
    public private(set) var lines: [KeyValueLine]

    /// Parses `bytes`, splitting lines at `\n` only.
    public init(bytes: [UInt8], syntax: KeyValueSyntax) {
        self.syntax = syntax
        var lines: [KeyValueLine] = []
        var start = 0
        for i in bytes.indices where bytes[i] == 0x0A {
            lines.append(KeyValueLine(content: Array(bytes[start..<i]), terminator: [0x0A], syntax: syntax))
            start = i + 1
        }
        if start < bytes.count {
            lines.append(KeyValueLine(content: Array(bytes[start...]), terminator: [], syntax: syntax))
        }
        self.lines = lines
    }

    /// The file's bytes.
    public func render() -> [UInt8] {
        lines.flatMap(\.bytes)
    }

    /// Active entries for `key` (compared per `syntax`), with their 0-based line index.
    public func entries(for key: String) -> [(index: Int, entry: KeyValueEntry)] {
        lines.indices.compactMap { i in
            guard let e = lines[i].entry, syntax.keysMatch(e.key, key) else { return nil }
            return (i, e)
        }
    }

    /// The value a reader uses: for the whitespace format (shadow's getdef), leading blanks and
    /// a `"` are skipped and the value ends at the next `"`.
    public func effectiveValue(_ entry: KeyValueEntry) -> String? {
        guard var value = entry.value else { return nil }
        if syntax.format == .whitespace, value.hasPrefix("\"") {
            value = String(value.drop { $0 == "\"" || $0 == " " || $0 == "\t" })
            if let quote = value.firstIndex(of: "\"") { value = String(value[..<quote]) }
        }
        return value
    }

    /// The line index of the last commented-out setting of `key` (`# minlen = 8`), if any.
    public func commentedDefault(for key: String) -> Int? {
        lines.indices.last { i in
            if case .comment(let c?) = lines[i].kind { return syntax.keysMatch(c.key, key) }
            return false
        }
    }

    /// The line terminator new lines use: CRLF when the first terminated line ends in `\r\n`.
    public var newline: [UInt8] {
        guard let first = lines.first(where: { !$0.terminator.isEmpty }) else { return [0x0A] }
        return first.content.last == 0x0D ? [0x0D, 0x0A] : [0x0A]
    }

    /// The separator a new `key` line should use: the one of its commented default, else of
    /// the last active setting with a value, else the format's default; shell is always
    /// `=`, and auditd-style files always get spaces around `=`.
    public func separator(for key: String) -> String {
        var found: String?
        if let c = commentedDefault(for: key), case .comment(let e?) = lines[c].kind, e.value != nil {
            found = e.separator
        } else if let e = lines.last(where: { $0.entry?.value != nil })?.entry {
            found = e.separator
        }
        var sep = found ?? syntax.defaultSeparator
        switch syntax.format {
        case .shell:
            sep = "="
        case .equals:
            if !sep.contains("=") { sep = syntax.defaultSeparator }
            let blank: (Character?) -> Bool = { $0 == " " || $0 == "\t" }
            if syntax.spacedEquals && !(blank(sep.first) && blank(sep.last)) { sep = " = " }
        case .whitespace:
            if sep.isEmpty || sep.contains(where: { $0 != " " && $0 != "\t" }) { sep = " " }
        }
        return sep
    }

    /// Sets the value of the entry on line `index` in place.
    public mutating func setValue(_ value: String, atLine index: Int) {
        lines[index].setValue(value, separator: separator(for: lines[index].entry?.key ?? ""), syntax: syntax)
    }

    /// Comments out line `index` with `marker`.
    public mutating func commentOut(line index: Int, marker: String = KeyValueFile.commentMarker) {
        lines[index].commentOut(marker: marker, syntax: syntax)
    }

    /// Inserts `text` as a new line right after line `index`.
    public mutating func insert(_ text: String, after index: Int) {
        let nl = newline
        if lines[index].terminator.isEmpty { terminate(index, nl) }
        lines.insert(makeLine(text, nl), at: index + 1)
    }

    /// Appends `text` as a new last line, first ending an unterminated last line.
    public mutating func append(_ text: String) {
        let nl = newline
        if let last = lines.indices.last, lines[last].terminator.isEmpty { terminate(last, nl) }
        lines.append(makeLine(text, nl))
    }

    /// The prefix harden puts before a line it disables.
    public static let commentMarker = "# harden: "

    private mutating func terminate(_ index: Int, _ nl: [UInt8]) {
        var content = lines[index].content
        if nl.count == 2 && content.last != 0x0D { content.append(0x0D) }
        lines[index] = KeyValueLine(content: content, terminator: [0x0A], syntax: syntax)
    }

    private func makeLine(_ text: String, _ nl: [UInt8]) -> KeyValueLine {
        var content = Array(text.utf8)
        if nl.count == 2 { content.append(0x0D) }
        return KeyValueLine(content: content, terminator: [0x0A], syntax: syntax)
    }
}
