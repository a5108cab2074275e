import Crypto
import Foundation

/// The few Perl behaviours pam-auth-update relies on, reproduced on bytes: `<FILE>` lines,
/// `chomp`, `\s`, `split(/\s+/)`, numeric conversion, and the two jump-stripping
/// substitutions of `diff_profiles`.
enum PamPerl {
    /// Perl's `\s`: space, \t, \n, \r, \f, \v.
    static func isSpace(_ b: UInt8) -> Bool { b == 0x20 || (0x09...0x0D).contains(b) }

    /// Lines as `while (<FH>)` yields them: each with its `\n` (the last may have none).
    static func lines(_ bytes: [UInt8]) -> [[UInt8]] { PamPhysical.lines(bytes).map { Array(bytes[$0]) } }

    /// Drops one trailing `\n`.
    static func chomp(_ b: [UInt8]) -> [UInt8] { b.last == 0x0A ? Array(b.dropLast()) : b }

    /// `s/^\s+//; s/\s+$//`.
    static func trim(_ b: [UInt8]) -> [UInt8] {
        var s = b[...]
        while let f = s.first, isSpace(f) { s = s.dropFirst() }
        while let l = s.last, isSpace(l) { s = s.dropLast() }
        return Array(s)
    }

    /// UTF-8 text (invalid bytes replaced).
    static func string(_ b: [UInt8]) -> String { String(decoding: b, as: UTF8.self) }

    /// `split(/\s+/, $s)`: a leading empty field when `s` starts with whitespace, trailing
    /// empty fields dropped.
    static func splitSpace(_ s: String) -> [String] {
        var out: [String] = []
        var current: [UInt8] = []
        var inSpace = false
        let b = Array(s.utf8)
        for c in b {
            if isSpace(c) {
                if !inSpace { out.append(string(current)); current = [] }
                inSpace = true
            } else {
                inSpace = false
                current.append(c)
            }
        }
        out.append(string(current))
        while let last = out.last, last.isEmpty { out.removeLast() }
        return out
    }

    /// A string in numeric context: its leading number, 0 when there is none.
    static func number(_ s: String?) -> Double {
        guard let s else { return 0 }
        let t = s.drop { $0 == " " || $0 == "\t" || $0 == "\n" }
        var prefix = ""
        for ch in t {
            if ch.isASCII && (ch.isNumber || ch == "." || ((ch == "-" || ch == "+") && prefix.isEmpty)) {
                prefix.append(ch)
            } else {
                break
            }
        }
        return Double(prefix) ?? 0
    }

    /// `s/(\[[^0-9]*)[0-9]+(.*\])/$1$2/g`: removes the first run of digits that follows a `[`
    /// and is followed (on the same line) by a `]`.
    static func stripJumpNumber(_ s: String) -> String {
        var b = Array(s.utf8)
        let digit: (UInt8) -> Bool = { $0 >= 0x30 && $0 <= 0x39 }
        for p in b.indices where b[p] == UInt8(ascii: "[") {
            var q = p + 1
            while q < b.count && !digit(b[q]) { q += 1 }
            guard q < b.count else { return s }
            var r = q
            while r < b.count && digit(b[r]) { r += 1 }
            let rest = b[r...].prefix { $0 != 0x0A }
            if rest.contains(UInt8(ascii: "]")) {
                b.removeSubrange(q..<r)
                return string(b)
            }
        }
        return s
    }

    /// `s/(\[.*)end(.*\])/$1$2/g`: removes the last `end` after the first `[` that has an
    /// `end` followed by a `]` (all on one line).
    static func stripEnd(_ s: String) -> String {
        var b = Array(s.utf8)
        let line = b.prefix { $0 != 0x0A }
        for p in line.indices where b[p] == UInt8(ascii: "[") {
            guard let lastBracket = line.lastIndex(of: UInt8(ascii: "]")), lastBracket > p else { continue }
            var e = lastBracket - 3
            while e > p {
                if b[e] == UInt8(ascii: "e") && b[e + 1] == UInt8(ascii: "n") && b[e + 2] == UInt8(ascii: "d") {
                    b.removeSubrange(e..<(e + 3))
                    return string(b)
                }
                e -= 1
            }
        }
        return s
    }
}

/// MD5, only to recognise pam-auth-update's stock templates the way it does (`md5sum` of the
/// text outside the managed blocks). Not for anything secret. swift-crypto's implementation (a
/// hand-written one took 30 s on a 10 MB line in a debug build).
enum PamMD5 {
    /// Lowercase hex digest of `bytes`.
    static func hex(_ bytes: [UInt8]) -> String {
        RootHost.hex(Insecure.MD5.hash(data: bytes))
    }
}
