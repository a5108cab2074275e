/// A message about a place in a source file, printed as `path:line:col: error: message`
/// followed by the source line and a caret under the column.
public struct Diagnostic: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Severity: String, Sendable, Hashable { case error, warning, note }

    public var severity: Severity
    /// Where; nil for a diagnostic about no particular place (then printed as `path: error: ...`).
    public var mark: Mark?
    /// Used when there is no mark (e.g. an unreadable file).
    public var path: String?
    public var message: String
    /// Secondary places (printed as `note:` lines after the main one).
    public var notes: [Diagnostic]

    public init(_ severity: Severity, _ message: String, at mark: Mark?, notes: [Diagnostic] = []) {
        self.severity = severity
        self.mark = mark
        self.path = mark?.file.path
        self.message = message
        self.notes = notes
    }

    public init(_ severity: Severity, _ message: String, path: String?) {
        self.severity = severity
        self.mark = nil
        self.path = path
        self.message = message
        self.notes = []
    }

    public static func error(_ message: String, at mark: Mark?, notes: [Diagnostic] = []) -> Diagnostic {
        Diagnostic(.error, message, at: mark, notes: notes)
    }
    public static func warning(_ message: String, at mark: Mark?, notes: [Diagnostic] = []) -> Diagnostic {
        Diagnostic(.warning, message, at: mark, notes: notes)
    }
    public static func note(_ message: String, at mark: Mark?) -> Diagnostic {
        Diagnostic(.note, message, at: mark)
    }

    /// The one-line header: `path:line:col: error: message`.
    public var header: String {
        if let mark { return "\(mark): \(severity.rawValue): \(message)" }
        if let path { return "\(path): \(severity.rawValue): \(message)" }
        return "\(severity.rawValue): \(message)"
    }

    /// Header, source line and caret, then the notes the same way.
    public var rendered: String {
        var out = header
        if let mark {
            var text = mark.file.lineText(mark.line)
            var column = mark.column
            if column > 300 {
                // a long line: show a window around the column, marked with ellipses
                let drop = column - 100
                text = "..." + String(text.dropFirst(drop))
                column = column - drop + 3
            }
            if text.count > 400 { text = String(text.prefix(400)) + "..." }
            if !text.isEmpty || mark.file.bytes.isEmpty == false {
                out += "\n" + text + "\n" + Diagnostic.caret(under: text, column: column)
            }
        }
        for note in notes { out += "\n" + note.rendered }
        return out
    }

    public var description: String { rendered }

    static func caret(under text: String, column: Int) -> String {
        var pad = ""
        for (i, ch) in text.enumerated() where i < column - 1 {
            pad.append(ch == "\t" ? "\t" : " ")
        }
        if column - 1 > text.count { pad += String(repeating: " ", count: column - 1 - text.count) }
        return pad + "^"
    }
}

extension Array where Element == Diagnostic {
    /// True when any element is an error.
    public var hasErrors: Bool { contains { $0.severity == .error } }
}
