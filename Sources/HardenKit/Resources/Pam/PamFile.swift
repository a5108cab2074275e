/// A `/etc/pam.d` service file as a list of entries; rendering gives the input back byte for
/// byte, so an edit changes only the entries it touches.
public struct PamFile: Sendable, Equatable {
    /// The entries in file order.
    public private(set) var lines: [PamLine]

    /// Parses any bytes (never fails: what libpam would reject is kept as `.invalid`).
    public init(bytes: [UInt8]) {
        lines = PamPhysical.entries(bytes).map { PamLine(raw: Array(bytes[$0])) }
    }

    /// Builds a file from entries.
    public init(lines: [PamLine]) { self.lines = lines }

    /// The file's bytes.
    public func render() -> [UInt8] { lines.flatMap(\.raw) }

    /// The terminator new lines get: the one most entries use (`\n` when none has one).
    public var terminator: [UInt8] {
        let crlf = lines.filter { $0.terminator == [0x0D, 0x0A] }.count
        let lf = lines.filter { $0.terminator == [0x0A] }.count
        return crlf > lf ? [0x0D, 0x0A] : [0x0A]
    }

    /// 1-based physical line number where entry `index` starts.
    public func lineNumber(of index: Int) -> Int {
        1 + lines[..<index].reduce(0) { $0 + $1.physicalLineCount }
    }

    /// Indices of the rules of `type` (compared without `-` and case), in file order.
    public func ruleIndices(type: String) -> [Int] {
        let t = PamDesired.baseType(type)
        return lines.indices.filter { lines[$0].isRule && lines[$0].baseType == t }
    }

    /// The stack of `type` as libpam counts it for jumps: its rules and every `@include`
    /// (which stands for an unknown number of entries).
    public func stack(type: String) -> [Int] {
        let t = PamDesired.baseType(type)
        return lines.indices.filter {
            (lines[$0].isRule && lines[$0].baseType == t) || lines[$0].kind == .include
        }
    }

    // MARK: - Edits (callers fix jumps with `PamJumps` first)

    /// True when the file ends inside a `\` continuation: the last entry's last line with
    /// content ends in `\` (libpam reports an incomplete line). A line appended after it would be
    /// read as more words of it, so `insert` ends the continuation first.
    public var endsInsideContinuation: Bool { lines.last?.closingContinuation() != nil }

    /// Inserts `line` before entry `index` (`index == lines.count` appends). A last entry
    /// without a terminator gets one first, so the new line starts on a line of its own; when
    /// the file ends inside a `\` continuation, the continuation is ended first
    /// (`PamLine.closingContinuation`: same words), so the new line is a rule of its own.
    mutating func insert(_ line: PamLine, at index: Int) {
        let term = terminator
        guard index == lines.count, let last = lines.last else {
            lines.insert(line.terminated(with: term), at: index)
            return
        }
        var tail = [last]
        if let closed = last.closingContinuation() {
            tail = closed.isEmpty ? [PamLine(raw: [])] : PamFile(bytes: closed).lines
        }
        tail[tail.count - 1] = tail[tail.count - 1].terminated(with: term)
        lines.replaceSubrange((lines.count - 1)..., with: tail)
        lines.append(line.terminated(with: term))
    }

    /// Removes entry `index`. When it was the last entry and had no terminator, the entry
    /// before it loses its terminator too, so the file keeps "no final newline" — unless that
    /// would change the entry: a blank line would vanish from the file (while staying in the
    /// model), and a line ending in `\` before its `\r\n` would start a continuation.
    mutating func remove(at index: Int) {
        let removed = lines.remove(at: index)
        if index == lines.count, removed.terminator.isEmpty, let last = lines.last, !last.terminator.isEmpty {
            let stripped = PamLine(raw: Array(last.raw.dropLast(last.terminator.count)))
            if !stripped.raw.isEmpty && stripped.kind == last.kind && stripped.tokens.map(\.text) == last.tokens.map(\.text) {
                lines[lines.count - 1] = stripped
            }
        }
    }

    /// Replaces entry `index`.
    mutating func replace(at index: Int, with line: PamLine) {
        lines[index] = line
    }
}

/// How a new PAM line is written so it lines up with its neighbours: the columns where the
/// control and the module start, and whether the file pads with tabs (Debian's
/// `auth\trequisite\t\t\tpam_deny.so`) or spaces (authselect's and authconfig's layout).
struct PamLineLayout: Equatable {
    /// Display column (tabs every 8) where the control starts.
    var controlColumn: Int
    /// Display column where the module starts.
    var moduleColumn: Int
    /// Pad with tabs.
    var tabs: Bool

    /// One tab between fields.
    static let plain = PamLineLayout(controlColumn: 0, moduleColumn: 0, tabs: true)

    /// The layout of `line` (a one-line rule), or nil.
    init?(of line: PamLine) {
        guard line.isRule, line.physicalLineCount == 1 else { return nil }
        let raw = line.raw
        let t = line.tokens
        self.controlColumn = Self.column(raw, upTo: t[1].range.lowerBound)
        self.moduleColumn = Self.column(raw, upTo: t[2].range.lowerBound)
        self.tabs = raw[t[0].range.upperBound..<t[2].range.lowerBound].contains(0x09)
    }

    init(controlColumn: Int, moduleColumn: Int, tabs: Bool) {
        self.controlColumn = controlColumn
        self.moduleColumn = moduleColumn
        self.tabs = tabs
    }

    /// The layout of the rule nearest to entry `index` (the previous rule of `type`, else the
    /// next one, else any rule), or `.plain`.
    static func near(_ index: Int, type: String, in file: PamFile) -> PamLineLayout {
        let rules = file.ruleIndices(type: type)
        let ordered = rules.filter { $0 < index }.reversed() + rules.filter { $0 >= index }
        for i in ordered { if let l = PamLineLayout(of: file.lines[i]) { return l } }
        for line in file.lines { if let l = PamLineLayout(of: line) { return l } }
        return .plain
    }

    static func column(_ raw: [UInt8], upTo end: Int) -> Int {
        var col = 0
        for b in raw[..<end] { col = b == 0x09 ? (col / 8 + 1) * 8 : col + 1 }
        return col
    }

    /// The text of a rule in this layout (no terminator).
    func render(type: String, control: String, module: String, args: [String]) -> String {
        var s = type
        pad(&s, to: controlColumn)
        s += control
        pad(&s, to: moduleColumn)
        s += module
        for a in args { s += " " + a }
        return s
    }

    private func pad(_ s: inout String, to target: Int) {
        var col = Self.column(Array(s.utf8), upTo: s.utf8.count)
        if tabs {
            repeat {
                s += "\t"
                col = (col / 8 + 1) * 8
            } while col < target
        } else {
            repeat {
                s += " "
                col += 1
            } while col < target
        }
    }
}
