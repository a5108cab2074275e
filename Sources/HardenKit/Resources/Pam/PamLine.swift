/// One logical entry of a `/etc/pam.d` file, kept as its exact bytes.
///
/// An entry is one physical line, or several when a rule ends in `\` (libpam's continuation:
/// the backslash, followed only by spaces or tabs, joins the next line; blank and comment lines
/// met while continuing are skipped by libpam and kept inside the entry here). `raw` holds the
/// bytes including the line terminator(s), so concatenating the entries of a file gives the file
/// back byte for byte, whatever it holds (CRLF, invalid UTF-8, no final newline).
///
/// Words follow libpam: everything from the first `#` of a line on is a comment, a word that
/// starts with `[` runs to the matching `]` (see `PamToken`).
public struct PamLine: Sendable, Equatable {
    /// What the entry is.
    public enum Kind: Sendable, Equatable {
        /// Only whitespace.
        case blank
        /// Starts with `#` after optional whitespace.
        case comment
        /// `type control module [args...]`, type one of auth/account/password/session with an
        /// optional leading `-`.
        case rule
        /// `@include service`.
        case include
        /// Anything else libpam would reject (kept as is, never edited).
        case invalid
    }

    /// The exact bytes of the entry, terminators included.
    public private(set) var raw: [UInt8]
    /// What the entry is.
    public private(set) var kind: Kind
    /// Words of the rule or include (empty for blank and comment lines).
    public private(set) var tokens: [PamToken]

    /// Parses one entry's bytes (as cut by `PamFile`).
    public init(raw: [UInt8]) {
        self.raw = raw
        self.tokens = PamTokenizer.tokens(Self.content(of: raw))
        self.kind = Self.classify(tokens: tokens, raw: raw)
    }

    /// The four PAM management groups.
    public static let types: Set<String> = ["auth", "account", "password", "session"]

    static func classify(tokens: [PamToken], raw: [UInt8]) -> Kind {
        guard let first = tokens.first else {
            let firstNonSpace = raw.first { !PamTokenizer.isSpace($0) }
            return firstNonSpace == nil ? .blank : .comment
        }
        if first.text == "@include" { return tokens.count >= 2 ? .include : .invalid }
        let t = first.text.lowercased()
        let base = t.hasPrefix("-") ? String(t.dropFirst()) : t
        return tokens.count >= 3 && types.contains(base) && !first.bracketed ? .rule : .invalid
    }

    /// The bytes libpam reads from `raw`: comments cut, continuation backslashes turned into
    /// spaces, blank/comment lines inside a continuation skipped; each byte mapped to its offset.
    static func content(of raw: [UInt8]) -> PamTokenizer.Content {
        var out = PamTokenizer.Content()
        for line in PamPhysical.lines(raw) {
            guard let scan = PamPhysical.scan(raw, line) else { continue }
            for i in scan.contentStart..<scan.contentEnd {
                out.bytes.append(raw[i])
                out.rawIndex.append(i)
            }
            if let bs = scan.backslash {
                out.bytes.append(0x20)
                out.rawIndex.append(bs)
            }
            if !scan.continues { break }
        }
        return out
    }

    // MARK: - Rule fields

    /// True for a `type control module ...` rule.
    public var isRule: Bool { kind == .rule }
    /// The type as written (`auth`, `-session`, `Auth`).
    public var typeText: String { tokens.first?.text ?? "" }
    /// The type lowercased, without the `-` prefix (libpam compares types case-insensitively).
    public var baseType: String {
        let t = typeText.lowercased()
        return t.hasPrefix("-") ? String(t.dropFirst()) : t
    }
    /// True for a `-type` rule (libpam skips it silently when the module is missing).
    public var isSilent: Bool { typeText.hasPrefix("-") }
    /// The control as written: `required` or `[success=1 default=ignore]`.
    public var control: String { tokens.count > 1 ? tokens[1].text : "" }
    /// The module path or name as written (for `include`/`substack` controls: a service name).
    public var module: String { tokens.count > 2 ? tokens[2].text : "" }
    /// The module's file name (`/lib/security/pam_unix.so` → `pam_unix.so`).
    public var moduleName: String { Self.baseName(module) }
    /// The argument words as written.
    public var args: [String] { tokens.count > 3 ? tokens[3...].map(\.text) : [] }
    /// For `@include X`, `type include X` and `type substack X`: the service read from there.
    public var includedService: String? {
        if kind == .include { return tokens[1].text }
        if kind == .rule, ["include", "substack"].contains(control.lowercased()) { return module }
        return nil
    }

    /// Last path component.
    public static func baseName(_ path: String) -> String {
        path.split(separator: "/", omittingEmptySubsequences: false).last.map(String.init) ?? path
    }

    /// Words joined by single spaces: the entry as a human reads it.
    public var text: String { tokens.map(\.text).joined(separator: " ") }

    /// The raw line terminator of the entry (`\n`, `\r\n`), empty when the file ends without one.
    public var terminator: [UInt8] {
        guard raw.last == 0x0A else { return [] }
        return raw.count >= 2 && raw[raw.count - 2] == 0x0D ? [0x0D, 0x0A] : [0x0A]
    }

    /// Number of physical lines the entry spans.
    public var physicalLineCount: Int { PamPhysical.lines(raw).count }

    /// A copy that ends with `terminator` (used before appending after a last line without one).
    func terminated(with terminator: [UInt8]) -> PamLine {
        self.terminator.isEmpty ? PamLine(raw: raw + terminator) : self
    }

    // MARK: - Edits

