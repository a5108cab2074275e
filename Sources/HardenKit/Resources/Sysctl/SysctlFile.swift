#if canImport(Glibc)
import Glibc
#endif

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
        if let answer = plainFieldsEqual(a, b) { return answer }
        return fields(a) == fields(b)
    }

    /// `equal` on the bytes, without splitting, when both strings are one byte per Character
    /// (ASCII without a CR LF pair, where Characters and bytes split and compare alike); nil
    /// otherwise. Comparing a 10 MB value by Characters took seconds per call in a debug build.
    static func plainFieldsEqual(_ a: String, _ b: String) -> Bool? {
        var a = a
        var b = b
        return a.withUTF8 { pa in
            b.withUTF8 { pb in
                guard isPlain(pa), isPlain(pb) else { return nil }
                // the usual case first: the same bytes once blanks around them are left out
                let (a0, a1) = trimmed(pa)
                let (b0, b1) = trimmed(pb)
                if a1 - a0 == b1 - b0 && (a1 == a0 || memcmp(pa.baseAddress! + a0, pb.baseAddress! + b0, a1 - a0) == 0) {
                    return true
                }
                var i = 0
                var j = 0
                while true {
                    while i < pa.count, pa[i] == 0x20 || pa[i] == 0x09 || pa[i] == 0x0A || pa[i] == 0x0D { i += 1 }
                    while j < pb.count, pb[j] == 0x20 || pb[j] == 0x09 || pb[j] == 0x0A || pb[j] == 0x0D { j += 1 }
                    if i == pa.count || j == pb.count { return i == pa.count && j == pb.count }
                    // one field each, compared as they are walked (a mismatch stops at once)
                    while i < pa.count, j < pb.count, pa[i] == pb[j] {
                        let c = pa[i]
                        if c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D { break }
                        i += 1
                        j += 1
                    }
                    let endA = i == pa.count || pa[i] == 0x20 || pa[i] == 0x09 || pa[i] == 0x0A || pa[i] == 0x0D
                    let endB = j == pb.count || pb[j] == 0x20 || pb[j] == 0x09 || pb[j] == 0x0A || pb[j] == 0x0D
                    if !(endA && endB) { return false }
                }
            }
        }
    }

    /// The range of `p` without leading and trailing blanks (space, tab, LF, CR).
    static func trimmed(_ p: UnsafeBufferPointer<UInt8>) -> (Int, Int) {
        var lo = 0
        var hi = p.count
        while lo < hi, p[lo] == 0x20 || p[lo] == 0x09 || p[lo] == 0x0A || p[lo] == 0x0D { lo += 1 }
        while hi > lo, p[hi - 1] == 0x20 || p[hi - 1] == 0x09 || p[hi - 1] == 0x0A || p[hi - 1] == 0x0D { hi -= 1 }
        return (lo, hi)
    }

    /// ASCII only and no CR LF pair: one byte per Character. Eight bytes at a time, and CRs
    /// found with memchr (a Character count of 10 MB is slow in a debug build).
    static func isPlain(_ p: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = p.baseAddress else { return true }
        let raw = UnsafeRawPointer(base)
        var i = 0
        var high: UInt64 = 0
        while i + 8 <= p.count {
            high |= raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
            i += 8
        }
        while i < p.count {
            high |= UInt64(p[i])
            i += 1
        }
        guard high & 0x8080_8080_8080_8080 == 0 else { return false }
        var at = 0
        while at < p.count, let cr = memchr(base + at, 0x0D, p.count - at) {
            let k = base.distance(to: cr.assumingMemoryBound(to: UInt8.self))
            if k + 1 < p.count && p[k + 1] == 0x0A { return false }
            at = k + 1
        }
        return true
    }

    /// The whitespace-separated fields of `value`.
    public static func fields(_ value: String) -> [Substring] {
        value.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" })
    }
}
