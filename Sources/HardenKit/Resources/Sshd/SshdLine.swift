/// One parsed directive of an sshd_config line: the keyword as written, its arguments as sshd
/// reads them, and where both sit in the line's raw bytes (so an edit can replace only the
/// arguments and keep indentation, keyword spelling, separator and any trailing comment).
public struct SshdDirective: Sendable, Equatable {
    /// The keyword exactly as written (case kept), quotes removed if it was quoted.
    public let keyword: String
    /// Arguments after sshd's tokenisation: quotes removed, `\"`, `\'`, `\\` and `\ ` unescaped,
    /// stopped at a token that starts with `#`.
    public let arguments: [String]
    /// Byte range of the keyword in `SshdLine.raw`.
    public let keywordRange: Range<Int>
    /// Byte range from the first argument's first byte to the last argument's last byte in
    /// `SshdLine.raw`; empty (at the argument start) when there are no arguments.
    public let argumentsRange: Range<Int>
    /// Why sshd would reject this line (missing argument, unterminated quote), or nil.
    public let problem: String?

    /// The keyword lowercased (sshd compares keywords case-insensitively).
    public var lowercasedKeyword: String { keyword.lowercased() }

    /// A directive; ranges index the line's raw bytes.
    public init(
        keyword: String, arguments: [String], keywordRange: Range<Int>, argumentsRange: Range<Int>,
        problem: String? = nil
    ) {
        self.keyword = keyword
        self.arguments = arguments
        self.keywordRange = keywordRange
        self.argumentsRange = argumentsRange
        self.problem = problem
    }
}

/// One line of an sshd_config file, kept as raw bytes so that rendering is byte-exact.
public struct SshdLine: Sendable, Equatable {
    /// What sshd makes of the line.
    public enum Kind: Sendable, Equatable {
        /// Empty or whitespace only.
        case blank
        /// A `#` comment (also a line sshd silently ignores, e.g. an unterminated quoted keyword).
        case comment
        /// An ordinary `Keyword arguments` line.
        case directive
        /// An `Include pattern...` line.
        case include
        /// A `Match criteria...` line.
        case match
    }

    /// The line's bytes without its terminating `\n` (a CRLF line keeps its `\r` here).
    public let raw: [UInt8]
    /// Whether the line ends with `\n` (false only for a last line without final newline).
    public let hasNewline: Bool
    /// The classification.
    public let kind: Kind
    /// The parsed directive for `.directive`, `.include` and `.match` lines.
    public let directive: SshdDirective?

    /// Parse one line (without its `\n`).
    public init(raw: [UInt8], hasNewline: Bool) {
        self.raw = raw
        self.hasNewline = hasNewline
        let parsed = SshdTokenizer.parseLine(raw)
        self.directive = parsed
        if let parsed {
            switch parsed.lowercasedKeyword {
            case "include": kind = .include
            case "match": kind = .match
            default: kind = .directive
            }
        } else {
            kind = SshdTokenizer.isBlank(raw) ? .blank : .comment
        }
    }

    /// The raw bytes including the terminating newline, as written to disk.
    public var bytes: [UInt8] { hasNewline ? raw + [0x0A] : raw }

    /// The line's text (invalid UTF-8 replaced; for display and tests only).
    public var text: String { String(decoding: raw, as: UTF8.self) }

    /// Whether the raw line ends with `\r` (a CRLF line).
    public var endsWithCR: Bool { raw.last == 0x0D }

    /// Leading blanks (spaces and tabs) of the raw line.
    public var indentation: [UInt8] { Array(raw.prefix { $0 == 0x20 || $0 == 0x09 }) }

    /// A copy whose arguments are replaced by `argumentText`, keeping everything else
    /// (indentation, keyword spelling, separator, trailing comment, `\r`).
    /// Returns nil when the line has no directive.
    public func replacingArguments(with argumentText: String) -> SshdLine? {
        guard let directive else { return nil }
        let range = directive.argumentsRange
        var bytes = Array(raw[..<range.lowerBound])
        if range.isEmpty, let last = bytes.last, last != 0x20, last != 0x09, last != 0x3D {
            bytes.append(0x20)
        }
        bytes += Array(argumentText.utf8)
        bytes += raw[range.upperBound...]
        return SshdLine(raw: bytes, hasNewline: hasNewline)
    }

    /// A copy with `marker` inserted after the indentation, turning the line into a comment.
    public func commentedOut(marker: String) -> SshdLine {
        let indent = indentation
        let bytes = indent + Array(marker.utf8) + raw[indent.count...]
        return SshdLine(raw: bytes, hasNewline: hasNewline)
    }

    /// A copy with the newline flag set as given.
    public func withNewline(_ newline: Bool) -> SshdLine {
        SshdLine(raw: raw, hasNewline: newline)
    }
}