    /// The same rule with the word at `index` replaced (bytes around it untouched).
    func replacingToken(_ index: Int, with text: String) -> PamLine {
        let r = tokens[index].range
        return PamLine(raw: Array(raw[..<r.lowerBound]) + Array(text.utf8) + Array(raw[r.upperBound...]))
    }

    /// The same rule with other arguments. The bytes before the first argument and after the
    /// last (trailing comment, terminator) are kept; an argument kept from the old list keeps
    /// the separator it had before it, new ones get one space. A rule continued over several
    /// physical lines is written back as one line. See `checked` for what is refused and for a
    /// last word that ends in `\`.
    func replacingArgs(_ newArgs: [String]) throws(PamProblem) -> PamLine {
        let words = tokens.prefix(3).map(\.text) + newArgs
        if physicalLineCount > 1 {
            var head = tokens[0].text + " " + tokens[1].text + " " + tokens[2].text
            if !newArgs.isEmpty { head += " " + newArgs.joined(separator: " ") }
            let lead = raw.prefix { $0 == 0x20 || $0 == 0x09 }
            return try Self.checked(Array(lead) + Array(head.utf8) + terminator, words: words)
        }
        let old = Array(tokens.dropFirst(3))
        let start = newArgs.isEmpty ? tokens[2].range.upperBound : old.first?.range.lowerBound ?? tokens[2].range.upperBound
        let end = old.last?.range.upperBound ?? tokens[2].range.upperBound
        var body: [UInt8] = []
        var previousOld: Int? = nil
        for (i, arg) in newArgs.enumerated() {
            let oldIndex = old.indices.first { $0 > (previousOld ?? -1) && old[$0].text == arg }
            if i == 0 {
                body += old.isEmpty ? [0x20] : []
            } else if let o = oldIndex, let p = previousOld, o == p + 1 {
                body += raw[old[p].range.upperBound..<old[o].range.lowerBound]
            } else {
                body.append(0x20)
            }
            body += Array(arg.utf8)
            if let o = oldIndex { previousOld = o }
        }
        return try Self.checked(Array(raw[..<start]) + body + Array(raw[end...]), words: words)
    }

    /// The entry `raw`, written to be read by libpam as the rule `words`, checked: refused when
    /// libpam would read other words. A word written `[...` without its `]` (module or
    /// argument) runs to the end of the line in libpam, so no word can follow it on the line.
    /// A last word that ends in `\` would make the line continue into the next entry: an empty
    /// comment ` #` goes right after it, which ends the line for libpam (a `#` ends an entry).
    static func checked(_ raw: [UInt8], words: [String]) throws(PamProblem) -> PamLine {
        if let open = words.dropLast().first(where: { PamTokenizer.opensBracket($0) }) {
            throw PamProblem(
                "'\(open)' opens a '[' that no ']' closes: libpam reads the rest of the line as part of that word, so no word can follow it; close the bracket or remove the word"
            )
        }
        var line = PamLine(raw: raw)
        if line.tokens.map(\.text) != words, words.last?.hasSuffix("\\") == true,
            let last = PamPhysical.lines(raw).last, let bs = PamPhysical.scan(raw, last)?.backslash
        {
            line = PamLine(raw: Array(raw[...bs]) + Array(" #".utf8) + Array(raw[(bs + 1)...]))
        }
        guard line.kind == .rule, line.tokens.map(\.text) == words else {
            throw PamProblem(
                "libpam would read the line as '\(line.text)' instead of '\(words.joined(separator: " "))'")
        }
        return line
    }

    /// The bytes of the entry with a `\` continuation that is still open at its end (the file
    /// ends inside it, which libpam reports as an incomplete line) ended: the backslash of its
    /// last line with content goes, with the blanks around it, and so on up the entry while that
    /// leaves a line without content. Where the line would then end in a word's own `\`, the
    /// backslash becomes an empty comment `#` instead (a `#` ends the line for libpam). The
    /// words stay (the continuation only joined lines; an unclosed `[...` word may lose trailing
    /// blanks); blank and comment lines after the new end become entries of their own. Nil when
    /// the entry does not end inside a continuation. Linear in the size of the entry.
    func closingContinuation() -> [UInt8]? {
        var cuts: [(range: Range<Int>, with: [UInt8])] = []
        for r in PamPhysical.lines(raw).reversed() {
            guard let scan = PamPhysical.scan(raw, r) else { continue }
            guard let bs = scan.backslash else { break }
            var from = bs
            while from > scan.contentStart && (raw[from - 1] == 0x20 || raw[from - 1] == 0x09) { from -= 1 }
            var to = bs + 1
            while to < r.upperBound && (raw[to] == 0x20 || raw[to] == 0x09) { to += 1 }
            if from == scan.contentStart {
                cuts.append((from..<to, []))  // no word left on the line: the one before ends the entry
                continue
            }
            cuts.append(raw[from - 1] == UInt8(ascii: "\\") ? (bs..<to, [UInt8(ascii: "#")]) : (from..<to, []))
            break
        }
        guard !cuts.isEmpty else { return nil }
        var out: [UInt8] = []
        out.reserveCapacity(raw.count)
        var at = 0
        for cut in cuts.reversed() {
            out += raw[at..<cut.range.lowerBound]
            out += cut.with
            at = cut.range.upperBound
        }
        out += raw[at...]
        return out
    }
}

/// A planning problem for one desired entry: it becomes an `.error` observation and nothing of
/// that entry is applied.
struct PamProblem: Error, Sendable, Equatable {
    var message: String
    init(_ message: String) { self.message = message }
}
