/// A lossless model of one audit `*.rules` file (rules.d drop-in or the compiled audit.rules).
///
/// `AuditRulesFile(bytes:).render() == bytes` for every input: comments, blank lines, spacing,
/// CRLF, a missing final newline and invalid UTF-8 survive, because each line keeps its raw bytes
/// and only lines harden edits change. Lines are split at `\n` only.
public struct AuditRulesFile: Sendable, Equatable {
    /// One physical line: its bytes without the terminator, and the terminator (`\n` or none).
    public struct Line: Sendable, Equatable {
        public var content: [UInt8]
        public var terminator: [UInt8]

        /// The line as text (invalid UTF-8 replaced, for parsing only; never written back).
        public var text: String { String(decoding: content, as: UTF8.self) }
    }

    /// What `auditctl -R` makes of a line.
    public enum Entry: Sendable, Equatable {
        /// Empty or only spaces.
        case blank
        /// The first argument starts with `#`.
        case comment
        /// A rule or control line.
        case rule(AuditRule)
        /// A line auditctl refuses (and stops loading at, unless `-c` or `-i` came first).
        case invalid(AuditRuleProblem)
    }

    /// The lines, in file order.
    public var lines: [Line]

    /// The first line of every file harden owns (and regenerates).
    public static let ownedHeader = "## Managed by harden. Local changes are overwritten."
    /// The prefix harden puts before a line it disables.
    public static let commentMarker = "# harden: "

    /// Parses `bytes`.
    public init(bytes: [UInt8]) {
        var lines: [Line] = []
        var start = 0
        for i in bytes.indices where bytes[i] == 0x0A {
            lines.append(Line(content: Array(bytes[start..<i]), terminator: [0x0A]))
            start = i + 1
        }
        if start < bytes.count { lines.append(Line(content: Array(bytes[start...]), terminator: [])) }
        self.lines = lines
    }

    /// Parses UTF-8 text.
    public init(_ text: String) { self.init(bytes: Array(text.utf8)) }

    /// The file's bytes.
    public func render() -> [UInt8] {
        var out: [UInt8] = []
        for line in lines { out += line.content + line.terminator }
        return out
    }

    /// True when the first line is harden's ownership header.
    public var isOwned: Bool {
        guard let first = lines.first else { return false }
        var c = first.content
        if c.last == 0x0D { c.removeLast() }
        return c == Array(Self.ownedHeader.utf8)
    }

    /// What auditctl makes of line `index` on a host of machine `machine`.
    public func entry(at index: Int, machine: AuditMachine = .x86_64) -> Entry {
        Self.classify(lines[index].content, machine: machine)
    }

    /// Every line's entry, in order.
    public func entries(machine: AuditMachine = .x86_64) -> [Entry] {
        lines.indices.map { entry(at: $0, machine: machine) }
    }

    /// auditctl's view of one line's bytes: blank when only spaces; a comment when the first
    /// space-separated argument starts with `#`; else a rule, valid or not.
    public static func classify(_ content: [UInt8], machine: AuditMachine = .x86_64) -> Entry {
        guard let first = content.firstIndex(where: { $0 != 0x20 }) else { return .blank }
        if content[first] == 0x23 { return .comment }
        switch AuditRule.parse(String(decoding: content, as: UTF8.self), machine: machine) {
        case .success(let r): return .rule(r)
        case .failure(let p): return .invalid(p)
        }
    }

    /// Disables line `index` by prefixing `# harden: ` (idempotent for an already disabled line).
    public mutating func commentOut(line index: Int) {
        let marker = Array(Self.commentMarker.utf8)
        if lines[index].content.starts(with: marker) { return }
        lines[index].content = marker + lines[index].content
    }

    /// Appends `text` as a new last line ending in `\n`, first terminating an unterminated last
    /// line. New lines always end in LF, even in a CRLF file: auditctl keeps a `\r` as part of
    /// the rule, which breaks `-e 2` and changes keys.
    public mutating func append(_ text: String) {
        if let last = lines.indices.last, lines[last].terminator.isEmpty { lines[last].terminator = [0x0A] }
        lines.append(Line(content: Array(text.utf8), terminator: [0x0A]))
    }

    /// A new owned file: the header, then `rules`, one per line.
    public static func owned(rules: [String]) -> AuditRulesFile {
        var f = AuditRulesFile(bytes: [])
        f.append(ownedHeader)
        for r in rules { f.append(r) }
        return f
    }
}
